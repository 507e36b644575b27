"""Real wheels of PEP 517 build backends, downloaded once and then reused offline.

Tests of source builds serve these wheels from a local index on 127.0.0.1, so that
builds in isolated environments (which install their backend from an index) run without
the network. The wheels are the exact releases pinned in :data:`BACKEND_PINS`,
downloaded for the running interpreter by ``pip download`` into a warm cache directory
(:func:`backend_wheels_dir`) that outlives test sessions:

- the first :func:`ensure_backend_wheels` on a machine downloads them, under a file lock,
  so that parallel pytest-xdist workers (or test runs) download them once;
- every later call only lists the directory: no pip, no network.

``python -m puffin.testing.backends`` does the same from the command line, so a test
script can warm the cache before pytest starts (the session fixture ``backend_wheels`` of
:mod:`puffin.testing.plugin` calls :func:`ensure_backend_wheels`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from packaging.tags import Tag
    from packaging.version import Version

__all__ = [
    "BACKEND_PINS",
    "ENVIRONMENT_VARIABLE",
    "BackendWheelsError",
    "backend_wheels_dir",
    "ensure_backend_wheels",
    "main",
]

#: Exact pins of the build backends and everything they need at build time, each with a
#: wheel on PyPI for CPython 3.10-3.13 on manylinux x86_64 and aarch64 (pure-Python
#: ``py3-none-any`` wheels, except maturin's per-platform and cffi's per-Python ones).
BACKEND_PINS: tuple[str, ...] = (
    # setuptools.build_meta (vendors its own dependencies); wheel for projects listing it.
    "setuptools==84.2.1",
    "wheel==0.48.0",
    # hatchling.build and its requirements: tomli on Python 3.10 only; editables is what
    # its get_requires_for_build_editable asks for.
    "hatchling==1.33.0",
    "packaging==26.4",
    "pathspec==1.1.1",
    "pluggy==1.7.0",
    "trove-classifiers==2026.9.21.13",
    "tomlkit==0.15.2",
    "tomli==2.5.0",
    "editables==0.6",
    # flit_core.buildapi (no dependencies).
    "flit-core==4.2.0",
    # maturin (needs cargo on PATH, or it asks for puccinialin to install Rust; tomli on
    # 3.10). Its get_requires_for_build_* hooks ask for cffi when bindings = "cffi".
    "maturin==1.16.0",
    "cffi==2.1.1",
    "pycparser==3.11",  # the last release for Python 3.10: 3.12 requires 3.11
)

#: Set it to a directory to keep the wheels there instead of the user cache.
ENVIRONMENT_VARIABLE = "PUFFIN_TEST_WHEELS"

_LOCK_NAME = ".lock"
_STAGING_PREFIX = ".download-"


class BackendWheelsError(RuntimeError):
    """The backend wheels could not be downloaded (no network and no warm cache?)."""


def backend_wheels_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The warm cache directory of the backend wheels (not created here).

    ``$PUFFIN_TEST_WHEELS`` if set; else ``puffin-test-wheels/<tag>-<digest>`` in the
    user cache directory (``$XDG_CACHE_HOME``, or ``~/.cache`` on Linux), where ``<tag>``
    is the running interpreter's most specific wheel tag and ``<digest>`` a short digest of
    that tag and :data:`BACKEND_PINS`: new pins or another interpreter get a fresh
    directory, and the old ones are left for the user to delete.
    """
    from puffin.userdirs import user_cache_dir

    environ = os.environ if environ is None else environ
    override = environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if override:
        return Path(override).expanduser()
    tag = _interpreter_tag()
    digest = hashlib.sha256("\n".join((str(tag), *BACKEND_PINS)).encode()).hexdigest()[:12]
    # user_cache_dir() is puffin's own directory; the wheels live beside it, not in it,
    # so that `puffin cache clean` (or a test's cache) never touches them.
    return user_cache_dir(environ).parent / "puffin-test-wheels" / f"{tag.interpreter}-{digest}"


def ensure_backend_wheels(python: str | None = None) -> list[Path]:
    """The wheel of every pin in :data:`BACKEND_PINS`, in that order, downloading the
    missing ones first.

    The download runs ``python -m pip download --only-binary=:all: --no-deps`` (``python``
    defaults to the running interpreter; another one must live on the same machine and
    have pip) and picks wheels for the running interpreter. It holds a lock on
    ``<dir>/.lock`` and moves each finished wheel into place atomically, so concurrent
    callers wait for one download and readers never see half a file. When every wheel is
    present nothing is run at all. Raises :class:`BackendWheelsError` when pip fails.
    """
    directory = backend_wheels_dir()
    found = _find_wheels(directory)
    if all(path is not None for path in found.values()):
        return _in_pin_order(found)
    from puffin.cache.lock import FileLock

    directory.mkdir(parents=True, exist_ok=True)
    with FileLock(directory / _LOCK_NAME):
        # Another process may have downloaded them while this one waited for the lock.
        found = _find_wheels(directory)
        missing = [pin for pin, path in found.items() if path is None]
        if missing:
            _download(python or sys.executable, missing, directory)
            found = _find_wheels(directory)
            still = [pin for pin, path in found.items() if path is None]
            if still:
                raise BackendWheelsError(
                    f"pip download left no wheel for the running interpreter of: "
                    f"{', '.join(still)} (in {directory})"
                )
    return _in_pin_order(found)


def _in_pin_order(found: Mapping[str, Path | None]) -> list[Path]:
    paths = [found[pin] for pin in BACKEND_PINS]
    assert all(path is not None for path in paths)
    return [path for path in paths if path is not None]


def _interpreter_tag() -> Tag:
    from packaging.tags import sys_tags

    return next(iter(sys_tags()))


def _parse_pin(pin: str) -> tuple[str, Version]:
    from packaging.utils import canonicalize_name
    from packaging.version import Version

    name, _, version = pin.partition("==")
    return canonicalize_name(name), Version(version)


def _find_wheels(directory: Path) -> dict[str, Path | None]:
    """For each pin, the best wheel in ``directory`` for the running interpreter, or None.

    Only the file names are read; files that are not wheels, or not for this interpreter
    (the directory may be shared through ``$PUFFIN_TEST_WHEELS``), are ignored.
    """
    from packaging.tags import sys_tags
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    priority = {tag: index for index, tag in enumerate(sys_tags())}
    wanted = {_parse_pin(pin): pin for pin in BACKEND_PINS}
    best: dict[str, tuple[int, Path]] = {}
    for path in _wheel_files(directory):
        try:
            name, version, _, tags = parse_wheel_filename(path.name)
        except InvalidWheelFilename:
            continue
        pin = wanted.get((name, version))
        rank = min((priority[tag] for tag in tags if tag in priority), default=None)
        if pin is None or rank is None:
            continue
        if pin not in best or rank < best[pin][0]:
            best[pin] = (rank, path)
    return {pin: best[pin][1] if pin in best else None for pin in BACKEND_PINS}


def _wheel_files(directory: Path) -> Iterable[Path]:
    try:
        entries = list(directory.iterdir())
    except FileNotFoundError:
        return []
    return sorted(path for path in entries if path.suffix == ".whl" and path.is_file())


def _target_options(python: str) -> list[str]:
    """pip's options to pick wheels for the running interpreter when ``python`` (the one
    that runs pip) is another interpreter; none when it is the running one."""
    if Path(python).absolute() == Path(sys.executable).absolute():
        return []
    tag = _interpreter_tag()
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return ["--python-version", version, "--implementation", tag.interpreter[:2], "--abi", tag.abi]


def _download(python: str, pins: Sequence[str], directory: Path) -> None:
    """``pip download`` ``pins`` into a staging directory, then move the wheels into
    ``directory`` one rename each."""
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=directory))
    command = [
        python,
        "-m",
        "pip",
        "download",
        "--disable-pip-version-check",
        "--no-input",
        "--progress-bar",
        "off",
        "--only-binary=:all:",
        "--no-deps",
        *_target_options(python),
        "-d",
        str(staging),
        *pins,
    ]
    try:
        try:
            result = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as error:
            raise BackendWheelsError(f"cannot run {python} -m pip: {error}") from error
        if result.returncode != 0:
            output = (result.stderr or result.stdout).strip()[-3000:]
            raise BackendWheelsError(
                f"downloading the build backends' wheels failed "
                f"(pip exited with {result.returncode}):\n{output}"
            )
        for path in _wheel_files(staging):
            os.replace(path, directory / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m puffin.testing.backends``: download the wheels (if needed) and say where
    they are. ``--list`` also prints the path of every wheel."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m puffin.testing.backends",
        description="Download the build backends' wheels for puffin's tests (once).",
    )
    parser.add_argument("--list", action="store_true", help="print every wheel's path")
    args = parser.parse_args(argv)
    try:
        wheels = ensure_backend_wheels()
    except BackendWheelsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{len(wheels)} backend wheels in {backend_wheels_dir()}")
    if args.list:
        for path in wheels:
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
