"""Driving one build through the plugins, with the built-wheel cache and the in-flight map.

:func:`build_metadata` and :func:`build_wheel` are what the resolver and the installer
call. Each looks in the built-wheel cache (``built-v1``, keyed by the source's identity
and the config settings) first; otherwise the build runs once per command (the in-flight
map) and once across processes (a file lock), in phases:

1. ``puffin_build_env`` supplies the environment, ``puffin_build`` the builder;
2. the environment installs ``build-system.requires``;
3. the builder asks the backend for more (``get_requires_for_build_*``), which the
   environment installs;
4. the builder produces the metadata, wheel or editable wheel.

At most ``--build-jobs`` backends run at once. The semaphore is held only while a backend
runs, never while an environment is being prepared, because preparing one may need other
builds (a build requirement published only as an sdist).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from puffin.build.options import BuildOptions
    from puffin.build.source import BuildSource
    from puffin.context import Context
    from puffin.types import BuildKind

BUILT_BUCKET = "built-v1"


class BuildsDisabled(PuffinError):
    """A build was needed, but this command may not build (``--no-build``)."""


class BuildCycle(PuffinError):
    """A build's requirements need that same build: it can never finish."""


def _options(ctx: Context, source: BuildSource) -> BuildOptions:
    if ctx.build is None or ctx.inflight is None:
        raise BuildsDisabled(f"{source.label} must be built, and this command does not build")
    if source.key in ctx.build_chain:
        raise BuildCycle(
            f"{source.label} needs itself to be built: a build requirement of it can only "
            f"be had by building it (a cycle in build requirements)",
            hint="install a wheel of the build requirement first, or pass --no-build-isolation",
        )
    return ctx.build


def _settings_name(ctx: Context, options: BuildOptions) -> str:
    """What besides the source decides a build's product: the config settings, isolation,
    the build constraints and any plugin that supplies environments or builders. The
    defaults keep the plain name ``default``."""
    import hashlib

    plugins = sorted(
        ctx.hooks.plugin_names_for("puffin_build_env") | ctx.hooks.plugin_names_for("puffin_build")
    )
    parts = [
        *(f"setting {key}={value}" for key, value in options.config_settings),
        *(f"constraint {entry.text}" for entry in options.constraints),
        *(f"plugin {name}" for name in plugins if name not in _BUILTIN_BUILD_PLUGINS),
    ]
    if not options.isolated:
        parts.append("not isolated")
    if not parts:
        return "default"
    return "settings-" + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


_BUILTIN_BUILD_PLUGINS = frozenset({"build_isolation", "pep517"})


def _entry_dir(ctx: Context, source: BuildSource, options: BuildOptions) -> Path:
    """The cache directory of ``source``'s artefacts under the current settings."""
    return ctx.cache.bucket(BUILT_BUCKET) / source.cache_name / _settings_name(ctx, options)


def _interpreter_dir(options: BuildOptions) -> str:
    """Wheels are cached per interpreter: a platform wheel built for one does not fit
    another."""
    interpreter = options.interpreter
    markers = interpreter.markers
    return (
        f"{interpreter.implementation_name}-{interpreter.python_version}-"
        f"{markers.get('sys_platform', '')}-{markers.get('platform_machine', '')}"
    )


async def build_metadata(ctx: Context, source: BuildSource, *, editable: bool = False) -> bytes:
    """The core metadata (``METADATA`` contents) of ``source``, built when not cached.

    Uses the backend's ``prepare_metadata_for_build_wheel`` (or ``_editable``), so a
    resolution never needs a full build just to read dependencies.
    """
    options = _options(ctx, source)
    entry = _entry_dir(ctx, source, options)
    cached = entry / ("METADATA-editable" if editable else "METADATA")
    try:
        return cached.read_bytes()
    except FileNotFoundError:
        pass
    from puffin.types import BuildKind

    assert ctx.inflight is not None

    async def work() -> bytes:
        produced = await _build(ctx, source, BuildKind.METADATA, editable, cached)
        return produced.read_bytes()

    return await ctx.inflight.run(("build-metadata", source.key, editable, entry), work)


async def build_wheel(ctx: Context, source: BuildSource, *, editable: bool = False) -> Path:
    """The wheel (or PEP 660 editable wheel) of ``source``, built when not cached."""
    options = _options(ctx, source)
    kind_dir = "editable" if editable else "wheel"
    directory = _entry_dir(ctx, source, options) / kind_dir / _interpreter_dir(options)
    cached = _single_wheel(directory)
    if cached is not None:
        ctx.reporter.debug(f"using the cached build of {source.label}: {cached.name}")
        return cached
    from puffin.types import BuildKind

    kind = BuildKind.EDITABLE if editable else BuildKind.WHEEL
    assert ctx.inflight is not None
    return await ctx.inflight.run(
        ("build-wheel", source.key, editable, directory),
        lambda: _build(ctx, source, kind, editable, directory),
    )


def _single_wheel(directory: Path) -> Path | None:
    try:
        return next(path for path in directory.iterdir() if path.suffix == ".whl")
    except (FileNotFoundError, StopIteration):
        return None


async def _build(
    ctx: Context, source: BuildSource, kind: BuildKind, editable: bool, destination: Path
) -> Path:
    """Run one build and store its product at ``destination`` (a METADATA file for
    metadata builds, a directory holding the wheel otherwise)."""
    import time

    from puffin.cache.lock import FileLock
    from puffin.types import BuildKind

    options = ctx.build
    assert options is not None
    lock = destination.parent / f".{destination.name}.lock"
    async with FileLock(lock):
        # Another process may have built it while this one waited for the lock.
        if kind is BuildKind.METADATA and destination.is_file():
            return destination
        if kind is not BuildKind.METADATA and (found := _single_wheel(destination)):
            return found
        started = time.perf_counter()
        async with _source_tree(ctx, source, in_place=kind is BuildKind.EDITABLE) as tree:
            product = await _run_phases(ctx, source, tree, kind, editable)
            stored = _store(product, kind, destination)
        elapsed = time.perf_counter() - started
        what = {BuildKind.METADATA: "metadata of", BuildKind.WHEEL: "", BuildKind.EDITABLE: ""}
        label = f"{what[kind]} {source.label}".strip()
        ctx.reporter.info(f"Built {label} in {elapsed:.2f}s")
        return stored


async def _run_phases(
    ctx: Context, source: BuildSource, tree: Path, kind: BuildKind, editable: bool
) -> Path:
    from puffin.types import BuildRequest

    options = ctx.build
    assert options is not None and ctx.inflight is not None
    request = BuildRequest(
        source_dir=tree,
        kind=kind,
        name=source.name,
        version=source.version,
        config_settings=options.config_settings,
        isolated=options.isolated,
        build_key=source.key,
        editable=editable,
    )
    # The chain makes a build requirement that needs this very build a clear error
    # instead of a wait for ever.
    child = ctx._replace(build_chain=(*ctx.build_chain, source.key))
    env = child.hooks.build_env(request, child)
    if env is None:
        raise PuffinError(f"no plugin provides a build environment for {source.label}")
    builder = child.hooks.build(request, env, child)
    if builder is None:
        raise PuffinError(f"no plugin can build {source.label}")
    await env.install(builder.build_system_requires())
    jobs = ctx.inflight.limit("builds", options.jobs)
    async with jobs:
        extra = await builder.get_requires()
    if extra:
        await env.install(extra)
    output = Path(tempfile.mkdtemp(prefix="out-", dir=options.scratch))
    async with jobs:
        return await builder.build(output)


def _store(product: Path, kind: BuildKind, destination: Path) -> Path:
    """Move a build's product into the cache atomically; return its cached path."""
    from puffin.types import BuildKind

    destination.parent.mkdir(parents=True, exist_ok=True)
    if kind is BuildKind.METADATA:
        metadata = product / "METADATA" if product.is_dir() else product
        temporary = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
        shutil.copyfile(metadata, temporary)
        os.replace(temporary, destination)
        return destination
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=destination.parent))
    try:
        shutil.move(str(product), staging / product.name)
        os.replace(staging, destination)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        found = _single_wheel(destination)
        if found is None:
            raise
        return found
    return destination / product.name


def _unpack_sdist(archive: Path, into: Path) -> Path:
    """Extract an sdist; return its single top-level directory (the project)."""
    import tarfile
    import zipfile

    name = archive.name.lower()
    try:
        if name.endswith(".zip"):
            with zipfile.ZipFile(archive) as handle:
                for member in handle.namelist():
                    if member.startswith("/") or ".." in Path(member).parts:
                        raise PuffinError(f"{archive.name} has an unsafe path: {member}")
                handle.extractall(into)  # noqa: S202 - members checked above
        else:
            with tarfile.open(archive) as handle:
                if hasattr(tarfile, "data_filter"):
                    handle.extractall(into, filter="data")
                else:  # pragma: no cover - Python 3.10 before 3.10.12
                    for info in handle.getmembers():
                        if info.name.startswith("/") or ".." in Path(info.name).parts:
                            raise PuffinError(f"{archive.name} has an unsafe path: {info.name}")
                    handle.extractall(into)  # noqa: S202 - members checked above
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as error:
        raise PuffinError(f"cannot unpack source distribution {archive.name}: {error}") from None
    entries = [entry for entry in into.iterdir() if not entry.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return into


@asynccontextmanager
async def _source_tree(
    ctx: Context, source: BuildSource, *, in_place: bool = False
) -> AsyncIterator[Path]:
    """The directory to build in: a project directory in place, a copy of a shared one
    (a git checkout; not for an editable, which must point at a lasting tree), or an
    sdist unpacked into the command's scratch directory (removed afterwards)."""
    import asyncio

    if source.directory is not None and (in_place or not source.shared):
        yield source.directory
        return
    assert ctx.build is not None
    if source.directory is not None:
        scratch = Path(tempfile.mkdtemp(prefix="src-", dir=ctx.build.scratch))
        copy = scratch / source.directory.name
        try:
            await asyncio.to_thread(
                shutil.copytree, source.directory, copy, ignore=shutil.ignore_patterns(".git")
            )
            yield copy
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return
    assert source.archive is not None
    from puffin.distribution.download import fetch_distribution

    archive = await fetch_distribution(ctx, source.archive)
    scratch = Path(tempfile.mkdtemp(prefix="src-", dir=ctx.build.scratch))
    try:
        yield await asyncio.to_thread(_unpack_sdist, archive, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
