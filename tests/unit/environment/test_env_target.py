"""Target environments: exactly an interpreter, or its platform with another Python."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.tags import Tag

from puffin.environment.query import Interpreter, query_interpreter
from puffin.environment.target import TargetEnvironment, parse_python_version
from puffin.errors import UsageError

PYENV = Path("/root/.pyenv/versions")


def pyenv_python(minor: str) -> Path:
    found = sorted(PYENV.glob(f"{minor}.*/bin/python{minor}"))
    if not found:
        pytest.skip(f"Python {minor} is not installed under {PYENV}")
    return found[-1]


@pytest.fixture(scope="module")
def interpreter(tmp_path_factory: pytest.TempPathFactory) -> Interpreter:
    return query_interpreter(Path(sys.executable), cache_dir=tmp_path_factory.mktemp("cache"))


def test_from_interpreter_is_exact(interpreter: Interpreter) -> None:
    target = TargetEnvironment.from_interpreter(interpreter)
    assert target.is_exact
    assert target.interpreter is interpreter
    assert target.markers == interpreter.markers
    assert target.tags == interpreter.tags
    assert target.python_version == interpreter.version


def test_for_python_version_replaces_version_markers(interpreter: Interpreter) -> None:
    target = TargetEnvironment.for_python_version(interpreter, "3.12")
    assert not target.is_exact
    assert target.python_version == (3, 12)
    assert target.markers["python_version"] == "3.12"
    assert target.markers["python_full_version"] == "3.12.0"
    assert target.markers["implementation_version"] == "3.12.0"
    unchanged = set(interpreter.markers) - {
        "python_version",
        "python_full_version",
        "implementation_version",
    }
    for name in unchanged:
        assert target.markers[name] == interpreter.markers[name]
    assert Marker("python_version >= '3.12'").evaluate(dict(target.markers))
    assert not Marker("python_full_version < '3.12'").evaluate(dict(target.markers))


def test_for_python_version_with_patch(interpreter: Interpreter) -> None:
    target = TargetEnvironment.for_python_version(interpreter, "3.12.3")
    assert target.python_version == (3, 12, 3)
    assert target.markers["python_full_version"] == "3.12.3"
    assert target.markers["python_version"] == "3.12"


def test_for_python_version_recomputes_tags_for_the_same_platform(
    interpreter: Interpreter,
) -> None:
    target = TargetEnvironment.for_python_version(interpreter, "3.12")
    platform = interpreter.tags[0].platform
    assert target.tags[0] == Tag("cp312", "cp312", platform)
    assert Tag("cp312", "abi3", platform) in target.tags
    assert Tag("cp38", "abi3", platform) in target.tags
    assert Tag("py312", "none", "any") in target.tags
    assert Tag("cp312", "none", "any") in target.tags
    assert Tag("cp311", "abi3", platform) in target.tags
    assert not [t for t in target.tags if t.abi == "cp311"]
    assert not [t for t in target.tags if t.interpreter == "cp311" and t.abi != "abi3"]
    assert {t.platform for t in target.tags} == {t.platform for t in interpreter.tags}


def test_own_version_gives_the_interpreters_tags(interpreter: Interpreter) -> None:
    own = f"{interpreter.version[0]}.{interpreter.version[1]}"
    assert TargetEnvironment.for_python_version(interpreter, own).tags == interpreter.tags


@pytest.mark.parametrize("minor", ["3.8", "3.13"])
def test_projection_matches_a_real_interpreter_of_that_version(
    interpreter: Interpreter, minor: str, tmp_path: Path
) -> None:
    # Same machine, so the same platforms: projecting the running interpreter to 3.X
    # must give exactly what a real 3.X reports.
    real = query_interpreter(pyenv_python(minor), cache_dir=tmp_path)
    projected = TargetEnvironment.for_python_version(interpreter, minor)
    assert projected.tags == real.tags
    real_markers = dict(real.markers)
    projected_markers = dict(projected.markers)
    for name in ("python_full_version", "implementation_version"):
        del real_markers[name], projected_markers[name]
    assert projected_markers == real_markers


@pytest.mark.parametrize("text", ["3", "three", "3.12.x", "", "3.12.1.1", "3.12-dev", " 3. 12"])
def test_invalid_version_is_a_usage_error(interpreter: Interpreter, text: str) -> None:
    with pytest.raises(UsageError) as caught:
        TargetEnvironment.for_python_version(interpreter, text)
    assert repr(text) in str(caught.value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("text", ["3.7", "3.7.16", "2.7", "4.0"])
def test_unsupported_version_is_a_usage_error(interpreter: Interpreter, text: str) -> None:
    with pytest.raises(UsageError, match=re.escape("Python 3.8 and newer")) as caught:
        TargetEnvironment.for_python_version(interpreter, text)
    assert repr(text) in str(caught.value)


def test_parse_python_version() -> None:
    assert parse_python_version("3.8") == (3, 8)
    assert parse_python_version("3.13.1") == (3, 13, 1)
    assert parse_python_version(" 3.10 ") == (3, 10)


def test_target_is_immutable(interpreter: Interpreter) -> None:
    target = TargetEnvironment.for_python_version(interpreter, "3.12")
    with pytest.raises(dataclasses.FrozenInstanceError):
        target.is_exact = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        target.markers["python_version"] = "3.11"  # type: ignore[index]
    assert interpreter.markers["python_version"] == interpreter.python_version
