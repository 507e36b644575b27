"""The core metadata of a candidate version, from the source that listed it."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from puffin.resolution.provider import MetadataUnavailable

if TYPE_CHECKING:
    from packaging.utils import NormalizedName

    from puffin.context import Context
    from puffin.distribution.core_metadata import CoreMetadata
    from puffin.index.strategy import IndexSet
    from puffin.resolution.candidates import VersionCandidate


async def load_metadata(
    ctx: Context, index_set: IndexSet, name: NormalizedName, candidate: VersionCandidate
) -> CoreMetadata:
    """Parse the metadata of ``candidate``; raise :class:`MetadataUnavailable` with why not.

    Wheels: whatever the source offers (PEP 658 file, range requests, download). Source
    distributions: their ``PKG-INFO`` when PEP 643 guarantees its dependencies (Metadata
    2.2+, ``Requires-Dist`` not dynamic); otherwise a build would be needed.
    """
    from puffin.types import Found, Offline

    file = candidate.metadata_file
    source = index_set.source_for(file)
    if source is None and file.is_wheel:
        # A top-level ``name @ url`` wheel: no index serves it, fetch it directly.
        from puffin.distribution.fetch import fetch_core_metadata

        direct = await fetch_core_metadata(file, client=ctx.client, cache=ctx.cache)
        if not isinstance(direct, Found):
            reason = getattr(direct, "reason", "not in the cache (offline)")
            raise MetadataUnavailable(f"has unreadable metadata at {file.url} ({reason})")
        return _parse(direct.value, file)
    if source is None:
        raise MetadataUnavailable(f"comes from {file.source.url}, which no source serves")
    if file.is_wheel:
        answer = await source.fetch_metadata(file)
        if isinstance(answer, Offline):
            raise MetadataUnavailable("has metadata that is not in the cache (offline)")
        if not isinstance(answer, Found):
            reason = getattr(answer, "reason", "not found")
            raise MetadataUnavailable(f"has unreadable metadata ({reason})")
        data = answer.value
    else:
        data = await _sdist_pkg_info(ctx, source, file)
    metadata = _parse(data, file)
    if not file.is_wheel:
        from puffin.distribution.sdist import static_dependencies_known

        if not static_dependencies_known(metadata.metadata_version, metadata.dynamic):
            raise MetadataUnavailable(
                "is available only as a source distribution whose dependencies are known "
                "only after a build, and puffin cannot build source distributions yet"
            )
    del name
    return metadata


def _parse(data: bytes, file: object) -> CoreMetadata:
    from puffin.distribution.core_metadata import MetadataError, parse_core_metadata
    from puffin.types import DistFile

    assert isinstance(file, DistFile)
    try:
        return parse_core_metadata(data, source=file.filename)
    except MetadataError as error:
        raise MetadataUnavailable(f"has invalid metadata: {error}") from None


async def _sdist_pkg_info(ctx: Context, source: object, file: object) -> bytes:
    from puffin.distribution.fetch import metadata_cache_path
    from puffin.distribution.sdist import read_pkg_info
    from puffin.errors import PuffinError
    from puffin.plugin.protocols import IndexSource
    from puffin.types import DistFile, Found

    assert isinstance(source, IndexSource) and isinstance(file, DistFile)
    cached = metadata_cache_path(ctx.cache, file)
    try:
        return cached.read_bytes()
    except FileNotFoundError:
        pass
    key = file.hash("sha256") or hashlib.sha256(file.url.encode()).hexdigest()
    directory = ctx.cache.bucket("sdists-v1") / key[:32]
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / file.filename
    if not target.exists():
        answer = await source.fetch_file(file, target)
        if not isinstance(answer, Found):
            raise MetadataUnavailable(
                f"has a source distribution that could not be fetched "
                f"({getattr(answer, 'reason', 'offline')})"
            )
    try:
        data = read_pkg_info(target)
    except PuffinError as error:
        raise MetadataUnavailable(str(error)) from None
    cached.write_bytes(data)
    return data
