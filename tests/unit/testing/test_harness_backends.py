"""puffin.testing.backends: real build-backend wheels, downloaded once, then listed offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from packaging.tags import sys_tags
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

import puffin.testing.backends as backends
from puffin.testing.backends import (
    BACKEND_PINS,
    BackendWheelsError,
    backend_wheels_dir,
    ensure_backend_wheels,
)

# Port 9 (discard) on localhost: refused at once. An index nobody can reach.
UNREACHABLE_INDEX = "http://127.0.0.1:9/simple/"

# Stands in for `python -m pip download`: records the pins it was asked for, optionally
# waits at a gate or fails, and writes a fake py3-none-any wheel for each pin.
FAKE_PIP = textwrap.dedent(
    """\
    import os, sys, time
    from pathlib import Path

    args = sys.argv[1:]
    assert args[:3] == ["-m", "pip", "download"], args
    pins = [arg for arg in args if "==" in arg]
    with open(os.environ["FAKE_PIP_LOG"], "a") as log:
        log.write(" ".join(pins) + "\\n")
    gate = os.environ.get("FAKE_PIP_GATE")
    if gate:
        Path(gate + ".started").touch()
        deadline = time.monotonic() + 30
        while not Path(gate + ".release").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    if os.environ.get("FAKE_PIP_FAIL"):
        sys.exit("fake pip: " + os.environ["FAKE_PIP_FAIL"])
    dest = Path(args[args.index("-d") + 1])
    for pin in pins:
        name, _, version = pin.partition("==")
        wheel = dest / (name.replace("-", "_") + "-" + version + "-py3-none-any.whl")
        wheel.write_bytes(b"fake wheel")
    """
)


def pinned() -> dict[str, Version]:
    return {
        canonicalize_name(name): Version(version)
        for name, _, version in (pin.partition("==") for pin in BACKEND_PINS)
    }


@pytest.fixture
def fake_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake ``python`` for ensure_backend_wheels, and a fresh PUFFIN_TEST_WHEELS."""
    script = tmp_path / "fake-python"
    script.write_text(f"#!{sys.executable}\n{FAKE_PIP}")
    script.chmod(0o755)
    monkeypatch.setenv("FAKE_PIP_LOG", str(tmp_path / "pip.log"))
    monkeypatch.setenv("PUFFIN_TEST_WHEELS", str(tmp_path / "wheels"))
    return script


def pip_calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "pip.log"
    return log.read_text().splitlines() if log.exists() else []


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".download-"))


def test_pins_are_exact_and_cover_the_backends() -> None:
    names = [canonicalize_name(pin.partition("==")[0]) for pin in BACKEND_PINS]
    assert len(names) == len(set(names))
    for pin in BACKEND_PINS:
        name, sep, version = pin.partition("==")
        assert sep and name and Version(version)
    assert {
        "setuptools",
        "wheel",
        "hatchling",
        "packaging",
        "pathspec",
        "pluggy",
        "trove-classifiers",
        "flit-core",
        "maturin",
        "cffi",
        "pycparser",
    } <= set(names)


def test_wheels_dir_from_environment(tmp_path: Path) -> None:
    chosen = tmp_path / "mine"
    assert backend_wheels_dir({"PUFFIN_TEST_WHEELS": str(chosen)}) == chosen
    default = backend_wheels_dir({"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert default.parent == tmp_path / "xdg" / "puffin-test-wheels"
    tag = next(iter(sys_tags()))
    assert default.name.startswith(f"{tag.interpreter}-")
    # An empty variable means unset, as for the other cache variables.
    unset = {"PUFFIN_TEST_WHEELS": " ", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert backend_wheels_dir(unset) == default


def test_wheel_dir_changes_with_the_pins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    before = backend_wheels_dir(environ)
    monkeypatch.setattr(backends, "BACKEND_PINS", (*BACKEND_PINS, "extra==1.0"))
    assert backend_wheels_dir(environ) != before


@pytest.mark.network  # the first session on a machine downloads them from PyPI
def test_fixture_returns_a_wheel_of_every_pin(backend_wheels: list[Path]) -> None:
    assert len(backend_wheels) == len(BACKEND_PINS)
    supported = set(sys_tags())
    found = {}
    for path in backend_wheels:
        name, version, _, tags = parse_wheel_filename(path.name)
        found[name] = version
        assert tags & supported, f"{path.name} is not for this interpreter"
        assert path.parent == backend_wheels_dir()
        assert zipfile.is_zipfile(path)
    assert found == pinned()
    assert list(found) == [canonicalize_name(p.partition("==")[0]) for p in BACKEND_PINS]


@pytest.mark.network
def test_later_calls_run_no_pip(
    backend_wheels: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"ran a subprocess: {args}")

    monkeypatch.setenv("PIP_INDEX_URL", UNREACHABLE_INDEX)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setattr(subprocess, "run", no_subprocess)
    assert ensure_backend_wheels(python="/nonexistent/python") == backend_wheels


@pytest.mark.network
def test_command_line_is_offline_once_warm(backend_wheels: list[Path]) -> None:
    env = {**os.environ, "PIP_INDEX_URL": UNREACHABLE_INDEX, "PIP_NO_INDEX": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "puffin.testing.backends", "--list"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{len(BACKEND_PINS)} backend wheels in {backend_wheels_dir()}"
    assert lines[1:] == [str(path) for path in backend_wheels]


def test_download_once_then_list(fake_pip: Path, tmp_path: Path) -> None:
    wheels = ensure_backend_wheels(python=str(fake_pip))
    assert pip_calls(tmp_path) == [" ".join(BACKEND_PINS)]
    directory = tmp_path / "wheels"
    assert [path.parent for path in wheels] == [directory] * len(BACKEND_PINS)
    assert {parse_wheel_filename(p.name)[0]: parse_wheel_filename(p.name)[1] for p in wheels} == (
        pinned()
    )
    assert leftovers(directory) == []
    # Warm: the fake is not run again, however often.
    assert ensure_backend_wheels(python=str(fake_pip)) == wheels
    assert ensure_backend_wheels(python="/nonexistent/python") == wheels
    assert len(pip_calls(tmp_path)) == 1


def test_only_missing_wheels_are_downloaded(fake_pip: Path, tmp_path: Path) -> None:
    wheels = ensure_backend_wheels(python=str(fake_pip))
    cffi = next(path for path in wheels if path.name.startswith("cffi-"))
    cffi.unlink()
    # A wheel of a pinned project for another interpreter does not count.
    (cffi.parent / "cffi-2.1.1-cp27-cp27mu-manylinux1_x86_64.whl").write_bytes(b"other")
    (cffi.parent / "not-a-wheel.whl").write_bytes(b"junk")
    assert ensure_backend_wheels(python=str(fake_pip)) == wheels
    cffi_pin = next(pin for pin in BACKEND_PINS if pin.startswith("cffi=="))
    assert pip_calls(tmp_path)[1:] == [cffi_pin]


def test_pip_failure_raises_and_leaves_nothing(
    fake_pip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_PIP_FAIL", "no route to the index")
    with pytest.raises(BackendWheelsError, match="no route to the index"):
        ensure_backend_wheels(python=str(fake_pip))
    directory = tmp_path / "wheels"
    assert leftovers(directory) == []
    assert not list(directory.glob("*.whl"))
    with pytest.raises(BackendWheelsError, match="cannot run"):
        ensure_backend_wheels(python=str(tmp_path / "no-such-python"))


def test_two_processes_download_once(fake_pip: Path, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    code = (
        "import json, sys; from puffin.testing.backends import ensure_backend_wheels; "
        "print(json.dumps([str(p) for p in ensure_backend_wheels(python=sys.argv[1])]))"
    )
    env = {**os.environ, "FAKE_PIP_GATE": str(gate)}

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", code, str(fake_pip)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    first = start()
    second = None
    try:
        deadline = time.monotonic() + 30
        while not Path(f"{gate}.started").exists():  # the first one is inside "pip" now
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the fake pip never started"
            time.sleep(0.02)
        second = start()
        time.sleep(1.0)  # time enough to reach the lock; it must wait there
        assert second.poll() is None, "the second process did not wait for the first"
        Path(f"{gate}.release").touch()
        outputs = [process.communicate(timeout=60) for process in (first, second)]
    finally:
        Path(f"{gate}.release").touch()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    for process, (_, stderr) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, stderr
    first_paths, second_paths = (json.loads(stdout) for stdout, _ in outputs)
    assert first_paths == second_paths
    assert len(first_paths) == len(BACKEND_PINS)
    assert pip_calls(tmp_path) == [" ".join(BACKEND_PINS)]
    assert leftovers(tmp_path / "wheels") == []
