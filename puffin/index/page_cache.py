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

import contextlib
import hashlib
import marshal
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from puffin.cache.writes import write_atomically

if TYPE_CHECKING:
    from collections.abc import Callable

    from packaging.utils import NormalizedName

    from puffin.cache.dirs import Cache
    from puffin.cache.writes import WriteBehind
    from puffin.index.listing import FileListing, Grouping
    from puffin.types import DistFile, IndexSpec

BUCKET = "simple-parsed-v2"
SMALL_PAGE = 32 * 1024
"""Pages below this size are read again: that costs less than a file read."""
_FORMAT = 2
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
        return _read(content, content_type=content_type, url=url, source=source, project=project)
    digest = hashlib.sha256(content)
    digest.update(b"\0" + url.encode() + b"\0" + content_type.encode() + b"\0" + project.encode())
    path = cache.bucket(BUCKET) / f"{digest.hexdigest()}.marshal"
    try:
        stored = marshal.loads(path.read_bytes())  # noqa: S302 - our own cache files
        return _listing(stored, source, project)
    except (OSError, ValueError, EOFError, TypeError, IndexError):
        pass  # not cached yet, or unreadable: read the page again
    kind, entries, grouping, versions = _entries(
        content, content_type=content_type, url=url, source=source, project=project
    )
    by_version, others = grouping
    stored = (
        _FORMAT,
        kind,
        url,
        entries,
        tuple((str(version), tuple(positions)) for version, positions in by_version.items()),
        tuple(others),
        versions,
    )
    if writes is not None:
        writes.write_file(path, lambda: marshal.dumps(stored), what=url)
    else:
        with contextlib.suppress(OSError, ValueError):  # a read-only cache is no error
            write_atomically(path, marshal.dumps(stored))
    files = _make(kind, entries, grouping, url=url, source=source, project=project)
    return PageListing(files, versions)


def _read(
    content: bytes, *, content_type: str, url: str, source: IndexSpec, project: NormalizedName
) -> PageListing:
    kind, entries, grouping, versions = _entries(
        content, content_type=content_type, url=url, source=source, project=project
    )
    files = _make(kind, entries, grouping, url=url, source=source, project=project)
    return PageListing(files, versions)


def _entries(
    content: bytes, *, content_type: str, url: str, source: IndexSpec, project: NormalizedName
) -> tuple[str, list[Any], Grouping, tuple[str, ...]]:
    """The page's entries (JSON objects, or file tuples for HTML), grouped by version."""
    from puffin.index.listing import group_filenames
    from puffin.index.simple import (
        JSON_CONTENT_TYPES,
        IndexPageError,
        json_file_entries,
        parse_project_page,
        split_content_type,
    )

    media_type, _ = split_content_type(content_type)
    if media_type in JSON_CONTENT_TYPES:
        entries, versions = json_file_entries(content, url=url)
        try:
            filenames = [entry["filename"] for entry in entries]
            grouping = group_filenames(filenames, project=project)
        except (KeyError, TypeError, AttributeError) as error:
            raise IndexPageError(url, f"malformed entry in 'files' ({error!r})") from None
        return _JSON, entries, grouping, versions
    page = parse_project_page(
        content, content_type=content_type, url=url, source=source, project=project
    )
    tuples = [_as_tuple(file) for file in page.files]
    grouping = group_filenames([file.filename for file in page.files], project=project)
    return _FILES, tuples, grouping, page.versions


def _listing(stored: tuple[Any, ...], source: IndexSpec, project: NormalizedName) -> PageListing:
    from packaging.version import Version

    from puffin.index.listing import Grouping

    version, kind, url, entries, by_version, others, versions = stored
    if version != _FORMAT:
        raise ValueError("another format")
    grouping = Grouping(
        ({Version(text): list(positions) for text, positions in by_version}, list(others))
    )
    files = _make(kind, entries, grouping, url=url, source=source, project=project)
    return PageListing(files, versions)


def _make(
    kind: str,
    entries: list[Any],
    grouping: Grouping,
    *,
    url: str,
    source: IndexSpec,
    project: NormalizedName,
) -> FileListing:
    from puffin.index.listing import FileListing

    build: Callable[[Any], DistFile | None]
    if kind == _JSON:
        from puffin.index.simple import json_file_reader

        build = json_file_reader(url, source)
    elif kind == _FILES:
        build = _tuple_reader(source)
    else:
        raise ValueError(f"unknown entry kind {kind!r}")
    return FileListing(project, entries, grouping, build)


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
