"""The puffin pytest plugin: fixtures for building distributions, serving indexes, running puffin.

Loaded automatically through the ``pytest11`` entry point once puffin is installed (also by
third-party plugin projects that depend on puffin). Every fixture but ``backend_wheels``
is function-scoped and works in its own temporary directories on random ports, so tests
run in parallel under pytest-xdist.

Fixtures:

``make_wheel(name, version, **options) -> Path``
    :func:`puffin.testing.dists.make_wheel` writing into :func:`puffin_dist_dir`.
``make_sdist(name, version, **options) -> Path``
    :func:`puffin.testing.dists.make_sdist`, likewise.
``local_index(dists=(), **options) -> LocalIndex``
    writes a static simple index of ``dists`` and serves it (a started
    :class:`~puffin.testing.index.LocalIndex`); stopped at teardown.
``pypiserver(dists=(), **options) -> PypiServer``
    starts the real pypiserver over a fresh directory holding ``dists``; stopped at teardown.
``find_links_dir``
    an empty :class:`~puffin.testing.index.FlatDirectory`.
``puffin_cache_dir`` / ``puffin_config_dir``
    the per-test ``PUFFIN_CACHE_DIR`` (not created: puffin must create it) and
    ``XDG_CONFIG_HOME`` (created, empty).
``run_puffin(*args, **options) -> PuffinResult``
    a :class:`~puffin.testing.run.PuffinRunner` bound to those two directories with
    ``tmp_path`` as working directory.
``backend_wheels -> list[Path]`` (session-scoped)
    real wheels of the build backends pinned in
    :data:`puffin.testing.backends.BACKEND_PINS` (setuptools, hatchling, flit_core,
    maturin, cffi... with their dependencies), from a warm cache that outlives the session:
    :func:`puffin.testing.backends.ensure_backend_wheels`. Serve them on a local index for
    offline isolated builds. Read-only: copy them, never move or change them.

Importing this module must stay cheap: pytest imports it for every test session of every
project that has puffin installed. Everything heavier than pytest itself is imported inside
the fixtures.
"""

from __future__ import annotations

import contextlib
import itertools
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from puffin.testing.dists import MakeSdist, MakeWheel
    from puffin.testing.index import FlatDirectory, LocalIndexFactory
    from puffin.testing.pypiserver import PypiServerFactory
    from puffin.testing.run import PuffinRunner

__all__ = [
    "backend_wheels",
    "find_links_dir",
    "local_index",
    "make_sdist",
    "make_wheel",
    "puffin_cache_dir",
    "puffin_config_dir",
    "puffin_dist_dir",
    "puffin_harness_dir",
    "pypiserver",
    "run_puffin",
]

_P = ParamSpec("_P")
_R = TypeVar("_R")
_Server = TypeVar("_Server", bound=contextlib.AbstractContextManager[Any])


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``network`` marker, so ``--strict-markers`` accepts it in any project."""
    config.addinivalue_line(
        "markers",
        "network: the test needs to reach the real PyPI; deselect with -m 'not network'",
    )


def _bind_directory(func: Callable[Concatenate[Path, _P], _R], directory: Path) -> Callable[_P, _R]:
    # Keeps the wrapped function's exact signature for type checkers, minus the directory.
    def bound(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        return func(directory, *args, **kwargs)

    bound.__doc__ = func.__doc__
    return bound


def _server_factory(
    server_class: Callable[Concatenate[Path, _P], _Server],
    stack: contextlib.ExitStack,
    parent: Path,
    prefix: str,
) -> Callable[_P, _Server]:
    counter = itertools.count()

    def create(*args: _P.args, **kwargs: _P.kwargs) -> _Server:
        server = server_class(parent / f"{prefix}{next(counter)}", *args, **kwargs)
        # enter_context starts it, and the stack stops it at teardown even if the test fails.
        stack.enter_context(server)
        return server

    return create


@pytest.fixture
def puffin_harness_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh per-test directory for the harness's own files (dists, index roots, caches).

    Kept apart from ``tmp_path`` so that ``run_puffin``'s working directory starts empty.
    """
    return tmp_path_factory.mktemp("puffin")


@pytest.fixture
def puffin_dist_dir(puffin_harness_dir: Path) -> Path:
    """Where ``make_wheel`` and ``make_sdist`` write (created on first use)."""
    return puffin_harness_dir / "dists"


@pytest.fixture
def make_wheel(puffin_dist_dir: Path) -> MakeWheel:
    """Build a wheel into :func:`puffin_dist_dir`: ``make_wheel("pkg", "1.0", extras={...})``.

    Takes the keyword arguments of :func:`puffin.testing.dists.make_wheel`; returns the path.
    """
    from puffin.testing.dists import make_wheel as build

    return _bind_directory(build, puffin_dist_dir)


@pytest.fixture
def make_sdist(puffin_dist_dir: Path) -> MakeSdist:
    """Build an sdist into :func:`puffin_dist_dir`: ``make_sdist("pkg", "1.0", backend=...)``.

    Takes the keyword arguments of :func:`puffin.testing.dists.make_sdist`; returns the path.
    """
    from puffin.testing.dists import make_sdist as build

    return _bind_directory(build, puffin_dist_dir)


@pytest.fixture
def local_index(puffin_harness_dir: Path) -> Iterator[LocalIndexFactory]:
    """Factory: ``local_index([wheel, sdist], yanked={...}, auth=("u", "p"))`` -> a started
    :class:`~puffin.testing.index.LocalIndex`; use ``.simple_url``, ``.requests``, ``.faults``,
    ``.add(...)``. Each call gets its own root and port; all are stopped at teardown.
    """
    from puffin.testing.index import LocalIndex

    with contextlib.ExitStack() as stack:
        yield _server_factory(LocalIndex, stack, puffin_harness_dir, "index")


@pytest.fixture
def pypiserver(puffin_harness_dir: Path) -> Iterator[PypiServerFactory]:
    """Factory: ``pypiserver([wheel])`` -> a started :class:`~puffin.testing.pypiserver.PypiServer`
    over a fresh directory holding the given files; all are stopped at teardown.

    Raises :class:`~puffin.testing.pypiserver.PypiServerNotInstalled` if pypiserver is missing.
    """
    from puffin.testing.pypiserver import PypiServer

    with contextlib.ExitStack() as stack:
        yield _server_factory(PypiServer, stack, puffin_harness_dir, "pypiserver")


@pytest.fixture
def find_links_dir(puffin_harness_dir: Path) -> FlatDirectory:
    """An empty ``--find-links`` directory (:class:`~puffin.testing.index.FlatDirectory`);
    ``find_links_dir.add(wheel)``, then pass ``os.fspath(find_links_dir)``."""
    from puffin.testing.index import FlatDirectory

    return FlatDirectory(puffin_harness_dir / "find-links")


@pytest.fixture
def puffin_cache_dir(puffin_harness_dir: Path) -> Path:
    """This test's ``PUFFIN_CACHE_DIR`` (not created: puffin must create it itself)."""
    return puffin_harness_dir / "cache"


@pytest.fixture
def puffin_config_dir(puffin_harness_dir: Path) -> Path:
    """This test's ``XDG_CONFIG_HOME``: empty, so no user ``puffin.toml`` applies unless the
    test writes ``puffin_config_dir / "puffin" / "puffin.toml"``."""
    path = puffin_harness_dir / "config"
    path.mkdir()
    return path


@pytest.fixture
def run_puffin(puffin_cache_dir: Path, puffin_config_dir: Path, tmp_path: Path) -> PuffinRunner:
    """Run ``python -m puffin`` in a subprocess: ``run_puffin("install", "pkg", check=True)``.

    Uses this test's cache and config directories and ``tmp_path`` as working directory; see
    :func:`puffin.testing.run.run_puffin` for the options and
    :class:`~puffin.testing.run.PuffinResult` for the result.
    """
    from puffin.testing.run import PuffinRunner

    return PuffinRunner(cache_dir=puffin_cache_dir, config_dir=puffin_config_dir, cwd=tmp_path)


@pytest.fixture(scope="session")
def backend_wheels() -> list[Path]:
    """The real wheels of every build backend in
    :data:`puffin.testing.backends.BACKEND_PINS`, in pin order.

    Downloaded into the warm cache (:func:`puffin.testing.backends.backend_wheels_dir`) by
    the first session on a machine, under a lock shared by all xdist workers; later
    sessions only list the directory, without the network. Shared by every test: serve
    copies (``local_index(backend_wheels)`` copies them), never change the files.
    """
    from puffin.testing.backends import ensure_backend_wheels

    return ensure_backend_wheels()
