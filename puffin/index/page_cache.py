"""Project pages read into lazy listings, with the reading kept by the digest of the bytes.

Reading a large project page is the resolver's biggest CPU cost (botocore lists 5,000
files, the data-science benchmark set 138,000 in all), and an index that sends no cache
validators makes every run fetch the same bytes again. So a page is read in two steps:

1. Its entries are taken as they are (a PEP 691 JSON page's ``files`` objects; an HTML
   page's links, which HTML parsing turns into files anyway) and grouped by the version
   in their file names (:func:`~puffin.index.listing.group_filenames`).
2. An entry becomes a :class:`~puffin.types.DistFile` (URL resolution, hashes, upload
   time) only when the resolver reads its version (:class:`~puffin.index.listing.FileListing`).

Step 1 is stored in the ``simple-parsed-v2`` bucket under the sha256 of the body (with its
URL and content type), as marshal data, which loads several times faster than JSON parses;
a changed page simply has another key.
"""

from __future__ import annotations

import hashlib
import marshal
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from puffin.cache.writes import store_cache_file

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from packaging.utils import NormalizedName

    from puffin.cache.dirs import Cache
    from puffin.cache.writes import WriteBehind
    from puffin.index.listing import FileListing, Grouping, Placed
    from puffin.index.page_worker import PageReaders
    from puffin.types import DistFile, IndexSpec

BUCKET = "simple-parsed-v2"
SMALL_PAGE = 32 * 1024
"""Pages below this size are read again: that costs less than a file read."""
_FORMAT = 3
_JSON = "json"
_FILES = "files"


class PageListing(NamedTuple):
    """What a project page lists."""

    files: FileListing
    """The distribution files, grouped by version, built when read."""
    versions: tuple[str, ...]
    """PEP 700 ``versions`` (empty when the page gives none)."""


def read_listing(
    cache: Cache,
    content: bytes,
    *,
    content_type: str,
    url: str,
    source: IndexSpec,
    project: NormalizedName,
    writes: WriteBehind | None = None,
) -> PageListing:
    """The listing of ``project`` on a page, through the cache of page readings.

    :param url: the page's final URL (after redirects); relative links resolve against it.
    :param writes: stores a new reading in the background; None: before returning.
    :raises IndexPageError: the page is not a simple-API page, or is malformed. An entry
        whose fields are malformed raises it when its version's files are read.
    """
    if len(content) < SMALL_PAGE:
        return _read_here(
            content,
            content_type=content_type,
            url=url,
            source=source,
            project=project,
            store_at=None,
            writes=None,
        )
    path = _cache_path(cache, content, content_type=content_type, url=url, project=project)
    cached = _load(path, source, project)
    if cached is not None:
        return cached
    return _read_here(
        content,
        content_type=content_type,
        url=url,
        source=source,
        project=project,
        store_at=path,
        writes=writes,
    )


def _read_here(
    content: bytes,
    *,
    content_type: str,
    url: str,
    source: IndexSpec,
    project: NormalizedName,
    store_at: Path | None,
    writes: WriteBehind | None,
) -> PageListing:
    """Read the page in this process; keep the reading at ``store_at`` unless None."""
    kind, entries, grouping, versions = _entries(
        content, content_type=content_type, url=url, source=source, project=project
    )
    if store_at is not None:

        def serialized() -> bytes:
            return marshal.dumps(_stored_form(kind, url, entries, grouping, versions))

        store_cache_file(store_at, serialized, writes=writes, what=url)
    files = _from_entries(kind, entries, grouping, url=url, source=source, project=project)
    return PageListing(files, versions)


async def read_large_listing(
    cache: Cache,
    content: bytes,
    *,
    content_type: str,
    url: str,
    source: IndexSpec,
    project: NormalizedName,
    writes: WriteBehind | None = None,
    readers: PageReaders | None = None,
) -> PageListing:
    """:func:`read_listing`, with a large JSON page read by ``readers`` in their worker
    process (see :mod:`puffin.index.page_worker`) when its reading is not cached."""
    import asyncio

    from puffin.index.page_worker import LARGE_PAGE
    from puffin.index.simple import JSON_CONTENT_TYPES, split_content_type

    if len(content) < LARGE_PAGE:
        return read_listing(
            cache,
            content,
            content_type=content_type,
            url=url,
            source=source,
            project=project,
            writes=writes,
        )
    # Hashing the page and reading its cached reading release the GIL: on another thread
    # they run beside the event loop (32 ms and 51 MB for the data-science set's pages).
    path, stored = await asyncio.to_thread(
        _path_and_stored, cache, content, content_type=content_type, url=url, project=project
    )
    cached = _load_stored(stored, source, project)
    if cached is not None:
        return cached
    data = None
    if readers is not None and split_content_type(content_type)[0] in JSON_CONTENT_TYPES:
        data = await readers.read(content, url=url, project=project)
    if data is None:  # no worker for this page, or not up, or failed: read here, where a
        # malformed page fails with its own message
        return _read_here(
            content,
            content_type=content_type,
            url=url,
            source=source,
            project=project,
            store_at=path,
            writes=writes,
        )
    store_cache_file(path, lambda: data, writes=writes, what=url)
    return _from_stored(marshal.loads(data), source, project)  # noqa: S302 - our own data


def stored_json_reading(content: bytes, *, url: str, project: NormalizedName) -> tuple[Any, ...]:
    """The cached form of a PEP 691 page's reading (what the page worker computes).

    :raises IndexPageError: the page is malformed.
    """
    kind, entries, grouping, versions = _json_entries(content, url=url, project=project)
    return _stored_form(kind, url, entries, grouping, versions)


def _cache_path(
    cache: Cache, content: bytes, *, content_type: str, url: str, project: NormalizedName
) -> Path:
    digest = hashlib.sha256(content)
    digest.update(b"\0" + url.encode() + b"\0" + content_type.encode() + b"\0" + project.encode())
    return cache.bucket(BUCKET) / f"{digest.hexdigest()}.marshal"


def _load(path: Path, source: IndexSpec, project: NormalizedName) -> PageListing | None:
    try:
        stored = path.read_bytes()
    except OSError:
        return None  # not cached yet: read the page
    return _load_stored(stored, source, project)


def _path_and_stored(
    cache: Cache, content: bytes, *, content_type: str, url: str, project: NormalizedName
) -> tuple[Path, bytes | None]:
    """Where the reading of a page is cached, and the cached bytes (None: not cached)."""
    path = _cache_path(cache, content, content_type=content_type, url=url, project=project)
    try:
        return path, path.read_bytes()
    except OSError:
        return path, None


def _load_stored(
    stored: bytes | None, source: IndexSpec, project: NormalizedName
) -> PageListing | None:
    if stored is None:
        return None
    try:
        return _from_stored(marshal.loads(stored), source, project)  # noqa: S302 - our cache
    except (ValueError, EOFError, TypeError, IndexError):
        return None  # unreadable: read the page again


def _json_entries(
    content: bytes, *, url: str, project: NormalizedName
) -> tuple[str, list[Any], Grouping, tuple[str, ...]]:
    from puffin.index.listing import group_filenames
    from puffin.index.simple import IndexPageError, json_file_entries

    entries, versions = json_file_entries(content, url=url)
    try:
        filenames = [entry["filename"] for entry in entries]
        grouping = group_filenames(filenames, project=project)
    except (KeyError, TypeError, AttributeError) as error:
        raise IndexPageError(url, f"malformed entry in 'files' ({error!r})") from None
    return _JSON, entries, grouping, versions


def _entries(
    content: bytes, *, content_type: str, url: str, source: IndexSpec, project: NormalizedName
) -> tuple[str, list[Any], Grouping, tuple[str, ...]]:
    """The page's entries (JSON objects, or file tuples for HTML), grouped by version."""
    from puffin.index.listing import group_filenames
    from puffin.index.simple import JSON_CONTENT_TYPES, parse_project_page, split_content_type

    media_type, _ = split_content_type(content_type)
    if media_type in JSON_CONTENT_TYPES:
        return _json_entries(content, url=url, project=project)
    page = parse_project_page(
        content, content_type=content_type, url=url, source=source, project=project
    )
    tuples = [_as_tuple(file) for file in page.files]
    grouping = group_filenames([file.filename for file in page.files], project=project)
    return _FILES, tuples, grouping, page.versions


def _stored_form(
    kind: str, url: str, entries: list[Any], grouping: Grouping, versions: tuple[str, ...]
) -> tuple[Any, ...]:
    """What the cache keeps: each version's entries as one marshal blob, so that loading
    the page unpacks only the versions a resolution reads.

    A version's files are usually next to each other on a page (indexes sort by file
    name), so a group is stored as its first position and a slice of the entries, which
    costs no Python work per file; a scattered group keeps its positions.
    """
    by_version, others = grouping
    return (
        _FORMAT,
        kind,
        url,
        tuple(
            (str(version), *_group(entries, positions)) for version, positions in by_version.items()
        ),
        _group(entries, others) if others else None,
        versions,
    )


def _group(entries: list[Any], positions: list[int]) -> tuple[int | tuple[int, ...], bytes]:
    first = positions[0]
    if positions[-1] - first + 1 == len(positions):
        return first, marshal.dumps(entries[first : first + len(positions)])
    return tuple(positions), marshal.dumps([entries[position] for position in positions])


def _from_stored(
    stored: tuple[Any, ...], source: IndexSpec, project: NormalizedName
) -> PageListing:
    from packaging.version import Version

    from puffin.index.listing import FileListing

    version, kind, url, by_version, others, versions = stored
    if version != _FORMAT:
        raise ValueError("another format")
    build = _builder(kind, url, source)

    def read(group: tuple[int | tuple[int, ...], bytes]) -> list[Placed]:
        where, blob = group
        items = marshal.loads(blob)  # noqa: S302 - our own cache files
        positions = range(where, where + len(items)) if isinstance(where, int) else where
        placed = []
        for position, entry in zip(positions, items, strict=True):
            file = build(entry)
            if file is not None:
                placed.append((position, file))
        return placed

    groups = {Version(text): (where, blob) for text, where, blob in by_version}
    return PageListing(FileListing(project, groups, others, read), versions)


def _from_entries(
    kind: str,
    entries: list[Any],
    grouping: Grouping,
    *,
    url: str,
    source: IndexSpec,
    project: NormalizedName,
) -> FileListing:
    from puffin.index.listing import FileListing

    return FileListing.of_entries(project, entries, grouping, _builder(kind, url, source))


def _builder(kind: str, url: str, source: IndexSpec) -> Callable[[Any], DistFile | None]:
    if kind == _JSON:
        from puffin.index.simple import json_file_reader

        return json_file_reader(url, source)
    if kind == _FILES:
        return _tuple_reader(source)
    raise ValueError(f"unknown entry kind {kind!r}")


def _as_tuple(file: DistFile) -> tuple[Any, ...]:
    return (
        file.filename,
        file.url,
        file.hashes,
        file.requires_python,
        file.yanked,
        None if file.upload_time is None else file.upload_time.timestamp(),
        file.size,
        file.has_core_metadata,
    )


def _tuple_reader(source: IndexSpec) -> Callable[[tuple[Any, ...]], DistFile]:
    from puffin.types import DistFile

    utc = timezone.utc
    from_timestamp = datetime.fromtimestamp

    def build(entry: tuple[Any, ...]) -> DistFile:
        filename, url, hashes, requires_python, yanked, uploaded, size, has_metadata = entry
        return DistFile(
            filename,
            url,
            source,
            hashes,
            requires_python,
            yanked,
            None if uploaded is None else from_timestamp(uploaded, utc),
            size,
            has_metadata,
        )

    return build
