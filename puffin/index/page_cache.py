"""Parsed project pages, kept by the digest of the page's bytes.

Parsing a large project page is the resolver's biggest CPU cost (botocore lists tens of
thousands of files), and an index that sends no cache validators makes every run fetch
the same bytes again. The parse is stored in the ``simple-parsed-v1`` bucket under the
sha256 of the body (with its URL and content type), as marshal data: loading it is several
times faster than parsing JSON or HTML again, and a changed page simply has another key.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from puffin.cache.dirs import Cache
    from puffin.index.simple import ProjectPage
    from puffin.types import IndexSpec

BUCKET = "simple-parsed-v1"
SMALL_PAGE = 32 * 1024
"""Pages below this size are parsed again: that costs less than a file read."""
_FORMAT = 1


def parse_page_cached(
    cache: Cache, content: bytes, *, content_type: str, url: str, source: IndexSpec
) -> ProjectPage:
    """:func:`~puffin.index.simple.parse_project_page`, through the parsed-page cache."""
    from puffin.index.simple import parse_project_page

    if len(content) < SMALL_PAGE:
        return parse_project_page(content, content_type=content_type, url=url, source=source)
    digest = hashlib.sha256(content)
    digest.update(b"\0" + url.encode() + b"\0" + content_type.encode())
    key = digest.hexdigest()
    path = cache.bucket(BUCKET) / f"{key}.marshal"
    try:
        stored = marshal.loads(path.read_bytes())  # noqa: S302 - our own cache files
        return _page(stored, source)
    except (OSError, ValueError, EOFError, TypeError, IndexError):
        pass  # not cached yet, or unreadable: parse again
    page = parse_project_page(content, content_type=content_type, url=url, source=source)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(marshal.dumps(_stored(page)))
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)  # a read-only cache is not an error
    return page


def _stored(page: ProjectPage) -> tuple[Any, ...]:
    files = tuple(
        (
            file.filename,
            file.url,
            file.hashes,
            file.requires_python,
            file.yanked,
            None if file.upload_time is None else file.upload_time.timestamp(),
            file.size,
            file.has_core_metadata,
        )
        for file in page.files
    )
    return (_FORMAT, str(page.name), page.versions, page.api_version, files)


def _page(stored: tuple[Any, ...], source: IndexSpec) -> ProjectPage:
    from packaging.utils import NormalizedName

    from puffin.index.simple import ProjectPage
    from puffin.types import DistFile

    version, name, versions, api_version, files = stored
    if version != _FORMAT:
        raise ValueError("another format")
    utc = timezone.utc
    from_timestamp = datetime.fromtimestamp
    return ProjectPage(
        name=NormalizedName(name),
        files=tuple(
            DistFile(
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
            for filename, url, hashes, requires_python, yanked, uploaded, size, has_metadata in (
                files
            )
        ),
        versions=versions,
        api_version=api_version,
    )
