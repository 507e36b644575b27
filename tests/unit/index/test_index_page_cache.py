"""Project pages read into lazy listings, the reading kept by the digest of their bytes."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.cache.dirs import Cache
from puffin.index.page_cache import BUCKET, read_listing
from puffin.index.selection import group_by_version
from puffin.index.simple import IndexPageError, parse_project_page
from puffin.types import IndexKind, IndexSpec

SPEC = IndexSpec("https://example.org/simple/", IndexKind.SIMPLE)
JSON = "application/vnd.pypi.simple.v1+json"
HTML = "text/html"
URL = "https://example.org/simple/demo/"
DEMO = canonicalize_name("demo")


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
    files.append({"filename": "other-1.0.tar.gz", "url": "../../files/other-1.0.tar.gz"})
    files.append({"filename": "notes.txt", "url": "../../files/notes.txt"})
    page = {"meta": {"api-version": "1.1"}, "name": "demo", "files": files, "versions": ["1.0"]}
    return json.dumps(page).encode()


def big_html_page() -> bytes:
    links = "\n".join(
        f'<a href="../../files/demo-2.{n}.tar.gz#sha256={n:064x}">demo-2.{n}.tar.gz</a>'
        for n in range(1000)
    )
    return f"<html><body>{links}</body></html>".encode()


@pytest.mark.parametrize(("content", "content_type"), [(big_page(), JSON), (big_html_page(), HTML)])
def test_a_cached_reading_equals_a_fresh_parse(
    tmp_path: Path, content: bytes, content_type: str
) -> None:
    cache = Cache(tmp_path)
    fresh = parse_project_page(content, content_type=content_type, url=URL, source=SPEC)
    first = read_listing(
        cache, content, content_type=content_type, url=URL, source=SPEC, project=DEMO
    )
    assert list((tmp_path / BUCKET).iterdir()), "the reading was stored"
    second = read_listing(
        cache, content, content_type=content_type, url=URL, source=SPEC, project=DEMO
    )
    for listing in (first, second):
        assert tuple(listing.files) == fresh.files, "every file, in page order"
        assert listing.versions == fresh.versions
        assert dict(listing.files.by_version) == group_by_version(fresh.files, project=DEMO)


def test_fields_survive_the_cache(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    content = big_page()
    read_listing(cache, content, content_type=JSON, url=URL, source=SPEC, project=DEMO)
    cached = read_listing(cache, content, content_type=JSON, url=URL, source=SPEC, project=DEMO)
    (first,) = cached.files.by_version[Version("1.0")]
    assert first.upload_time == datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
    assert first.hashes == (("sha256", "0" * 64),)
    assert first.has_core_metadata and first.size == 1000
    (sdist,) = cached.files.by_version[Version("0.1")]
    assert sdist.url == "https://example.org/files/demo-0.1.tar.gz"
    assert cached.files[-1].filename == "other-1.0.tar.gz", "other projects' files stay listed"


def test_changed_bytes_or_a_broken_cache_file_are_read_again(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    content = big_page()
    read_listing(cache, content, content_type=JSON, url=URL, source=SPEC, project=DEMO)
    for stored in (tmp_path / BUCKET).iterdir():
        stored.write_bytes(b"not marshal")
    again = read_listing(cache, content, content_type=JSON, url=URL, source=SPEC, project=DEMO)
    assert (
        tuple(again.files)
        == parse_project_page(content, content_type=JSON, url=URL, source=SPEC).files
    )
    changed = content.replace(b'"1.0"]', b'"1.0", "2.0"]')
    listing = read_listing(cache, changed, content_type=JSON, url=URL, source=SPEC, project=DEMO)
    assert listing.versions == ("1.0", "2.0")


def test_a_malformed_entry_fails_when_its_version_is_read(tmp_path: Path) -> None:
    document = json.loads(big_page())
    document["files"][5]["hashes"] = ["not", "a", "mapping"]
    content = json.dumps(document).encode()
    listing = read_listing(
        Cache(tmp_path), content, content_type=JSON, url=URL, source=SPEC, project=DEMO
    )
    assert listing.files.by_version[Version("1.4")][0].filename == "demo-1.4-py3-none-any.whl"
    with pytest.raises(IndexPageError, match=r"demo-1\.5-py3-none-any\.whl"):
        listing.files.by_version[Version("1.5")]
    with pytest.raises(IndexPageError, match=URL):
        list(listing.files)


def test_entries_without_a_file_name_fail_at_once(tmp_path: Path) -> None:
    document = json.loads(big_page())
    del document["files"][7]["filename"]
    with pytest.raises(IndexPageError, match="malformed entry"):
        read_listing(
            Cache(tmp_path),
            json.dumps(document).encode(),
            content_type=JSON,
            url=URL,
            source=SPEC,
            project=DEMO,
        )


def test_a_version_scattered_over_the_page_survives_the_cache(tmp_path: Path) -> None:
    document = json.loads(big_page())
    # The sdist of 1.7 listed far from its wheel, as a differently spelled name sorts.
    document["files"].append({"filename": "Demo-1.7.tar.gz", "url": "../../files/Demo-1.7.tar.gz"})
    content = json.dumps(document).encode()
    fresh = parse_project_page(content, content_type=JSON, url=URL, source=SPEC)
    cache = Cache(tmp_path)
    read_listing(cache, content, content_type=JSON, url=URL, source=SPEC, project=DEMO)
    cached = read_listing(cache, content, content_type=JSON, url=URL, source=SPEC, project=DEMO)
    assert [file.filename for file in cached.files.by_version[Version("1.7")]] == [
        "demo-1.7-py3-none-any.whl",
        "Demo-1.7.tar.gz",
    ]
    assert tuple(cached.files) == fresh.files
