"""Finding the target interpreter from --python, VIRTUAL_ENV, .venv and PATH."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from puffin.environment.discovery import (
    NO_ENVIRONMENT_MESSAGE,
    find_base_interpreter_for_venv,
    find_interpreter,
    parse_request,
)
from puffin.environment.query import (
    UnsupportedInterpreterError,
    query_interpreter,
)
from puffin.errors import PuffinError, UsageError
from puffin.venv.create import create_venv

PYENV = Path("/root/.pyenv/versions")


def pyenv_bin(minor: str) -> Path:
    found = sorted(PYENV.glob(f"{minor}.*/bin"))
    if not found:
        pytest.skip(f"Python {minor} is not installed under {PYENV}")
    return found[-1]


def path_of(*directories: Path) -> dict[str, str]:
    return {"PATH": os.pathsep.join(str(d) for d in directories)}


def write_script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return path


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def venv312(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Path:
    base = query_interpreter(pyenv_bin("3.12") / "python3", cache_dir=cache_dir)
    root = tmp_path_factory.mktemp("venvs") / "venv312"
    return create_venv(
        root, base, prompt=None, system_site_packages=False, clear=False, puffin_version="test"
    )


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    directory = tmp_path / "project"
    directory.mkdir()
    return directory


# --------------------------------------------------------------------------------------
# Version requests on PATH
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_text", ["3.12", "python3.12", "cpython3.12", "cpython-3.12", "CPython3.12"]
)
def test_version_request_searches_path(request_text: str, cwd: Path, cache_dir: Path) -> None:
    environ = path_of(pyenv_bin("3.8"), pyenv_bin("3.12"), pyenv_bin("3.13"))
    interpreter = find_interpreter(request_text, environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.version[:2] == (3, 12)
    assert interpreter.executable.parent == pyenv_bin("3.12")


def test_exact_patch_version(cwd: Path, cache_dir: Path) -> None:
    full = pyenv_bin("3.12").parent.name  # e.g. 3.12.1
    environ = path_of(pyenv_bin("3.12"))
    interpreter = find_interpreter(full, environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.python_full_version == full
    with pytest.raises(PuffinError, match=re.escape("No Python interpreter found for '3.12.999'")):
        find_interpreter("3.12.999", environ=environ, cwd=cwd, cache_dir=cache_dir)


def test_path_order_decides(cwd: Path, cache_dir: Path) -> None:
    def found(request: str, *directories: Path) -> tuple[int, ...]:
        environ = path_of(*directories)
        return find_interpreter(request, environ=environ, cwd=cwd, cache_dir=cache_dir).version

    assert found("3", pyenv_bin("3.13"), pyenv_bin("3.12"))[:2] == (3, 13)
    assert found("3", pyenv_bin("3.12"), pyenv_bin("3.13"))[:2] == (3, 12)
    assert found("python", pyenv_bin("3.12"), pyenv_bin("3.13"))[:2] == (3, 12)


@pytest.mark.parametrize(
    ("request_text", "expected"),
    [(">=3.12", (3, 12)), (">=3.13", (3, 13)), ("<3.10", (3, 8)), (">=3.9,<3.13", (3, 12))],
)
def test_specifier_request(
    request_text: str, expected: tuple[int, int], cwd: Path, cache_dir: Path
) -> None:
    environ = path_of(pyenv_bin("3.8"), pyenv_bin("3.12"), pyenv_bin("3.13"))
    interpreter = find_interpreter(request_text, environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.version[:2] == expected


def test_specifier_request_finds_versioned_names_in_one_directory(
    tmp_path: Path, cwd: Path, cache_dir: Path
) -> None:
    # Only python3.12 and python3.13 here, no python3: as on a distribution with several.
    directory = tmp_path / "bin"
    directory.mkdir()
    (directory / "python3.12").symlink_to(pyenv_bin("3.12") / "python3.12")
    (directory / "python3.13").symlink_to(pyenv_bin("3.13") / "python3.13")
    environ = path_of(directory)
    interpreter = find_interpreter(">=3.12", environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.version[:2] == (3, 13), "newest first"
    interpreter = find_interpreter("<3.13", environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.version[:2] == (3, 12)


def test_broken_candidates_are_skipped(tmp_path: Path, cwd: Path, cache_dir: Path) -> None:
    shims = tmp_path / "shims"
    write_script(shims / "python3.12", "echo 'pyenv: python3.12: command not found' >&2; exit 127")
    write_script(shims / "python3", "exit 1")
    environ = path_of(shims, pyenv_bin("3.12"))
    interpreter = find_interpreter("3.12", environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.executable == pyenv_bin("3.12") / "python3.12"


def test_nothing_matching_lists_what_was_tried(tmp_path: Path, cwd: Path, cache_dir: Path) -> None:
    shims = tmp_path / "shims"
    write_script(shims / "python3", "exit 1")
    environ = path_of(shims, pyenv_bin("3.8"))
    with pytest.raises(PuffinError) as caught:
        find_interpreter("3.10", environ=environ, cwd=cwd, cache_dir=cache_dir)
    message = str(caught.value)
    assert message.startswith("No Python interpreter found for '3.10'; tried:")
    assert f"{shims / 'python3'} (failed:" in message
    assert f"{pyenv_bin('3.8') / 'python3'} (cpython 3.8." in message


def test_nothing_on_path(cwd: Path, cache_dir: Path) -> None:
    with pytest.raises(PuffinError, match=re.escape("no python3.12, python3, python on PATH")):
        find_interpreter("3.12", environ={"PATH": ""}, cwd=cwd, cache_dir=cache_dir)
    with pytest.raises(PuffinError):
        find_interpreter("3.12", environ={}, cwd=cwd, cache_dir=cache_dir)


def test_python_37_is_rejected_clearly(cwd: Path, cache_dir: Path) -> None:
    environ = path_of(pyenv_bin("3.7"))
    with pytest.raises(UnsupportedInterpreterError) as caught:
        find_interpreter("3.7", environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert str(caught.value) == (
        "puffin supports target interpreters of Python 3.8 and newer; "
        f"{pyenv_bin('3.7') / 'python3.7'} is {pyenv_bin('3.7').parent.name}"
    )


def test_python_37_is_skipped_when_a_newer_match_exists(cwd: Path, cache_dir: Path) -> None:
    environ = path_of(pyenv_bin("3.7"), pyenv_bin("3.12"))
    interpreter = find_interpreter("3", environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.version[:2] == (3, 12)


def test_named_executable(tmp_path: Path, cwd: Path, cache_dir: Path) -> None:
    directory = tmp_path / "bin"
    directory.mkdir()
    (directory / "my-python").symlink_to(pyenv_bin("3.13") / "python3.13")
    environ = path_of(directory)
    interpreter = find_interpreter("my-python", environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.executable == directory / "my-python"
    with pytest.raises(PuffinError, match="No Python interpreter named 'other-python' on PATH"):
        find_interpreter("other-python", environ=environ, cwd=cwd, cache_dir=cache_dir)


def test_invalid_specifier_is_a_usage_error(cwd: Path, cache_dir: Path) -> None:
    with pytest.raises(UsageError, match=re.escape("Invalid Python request '>=3.x'")):
        find_interpreter(">=3.x", environ={}, cwd=cwd, cache_dir=cache_dir)


def test_parse_request() -> None:
    assert parse_request("3.12") is not None
    request = parse_request("pypy3.10")
    assert request is not None
    assert (request.implementation, request.version) == ("pypy", (3, 10))
    assert request.executable_names() == ["pypy3.10", "pypy3", "pypy"]
    request = parse_request("python")
    assert request is not None
    assert request.executable_names() == ["python3", "python"]
    assert parse_request("my-python") is None
    assert parse_request("python3.12-dbg") is None


# --------------------------------------------------------------------------------------
# Path requests
# --------------------------------------------------------------------------------------


def test_path_to_executable(cwd: Path, cache_dir: Path) -> None:
    python = pyenv_bin("3.13") / "python3"
    interpreter = find_interpreter(str(python), environ={}, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.executable == python


def test_relative_path_is_relative_to_cwd(venv312: Path, cache_dir: Path) -> None:
    interpreter = find_interpreter(
        "bin/python", environ={}, cwd=venv312, cache_dir=cache_dir, system=True
    )
    assert interpreter.executable == venv312 / "bin" / "python"
    assert interpreter.is_venv


def test_venv_directory(venv312: Path, cwd: Path, cache_dir: Path) -> None:
    interpreter = find_interpreter(str(venv312), environ={}, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.executable == venv312 / "bin" / "python"
    assert interpreter.is_venv
    assert interpreter.prefix == venv312


def test_directory_that_is_not_a_venv(tmp_path: Path, cwd: Path, cache_dir: Path) -> None:
    with pytest.raises(PuffinError, match="is a directory but not a virtual environment"):
        find_interpreter(str(tmp_path), environ={}, cwd=cwd, cache_dir=cache_dir)


def test_missing_path(tmp_path: Path, cwd: Path, cache_dir: Path) -> None:
    missing = tmp_path / "missing" / "python"
    with pytest.raises(PuffinError, match=re.escape(f"No Python interpreter at {missing}")):
        find_interpreter(str(missing), environ={}, cwd=cwd, cache_dir=cache_dir)


def test_path_to_python_37_is_rejected_clearly(cwd: Path, cache_dir: Path) -> None:
    python = pyenv_bin("3.7") / "python3.7"
    with pytest.raises(UnsupportedInterpreterError, match=re.escape(f"; {python} is 3.7.")):
        find_interpreter(str(python), environ={}, cwd=cwd, cache_dir=cache_dir)


# --------------------------------------------------------------------------------------
# No request: virtual environments
# --------------------------------------------------------------------------------------


def test_active_virtual_env(venv312: Path, cwd: Path, cache_dir: Path) -> None:
    environ = {"VIRTUAL_ENV": str(venv312), **path_of(pyenv_bin("3.13"))}
    interpreter = find_interpreter(None, environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.prefix == venv312


def test_dot_venv_in_a_parent_directory(tmp_path: Path, cache_dir: Path) -> None:
    base = query_interpreter(pyenv_bin("3.13") / "python3", cache_dir=cache_dir)
    project = tmp_path / "project"
    create_venv(
        project / ".venv",
        base,
        prompt=None,
        system_site_packages=False,
        clear=False,
        puffin_version="test",
    )
    nested = project / "src" / "pkg"
    nested.mkdir(parents=True)
    interpreter = find_interpreter(None, environ={}, cwd=nested, cache_dir=cache_dir)
    assert interpreter.prefix == project / ".venv"
    assert interpreter.executable == project / ".venv" / "bin" / "python"


def test_virtual_env_wins_over_dot_venv(venv312: Path, tmp_path: Path, cache_dir: Path) -> None:
    base = query_interpreter(pyenv_bin("3.13") / "python3", cache_dir=cache_dir)
    create_venv(
        tmp_path / ".venv",
        base,
        prompt=None,
        system_site_packages=False,
        clear=False,
        puffin_version="test",
    )
    environ = {"VIRTUAL_ENV": str(venv312)}
    interpreter = find_interpreter(None, environ=environ, cwd=tmp_path, cache_dir=cache_dir)
    assert interpreter.prefix == venv312


def test_dot_venv_must_be_a_venv(tmp_path: Path, cwd: Path, cache_dir: Path) -> None:
    (cwd / ".venv" / "bin").mkdir(parents=True)
    with pytest.raises(PuffinError):
        find_interpreter(None, environ={}, cwd=cwd, cache_dir=cache_dir)


def test_no_environment_without_system(cwd: Path, cache_dir: Path) -> None:
    environ = path_of(pyenv_bin("3.12"))
    with pytest.raises(PuffinError) as caught:
        find_interpreter(None, environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert str(caught.value) == NO_ENVIRONMENT_MESSAGE
    assert "puffin venv" in NO_ENVIRONMENT_MESSAGE
    assert "--system" in NO_ENVIRONMENT_MESSAGE


def test_stale_virtual_env(tmp_path: Path, cwd: Path, cache_dir: Path) -> None:
    environ = {"VIRTUAL_ENV": str(tmp_path / "gone")}
    with pytest.raises(PuffinError, match=r"VIRTUAL_ENV is set to .*gone, which is not"):
        find_interpreter(None, environ=environ, cwd=cwd, cache_dir=cache_dir)
    # A version request looks past it.
    environ.update(path_of(pyenv_bin("3.12")))
    interpreter = find_interpreter("3.12", environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.version[:2] == (3, 12)


def test_system_uses_python3_on_path(venv312: Path, tmp_path: Path, cache_dir: Path) -> None:
    (tmp_path / ".venv").symlink_to(venv312)
    environ = {"VIRTUAL_ENV": str(venv312), **path_of(pyenv_bin("3.13"), pyenv_bin("3.12"))}
    interpreter = find_interpreter(
        None, environ=environ, cwd=tmp_path, cache_dir=cache_dir, system=True
    )
    assert interpreter.executable == pyenv_bin("3.13") / "python3"
    assert not interpreter.is_venv


def test_system_with_nothing_on_path(cwd: Path, cache_dir: Path) -> None:
    with pytest.raises(PuffinError, match="No Python interpreter found"):
        find_interpreter(None, environ={"PATH": ""}, cwd=cwd, cache_dir=cache_dir, system=True)


def test_version_request_prefers_matching_virtual_env(venv312: Path, cache_dir: Path) -> None:
    environ = {"VIRTUAL_ENV": str(venv312), **path_of(pyenv_bin("3.12"))}
    cwd = venv312.parent
    interpreter = find_interpreter("3.12", environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert interpreter.prefix == venv312
    # ... but not one of another version,
    interpreter = find_interpreter(
        "3.13", environ={**environ, **path_of(pyenv_bin("3.13"))}, cwd=cwd, cache_dir=cache_dir
    )
    assert interpreter.version[:2] == (3, 13)
    # ... and not with --system.
    interpreter = find_interpreter(
        "3.12", environ=environ, cwd=cwd, cache_dir=cache_dir, system=True
    )
    assert not interpreter.is_venv


# --------------------------------------------------------------------------------------
# The base for `puffin venv`
# --------------------------------------------------------------------------------------


def test_venv_base_is_first_python_on_path(cwd: Path, cache_dir: Path) -> None:
    environ = path_of(pyenv_bin("3.13"), pyenv_bin("3.12"))
    base = find_base_interpreter_for_venv(None, environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert base.executable == pyenv_bin("3.13") / "python3"


def test_venv_base_skips_broken_and_old_pythons(tmp_path: Path, cwd: Path, cache_dir: Path) -> None:
    shims = tmp_path / "shims"
    write_script(shims / "python3", "exit 1")
    environ = path_of(shims, pyenv_bin("3.7"), pyenv_bin("3.12"))
    base = find_base_interpreter_for_venv(None, environ=environ, cwd=cwd, cache_dir=cache_dir)
    assert base.version[:2] == (3, 12)


def test_venv_base_falls_back_to_running_interpreter(cwd: Path, cache_dir: Path) -> None:
    base = find_base_interpreter_for_venv(None, environ={}, cwd=cwd, cache_dir=cache_dir)
    assert base.version == tuple(sys.version_info[:3])
    assert not base.is_venv


def test_venv_base_by_version(venv312: Path, cache_dir: Path) -> None:
    environ = {"VIRTUAL_ENV": str(venv312), **path_of(pyenv_bin("3.8"), pyenv_bin("3.12"))}
    base = find_base_interpreter_for_venv("3.12", environ=environ, cwd=venv312, cache_dir=cache_dir)
    assert base.executable.parent == pyenv_bin("3.12")
    assert not base.is_venv
    with pytest.raises(UnsupportedInterpreterError):
        find_base_interpreter_for_venv(
            "3.7", environ=path_of(pyenv_bin("3.7")), cwd=venv312, cache_dir=cache_dir
        )
