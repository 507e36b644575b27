"""The HTTP cache: freshness, revalidation, modes, offline use, and two processes filling
one cache at once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from puffin.client import CacheMode, ClientOptions, ClientStats, HttpClient, Response, open_client
from puffin.client.httpcache import (
    BUCKET,
    CacheEntry,
    CorruptEntry,
    HttpCache,
    cache_key,
    parse_entry,
    serialize_entry,
    storable,
)
from puffin.testing.index import JSON_CONTENT_TYPE, StaticIndexServer, _Response
from puffin.types.answer import Answer, Failed, Found, NotFound, Offline

FAST = ClientOptions(timeout=5.0, retries=2, backoff=0.01)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


class CachingServer(StaticIndexServer):
    """The test server with a chosen ``Cache-Control`` and, optionally, ``Last-Modified``
    validation in place of ``ETag`` (the stock server sends ``max-age=0`` and ETags)."""

    def __init__(
        self, root: Path, *, cache_control: str | None = "max-age=600", last_modified: bool = False
    ) -> None:
        super().__init__(root)
        self.cache_control = cache_control
        self.last_modified = last_modified

    def _file_response(self, handler: Any, path: Path, **kwargs: Any) -> Any:
        response = super()._file_response(handler, path, **kwargs)
        headers = [(k, v) for k, v in response.headers if k != "Cache-Control"]
        if self.cache_control is not None:
            headers.append(("Cache-Control", self.cache_control))
        if self.last_modified and response.status in (200, 304):
            headers = [(k, v) for k, v in headers if k != "ETag"]
            stamp = formatdate(int(path.stat().st_mtime), usegmt=True)
            headers.append(("Last-Modified", stamp))
            since = handler.headers.get("If-Modified-Since")
            if since and parsedate_to_datetime(since).timestamp() >= int(path.stat().st_mtime):
                return _Response(304, headers)
            return _Response(200, headers, response.body)
        response.headers = headers
        return response


def make_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "a.html").write_text("<html>a</html>")
    (root / "pages" / "b.html").write_text("<html>b</html>")
    project = root / "simple" / "demo"
    project.mkdir(parents=True)
    (project / "index.html").write_text("<html>demo</html>")
    (project / "index.json").write_text('{"meta": {"api-version": "1.1"}}')
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_root(tmp_path)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


async def _with_client(
    options: ClientOptions, cache_dir: Path | None, action: Any, lines: list[str] | None = None
) -> Any:
    async with open_client(
        options, cache_dir=cache_dir, environ={}, log=None if lines is None else lines.append
    ) as client:
        return await action(client)


def get_all(
    cache_dir: Path | None,
    requests: list[tuple[str, dict[str, Any]]],
    options: ClientOptions = FAST,
    lines: list[str] | None = None,
) -> tuple[list[Answer[Response]], ClientStats]:
    async def action(client: HttpClient) -> tuple[list[Answer[Response]], ClientStats]:
        answers = [await client.get(url, **kwargs) for url, kwargs in requests]
        return answers, client.stats

    result: tuple[list[Answer[Response]], ClientStats] = run(
        _with_client(options, cache_dir, action, lines)
    )
    return result


def body(answer: Answer[Response]) -> bytes:
    assert isinstance(answer, Found), answer
    return answer.value.content


# --------------------------------------------------------------------------- freshness


def test_fresh_entry_is_a_hit_without_network(root: Path, cache_dir: Path) -> None:
    with CachingServer(root, cache_control="max-age=600") as server:
        url = server.url + "/pages/a.html"
        lines: list[str] = []
        (first,), _ = get_all(cache_dir, [(url, {})])
        (second,), stats = get_all(cache_dir, [(url, {})], lines=lines)  # a new client
        assert body(first) == body(second) == b"<html>a</html>"
        assert isinstance(first, Found) and not first.value.from_cache
        assert isinstance(second, Found) and second.value.from_cache
        assert second.value.url == url
        assert second.value.headers == first.value.headers
        assert server.count("a.html") == 1
        assert stats == ClientStats(cache_hits=1)
        assert lines == [f"GET {url} 200 (cache: hit) " + lines[0].rsplit(" ", 1)[1]]
        assert len(list(HttpCache(cache_dir).entries())) == 1
        assert (cache_dir / "CACHEDIR.TAG").is_file()
        assert (cache_dir / BUCKET).is_dir()


def test_stale_entry_is_revalidated_with_etag(root: Path, cache_dir: Path) -> None:
    # The stock server says "max-age=0, must-revalidate" and sends an ETag.
    with StaticIndexServer(root) as server:
        url = server.url + "/pages/a.html"
        lines: list[str] = []
        (first, second), stats = get_all(cache_dir, [(url, {}), (url, {})], lines=lines)
        assert body(first) == body(second)
        assert isinstance(second, Found) and second.value.from_cache
        assert [r.status for r in server.requests] == [200, 304]
        etag = first.value.headers["etag"] if isinstance(first, Found) else None
        assert server.requests[1].headers["If-None-Match"] == etag
        assert stats.revalidations == 1 and stats.requests == 2 and stats.cache_hits == 0
        assert "(cache: revalidated)" in lines[1]


def test_changed_resource_replaces_the_entry(root: Path, cache_dir: Path) -> None:
    with StaticIndexServer(root) as server:
        url = server.url + "/pages/a.html"
        get_all(cache_dir, [(url, {})])
        page = root / "pages" / "a.html"
        page.write_text("<html>changed!</html>")
        os.utime(page, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))  # a new ETag
        (second,), _ = get_all(cache_dir, [(url, {})])
        (third,), _ = get_all(cache_dir, [(url, {})])
        assert body(second) == body(third) == b"<html>changed!</html>"
        assert isinstance(second, Found) and not second.value.from_cache
        assert [r.status for r in server.requests] == [200, 200, 304]


def test_last_modified_revalidation(root: Path, cache_dir: Path) -> None:
    with CachingServer(root, cache_control="no-cache", last_modified=True) as server:
        url = server.url + "/pages/b.html"
        (first, second), stats = get_all(cache_dir, [(url, {}), (url, {})])
        assert body(first) == body(second) == b"<html>b</html>"
        assert [r.status for r in server.requests] == [200, 304]
        assert "If-Modified-Since" in server.requests[1].headers
        assert "If-None-Match" not in server.requests[1].headers
        assert stats.revalidations == 1


def test_304_refreshes_stored_headers(root: Path, cache_dir: Path) -> None:
    with CachingServer(root, cache_control="no-cache") as server:
        url = server.url + "/pages/a.html"
        get_all(cache_dir, [(url, {})])
        server.cache_control = "max-age=600"
        (revalidated,), _ = get_all(cache_dir, [(url, {})])
        (hit,), stats = get_all(cache_dir, [(url, {})])
        assert isinstance(revalidated, Found)
        assert revalidated.value.headers["cache-control"] == "max-age=600"
        assert revalidated.value.headers["content-length"] == str(len(b"<html>a</html>"))
        assert [r.status for r in server.requests] == [200, 304]  # the third was a hit
        assert stats.cache_hits == 1 and body(hit) == b"<html>a</html>"


def test_no_store_is_not_stored(root: Path, cache_dir: Path) -> None:
    with CachingServer(root, cache_control="no-store") as server:
        url = server.url + "/pages/a.html"
        (first, second), _ = get_all(cache_dir, [(url, {}), (url, {})])
        assert body(first) == body(second)
        assert [r.status for r in server.requests] == [200, 200]
        assert "If-None-Match" not in server.requests[1].headers
        assert list(HttpCache(cache_dir).entries()) == []


def test_accept_is_part_of_the_key(root: Path, cache_dir: Path) -> None:
    with CachingServer(root) as server:
        url = server.url + "/simple/demo/"
        requests = [
            (url, {"accept": JSON_CONTENT_TYPE}),
            (url, {"accept": "text/html"}),
            (url, {"accept": JSON_CONTENT_TYPE}),
            (url, {"accept": "text/html"}),
        ]
        answers, stats = get_all(cache_dir, requests)
        assert [body(a) for a in answers] == [
            b'{"meta": {"api-version": "1.1"}}',
            b"<html>demo</html>",
        ] * 2
        assert server.count("/simple/demo/") == 2
        assert stats.cache_hits == 2


def test_credentials_are_not_part_of_the_key(root: Path, cache_dir: Path) -> None:
    with CachingServer(root) as server:
        url = server.url + "/pages/a.html"
        with_auth = url.replace("http://", "http://u:pw@")
        (first, second), stats = get_all(cache_dir, [(with_auth, {}), (url, {})])
        assert body(first) == body(second)
        assert stats.cache_hits == 1
        assert isinstance(first, Found) and first.value.url == url


def test_no_freshness_information_means_revalidation(root: Path, cache_dir: Path) -> None:
    with CachingServer(root, cache_control=None) as server:
        url = server.url + "/pages/a.html"
        get_all(cache_dir, [(url, {})])
        get_all(cache_dir, [(url, {})])
        assert [r.status for r in server.requests] == [200, 304]  # no freshness: revalidate


def test_only_200_is_stored(root: Path, cache_dir: Path) -> None:
    with CachingServer(root) as server:
        missing = server.url + "/pages/missing.html"
        (first, second), _ = get_all(cache_dir, [(missing, {}), (missing, {})])
        assert first == second == NotFound(missing)
        assert server.count("missing.html") == 2
        assert list(HttpCache(cache_dir).entries()) == []


# --------------------------------------------------------------------------- modes


def test_revalidate_mode_and_refresh_option(root: Path, cache_dir: Path) -> None:
    with CachingServer(root, cache_control="max-age=600") as server:
        url = server.url + "/pages/a.html"
        get_all(cache_dir, [(url, {})])
        (forced,), stats = get_all(cache_dir, [(url, {"cache": CacheMode.REVALIDATE})])
        assert isinstance(forced, Found) and forced.value.from_cache
        assert stats.revalidations == 1 and stats.cache_hits == 0
        refresh = ClientOptions(backoff=0.01, refresh=True)
        (refreshed,), stats = get_all(cache_dir, [(url, {})], options=refresh)
        assert stats.revalidations == 1
        assert [r.status for r in server.requests] == [200, 304, 304]
        assert body(refreshed) == b"<html>a</html>"


def test_no_store_mode_neither_reads_nor_writes(root: Path, cache_dir: Path) -> None:
    with CachingServer(root, cache_control="max-age=600") as server:
        url = server.url + "/pages/a.html"
        get_all(cache_dir, [(url, {"cache": CacheMode.NO_STORE})])
        assert list(HttpCache(cache_dir).entries()) == []
        get_all(cache_dir, [(url, {})])
        (third,), stats = get_all(cache_dir, [(url, {"cache": CacheMode.NO_STORE})])
        assert isinstance(third, Found) and not third.value.from_cache
        assert [r.status for r in server.requests] == [200, 200, 200]
        assert "If-None-Match" not in server.requests[2].headers
        assert stats.cache_hits == 0


def test_without_cache_dir(root: Path) -> None:
    with CachingServer(root, cache_control="max-age=600") as server:
        url = server.url + "/pages/a.html"
        (first, second), stats = get_all(None, [(url, {}), (url, {})])
        assert body(first) == body(second)
        assert stats.requests == 2 and stats.cache_hits == 0


# --------------------------------------------------------------------------- offline


def test_offline_serves_stale_entries_and_nothing_else(root: Path, cache_dir: Path) -> None:
    with StaticIndexServer(root) as server:  # every entry is stale at once (max-age=0)
        cached = server.url + "/pages/a.html"
        missing = server.url + "/pages/b.html"
        get_all(cache_dir, [(cached, {})])
        server.clear_log()
        lines: list[str] = []
        offline = ClientOptions(offline=True)
        answers, stats = get_all(
            cache_dir,
            [(cached, {}), (cached, {"cache": CacheMode.REVALIDATE}), (missing, {})],
            options=offline,
            lines=lines,
        )
        assert body(answers[0]) == body(answers[1]) == b"<html>a</html>"
        assert isinstance(answers[0], Found) and answers[0].value.from_cache
        assert answers[2] == Offline(missing)
        assert server.requests == []  # no network at all
        assert stats.requests == 0 and stats.cache_hits == 2
        assert "offline" in lines[-1]


def test_offline_without_cache_dir(root: Path) -> None:
    with StaticIndexServer(root) as server:
        url = server.url + "/pages/a.html"
        (answer,), _ = get_all(None, [(url, {})], options=ClientOptions(offline=True))
        assert answer == Offline(url)
        assert server.requests == []


# --------------------------------------------------------------------------- entries


def test_corrupt_entry_is_a_miss_and_is_replaced(root: Path, cache_dir: Path) -> None:
    with CachingServer(root, cache_control="max-age=600") as server:
        url = server.url + "/pages/a.html"
        get_all(cache_dir, [(url, {})])
        cache = HttpCache(cache_dir)
        path = cache.path(cache_key(url, None))
        data = path.read_bytes()
        path.write_bytes(data[:-3])  # a torn write, as an older puffin might leave
        (answer,), stats = get_all(cache_dir, [(url, {})])
        assert body(answer) == b"<html>a</html>"
        assert stats.cache_hits == 0 and server.count("a.html") == 2
        assert path.read_bytes() != data[:-3]
        entry = cache.load(cache_key(url, None))
        assert entry is not None and entry.body == b"<html>a</html>"


def test_unwritable_cache_is_not_fatal(root: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    with CachingServer(root) as server:
        lines: list[str] = []
        (answer,), _ = get_all(blocker, [(server.url + "/pages/a.html", {})], lines=lines)
        assert body(answer) == b"<html>a</html>"
        assert any("could not write the HTTP cache entry" in line for line in lines)


def test_entry_round_trip_and_corruption() -> None:
    entry = CacheEntry(
        key=cache_key("https://h/x", "text/html"),
        url="https://h/x/",
        status=200,
        headers=MappingProxyType({"etag": '"1"', "content-type": "text/html"}),
        body=b"\x00\x01body",
        stored_at=1234.5,
    )
    data = serialize_entry(entry)
    assert parse_entry(data, key=entry.key) == entry
    for broken in (data[:-1], data + b"x", b"junk" + data, data[:20], b""):
        with pytest.raises(CorruptEntry):
            parse_entry(broken, key=entry.key)
    with pytest.raises(CorruptEntry, match="another key"):
        parse_entry(data, key="GET other\naccept: ")


@pytest.mark.parametrize(
    ("headers", "age", "fresh"),
    [
        ({"cache-control": "max-age=60"}, 59, True),
        ({"cache-control": "max-age=60"}, 61, False),
        ({"cache-control": "max-age=60", "age": "50"}, 11, False),
        ({"cache-control": "public, max-age=60, no-cache"}, 0, False),
        ({"cache-control": 'max-age="60"'}, 30, True),
        ({"cache-control": "max-age=junk"}, 0, False),
        ({}, 0, False),
        (
            {
                "date": "Sun, 06 Nov 1994 08:49:37 GMT",
                "expires": "Sun, 06 Nov 1994 08:50:37 GMT",
            },
            30,
            True,
        ),
        ({"expires": "0"}, 0, False),
    ],
)
def test_freshness(headers: dict[str, str], age: float, fresh: bool) -> None:
    entry = CacheEntry("k", "u", 200, MappingProxyType(headers), b"", stored_at=1000.0)
    assert entry.is_fresh(1000.0 + age) is fresh


def test_storable() -> None:
    assert storable(200, {})
    assert not storable(203, {})
    assert not storable(200, {"cache-control": "private, no-store"})
    assert not storable(200, {"vary": "Accept, *"})
    assert storable(200, {"cache-control": "no-cache", "vary": "Accept"})


# --------------------------------------------------------------------------- two processes

_FILLER = """
import asyncio, random, sys
from pathlib import Path
from puffin.client import CacheMode, ClientOptions, open_client
from puffin.types.answer import Found

base, cache, seed = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])

async def main():
    options = ClientOptions(backoff=0.01, max_connections=8)
    async with open_client(options, cache_dir=cache, environ={}) as client:
        urls = [f"{base}/pages/p{i}.html" for i in range(50)]
        for round in range(3):
            random.Random(seed * 10 + round).shuffle(urls)
            mode = CacheMode.DEFAULT if round % 2 == 0 else CacheMode.REVALIDATE
            answers = await asyncio.gather(*(client.get(u, cache=mode) for u in urls))
            for url, answer in zip(urls, answers):
                assert isinstance(answer, Found), (url, answer)
                expected = Path(sys.argv[4], url.rsplit("/", 1)[1]).read_bytes()
                assert answer.value.content == expected, url

asyncio.run(main())
"""


def _page(i: int) -> bytes:
    # Different sizes, up to ~300 kB, so that writes take long enough to overlap.
    return (f"<p>page {i}</p>\n" * (1 + (i * 997) % 20000)).encode()


def test_two_processes_fill_one_cache(tmp_path: Path) -> None:
    root = tmp_path / "root"
    pages = root / "pages"
    pages.mkdir(parents=True)
    for i in range(50):
        (pages / f"p{i}.html").write_bytes(_page(i))
    cache_dir = tmp_path / "cache"
    cache = HttpCache(cache_dir)
    with StaticIndexServer(root) as server:  # max-age=0: every round rewrites entries
        fillers = [
            subprocess.Popen(
                [sys.executable, "-c", _FILLER, server.url, str(cache_dir), str(seed), str(pages)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for seed in (1, 2)
        ]
        # Meanwhile, read every entry as it appears: none may ever be torn.
        reads = 0
        while any(p.poll() is None for p in fillers):
            for path in cache.entries():
                try:
                    data = path.read_bytes()
                except FileNotFoundError:
                    continue
                entry = parse_entry(data)  # raises CorruptEntry on a torn entry
                assert entry.body == (pages / entry.url.rsplit("/", 1)[1]).read_bytes()
                reads += 1
            time.sleep(0.002)  # leave the CPU to the fillers
        for filler in fillers:
            _, err = filler.communicate(timeout=60)
            assert filler.returncode == 0, err.decode()
        # Each process made at least 3 x 50 requests (no fresh hits at max-age=0).
        assert server.count(method="GET") >= 300
    entries = list(cache.entries())
    assert len(entries) == 50
    for i in range(50):
        url = f"{server_url_of(entries, i)}"
        loaded = cache.load(cache_key(url, None))
        assert loaded is not None, url
        assert loaded.status == 200 and loaded.body == _page(i)
        assert loaded.headers["content-length"] == str(len(_page(i)))
    # Nothing but entries: every temporary file was renamed or removed.
    leftovers = [p for p in (cache_dir / BUCKET).rglob(".tmp-*")]
    assert leftovers == []
    assert reads > 0


def server_url_of(entries: list[Path], i: int) -> str:
    for path in entries:
        entry = parse_entry(path.read_bytes())
        if entry.url.endswith(f"/pages/p{i}.html"):
            return entry.url
    raise AssertionError(f"no entry for page {i}")


def test_failed_is_not_cached(root: Path, cache_dir: Path) -> None:
    with CachingServer(root) as server:
        url = server.url + "/pages/a.html"
        server.faults.add("a.html", ("500", 5))
        (answer,), _ = get_all(
            cache_dir, [(url, {})], options=ClientOptions(retries=1, backoff=0.01)
        )
        assert isinstance(answer, Failed)
        assert list(HttpCache(cache_dir).entries()) == []


def test_refreshed_entry() -> None:
    entry = CacheEntry(
        "k",
        "u",
        200,
        MappingProxyType(
            {"etag": '"1"', "age": "500", "content-length": "4", "cache-control": "no-cache"}
        ),
        b"body",
        stored_at=100.0,
    )
    refreshed = entry.refreshed(
        {"etag": '"1"', "content-length": "0", "cache-control": "max-age=60", "date": "d"},
        now=200.0,
    )
    assert refreshed.body == b"body" and refreshed.stored_at == 200.0
    assert dict(refreshed.headers) == {
        "etag": '"1"',
        "content-length": "4",  # the stored body's, not the empty 304's
        "cache-control": "max-age=60",
        "date": "d",
    }
    assert refreshed.is_fresh(250.0) and not refreshed.is_fresh(261.0)
    assert entry.validators() == {"If-None-Match": '"1"'}


def test_load_reads_the_body_only_of_an_entry_it_can_use(tmp_path: Path) -> None:
    """``usable`` sees the entry without its body; a refused entry's body is not read (a
    stale page without validators is of no use), an accepted one comes back whole."""
    cache = HttpCache(tmp_path)
    big_headers = {f"x-header-{n}": "v" * 200 for n in range(400)}  # metadata above 64 KiB
    bodies = {"small": b"<html>small</html>", "large": bytes(range(256)) * 40_000}
    for name, content in bodies.items():
        headers = {"content-type": "text/html", **(big_headers if name == "large" else {})}
        cache.store(CacheEntry(name, f"https://a.test/{name}", 200, headers, content, 1.0))
    seen: list[tuple[str, bytes, int]] = []

    def refuse(entry: CacheEntry) -> bool:
        seen.append((entry.key, entry.body, len(entry.headers)))
        return False

    assert cache.load("small", usable=refuse) is None
    assert cache.load("large", usable=refuse) is None
    assert seen == [("small", b"", 1), ("large", b"", 401)]
    for name, content in bodies.items():
        entry = cache.load(name, usable=lambda entry: True)
        assert entry is not None and entry.body == content and entry.url.endswith(name)
    # A torn body is a miss whether or not it would have been used.
    path = cache.path("large")
    path.write_bytes(path.read_bytes()[:-1])
    assert cache.load("large") is None
    assert cache.load("large", usable=lambda entry: True) is None
