"""puffin.testing.run: subprocess runs with an isolated environment and clear failures."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

import puffin
from puffin.testing.run import (
    PuffinResult,
    PuffinRunError,
    PuffinRunner,
    isolated_environ,
    run_puffin,
)

# A stand-in for `python -m puffin` that reports what it was given.
PROBE = """\
import json, os, sys
data = {
    "argv": sys.argv[1:],
    "cwd": os.getcwd(),
    "stdin": sys.stdin.read(),
    "env": {k: v for k, v in os.environ.items()},
}
print(json.dumps(data))
print("to stderr: \\u00e9", file=sys.stderr)
sys.exit(int(os.environ.get("PROBE_EXIT", "0")))
"""


@pytest.fixture
def probe(tmp_path: Path, puffin_cache_dir: Path, puffin_config_dir: Path) -> PuffinRunner:
    modules = tmp_path / "modules"
    modules.mkdir()
    (modules / "puffin_probe.py").write_text(PROBE)
    return PuffinRunner(
        cache_dir=puffin_cache_dir,
        config_dir=puffin_config_dir,
        cwd=tmp_path,
        env={"PYTHONPATH": str(modules)},
        module="puffin_probe",
    )


def reported(result: PuffinResult) -> dict[str, object]:
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_environment_is_isolated(
    probe: PuffinRunner,
    puffin_cache_dir: Path,
    puffin_config_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The developer's shell must not leak into the run.
    monkeypatch.setenv("PUFFIN_INDEX_URL", "http://leak.invalid/simple/")
    monkeypatch.setenv("PUFFIN_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("PIP_INDEX_URL", "http://leak.invalid/simple/")
    monkeypatch.setenv("VIRTUAL_ENV", "/somewhere/else")
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = probe("install", Path("/some/path"), "x")
    assert result.ok
    data = reported(result)
    env = data["env"]
    assert isinstance(env, dict)
    assert env["PUFFIN_CACHE_DIR"] == str(puffin_cache_dir)
    assert env["XDG_CONFIG_HOME"] == str(puffin_config_dir)
    assert env["NO_COLOR"] == "1"
    for leaked in (
        "PUFFIN_INDEX_URL",
        "PUFFIN_DISABLE_PLUGIN_AUTOLOAD",
        "PIP_INDEX_URL",
        "VIRTUAL_ENV",
    ):
        assert leaked not in env
    assert "FORCE_COLOR" not in env
    assert env["PATH"]  # everything else is inherited
    assert data["argv"] == ["install", "/some/path", "x"]
    assert data["cwd"] == str(tmp_path)
    assert data["stdin"] == ""  # stdin is empty, never the terminal
    assert result.args[:3] == (sys.executable, "-m", "puffin_probe")
    assert result.stderr == "to stderr: \u00e9\n"


def test_env_overrides_and_removal(probe: PuffinRunner, tmp_path: Path) -> None:
    probe.env["PUFFIN_VERBOSE"] = "1"
    probe.env["HOME_MARKER"] = "from-runner"
    (tmp_path / "sub").mkdir()
    result = probe(env={"HOME_MARKER": "from-call", "NO_COLOR": None}, cwd=tmp_path / "sub")
    data = reported(result)
    env = data["env"]
    assert isinstance(env, dict)
    assert env["PUFFIN_VERBOSE"] == "1"
    assert env["HOME_MARKER"] == "from-call"
    assert "NO_COLOR" not in env
    assert data["cwd"] == str(tmp_path / "sub")


def test_input_reaches_stdin(probe: PuffinRunner) -> None:
    assert reported(probe(input="yes\n"))["stdin"] == "yes\n"


def test_check_semantics(probe: PuffinRunner) -> None:
    failing = {"PROBE_EXIT": "3"}
    result = probe(env=failing)
    assert (result.returncode, result.ok) == (3, False)
    assert probe(env=failing, check=3).returncode == 3
    assert probe(check=True).ok
    assert probe(check=0).ok
    assert probe(env=failing, check=False).returncode == 3
    with pytest.raises(PuffinRunError) as caught:
        probe(env=failing, check=True)
    message = str(caught.value)
    assert "exit status: 3" in message
    assert "--- stdout ---" in message
    assert '"argv": []' in message
    assert "--- stderr ---\nto stderr: \u00e9" in message
    with pytest.raises(PuffinRunError, match="expected exit status 2"):
        probe(env=failing, check=2)
    # PuffinRunError is an AssertionError, so pytest reports a failure, not an error.
    assert issubclass(PuffinRunError, AssertionError)


def test_result_assertions() -> None:
    ok = PuffinResult(("python", "-m", "puffin"), 0, "out\n", "")
    assert ok.assert_ok() is ok
    with pytest.raises(PuffinRunError, match="expected a failure"):
        ok.assert_failed()
    bad = PuffinResult(("python", "-m", "puffin", "x"), 2, "partial", "boom\n")
    assert bad.assert_failed() is bad
    assert bad.assert_failed(2) is bad
    with pytest.raises(PuffinRunError, match="expected exit status 1"):
        bad.assert_failed(1)
    with pytest.raises(PuffinRunError) as caught:
        bad.assert_ok()
    assert "command: python -m puffin x" in str(caught.value)
    assert "--- stdout ---\npartial\n--- stderr ---\nboom\n" in str(caught.value)
    with pytest.raises(AttributeError):
        bad.returncode = 0  # type: ignore[misc]


def test_timeout_is_reported(tmp_path: Path) -> None:
    modules = tmp_path / "m"
    modules.mkdir()
    (modules / "sleeper.py").write_text(
        "import time\nprint('started', flush=True)\ntime.sleep(30)\n"
    )
    with pytest.raises(PuffinRunError, match="timed out after 1") as caught:
        run_puffin(env={"PYTHONPATH": str(modules)}, module="sleeper", timeout=1)
    assert "started" in str(caught.value)


def test_standalone_run_uses_throwaway_dirs(tmp_path: Path) -> None:
    modules = tmp_path / "m"
    modules.mkdir()
    (modules / "puffin_probe.py").write_text(PROBE)
    result = run_puffin(env={"PYTHONPATH": str(modules)}, module="puffin_probe", cwd=tmp_path)
    env = reported(result)["env"]
    assert isinstance(env, dict)
    cache = Path(env["PUFFIN_CACHE_DIR"])
    assert cache.name == "cache"
    assert not cache.parent.exists()  # removed after the run
    assert Path(env["XDG_CONFIG_HOME"]).parent == cache.parent


def test_isolated_environ_from_explicit_base(tmp_path: Path) -> None:
    env = isolated_environ(
        cache_dir=tmp_path / "c",
        config_dir=tmp_path / "x",
        base={"PATH": "/bin", "UV_INDEX_URL": "u", "PUFFIN_X": "1"},
        overrides={"EXTRA": "1"},
    )
    assert env == {
        "PATH": "/bin",
        "PUFFIN_CACHE_DIR": str(tmp_path / "c"),
        "XDG_CONFIG_HOME": str(tmp_path / "x"),
        "NO_COLOR": "1",
        "PYTHONIOENCODING": "utf-8",
        "EXTRA": "1",
    }


@pytest.mark.skipif(
    importlib.util.find_spec("puffin.__main__") is None, reason="no python -m puffin yet"
)
def test_run_puffin_version(run_puffin: PuffinRunner, tmp_path: Path) -> None:
    result = run_puffin("--version", check=True)
    assert puffin.__version__ in result.stdout
    assert run_puffin.cwd == tmp_path
