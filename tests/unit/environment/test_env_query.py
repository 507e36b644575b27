"""Querying interpreters through the probe, and the on-disk cache of the answers."""

from __future__ import annotations

import marshal
import os
import re
import sys
import sysconfig
from pathlib import Path

import pytest
from packaging.markers import default_environment

from puffin.environment import query
from puffin.environment.query import (
    CACHE_BUCKET,
    Interpreter,
    InterpreterQueryError,
    UnsupportedInterpreterError,
    query_interpreter,
)
from puffin.errors import PuffinError

PYENV = Path("/root/.pyenv/versions")


def pyenv_python(minor: str) -> Path:
    found = sorted(PYENV.glob(f"{minor}.*/bin/python{minor}"))
    if not found:
        pytest.skip(f"Python {minor} is not installed under {PYENV}")
    return found[-1]


def write_script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


class ProbeCounter:
    """Counts how often the probe really runs (rather than being read from the cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = query._run_probe

        def counting(executable: Path) -> dict[str, object]:
            self.calls += 1
            return original(executable)

        monkeypatch.setattr(query, "_run_probe", counting)


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> ProbeCounter:
    return ProbeCounter(monkeypatch)


# --------------------------------------------------------------------------------------
# What the probe reports
# --------------------------------------------------------------------------------------


def test_running_interpreter_matches_what_it_knows_about_itself(tmp_path: Path) -> None:
    interpreter = query_interpreter(Path(sys.executable), cache_dir=tmp_path)
    assert interpreter.executable == Path(os.path.abspath(sys.executable))
    assert interpreter.sys_executable == Path(sys.executable)
    assert interpreter.version == tuple(sys.version_info[:3])
    assert interpreter.python_version == f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert dict(interpreter.markers) == default_environment()
    assert interpreter.prefix == Path(sys.prefix)
    assert interpreter.base_prefix == Path(sys.base_prefix)
    assert interpreter.is_venv == (sys.prefix != sys.base_prefix)
    assert interpreter.implementation_name == sys.implementation.name
    assert interpreter.cache_tag == sys.implementation.cache_tag
    assert interpreter.pointer_size == (64 if sys.maxsize > 2**32 else 32)
    for name in ("purelib", "platlib", "scripts", "include", "data"):
        assert interpreter.paths[name] == Path(sysconfig.get_paths()[name])
    assert interpreter.site_packages == Path(sysconfig.get_paths()["purelib"])
    assert interpreter.base_executable.is_file()
    assert str(interpreter.executable) in interpreter.display_name


@pytest.mark.parametrize("minor", ["3.8", "3.13"])
def test_probe_runs_on_oldest_and_newest_targets(minor: str, tmp_path: Path) -> None:
    python = pyenv_python(minor)
    interpreter = query_interpreter(python, cache_dir=tmp_path)
    assert interpreter.python_version == minor
    assert interpreter.markers["python_version"] == minor
    assert interpreter.markers["python_full_version"].startswith(minor + ".")
    assert interpreter.executable == python
    assert interpreter.prefix == python.parent.parent
    assert not interpreter.is_venv
    assert interpreter.paths["purelib"] == python.parent.parent / f"lib/python{minor}/site-packages"
    venv_paths = interpreter.venv_paths(Path("/some/venv"))
    assert venv_paths["purelib"] == Path(f"/some/venv/lib/python{minor}/site-packages")
    assert venv_paths["scripts"] == Path("/some/venv/bin")
    assert venv_paths["data"] == Path("/some/venv")
    assert interpreter.tags


def test_interpreter_is_immutable_and_hashable(tmp_path: Path) -> None:
    interpreter = query_interpreter(Path(sys.executable), cache_dir=tmp_path)
    with pytest.raises(AttributeError):
        interpreter.version = (3, 0, 0)  # type: ignore[misc]
    with pytest.raises(TypeError):
        interpreter.markers["python_version"] = "2.7"  # type: ignore[index]
    with pytest.raises(TypeError):
        interpreter.paths["purelib"] = Path("/")  # type: ignore[index]
    assert isinstance(interpreter.tags, tuple)
    assert hash(interpreter) == hash(query_interpreter(Path(sys.executable), cache_dir=tmp_path))


def test_symlinked_executable_keeps_its_own_path(tmp_path: Path) -> None:
    python = pyenv_python("3.12")
    link = tmp_path / "my-python"
    link.symlink_to(python)
    interpreter = query_interpreter(link, cache_dir=None)
    assert interpreter.executable == link
    assert interpreter.version[:2] == (3, 12)


def test_relative_path_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    python = pyenv_python("3.12")
    (tmp_path / "link").symlink_to(python)
    monkeypatch.chdir(tmp_path)
    interpreter = query_interpreter(Path("link"), cache_dir=None)
    assert interpreter.executable == tmp_path / "link"


def test_output_printed_before_the_answer_is_ignored(tmp_path: Path) -> None:
    # A .pth file in site-packages may print while the interpreter starts.
    python = pyenv_python("3.12")
    noisy = write_script(tmp_path / "python", f'echo "hello from a .pth file"\nexec {python} "$@"')
    interpreter = query_interpreter(noisy, cache_dir=None)
    assert interpreter.version[:2] == (3, 12)


# --------------------------------------------------------------------------------------
# Failures
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minor", "full"), [("3.7", "3.7.16"), ("3.6", "3.6.15"), ("2.7", "2.7.18")]
)
def test_too_old_interpreter_is_rejected_clearly(minor: str, full: str, tmp_path: Path) -> None:
    python = pyenv_python(minor)
    with pytest.raises(UnsupportedInterpreterError) as caught:
        query_interpreter(python, cache_dir=tmp_path)
    version = python.parent.parent.name  # pyenv names the directory after the version
    assert str(caught.value) == (
        f"puffin supports target interpreters of Python 3.8 and newer; {python} is {version}"
    )
    assert caught.value.version == tuple(int(p) for p in version.split("."))
    assert caught.value.exit_code == 1
    assert not list(tmp_path.rglob("*.marshal")), "failures are not cached"


def test_missing_executable(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "python"
    with pytest.raises(
        InterpreterQueryError, match=re.escape(f"No Python interpreter at {missing}")
    ):
        query_interpreter(missing, cache_dir=tmp_path)


def test_directory_is_not_an_interpreter(tmp_path: Path) -> None:
    with pytest.raises(InterpreterQueryError, match="not a file"):
        query_interpreter(tmp_path, cache_dir=None)


def test_program_that_is_not_python(tmp_path: Path) -> None:
    fake = write_script(tmp_path / "python3", "echo I am not Python")
    with pytest.raises(InterpreterQueryError) as caught:
        query_interpreter(fake, cache_dir=tmp_path)
    assert str(caught.value) == f"{fake} is not a Python interpreter (it failed to run the probe)"
    assert isinstance(caught.value, PuffinError)


def test_program_that_fails(tmp_path: Path) -> None:
    # What a pyenv shim does when no version is selected.
    shim = write_script(
        tmp_path / "python3", "echo 'pyenv: python3: command not found' >&2; exit 127"
    )
    with pytest.raises(InterpreterQueryError, match=re.escape(str(shim))) as caught:
        query_interpreter(shim, cache_dir=None)
    assert caught.value.hint is not None
    assert "command not found" in caught.value.hint


def test_file_that_cannot_be_executed(tmp_path: Path) -> None:
    not_executable = tmp_path / "python"
    not_executable.write_text("just text")
    with pytest.raises(InterpreterQueryError, match=re.escape(f"Could not run {not_executable}")):
        query_interpreter(not_executable, cache_dir=None)


def test_hanging_interpreter_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query, "PROBE_TIMEOUT", 0.5)
    slow = write_script(tmp_path / "python", "exec sleep 10")
    with pytest.raises(InterpreterQueryError, match=re.escape("did not answer within 0.5 seconds")):
        query_interpreter(slow, cache_dir=None)


# --------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------


def test_answer_is_cached_on_disk(tmp_path: Path, probes: ProbeCounter) -> None:
    python = pyenv_python("3.12")
    first = query_interpreter(python, cache_dir=tmp_path)
    second = query_interpreter(python, cache_dir=tmp_path)
    assert probes.calls == 1
    assert first == second
    entries = list((tmp_path / CACHE_BUCKET).iterdir())
    assert len(entries) == 1, "one entry and no temporary files left behind"
    entry = marshal.loads(entries[0].read_bytes())
    assert entry["key"]["executable"] == str(python)
    assert entry["key"]["resolved"] == str(python.resolve())
    assert entry["answer"]["version_info"][:2] == [3, 12]


def test_no_cache_dir_always_asks(probes: ProbeCounter) -> None:
    python = pyenv_python("3.12")
    query_interpreter(python, cache_dir=None)
    query_interpreter(python, cache_dir=None)
    assert probes.calls == 2


def test_changed_interpreter_is_asked_again(tmp_path: Path, probes: ProbeCounter) -> None:
    python = pyenv_python("3.12")
    wrapper = write_script(tmp_path / "python", f'exec {python} "$@"')
    cache = tmp_path / "cache"
    query_interpreter(wrapper, cache_dir=cache)
    query_interpreter(wrapper, cache_dir=cache)
    assert probes.calls == 1
    stat = wrapper.stat()
    os.utime(wrapper, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    query_interpreter(wrapper, cache_dir=cache)
    assert probes.calls == 2
    # A different interpreter behind the same path: the resolved target changes.
    wrapper.unlink()
    wrapper.symlink_to(pyenv_python("3.13"))
    assert query_interpreter(wrapper, cache_dir=cache).version[:2] == (3, 13)
    assert probes.calls == 3


def test_same_file_through_different_paths_is_cached_separately(
    tmp_path: Path, probes: ProbeCounter
) -> None:
    # A venv's bin/python is a symlink to its base, but a different interpreter.
    python = pyenv_python("3.12")
    link = tmp_path / "python"
    link.symlink_to(python)
    assert query_interpreter(python, cache_dir=tmp_path).executable == python
    assert query_interpreter(link, cache_dir=tmp_path).executable == link
    assert probes.calls == 2


def test_corrupt_cache_entry_is_replaced(tmp_path: Path, probes: ProbeCounter) -> None:
    python = pyenv_python("3.12")
    query_interpreter(python, cache_dir=tmp_path)
    (entry,) = (tmp_path / CACHE_BUCKET).iterdir()
    entry.write_bytes(b"\x00not marshal data")
    interpreter = query_interpreter(python, cache_dir=tmp_path)
    assert probes.calls == 2
    assert interpreter.version[:2] == (3, 12)
    assert marshal.loads(entry.read_bytes())["answer"]["version_info"][:2] == [3, 12]


def test_unwritable_cache_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    interpreter = query_interpreter(pyenv_python("3.12"), cache_dir=blocker)
    assert interpreter.version[:2] == (3, 12)


def test_cached_answer_builds_an_equal_interpreter(tmp_path: Path) -> None:
    python = pyenv_python("3.12")
    fresh = query_interpreter(python, cache_dir=None)
    query_interpreter(python, cache_dir=tmp_path)
    cached = query_interpreter(python, cache_dir=tmp_path)
    assert cached == fresh
    assert cached.tags == fresh.tags
    assert isinstance(cached, Interpreter)


def test_unexpected_answer_is_reported(tmp_path: Path) -> None:
    fake = write_script(tmp_path / "python", "echo '{\"version_info\": [3, 12, 0]}'")
    with pytest.raises(InterpreterQueryError, match="answer puffin does not understand"):
        query_interpreter(fake, cache_dir=None)
