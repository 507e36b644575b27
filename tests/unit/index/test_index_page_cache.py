"""Parsed project pages kept by the digest of their bytes."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from puffin.cache.dirs import Cache
from puffin.index.page_cache import BUCKET, parse_page_cached
from puffin.index.simple import parse_project_page
from puffin.types import IndexKind, IndexSpec

SPEC = IndexSpec("https://example.org/simple/", IndexKind.SIMPLE)
JSON = "application/vnd.pypi.simple.v1+json"


def big_page() -> bytes:
    files = [
        {
            "filename": f"demo-1.{n}-py3-none-any.whl",
            "url": f"https://files.example.org/demo-1.{n}-py3-none-any.whl",
            "hashes": {"sha256": f"{n:064x}"},
            "requires-python": ">=3.8" if n % 2 else None,
            "yanked": "broken" if n == 3 else False,
            "upload-time": "2024-01-02T03:04:05.123456Z",
            "size": 1000 + n,
            "core-metadata": {"sha256": "ab"} if n % 3 == 0 else False,
        }
        for n in range(400)
    ]
    files.append({"filename": "demo-0.1.tar.gz", "url": "../../files/demo-0.1.tar.gz"})
    page = {"meta": {"api-version": "1.1"}, "name": "demo", "files": files, "versions": ["1.0"]}
    return json.dumps(page).encode()


def test_a_cached_parse_equals_a_fresh_one(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    content = big_page()
    url = "https://example.org/simple/demo/"
    fresh = parse_project_page(content, content_type=JSON, url=url, source=SPEC)
    first = parse_page_cached(cache, content, content_type=JSON, url=url, source=SPEC)
    assert list((tmp_path / BUCKET).iterdir()), "the parse was stored"
    second = parse_page_cached(cache, content, content_type=JSON, url=url, source=SPEC)
    assert first == fresh and second == fresh
    assert second.files[0].upload_time == datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
    assert second.files[-1].url == "https://example.org/files/demo-0.1.tar.gz"


def test_changed_bytes_or_a_broken_entry_parse_again(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    url = "https://example.org/simple/demo/"
    content = big_page()
    parse_page_cached(cache, content, content_type=JSON, url=url, source=SPEC)
    for stored in (tmp_path / BUCKET).iterdir():
        stored.write_bytes(b"not marshal")
    again = parse_page_cached(cache, content, content_type=JSON, url=url, source=SPEC)
    assert again == parse_project_page(content, content_type=JSON, url=url, source=SPEC)
    changed = content.replace(b'"1.0"]', b'"1.0", "2.0"]')
    page = parse_page_cached(cache, changed, content_type=JSON, url=url, source=SPEC)
    assert page.versions == ("1.0", "2.0")
