"""A JSON page kept as it arrived (puffin.index.unread_page): one version's files found
without reading the page, equal to what reading it gives; a whole reading done once."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.cache.dirs import Cache
from puffin.index.page_cache import BUCKET, read_listing
from puffin.index.simple import IndexPageError
from puffin.index.unread_page import UnreadPage
from puffin.resolver.version_set import VersionSet
from puffin.types import IndexKind, IndexSpec

SPEC = IndexSpec("https://example.org/simple/", IndexKind.SIMPLE)
JSON = "application/vnd.pypi.simple.v1+json"
URL = "https://example.org/simple/demo/"
DEMO = canonicalize_name("demo")


def content(count: int = 300) -> bytes:
    files = [
        {
            "filename": f"demo-1.{n}-py3-none-any.whl",
            "url": f"../../files/demo-1.{n}-py3-none-any.whl",
            "hashes": {"sha256": f"{n:064x}"},
            "requires-python": ">=3.8" if n % 2 else None,
            "yanked": "broken" if n == 3 else False,
            "upload-time": "2024-01-02T03:04:05.123456Z",
            "size": 1000 + n,
            "core-metadata": {"sha256": "ab"} if n % 3 == 0 else False,
        }
        for n in range(count)
    ]
    files.append({"filename": "demo-1.3.tar.gz", "url": "../../files/demo-1.3.tar.gz"})
    files.append({"filename": "notes.txt", "url": "../../files/notes.txt"})
    page = {"meta": {"api-version": "1.1"}, "name": "demo", "files": files, "versions": ["1.3"]}
    return json.dumps(page).encode()


def unread(cache: Cache, body: bytes) -> UnreadPage:
    return UnreadPage(cache, body, content_type=JSON, url=URL, source=SPEC, project=DEMO)


def pin(text: str) -> tuple[Version, VersionSet]:
    return Version(text), VersionSet.from_specifier(f"=={text}")


def test_a_pinned_version_is_found_without_reading_the_page(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    page = unread(cache, content())
    version, allowed = pin("1.3")
    found = page.files_of(version, allowed.contains)
    assert found is not None
    assert list(found.by_version) == [Version("1.3")]
    whole = read_listing(
        Cache(tmp_path / "other"), content(), content_type=JSON, url=URL, source=SPEC, project=DEMO
    ).files
    # The same DistFile objects, fields and listing order as a whole reading.
    assert found.by_version[Version("1.3")] == whole.by_version[Version("1.3")]
    assert [file.filename for file in found] == ["demo-1.3-py3-none-any.whl", "demo-1.3.tar.gz"]
    assert found.by_version[Version("1.3")][0].yanked == "broken"
    assert found.by_version[Version("1.3")][0].url == (
        "https://example.org/files/demo-1.3-py3-none-any.whl"
    )
    # Nothing was read, so nothing was cached.
    assert not (tmp_path / BUCKET).exists() or not any((tmp_path / BUCKET).iterdir())
    assert repr(page).endswith("unread)")


def test_a_version_not_offered_finds_nothing(tmp_path: Path) -> None:
    page = unread(Cache(tmp_path), content())
    version, allowed = pin("9.0")
    found = page.files_of(version, allowed.contains)
    assert found is not None
    assert found.version_count() == 0


def test_the_sequence_is_the_whole_listing(tmp_path: Path) -> None:
    page = unread(Cache(tmp_path), content())
    whole = read_listing(
        Cache(tmp_path / "other"), content(), content_type=JSON, url=URL, source=SPEC, project=DEMO
    ).files
    assert page
    assert len(page) == len(whole) == 301
    assert list(page) == list(whole)
    assert page[5] == whole[5]
    assert page == whole
    assert page.versions == ("1.3",)
    # Read now: the scan leaves the caller to filter the listing.
    version, allowed = pin("1.3")
    assert page.files_of(version, allowed.contains) is None
    assert repr(page).endswith("read)")


def test_the_whole_reading_is_done_once_for_concurrent_callers(tmp_path: Path) -> None:
    page = unread(Cache(tmp_path), content())

    async def main() -> list[object]:
        return list(await asyncio.gather(page.listing(), page.listing(), page.listing()))

    first, second, third = asyncio.run(main())
    assert first is second is third
    assert page.listing_now() is first
    assert list((tmp_path / BUCKET).iterdir())  # kept in the cache of readings


def test_a_page_cut_short_or_not_utf8_is_not_scanned(tmp_path: Path) -> None:
    version, allowed = pin("1.3")
    body = content()
    assert unread(Cache(tmp_path), body[:-200]).files_of(version, allowed.contains) is None
    latin = body.replace(b'"yanked": "broken"', b'"yanked": "br\xf6ken"')
    assert unread(Cache(tmp_path), latin).files_of(version, allowed.contains) is None


def test_a_malformed_page_fails_when_it_is_read(tmp_path: Path) -> None:
    page = unread(Cache(tmp_path), b'{"files": 3}')
    assert not page.lists_files()
    with pytest.raises(IndexPageError, match="no 'files' list"):
        page.listing_now()


def test_a_page_of_no_distribution_files_is_empty(tmp_path: Path) -> None:
    body = json.dumps(
        {"files": [{"filename": "demo-1.0.exe", "url": "demo-1.0.exe"}], "versions": []}
    ).encode()
    page = unread(Cache(tmp_path), body)
    assert not page.lists_files()
    assert not page
    assert len(page) == 0


def test_a_malformed_entry_of_the_pinned_version_fails_when_read(tmp_path: Path) -> None:
    body = content().replace(b'"url": "../../files/demo-1.3-py3-none-any.whl"', b'"url": 13', 1)
    page = unread(Cache(tmp_path), body)
    version, allowed = pin("1.3")
    found = page.files_of(version, allowed.contains)
    assert found is not None
    with pytest.raises(IndexPageError, match=re.escape("demo-1.3-py3-none-any.whl")):
        found.by_version[Version("1.3")]
