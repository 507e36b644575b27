"""``puffin venv`` end to end: a subprocess of puffin, real interpreters from pyenv."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

PYENV = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"


def pyenv_bin(minor: str) -> Path:
    found = sorted(PYENV.glob(f"{minor}.*/bin"))
    assert found, f"Python {minor} is expected under {PYENV} on this machine image"
    return found[-1]


def prefix_of(venv: Path) -> str:
    return subprocess.run(
        [venv / "bin" / "python", "-c", "import sys; print(sys.prefix, sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_default_path_is_dot_venv(run_puffin, tmp_path: Path) -> None:
    result = run_puffin("venv", "-p", str(pyenv_bin("3.11") / "python3"))
    result.assert_ok()
    assert prefix_of(tmp_path / ".venv") == f"{tmp_path / '.venv'} (3, 11)"
    assert "Created virtual environment at .venv with CPython 3.11" in result.stderr
    assert "Activate with: source .venv/bin/activate" in result.stderr
    assert result.stdout == ""


def test_version_request_is_found_on_path(run_puffin, tmp_path: Path) -> None:
    path = os.pathsep.join([str(pyenv_bin("3.9")), str(pyenv_bin("3.12")), "/usr/bin", "/bin"])
    result = run_puffin("venv", "env312", "--python", "3.12", env={"PATH": path})
    result.assert_ok()
    assert prefix_of(tmp_path / "env312") == f"{tmp_path / 'env312'} (3, 12)"
    old = run_puffin("venv", "env39", "-p", "3.9", env={"PATH": path})
    old.assert_ok()
    assert prefix_of(tmp_path / "env39").endswith("(3, 9)")


def test_python_from_environment_variable(run_puffin, tmp_path: Path) -> None:
    result = run_puffin("venv", "v", env={"PUFFIN_PYTHON": str(pyenv_bin("3.8") / "python3.8")})
    result.assert_ok()
    assert prefix_of(tmp_path / "v").endswith("(3, 8)")


def test_unsupported_python_is_a_clear_error(run_puffin, tmp_path: Path) -> None:
    result = run_puffin("venv", "old", "-p", str(pyenv_bin("3.7") / "python3.7"))
    assert result.returncode == 1
    assert "puffin supports target interpreters of Python 3.8 and newer" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "old").exists()


def test_existing_non_venv_directory_is_left_alone(run_puffin, tmp_path: Path) -> None:
    precious = tmp_path / "project"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = run_puffin("venv", "project", "-p", str(pyenv_bin("3.11") / "python3"))
    assert result.returncode == 1
    assert "not a virtual environment" in result.stderr
    assert str(precious) in result.stderr
    assert [p.name for p in precious.iterdir()] == ["notes.txt"]


def test_clear_and_prompt_and_system_site_packages(run_puffin, tmp_path: Path) -> None:
    python = str(pyenv_bin("3.11") / "python3")
    run_puffin("venv", "v", "-p", python).assert_ok()
    marker = tmp_path / "v" / "lib" / "python3.11" / "site-packages" / "marker.pth"
    marker.write_text("")
    run_puffin("venv", "v", "-p", python).assert_ok()
    assert marker.exists()  # recreating without --clear keeps installed packages
    run_puffin(
        "venv", "v", "-p", python, "--clear", "--prompt", "my env", "--system-site-packages"
    ).assert_ok()
    assert not marker.exists()
    cfg = (tmp_path / "v" / "pyvenv.cfg").read_text()
    assert "prompt = my env" in cfg
    assert "include-system-site-packages = true" in cfg


def test_seed_is_not_implemented_yet(run_puffin, tmp_path: Path) -> None:
    result = run_puffin("venv", "--seed", "v")
    assert result.returncode == 2
    assert "not implemented yet" in result.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_activation_from_the_cli(run_puffin, tmp_path: Path, shell: str) -> None:
    run_puffin("venv", "v", "-p", str(pyenv_bin("3.11") / "python3")).assert_ok()
    script = f". {tmp_path}/v/bin/activate && command -v python && deactivate && command -v python"
    lines = subprocess.run(
        [shell, "-c", script], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert lines[0] == f"{tmp_path}/v/bin/python"
    assert lines[1] != lines[0]
