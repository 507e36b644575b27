"""The core metadata of a candidate version, from the source that listed it."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from puffin.resolution.provider import MetadataUnavailable

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from packaging.utils import NormalizedName

    from puffin.context import Context
    from puffin.distribution.core_metadata import CoreMetadata
    from puffin.index.strategy import IndexSet
    from puffin.resolution.candidates import VersionCandidate
    from puffin.types import Answer, DistFile


async def load_metadata(
    ctx: Context,
    index_set: IndexSet,
    name: NormalizedName,
    candidate: VersionCandidate,
    *,
    whole: DistFile | None = None,
) -> CoreMetadata:
    """Parse the metadata of ``candidate``; raise :class:`MetadataUnavailable` with why not.

    Wheels: whatever the source offers (PEP 658 file, range requests, download). Source
    distributions: their ``PKG-INFO`` when PEP 643 guarantees its dependencies (Metadata
    2.2+, ``Requires-Dist`` not dynamic); otherwise a build would be needed.

    :param whole: a wheel of the candidate that the install fetches whole right away: its
        METADATA is read from that file (:func:`wheel_metadata_from_archive`) instead of
        by range requests, unless the fetch fails (the install then reports that failure).
    """
    from puffin.types import Found, Offline

    if whole is not None:
        from puffin.errors import PuffinError

        try:
            return _parse(await wheel_metadata_from_archive(ctx, whole), whole)
        except PuffinError:
            # Read as any other wheel's: a fetch that failed (a hash mismatch, say) is
            # the install's to report, with its own message, when it asks for the file.
            pass
    file = candidate.metadata_file
    if file is None:
        raise MetadataUnavailable("has no file to read metadata from")
    source = index_set.source_for(file)
    if source is None and file.is_wheel:
        # A top-level ``name @ url`` wheel: no index serves it, fetch it directly.
        from puffin.distribution.fetch import fetch_core_metadata

        direct = await fetch_core_metadata(
            file, client=ctx.client, cache=ctx.cache, writes=ctx.writes
        )
        if not isinstance(direct, Found):
            reason = getattr(direct, "reason", "not in the cache (offline)")
            raise MetadataUnavailable(f"has unreadable metadata at {file.url} ({reason})")
        return _parse(direct.value, file)
    if source is None:
        raise MetadataUnavailable(f"comes from {file.source.url}, which no source serves")
    if file.is_wheel:
        wheel_source = source

        async def fetch() -> Answer[bytes]:
            return await wheel_source.fetch_metadata(file)

        # Every resolution of the command (build environments' too) shares one fetch.
        shared = ctx.inflight
        answer = await (shared.run(("metadata", file.url), fetch) if shared else fetch())
        if isinstance(answer, Offline):
            raise MetadataUnavailable("has metadata that is not in the cache (offline)")
        if not isinstance(answer, Found):
            reason = getattr(answer, "reason", "not found")
            raise MetadataUnavailable(f"has unreadable metadata ({reason})")
        return _parse(answer.value, file)
    from puffin.distribution.download import DownloadFailed

    try:
        pkg_info = await sdist_pkg_info(ctx, file)
    except DownloadFailed as error:
        raise MetadataUnavailable(
            f"has a source distribution that could not be fetched ({error})"
        ) from None
    return await sdist_metadata(
        ctx,
        file,
        pkg_info,
        parse=lambda data: _parse(data, file),
        name=name,
        version=str(candidate.version),
    )


async def sdist_metadata(
    ctx: Context,
    file: DistFile,
    pkg_info: bytes | None,
    *,
    parse: Callable[[bytes], CoreMetadata],
    name: str | None = None,
    version: str | None = None,
) -> CoreMetadata:
    """The metadata of the source distribution ``file``: its ``pkg_info``
    (:func:`sdist_pkg_info`) when PEP 643 guarantees the dependencies in it (Metadata
    2.2+, ``Requires-Dist`` not dynamic), else what a metadata build (not a wheel build)
    says, read by ``parse`` (which raises the caller's error for metadata that does not
    parse).

    A missing or unreadable ``PKG-INFO`` means a build too. A failed build stops the
    command with the backend's output: it is not a reason to try another version.

    :param name: the project, and ``version`` its version, as the index lists them (for
        the build's messages and checks); unknown for a ``name @ url`` archive.
    """
    from puffin.distribution.core_metadata import MetadataError, parse_core_metadata
    from puffin.distribution.sdist import static_dependencies_known

    static = None
    if pkg_info is not None:
        with contextlib.suppress(MetadataError):
            static = parse_core_metadata(pkg_info, source=file.filename)
    if static is not None and static_dependencies_known(static.metadata_version, static.dynamic):
        return static
    from puffin.build.dispatch import build_metadata
    from puffin.build.source import BuildSource

    source = BuildSource.for_archive(file, name=name, version=version)
    return parse(await build_metadata(ctx, source))


async def wheel_metadata_from_archive(ctx: Context, file: DistFile) -> bytes:
    """The METADATA of the wheel ``file``, from the metadata cache, else from the whole
    file fetched into the archive cache (:func:`~puffin.distribution.download.
    fetch_distribution`: hash-checked, and shared with the install that needs it too),
    then kept in the metadata cache.

    An install reads a pinned wheel under 1 MB this way: reading its metadata by range
    requests takes two requests (the zip's end, then METADATA), after which the install
    fetches the whole wheel anyway.

    :raises DownloadFailed: the file could not be fetched.
    :raises PuffinError: the file is not a wheel with readable metadata.
    """
    from puffin.distribution.lazy_wheel import read_wheel_metadata_from_file

    data = await _cached_from_archive(
        ctx, file, lambda path: read_wheel_metadata_from_file(path, file.filename)
    )
    assert data is not None  # the reader raises rather than answering None
    return data


def _parse(data: bytes, file: object) -> CoreMetadata:
    from puffin.distribution.core_metadata import MetadataError, parse_core_metadata
    from puffin.types import DistFile

    assert isinstance(file, DistFile)
    try:
        return parse_core_metadata(data, source=file.filename)
    except MetadataError as error:
        raise MetadataUnavailable(f"has invalid metadata: {error}") from None


async def sdist_pkg_info(ctx: Context, file: DistFile) -> bytes | None:
    """The sdist's ``PKG-INFO``, or None when it has none (a build tells); kept in the
    metadata cache, so that a later resolution fetches no archive for it.

    :raises DownloadFailed: the archive could not be fetched.
    """
    from puffin.distribution.sdist import read_pkg_info
    from puffin.errors import PuffinError

    def read(path: Path) -> bytes | None:
        try:
            return read_pkg_info(path)
        except PuffinError:
            return None

    return await _cached_from_archive(ctx, file, read)


async def _cached_from_archive(
    ctx: Context, file: DistFile, read: Callable[[Path], bytes | None]
) -> bytes | None:
    """What ``read`` takes from the archive of ``file`` (a wheel's METADATA, an sdist's
    PKG-INFO): from the metadata cache, else from the archive fetched into the archive
    cache, then kept in the metadata cache. None, and nothing kept, when ``read`` finds
    nothing.

    :raises DownloadFailed: the archive could not be fetched.
    """
    from puffin.cache.writes import store_cache_file
    from puffin.distribution.download import fetch_distribution
    from puffin.distribution.fetch import metadata_cache_path

    cached = metadata_cache_path(ctx.cache, file)
    try:
        return cached.read_bytes()
    except FileNotFoundError:
        pass
    data = read(await fetch_distribution(ctx, file))
    if data is not None:
        # As every cache write: atomically (another command may read it meanwhile), and a
        # cache that cannot be written only costs the next command a fetch.
        store_cache_file(cached, lambda: data, writes=ctx.writes, what=cached.name)
    return data
