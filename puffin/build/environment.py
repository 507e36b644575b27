"""The build environments of the built-in ``build_isolation`` plugin.

An isolated environment is a virtual environment of the build interpreter, filled by
puffin itself: the requirements are resolved with the command's own index set and
in-flight map, and their wheels linked from the cache. Environments are immutable once
made and shared: every build whose requirements resolve to the same pins uses the same
one, so ten sdists that need setuptools get one environment, made once.

A build sees its environment through a symbolic link of its own that :meth:`install`
points at the environment holding everything installed so far (after
``build-system.requires``, then after ``get_requires_for_build_*``). So the
``python_executable`` a builder was given stays valid and always means "this build's
environment", while the environments behind it are never changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from puffin.build.options import BuildOptions
    from puffin.context import Context
    from puffin.types import BuildRequest, Resolution


class BuildRequirementsUnsatisfiable(PuffinError):
    """The requirements of a build environment have no solution."""


class IsolatedEnvironment:
    """A :class:`~puffin.plugin.protocols.BuildEnvironment` made of shared environments."""

    def __init__(self, request: BuildRequest, ctx: Context) -> None:
        self._ctx = ctx
        self._options = _options(ctx)
        self._label = request.describe()
        directory = Path(tempfile.mkdtemp(prefix="build-", dir=self._options.scratch))
        self._link = directory / "env"
        self._requirements: tuple[str, ...] = ()

    @property
    def python_executable(self) -> str:
        """The interpreter of this build's environment (through its link)."""
        return str(self._link / "bin" / "python")

    def make_extra_environ(self) -> Mapping[str, str] | None:
        """Put the environment's scripts first on PATH (backends call tools like cmake)."""
        scripts = str(self._link / "bin")
        path = self._ctx.environ.get("PATH", "")
        return {"PATH": f"{scripts}{os.pathsep}{path}" if path else scripts}

    async def install(self, requirements: Sequence[str]) -> None:
        """Make this build's environment hold ``requirements`` too."""
        self._requirements = tuple(dict.fromkeys((*self._requirements, *requirements)))
        root = await shared_environment(self._ctx, self._requirements, label=self._label)
        _point(self._link, root)


class InPlaceEnvironment:
    """``--no-build-isolation``: the backend runs in the command's own environment, which
    must already hold the build requirements (as with pip and uv, nothing is installed)."""

    def __init__(self, request: BuildRequest, ctx: Context) -> None:
        self._ctx = ctx
        self._options = _options(ctx)
        self._label = request.describe()

    @property
    def python_executable(self) -> str:
        """The command's interpreter."""
        return str(self._options.interpreter.executable)

    def make_extra_environ(self) -> Mapping[str, str] | None:
        """Nothing to add: the environment is the user's."""
        return None

    async def install(self, requirements: Sequence[str]) -> None:
        """Install nothing: without isolation the environment is the user's to prepare."""
        if requirements:
            self._ctx.reporter.debug(
                f"build isolation is off: {self._label} needs {', '.join(requirements)}, "
                "which must already be installed"
            )


def _options(ctx: Context) -> BuildOptions:
    if ctx.build is None or ctx.inflight is None or ctx.index_set is None:
        raise PuffinError("build environments exist only while a command that builds runs")
    return ctx.build


def _point(link: Path, root: Path) -> None:
    """Atomically make ``link`` a symbolic link to ``root``."""
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(root, target_is_directory=True)
    os.replace(temporary, link)


async def shared_environment(ctx: Context, requirements: Sequence[str], *, label: str) -> Path:
    """The root of an environment holding exactly the resolution of ``requirements``
    for the build interpreter, made once per command for each distinct resolution."""
    from puffin.resolution.resolve import ResolutionImpossible

    options = _options(ctx)
    assert ctx.inflight is not None
    wanted = tuple(sorted(requirements))
    interpreter = str(options.interpreter.sys_executable)
    try:
        resolution = await ctx.inflight.run(
            ("build-resolution", interpreter, wanted), lambda: _resolve(ctx, wanted)
        )
    except ResolutionImpossible as error:
        shown = ", ".join(wanted)
        raise BuildRequirementsUnsatisfiable(
            f"cannot build {label}: its build requirements ({shown}) cannot be satisfied:\n{error}"
        ) from None
    pins = tuple(sorted(f"{dist}{f' @ {dist.url}' if dist.url else ''}" for dist in resolution))
    return await ctx.inflight.run(
        ("build-env", interpreter, pins), lambda: _create(ctx, resolution, pins)
    )


async def _resolve(ctx: Context, requirements: tuple[str, ...]) -> Resolution:
    from puffin.requirements.manifest import Manifest, Origin
    from puffin.requirements.sources import parse_requirement_string
    from puffin.resolution.options import BinaryPolicy, ResolverOptions
    from puffin.resolution.resolve import resolve

    options = _options(ctx)
    assert ctx.index_set is not None
    origin = Origin(None)
    entries = tuple(
        parse_requirement_string(text, origin=origin, base_dir=ctx.cwd) for text in requirements
    )
    manifest = Manifest(requirements=entries, constraints=options.constraints)
    resolver_options = ResolverOptions(
        exclude_newer=options.exclude_newer,
        running_python=options.interpreter.python_full_version,
        binary=options.binary or BinaryPolicy(),
    )
    return await resolve(
        ctx, ctx.index_set, manifest, options.target, resolver_options, top_level=False
    )


async def _create(ctx: Context, resolution: Resolution, pins: tuple[str, ...]) -> Path:
    from puffin import __version__
    from puffin.concurrency import gather_all_or_cancel
    from puffin.install.prepare import unpacked_wheel
    from puffin.venv.create import create_venv

    options = _options(ctx)
    digest = hashlib.sha256("\n".join(pins).encode()).hexdigest()[:16]
    root = options.scratch / f"env-{digest}"
    unpacked = await gather_all_or_cancel(
        *(unpacked_wheel(ctx, dist, options.target) for dist in resolution)
    )
    await asyncio.to_thread(
        create_venv,
        root,
        options.interpreter,
        prompt="puffin-build",
        system_site_packages=False,
        clear=False,
        puffin_version=__version__,
    )
    await asyncio.to_thread(_install_all, options, root, resolution, unpacked)
    if pins:
        ctx.reporter.debug(f"build environment {root.name}: {', '.join(pins)}")
    return root


def _install_all(
    options: BuildOptions, root: Path, resolution: Resolution, unpacked: Sequence[Path]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from puffin.install.link import LinkMode
    from puffin.install.wheel import install_wheel, linking_threads

    interpreter = options.interpreter
    paths = interpreter.venv_paths(root)
    scheme = {key: paths[key] for key in ("purelib", "platlib", "scripts", "data")}
    headers = root / "include" / "site" / f"python{interpreter.python_version}"
    python = root / "bin" / "python"
    # This thread places files too (install_wheel runs its batches and offers them to the
    # pool): with the pool, one thread per core, as for the command's own installs.
    with ThreadPoolExecutor(max_workers=max(1, linking_threads() - 1)) as executor:
        for dist, path in zip(resolution, unpacked, strict=True):
            install_wheel(
                path,
                name=dist.name,
                version=str(dist.version),
                scheme={**scheme, "headers": headers / dist.name},
                interpreter_path=python,
                link_mode=LinkMode(options.link_mode),
                requested=False,
                direct_url=None,
                executor=executor,
            )
