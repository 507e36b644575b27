"""Metadata cheaply, over real HTTP: PEP 658 first, then range requests, then the wheel."""

from __future__ import annotations

import asyncio
from pathlib import Path

from puffin.cache.dirs import Cache
from puffin.client import ClientOptions, open_client
from puffin.distribution.fetch import fetch_core_metadata, metadata_cache_path
from puffin.index.simple import parse_project_page
from puffin.testing.dists import metadata_of
from puffin.types import DistFile, Found, IndexKind, IndexSpec


def _files(client_url: str, content: bytes, content_type: str) -> tuple[DistFile, ...]:
    spec = IndexSpec(client_url, IndexKind.SIMPLE)
    return parse_project_page(content, content_type=content_type, url=client_url, source=spec).files


async def _metadata(index, cache: Cache, project: str) -> tuple[bytes, DistFile]:
    async with open_client(ClientOptions(backoff=0.01), cache_dir=cache.root) as client:
        url = f"{index.simple_url}{project}/"
        page = await client.get(url, accept="application/vnd.pypi.simple.v1+json")
        assert isinstance(page, Found)
        response = page.value
        (file,) = _files(response.url, response.content, response.headers["content-type"])
        answer = await fetch_core_metadata(file, client=client, cache=cache)
        assert isinstance(answer, Found), answer
        return answer.value, file


def test_pep_658_metadata_file_is_used(local_index, make_wheel, tmp_path: Path) -> None:
    wheel = make_wheel("alpha", "1.0", requires_dist=["beta>=2"])
    index = local_index([wheel])
    cache = Cache(tmp_path / "cache")
    data, _ = asyncio.run(_metadata(index, cache, "alpha"))
    assert data.decode() == metadata_of(wheel)
    assert index.count(".whl.metadata", method="GET") == 1
    assert index.count(".whl", method="GET") == 0, "the wheel itself is never fetched"


def test_range_requests_without_pep_658(local_index, make_wheel, tmp_path: Path) -> None:
    big = {f"alpha/data{i}.bin": bytes(range(256)) * 400 for i in range(8)}  # ~800 KiB
    wheel = make_wheel("alpha", "1.0", files=big, requires_dist=["gamma"])
    index = local_index([wheel], metadata_files=False)
    cache = Cache(tmp_path / "cache")
    data, _ = asyncio.run(_metadata(index, cache, "alpha"))
    assert data.decode() == metadata_of(wheel)
    ranged = [r for r in index.requests if r.path.endswith(".whl") and r.range]
    full = [r for r in index.requests if r.path.endswith(".whl") and not r.range]
    assert ranged[0].range.startswith("bytes=-"), "the first read is a suffix range"
    assert 1 <= len(ranged) <= 3
    assert full == [], "only ranges of the wheel are read: no HEAD, no download"


def test_result_is_cached_by_hash_or_url(local_index, make_wheel, tmp_path: Path) -> None:
    wheel = make_wheel("alpha", "1.0")
    for hashes in (True, False):
        index = local_index([wheel], hashes=hashes)
        cache = Cache(tmp_path / f"cache-{hashes}")
        _, file = asyncio.run(_metadata(index, cache, "alpha"))
        path = metadata_cache_path(cache, file)
        assert path.name.startswith("sha256-" if hashes else "url-")
        index.clear_log()
        asyncio.run(_metadata(index, cache, "alpha"))
        assert index.count(".metadata") == 0 and index.count(".whl") == 0


def test_whole_wheel_when_the_server_ignores_ranges(
    local_index, make_wheel, tmp_path: Path
) -> None:
    wheel = make_wheel("alpha", "1.0", requires_dist=["delta"])
    index = local_index([wheel], metadata_files=False, serve_ranges=False)
    cache = Cache(tmp_path / "cache")
    data, _ = asyncio.run(_metadata(index, cache, "alpha"))
    assert data.decode() == metadata_of(wheel)
    wheel_requests = [r for r in index.requests if r.path.endswith(".whl")]
    # The suffix range is answered with a plain 200 (abandoned unread), then one download.
    assert [(r.range is not None, r.status) for r in wheel_requests] == [(True, 200), (False, 200)]
