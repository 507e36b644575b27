"""Find the interpreter a command works on, from ``--python`` or the surroundings.

A request is one of:

* a path: to an executable, or to a virtual environment's directory;
* a version: ``3.12``, ``3.12.1``, ``python3.12``, ``cpython3.12``, ``cpython-3.12``,
  ``pypy3.10``, or a specifier such as ``>=3.11`` or ``>=3.10,<3.13``;
* an executable name looked up on ``PATH``, such as ``python3.12-dbg``.

Without a request, the target is the active virtual environment (``VIRTUAL_ENV``), then
``.venv`` in the working directory or a parent. ``--system`` skips both and takes the
first working ``python3`` on ``PATH`` instead (as uv does; an activated venv is first on
``PATH`` anyway). Version requests look at the virtual environments first too (unless
``--system``), then search ``PATH``.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from puffin.environment.query import (
    InterpreterQueryError,
    UnsupportedInterpreterError,
    query_interpreter,
)
from puffin.errors import PuffinError, UsageError

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from packaging.specifiers import SpecifierSet

    from puffin.environment.query import Interpreter

_VERSION_REQUEST = re.compile(
    r"(?:(?P<implementation>python|cpython|pypy)-?)?(?P<version>\d+(?:\.\d+){0,2})?",
    re.IGNORECASE,
)
_VERSIONED_PYTHON = re.compile(r"python3\.(\d+)")

NO_ENVIRONMENT_MESSAGE = (
    "No virtual environment found; run `puffin venv` to create one in .venv, "
    "or pass --python / --system"
)


class VersionRequest(NamedTuple):
    """A request for an interpreter by implementation and version, not by path."""

    text: str
    """The request as the user wrote it, for messages."""
    implementation: str | None = None
    """``cpython`` or ``pypy``; None accepts any implementation."""
    version: tuple[int, ...] = ()
    """``(3,)``, ``(3, 12)`` or ``(3, 12, 1)``: a prefix of the wanted version."""
    specifier: SpecifierSet | None = None
    """Set for requests such as ``>=3.11``."""

    def matches(self, interpreter: Interpreter) -> bool:
        """Whether ``interpreter`` is what was asked for."""
        if self.implementation and interpreter.implementation_name != self.implementation:
            return False
        if self.version and interpreter.version[: len(self.version)] != self.version:
            return False
        if self.specifier is not None:
            return self.specifier.contains(interpreter.python_full_version, prereleases=True)
        return True

    def executable_names(self) -> list[str]:
        """Executable names to look for in each ``PATH`` directory, most specific first."""
        stem = "pypy" if self.implementation == "pypy" else "python"
        names = [f"{stem}{self.version[0]}" if self.version else f"{stem}3", stem]
        if len(self.version) >= 2:
            names.insert(0, f"{stem}{self.version[0]}.{self.version[1]}")
        return names


def find_interpreter(
    request: str | None,
    *,
    environ: Mapping[str, str],
    cwd: Path,
    cache_dir: Path | None,
    system: bool = False,
) -> Interpreter:
    """The interpreter a command installs into or inspects.

    :param request: ``--python``'s value, or None.
    :param environ: the environment to read ``PATH`` and ``VIRTUAL_ENV`` from.
    :param cwd: where to start looking for ``.venv``; relative paths are relative to it.
    :param system: ``--system``: look on ``PATH`` only, not at virtual environments.
    :raises PuffinError: nothing suitable was found; the message says what was tried.
    """
    if request is not None and request.strip():
        return _find_requested(request.strip(), environ, cwd, cache_dir, system=system)
    if not system:
        venv_python = next(_virtual_environment_pythons(environ, cwd, strict=True), None)
        if venv_python is None:
            raise PuffinError(NO_ENVIRONMENT_MESSAGE)
        return query_interpreter(venv_python, cache_dir=cache_dir)
    any_python = VersionRequest("python3")
    return _first_match(any_python, _path_candidates(any_python, environ), cache_dir)


def find_base_interpreter_for_venv(
    request: str | None,
    *,
    environ: Mapping[str, str],
    cwd: Path,
    cache_dir: Path | None,
) -> Interpreter:
    """The interpreter ``puffin venv`` creates an environment from.

    A request is searched as in :func:`find_interpreter`, among system interpreters. With
    none, the first working ``python3``/``python`` on ``PATH`` is used, else the base of
    the interpreter running puffin (which is always a supported version). An interpreter
    inside a venv is fine: :func:`puffin.venv.create.create_venv` uses its base.
    """
    if request is not None and request.strip():
        return _find_requested(request.strip(), environ, cwd, cache_dir, system=True)
    for executable in _path_candidates(["python3", "python"], environ):
        try:
            return query_interpreter(executable, cache_dir=cache_dir)
        except InterpreterQueryError:
            continue  # e.g. a pyenv shim with no version selected, or a Python 2
    running = getattr(sys, "_base_executable", None) or sys.executable
    return query_interpreter(Path(running), cache_dir=cache_dir)


def parse_request(request: str) -> VersionRequest | None:
    """The version request in ``request``, or None when it names a path or an executable.

    :raises UsageError: a malformed specifier such as ``>=3.x``.
    """
    if request[0] in "<>=!~":
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            return VersionRequest(request, specifier=SpecifierSet(request))
        except InvalidSpecifier as error:
            raise UsageError(f"Invalid Python request {request!r}: {error}") from error
    match = _VERSION_REQUEST.fullmatch(request)
    if match is None or not (match["implementation"] or match["version"]):
        return None
    implementation = (match["implementation"] or "python").lower()
    version = tuple(int(part) for part in (match["version"] or "").split(".") if part)
    return VersionRequest(
        request,
        implementation=None if implementation == "python" else implementation,
        version=version,
    )


# --------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------


def _find_requested(
    request: str, environ: Mapping[str, str], cwd: Path, cache_dir: Path | None, *, system: bool
) -> Interpreter:
    if _looks_like_path(request, cwd):
        return query_interpreter(_executable_at(request, cwd), cache_dir=cache_dir)
    version_request = parse_request(request)
    if version_request is None:
        return _find_named(request, environ, cache_dir)
    candidates: Iterator[Path] = _path_candidates(version_request, environ)
    if not system:
        venvs = _virtual_environment_pythons(environ, cwd, strict=False)
        candidates = _chain(venvs, candidates)
    return _first_match(version_request, candidates, cache_dir)


def _looks_like_path(request: str, cwd: Path) -> bool:
    separators = {"/", os.sep, os.altsep or "/"}
    if any(separator in request for separator in separators) or request.startswith("~"):
        return True
    return (cwd / request).exists()


def _executable_at(request: str, cwd: Path) -> Path:
    path = Path(request).expanduser()
    if not path.is_absolute():
        path = cwd / path
    if path.is_dir():
        executable = path / "bin" / "python"
        if not executable.exists():
            raise PuffinError(
                f"{path} is a directory but not a virtual environment (it has no bin/python)"
            )
        return executable
    if not path.exists():
        raise PuffinError(f"No Python interpreter at {path}")
    return path


def _find_named(name: str, environ: Mapping[str, str], cache_dir: Path | None) -> Interpreter:
    import shutil

    found = shutil.which(name, path=environ.get("PATH", ""))
    if found is None:
        raise PuffinError(
            f"No Python interpreter named {name!r} on PATH",
            hint="pass a version such as 3.12, or a path to a python executable",
        )
    return query_interpreter(Path(found), cache_dir=cache_dir)


def _first_match(
    request: VersionRequest, candidates: Iterator[Path], cache_dir: Path | None
) -> Interpreter:
    tried: list[str] = []
    too_old: UnsupportedInterpreterError | None = None
    for executable in candidates:
        try:
            interpreter = query_interpreter(executable, cache_dir=cache_dir)
        except UnsupportedInterpreterError as error:
            if too_old is None and _version_matches(request, error.version):
                too_old = error
            tried.append(f"{executable} ({'.'.join(map(str, error.version))}, unsupported)")
            continue
        except InterpreterQueryError as error:
            tried.append(f"{executable} (failed: {error})")
            continue
        if request.matches(interpreter):
            return interpreter
        tried.append(
            f"{executable} ({interpreter.implementation_name} {interpreter.python_full_version})"
        )
    if too_old is not None:
        # The user asked for a version that exists here but that puffin cannot target.
        raise too_old
    if not tried:
        names = ", ".join(request.executable_names())
        raise PuffinError(f"No Python interpreter found for {request.text!r}: no {names} on PATH")
    listing = "\n".join(f"  {line}" for line in tried)
    raise PuffinError(f"No Python interpreter found for {request.text!r}; tried:\n{listing}")


def _version_matches(request: VersionRequest, version: tuple[int, ...]) -> bool:
    if request.version:
        return version[: len(request.version)] == request.version
    if request.specifier is not None:
        return request.specifier.contains(".".join(map(str, version)), prereleases=True)
    return True


# --------------------------------------------------------------------------------------
# Where interpreters are
# --------------------------------------------------------------------------------------


def _virtual_environment_pythons(
    environ: Mapping[str, str], cwd: Path, *, strict: bool
) -> Iterator[Path]:
    """The active venv's python, then ``.venv/bin/python`` in ``cwd`` or its parents.

    :param strict: fail when ``VIRTUAL_ENV`` names no venv (rather than skip it): when it
        is the only thing that could be meant, silently using another is worse.
    """
    active = environ.get("VIRTUAL_ENV")
    if active:
        root = Path(active).expanduser()
        if not root.is_absolute():
            root = cwd / root
        executable = root / "bin" / "python"
        if executable.exists():
            yield executable
        elif strict:
            raise PuffinError(
                f"VIRTUAL_ENV is set to {root}, which is not a virtual environment "
                "(it has no bin/python)",
                hint="deactivate it, or recreate it with `puffin venv`",
            )
    for directory in (cwd, *cwd.parents):
        venv = directory / ".venv"
        if (venv / "pyvenv.cfg").is_file() and (venv / "bin" / "python").exists():
            yield venv / "bin" / "python"
            return


def _path_candidates(
    request: VersionRequest | list[str], environ: Mapping[str, str]
) -> Iterator[Path]:
    """Executables on ``PATH``, directory by directory, each directory's names in order.

    A specifier request also tries every ``python3.N`` in each directory, newest first,
    since ``python3`` rarely is the only interpreter installed.
    """
    names = request if isinstance(request, list) else request.executable_names()
    scan_versioned = isinstance(request, VersionRequest) and request.specifier is not None
    seen: set[Path] = set()
    for entry in environ.get("PATH", "").split(os.pathsep):
        if not entry:
            continue
        directory = Path(entry)
        directory_names = list(names)
        if scan_versioned:
            directory_names += _versioned_pythons(directory)
        for name in directory_names:
            candidate = directory / name
            if candidate in seen or not _is_executable_file(candidate):
                continue
            seen.add(candidate)
            yield candidate


def _versioned_pythons(directory: Path) -> list[str]:
    try:
        names = [entry.name for entry in os.scandir(directory)]
    except OSError:
        return []
    versioned = [(int(m[1]), name) for name in names if (m := _VERSIONED_PYTHON.fullmatch(name))]
    return [name for _, name in sorted(versioned, reverse=True)]


def _is_executable_file(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _chain(first: Iterator[Path], second: Iterator[Path]) -> Iterator[Path]:
    yield from first
    yield from second
