"""Large pages read by the page worker process: the same listing, cached the same way."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.cache.dirs import Cache
from puffin.index.page_cache import BUCKET, PageListing, read_large_listing, read_listing
from puffin.index.page_worker import LARGE_PAGE, START_AFTER, PageReaders
from puffin.index.simple import IndexPageError
from puffin.types import IndexKind, IndexSpec

SPEC = IndexSpec("https://example.org/simple/", IndexKind.SIMPLE)
JSON = "application/vnd.pypi.simple.v1+json"
URL = "https://example.org/simple/demo/"
DEMO = canonicalize_name("demo")
TAGS = "cp311-cp311-manylinux_2_17_x86_64"


def large_page() -> bytes:
    files = [
        {
            "filename": f"demo-{n // 10}.{n % 10}-{TAGS}.whl",
            "url": f"../../files/{n:08d}/demo-{n // 10}.{n % 10}-{TAGS}.whl",
            "hashes": {"sha256": f"{n:064x}"},
            "requires-python": ">=3.8",
            "upload-time": "2024-01-02T03:04:05.123456Z",
            "size": n,
        }
        for n in range(3000)
    ]
    content = json.dumps({"meta": {"api-version": "1.1"}, "name": "demo", "files": files}).encode()
    assert len(content) >= LARGE_PAGE
    return content


def read(tmp_path: Path, content: bytes, readers: PageReaders | None) -> PageListing:
    async def main() -> PageListing:
        if readers is not None:
            assert await readers.start(), "the worker starts"
            direct = await readers.read(content, url=URL, project=DEMO)
            assert direct is None or isinstance(direct, bytes)
        return await read_large_listing(
            Cache(tmp_path),
            content,
            content_type=JSON,
            url=URL,
            source=SPEC,
            project=DEMO,
            readers=readers,
        )

    return asyncio.run(main())


def test_pages_wait_for_no_worker_that_is_not_up_yet() -> None:
    async def main() -> tuple[bytes | None, bytes | None]:
        readers = PageReaders()
        try:
            page = large_page()
            first = None
            for _ in range(START_AFTER // len(page) + 1):  # enough to start it
                first = first or await readers.read(page, url=URL, project=DEMO)
            assert await readers.start()
            second = await readers.read(page, url=URL, project=DEMO)
            return first, second
        finally:
            readers.close()

    first, second = asyncio.run(main())
    assert first is None, "read here until the worker is up"
    assert isinstance(second, bytes) and second, "read by the worker once it is up"


def test_the_worker_reads_a_large_page_as_this_process_would(tmp_path: Path) -> None:
    content = large_page()
    readers = PageReaders()
    try:
        from_worker = read(tmp_path / "a", content, readers)
    finally:
        readers.close()
    here = read_listing(
        Cache(tmp_path / "b"), content, content_type=JSON, url=URL, source=SPEC, project=DEMO
    )
    assert tuple(from_worker.files) == tuple(here.files)
    assert from_worker.files.by_version[Version("12.3")][0].url == (
        "https://example.org/files/00000123/demo-12.3-cp311-cp311-manylinux_2_17_x86_64.whl"
    )
    stored = list((tmp_path / "a" / BUCKET).iterdir())
    assert len(stored) == 1, "the worker's reading is cached like any other"
    again = read(tmp_path / "a", content, None)
    assert tuple(again.files) == tuple(here.files)


def test_a_malformed_large_page_fails_with_its_own_message(tmp_path: Path) -> None:
    content = large_page().replace(b'"files": [', b'"files": {"broken": [', 1)
    readers = PageReaders()
    try:
        with pytest.raises(IndexPageError, match="cannot read the index page"):
            read(tmp_path, content, readers)
    finally:
        readers.close()


def test_a_large_page_without_a_worker_is_read_here_and_cached(tmp_path: Path) -> None:
    content = large_page()
    first = read(tmp_path, content, None)
    stored = list((tmp_path / BUCKET).iterdir())
    again = read(tmp_path, content, None)
    # A reading that does not load is read again from the page, not an error.
    stored[0].write_bytes(b"not marshal data")
    unreadable = read(tmp_path, content, None)

    assert len(stored) == 1
    assert tuple(first.files) == tuple(again.files) == tuple(unreadable.files)
    assert len(tuple(first.files)) == 3000
