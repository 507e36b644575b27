"""The command-line frame: version, usage errors, stubs, cache, verbosity and colour."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import puffin

PIP_COMMANDS = ["compile", "sync", "install", "uninstall", "freeze", "list", "show", "check"]


def test_version_fast_path() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "puffin", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout == f"puffin {puffin.__version__}\n"


def test_version_imports_nothing_heavy() -> None:
    code = (
        "import sys; from puffin.cli.main import main; main(['--version']);"
        "heavy = [m for m in ('pluggy', 'httpx', 'argparse', 'packaging', 'platformdirs',"
        " 'importlib.metadata', 'tomllib', 'typing', 're') if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize("command", PIP_COMMANDS)
def test_pip_commands_exist_with_help(run_puffin, command: str) -> None:
    result = run_puffin("pip", command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: puffin pip {command}")


def test_unknown_flag_is_a_usage_error(run_puffin) -> None:
    result = run_puffin("pip", "install", "--definitely-not-a-flag")
    assert result.returncode == 2
    assert "unrecognized arguments: --definitely-not-a-flag" in result.stderr


def test_bad_choice_is_a_usage_error(run_puffin) -> None:
    result = run_puffin("--color", "purple", "cache", "dir")
    assert result.returncode == 2
    assert "invalid choice: 'purple'" in result.stderr


def test_bad_environment_setting_is_a_usage_error(run_puffin) -> None:
    result = run_puffin("cache", "dir", env={"PUFFIN_COLOR": "purple"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: PUFFIN_COLOR: invalid value 'purple' (choose from auto, always, never)"
    )


def test_missing_command_is_a_usage_error(run_puffin) -> None:
    result = run_puffin("pip")
    assert result.returncode == 2
    assert "required: COMMAND" in result.stderr


def test_cache_dir_precedence(run_puffin, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.puffin]\ncache-dir = "from-pyproject"\n')
    # run_puffin sets PUFFIN_CACHE_DIR; an empty value counts as unset.
    result = run_puffin("cache", "dir", env={"PUFFIN_CACHE_DIR": ""}, cwd=tmp_path)
    assert result.stdout.strip() == str(tmp_path / "from-pyproject")
    from_env = run_puffin("cache", "dir", env={"PUFFIN_CACHE_DIR": str(tmp_path / "env")})
    assert from_env.stdout.strip() == str(tmp_path / "env")
    from_cli = run_puffin(
        "cache", "dir", "--cache-dir", str(tmp_path / "cli"), env={"PUFFIN_CACHE_DIR": "x"}
    )
    assert from_cli.stdout.strip() == str(tmp_path / "cli")
    before_command = run_puffin("--cache-dir", str(tmp_path / "early"), "cache", "dir")
    assert before_command.stdout.strip() == str(tmp_path / "early")


def test_cache_clean_removes_everything(run_puffin, tmp_path: Path) -> None:
    cache = tmp_path / "c"
    (cache / "wheels-v1" / "x").mkdir(parents=True)
    (cache / "wheels-v1" / "x" / "file.bin").write_bytes(b"\0" * 2048)
    result = run_puffin("cache", "clean", "--cache-dir", str(cache))
    result.assert_ok()
    assert "Removed 1 files (2.0 KiB)" in result.stderr
    assert not cache.exists()
    again = run_puffin("cache", "clean", "--cache-dir", str(cache))
    assert "Cache is empty" in again.stderr


def test_quiet_hides_summary_and_color_always_colours(run_puffin, tmp_path: Path) -> None:
    cache = tmp_path / "c"
    (cache / "x").mkdir(parents=True)
    (cache / "x" / "f").write_text("x")
    quiet = run_puffin("cache", "clean", "-q", "--cache-dir", str(cache))
    quiet.assert_ok()
    assert quiet.stderr == ""
    (cache / "x").mkdir(parents=True)
    (cache / "x" / "f").write_text("x")
    coloured = run_puffin("--color", "always", "cache", "clean", "--cache-dir", str(cache))
    assert "\x1b[" in coloured.stderr


def test_no_color_environment_disables_colour(run_puffin, tmp_path: Path) -> None:
    result = run_puffin("pip", "check", env={"NO_COLOR": "1"})
    assert "\x1b[" not in result.stderr
    forced = run_puffin("pip", "check", "--color", "always", env={"NO_COLOR": "1"})
    assert "\x1b[" in forced.stderr


def test_python_m_and_console_script_agree() -> None:
    script = Path(sys.executable).with_name("puffin")
    assert script.exists()
    result = subprocess.run([script, "--version"], capture_output=True, text=True, check=True)
    assert result.stdout == f"puffin {puffin.__version__}\n"
