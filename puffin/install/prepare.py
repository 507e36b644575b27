"""From a pinned distribution to a wheel unpacked in the cache: fetched or built.

Shared by ``pip install``/``pip sync`` and by build environments, through the command's
in-flight map, so one wheel is fetched and unpacked once per command however many
environments need it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from typing import TYPE_CHECKING, NamedTuple

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path

    from puffin.client.plain import PlainRequest
    from puffin.context import Context
    from puffin.environment.target import TargetEnvironment
    from puffin.types import DistFile, PlanAction, ResolvedDist


async def unpacked_wheel(
    ctx: Context,
    dist: ResolvedDist,
    target: TargetEnvironment,
    *,
    verify: Callable[[Path], None] | None = None,
) -> Path:
    """The directory where the wheel that installs ``dist`` on ``target`` is unpacked.

    :param verify: called with every archive fetched for ``dist`` (the wheel, or the sdist
        that is built), before it is used: the user's ``--hash`` check.
    """
    from puffin.install.unpack import unpack_wheel

    published = _choose(ctx, dist, target).wheel
    # Unpacked by an earlier command (the warm cache): the directory is the answer, with no
    # archive to look at and no thread to hand the lookup to.
    if (
        verify is None
        and published is not None
        and (ready := _unpacked_dir(ctx, published)) is not None
    ):
        from puffin.install.layout import remember_layout

        remember_layout(ready, source=str(dist))
        return ready
    if published is not None and (request := _worker_request(ctx, published)) is not None:
        from puffin.distribution.download import archive_path

        archive = archive_path(ctx, published)
        entry = await _once(
            ctx, ("unpack", archive), lambda: _fetched_by_worker(ctx, published, archive, request)
        )
        if verify is not None:
            verify(archive)
        return entry
    wheel, sha256 = await wheel_for(ctx, dist, target, verify=verify)

    async def unpack() -> Path:
        if ctx.unpackers is not None:
            return await ctx.unpackers.unpack(wheel, sha256=sha256)
        # One thread per core: more only take turns at the GIL with each other and with
        # the event loop. The small benchmark set, cold, against six threads: 312 to 329
        # against 329 to 346 ms (three runs, medians of 8 to 12).
        threads = (
            contextlib.nullcontext()
            if ctx.inflight is None
            else ctx.inflight.limit("unpack-threads", os.cpu_count() or 1)
        )
        async with threads:
            return await asyncio.to_thread(unpack_wheel, wheel, ctx.cache, sha256=sha256)

    return await _once(ctx, ("unpack", wheel), unpack)


async def _once(ctx: Context, key: tuple[str, Path], work: Callable[[], Awaitable[Path]]) -> Path:
    """``work()``, shared through the command's in-flight map (keyed by the archive's
    path, so that both ways to a wheel's unpacking meet)."""
    if ctx.inflight is None:
        return await work()
    return await ctx.inflight.run(key, work)


def _worker_request(ctx: Context, wheel: DistFile) -> PlainRequest | None:
    """How a worker may fetch ``wheel`` itself, when the command has unpacking workers,
    the wheel is large (:data:`~puffin.install.unpack_workers.FETCHED_FROM`) and a bare
    GET of its source's anonymous URL would fetch it as the client would; else None."""
    import hashlib

    from puffin.install.unpack_workers import FETCHED_FROM

    if ctx.unpackers is None or ctx.client is None or (wheel.size or 0) < FETCHED_FROM:
        return None
    if any(name.lower() not in hashlib.algorithms_guaranteed for name, _ in wheel.hashes):
        return None  # the client reports an unusable hash algorithm
    source = ctx.index_set.source_for(wheel) if ctx.index_set is not None else None
    # The optional method of AnonymousFiles: a source without it is fetched as always.
    anonymous_url = getattr(source, "anonymous_url", None)
    url = anonymous_url(wheel) if anonymous_url is not None else None
    return ctx.client.plain_request(url) if isinstance(url, str) else None


async def _fetched_by_worker(
    ctx: Context, wheel: DistFile, archive: Path, request: PlainRequest
) -> Path:
    """``wheel`` fetched to ``archive`` and unpacked, both by a worker; fetched by the
    source's ``fetch_file`` when the worker cannot (which reports any real error)."""
    from puffin.client.plain import PlainFetchError, normalized_hashes
    from puffin.distribution.download import fetch_distribution

    workers = ctx.unpackers
    assert workers is not None
    sha256 = wheel.hash("sha256")
    shown = request.url.partition("?")[0]
    if not archive.is_file():  # else fetched by an earlier command: only unpacked
        hashes = normalized_hashes(wheel.hashes)
        try:
            entry, fetched = await workers.fetch_and_unpack(
                request, archive, hashes=hashes, sha256=sha256
            )
        except PlainFetchError as error:
            ctx.reporter.debug(f"GET {shown} in a worker failed ({error}); fetching it here")
        else:
            ctx.reporter.debug(
                f"GET {shown} 200 in a worker: {fetched.size} bytes in "
                f"{fetched.seconds * 1000:.0f}ms"
            )
            return entry
    return await workers.unpack(await fetch_distribution(ctx, wheel), sha256=sha256)


class _Source(NamedTuple):
    """Where the wheel of a pinned distribution comes from (see :func:`_choose`)."""

    tree: bool
    """A source tree (local directory or git) to build."""
    wheel: DistFile | None
    """The published wheel to install, when one may be used."""
    sdists: tuple[DistFile, ...]
    """The source distributions to build otherwise, best first."""


def _choose(ctx: Context, dist: ResolvedDist, target: TargetEnvironment) -> _Source:
    """The one decision both :func:`wheel_for` and :func:`source_action` follow."""
    from puffin.index.selection import rank_files

    if dist.editable or (dist.url is not None and not dist.files):
        return _Source(tree=True, wheel=None, sdists=())
    binary = ctx.build.binary if ctx.build is not None else None
    wheels_allowed = binary is None or binary.wheels_allowed(dist.name) or dist.url is not None
    ranked = rank_files(dist.files, target.priority)
    wheel = next((file for file in ranked if file.is_wheel), None) if wheels_allowed else None
    return _Source(False, wheel, tuple(file for file in ranked if not file.is_wheel))


async def wheel_for(
    ctx: Context,
    dist: ResolvedDist,
    target: TargetEnvironment,
    *,
    verify: Callable[[Path], None] | None = None,
) -> tuple[Path, str | None]:
    """The wheel file that installs ``dist`` on ``target`` and its sha256 when known.

    In order: an editable or a source tree (``git+`` URL, local directory) is built; a
    compatible published wheel is fetched unless ``--no-binary`` names the project;
    otherwise the source distribution is built.
    """
    import dataclasses

    from puffin.build.dispatch import build_wheel
    from puffin.build.source import BuildSource, tree_source
    from puffin.distribution.download import fetch_distribution

    source = _choose(ctx, dist, target)
    if source.tree:
        assert dist.url is not None
        tree = await tree_source(ctx, dist.url, name=dist.name)
        if tree is None:
            raise PuffinError(f"{dist}: {dist.url} is no longer a project directory")
        tree = dataclasses.replace(tree, version=str(dist.version))
        built = await build_wheel(ctx, tree, editable=dist.editable)
        _check_built(built, dist, target)
        return built, None
    if source.wheel is not None:
        path = await fetch_distribution(ctx, source.wheel)
        if verify is not None:
            verify(path)
        return path, source.wheel.hash("sha256")
    if not source.sdists:
        raise PuffinError(f"{dist} has no wheel for this environment ({target.describe()})")
    binary = ctx.build.binary if ctx.build is not None else None
    if binary is not None and not binary.builds_allowed(dist.name):
        raise PuffinError(
            f"{dist} has no wheel for this environment, and building it from source is not "
            f"allowed (--no-build or --only-binary)"
        )
    if verify is not None:
        verify(await fetch_distribution(ctx, source.sdists[0]))
    archive = BuildSource.for_archive(source.sdists[0], name=dist.name, version=str(dist.version))
    built = await build_wheel(ctx, archive)
    _check_built(built, dist, target)
    return built, None


def _check_built(wheel: Path, dist: ResolvedDist, target: TargetEnvironment) -> None:
    """A wheel built on the build interpreter must suit the target and be ``dist``."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        name, version, _, tags = parse_wheel_filename(wheel.name)
    except InvalidWheelFilename as error:
        raise PuffinError(f"the build of {dist} produced an invalid wheel: {error}") from None
    if name != dist.name or version != dist.version:
        raise PuffinError(
            f"the build of {dist} produced {wheel.name}, a wheel of {name}=={version}: "
            "the source's metadata does not match what it builds"
        )
    if tags.isdisjoint(target.tags):
        raise PuffinError(
            f"the wheel built from {dist} ({wheel.name}) does not suit {target.describe()}",
            hint="builds run on the command's interpreter; build for the target's own Python",
        )


def source_action(ctx: Context, dist: ResolvedDist, target: TargetEnvironment) -> PlanAction:
    """Where the wheel of ``dist`` will come from, judged from the cache without I/O
    beyond a stat: ``LINK`` (unpacked already), ``DOWNLOAD`` or ``BUILD``."""
    from puffin.types import PlanAction

    wheel = _choose(ctx, dist, target).wheel
    if wheel is None:
        return PlanAction.BUILD  # a source tree, or an sdist
    return PlanAction.LINK if _unpacked(ctx, wheel) else PlanAction.DOWNLOAD


def wheel_to_download(
    ctx: Context, dist: ResolvedDist, target: TargetEnvironment
) -> DistFile | None:
    """The published wheel that installing ``dist`` on ``target`` downloads and unpacks;
    None when that wheel is unpacked in the cache already, or when ``dist`` is built."""
    wheel = _choose(ctx, dist, target).wheel
    return None if wheel is None or _unpacked(ctx, wheel) else wheel


def _unpacked(ctx: Context, wheel: DistFile) -> bool:
    return _unpacked_dir(ctx, wheel) is not None


def _unpacked_dir(ctx: Context, wheel: DistFile) -> Path | None:
    """Where ``wheel`` is unpacked in the cache (keyed by the sha256 the index gives),
    or None when it is not."""
    from puffin.install.unpack import BUCKET

    sha256 = wheel.hash("sha256")
    if sha256 is None:
        return None
    directory = ctx.cache.root / BUCKET / sha256.lower()
    return directory if directory.is_dir() else None
