"""puffin.client against a real HTTP server on 127.0.0.1: retries, faults, timeouts,
redirects, ranges, downloads, concurrency and proxies."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from puffin.client import ClientOptions, ClientStats, HttpClient, Response, open_client
from puffin.errors import PuffinError
from puffin.testing.dists import MakeWheel
from puffin.testing.index import (
    JSON_CONTENT_TYPE,
    Fault,
    LocalIndex,
    LocalIndexFactory,
    StaticIndexServer,
)
from puffin.types.answer import Answer, Failed, Found, NotFound, Offline

FAST = ClientOptions(timeout=5.0, retries=3, backoff=0.01)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _with_client(
    options: ClientOptions,
    action: Any,
    *,
    cache_dir: Path | None = None,
    environ: dict[str, str] | None = None,
    lines: list[str] | None = None,
) -> Any:
    async with open_client(
        options,
        cache_dir=cache_dir,
        environ=environ if environ is not None else {},
        log=None if lines is None else lines.append,
    ) as client:
        return await action(client)


def fetch(
    url: str, options: ClientOptions = FAST, **kwargs: Any
) -> tuple[Answer[Response], ClientStats]:
    async def action(client: HttpClient) -> tuple[Answer[Response], ClientStats]:
        answer = await client.get(url)
        return answer, client.stats

    result: tuple[Answer[Response], ClientStats] = run(_with_client(options, action, **kwargs))
    return result


@pytest.fixture
def files_server(tmp_path: Path) -> Any:
    root = tmp_path / "root"
    (root / "files").mkdir(parents=True)
    (root / "files" / "data.bin").write_bytes(bytes(range(256)) * 40)  # 10240 bytes
    (root / "files" / "page.html").write_text("<html>hello</html>")
    with StaticIndexServer(root) as server:
        yield server


@pytest.fixture
def index(local_index: LocalIndexFactory, make_wheel: MakeWheel) -> LocalIndex:
    return local_index([make_wheel("demo", "1.0"), make_wheel("demo", "2.0")])


# --------------------------------------------------------------------------- basics


def test_get_page(index: LocalIndex) -> None:
    answer, stats = fetch(index.simple_url + "demo/")
    assert isinstance(answer, Found)
    response = answer.value
    assert response.status == 200
    assert response.url == index.simple_url + "demo/"
    assert b"demo-2.0-py3-none-any.whl" in response.content
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-length"] == str(len(response.content))
    assert not response.from_cache
    assert stats.requests == 1
    assert stats.bytes_downloaded >= len(response.content)
    [record] = index.requests
    assert record.user_agent is not None and record.user_agent.startswith("puffin/")
    with pytest.raises(TypeError):
        response.headers["x"] = "y"  # type: ignore[index]


def test_accept_header_negotiates(index: LocalIndex) -> None:
    async def action(client: HttpClient) -> Answer[Response]:
        return await client.get(index.simple_url + "demo/", accept=JSON_CONTENT_TYPE)

    answer = run(_with_client(FAST, action))
    assert isinstance(answer, Found)
    assert answer.value.headers["content-type"] == JSON_CONTENT_TYPE
    assert index.requests[0].accept == JSON_CONTENT_TYPE


@pytest.mark.parametrize("status", [404, 410])
def test_missing_is_not_found(files_server: StaticIndexServer, status: int) -> None:
    url = files_server.url + "/files/nothing.whl"
    if status == 410:
        files_server.faults.add("nothing.whl", 410)
    answer, stats = fetch(url)
    assert answer == NotFound(url)
    assert stats.requests == 1 and stats.retries == 0  # never retried


def test_redirects_give_the_final_url(index: LocalIndex) -> None:
    # "/simple" lacks its slash (301 to "/simple/"); "Demo" is not normalized (301 to
    # "/simple/demo/").
    answer, stats = fetch(index.url + "/simple")
    assert isinstance(answer, Found)
    assert answer.value.url == index.simple_url
    answer, stats = fetch(index.url + "/simple/Demo")
    assert isinstance(answer, Found)
    assert answer.value.url == index.simple_url + "demo/"
    assert b"demo-1.0" in answer.value.content
    assert stats.requests == 2
    assert [r.status for r in index.requests] == [301, 200, 301, 200]


def test_fragment_is_not_sent(files_server: StaticIndexServer) -> None:
    answer, _ = fetch(files_server.url + "/files/page.html#sha256=abc")
    assert isinstance(answer, Found)
    assert answer.value.url == files_server.url + "/files/page.html"


def test_invalid_urls_fail_without_network() -> None:
    for url in ("ftp://example.org/x", "not a url", "http://[::1/x"):
        answer, stats = fetch(url)
        assert isinstance(answer, Failed), url
        assert "invalid URL" in answer.reason
        assert stats.requests == 0


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="timeout"):
        ClientOptions(timeout=0)
    with pytest.raises(ValueError, match="retries"):
        ClientOptions(retries=-1)
    with pytest.raises(ValueError, match="max_connections"):
        ClientOptions(max_connections=0)


# --------------------------------------------------------------------------- retries


def test_500_then_200_is_retried(files_server: StaticIndexServer) -> None:
    files_server.faults.add("page.html", "500")
    lines: list[str] = []
    answer, stats = fetch(files_server.url + "/files/page.html", lines=lines)
    assert isinstance(answer, Found)
    assert answer.value.content == b"<html>hello</html>"
    assert [r.status for r in files_server.requests] == [500, 200]
    assert stats.requests == 2 and stats.retries == 1
    assert any("retrying" in line and "HTTP 500" in line for line in lines)


def test_retries_are_bounded_and_reason_says_so(files_server: StaticIndexServer) -> None:
    files_server.faults.add("page.html", ("503", 10))
    options = ClientOptions(retries=2, backoff=0.01)
    answer, stats = fetch(files_server.url + "/files/page.html", options)
    assert isinstance(answer, Failed)
    assert answer.reason == "HTTP 503 Service Unavailable (gave up after 3 attempts)"
    assert files_server.count("page.html") == 3
    assert stats.retries == 2


@pytest.mark.parametrize("status", [408, 429, 502])
def test_retryable_statuses(files_server: StaticIndexServer, status: int) -> None:
    files_server.faults.add("page.html", status)
    answer, _ = fetch(files_server.url + "/files/page.html")
    assert isinstance(answer, Found)
    assert files_server.count("page.html") == 2


@pytest.mark.parametrize("status", [400, 403, 405])
def test_client_errors_are_not_retried(files_server: StaticIndexServer, status: int) -> None:
    files_server.faults.add("page.html", (str(status), 5))
    answer, stats = fetch(files_server.url + "/files/page.html")
    assert isinstance(answer, Failed)
    assert answer.reason.startswith(f"HTTP {status}")
    assert files_server.count("page.html") == 1 and stats.retries == 0


def test_dropped_connection_then_success(files_server: StaticIndexServer) -> None:
    files_server.faults.add("page.html", "drop")
    answer, stats = fetch(files_server.url + "/files/page.html")
    assert isinstance(answer, Found)
    assert [r.fault for r in files_server.requests] == ["drop", None]
    assert stats.retries == 1


def test_dropped_connections_exhaust_retries(files_server: StaticIndexServer) -> None:
    files_server.faults.add("page.html", ("drop", 5))
    answer, _ = fetch(files_server.url + "/files/page.html", ClientOptions(retries=1, backoff=0.01))
    assert isinstance(answer, Failed)
    assert "connection closed by server" in answer.reason
    assert answer.reason.endswith("(gave up after 2 attempts)")


def test_truncated_body_then_success(files_server: StaticIndexServer) -> None:
    files_server.faults.add("data.bin", "truncate")
    answer, stats = fetch(files_server.url + "/files/data.bin")
    assert isinstance(answer, Found)
    assert answer.value.content == bytes(range(256)) * 40
    assert [r.fault for r in files_server.requests] == ["truncate", None]
    assert stats.retries == 1


def test_truncated_body_is_never_returned(files_server: StaticIndexServer) -> None:
    files_server.faults.add("data.bin", ("truncate", 5))
    answer, _ = fetch(files_server.url + "/files/data.bin", ClientOptions(retries=1, backoff=0.01))
    assert isinstance(answer, Failed)
    assert "received 5120 bytes, expected 10240" in answer.reason


def test_stall_beyond_timeout_fails_with_timeout(files_server: StaticIndexServer) -> None:
    files_server.faults.add("page.html", Fault("stall", times=2, seconds=5))
    started = time.monotonic()
    answer, stats = fetch(
        files_server.url + "/files/page.html", ClientOptions(timeout=0.3, retries=1, backoff=0.01)
    )
    elapsed = time.monotonic() - started
    assert isinstance(answer, Failed)
    assert answer.reason.startswith("timed out after 0.3s")
    assert answer.reason.endswith("(gave up after 2 attempts)")
    assert stats.requests == 2
    assert elapsed < 3  # the client gave up; it did not wait for the server


def test_short_stall_within_timeout_succeeds(files_server: StaticIndexServer) -> None:
    files_server.faults.add("page.html", ("stall", 0.2))
    answer, stats = fetch(files_server.url + "/files/page.html", ClientOptions(timeout=2))
    assert isinstance(answer, Found)
    assert stats.retries == 0


def test_connection_refused(tmp_path: Path) -> None:
    server = StaticIndexServer(tmp_path).start()
    url = server.url + "/x"
    server.stop()
    answer, stats = fetch(url, ClientOptions(retries=1, backoff=0.01))
    assert isinstance(answer, Failed)
    assert "connection failed" in answer.reason
    assert stats.requests == 2


# --------------------------------------------------------------------------- ranges


def test_get_range(files_server: StaticIndexServer) -> None:
    data = bytes(range(256)) * 40

    async def action(client: HttpClient) -> list[Answer[bytes]]:
        url = files_server.url + "/files/data.bin"
        return [
            await client.get_range(url, 10, 20),
            await client.get_range(url, 10200, 10240),
            await client.get_range(url, 5, 5),
        ]

    first, last, empty = run(_with_client(FAST, action))
    assert first == Found(data[10:20])
    assert last == Found(data[10200:])
    assert empty == Found(b"")
    assert [r.range for r in files_server.requests] == ["bytes=10-19", "bytes=10200-10239"]
    assert all(r.headers.get("Accept-Encoding") == "identity" for r in files_server.requests)


def test_get_tail_gives_size_and_tail_in_one_request(files_server: StaticIndexServer) -> None:
    data = bytes(range(256)) * 40

    async def action(client: HttpClient) -> list[Answer[tuple[int, bytes]]]:
        url = files_server.url + "/files/data.bin"
        return [await client.get_tail(url, 100), await client.get_tail(url, 99_999)]

    short, whole = run(_with_client(FAST, action))
    assert short == Found((10240, data[-100:]))
    assert whole == Found((10240, data)), "a suffix longer than the file gives all of it"
    assert [r.range for r in files_server.requests] == ["bytes=-100", "bytes=-99999"]


def test_get_tail_without_range_support(index: LocalIndex) -> None:
    async def action(client: HttpClient) -> Answer[tuple[int, bytes]]:
        return await client.get_tail(index.simple_url + "demo/", 10)

    answer = run(_with_client(FAST, action))
    assert answer == Failed(index.simple_url + "demo/", "range requests not supported")


def test_range_not_supported(index: LocalIndex) -> None:
    # Simple pages are served without range support: 200 with the whole page.
    async def action(client: HttpClient) -> Answer[bytes]:
        return await client.get_range(index.simple_url + "demo/", 0, 10)

    answer = run(_with_client(FAST, action))
    assert answer == Failed(index.simple_url + "demo/", "range requests not supported")


def test_range_errors(files_server: StaticIndexServer) -> None:
    async def action(client: HttpClient) -> list[Answer[bytes]]:
        return [
            await client.get_range(files_server.url + "/files/data.bin", 20000, 20010),
            await client.get_range(files_server.url + "/files/nope.bin", 0, 10),
        ]

    unsatisfiable, missing = run(_with_client(FAST, action))
    assert isinstance(unsatisfiable, Failed) and "not satisfiable" in unsatisfiable.reason
    assert isinstance(missing, NotFound)
    with pytest.raises(ValueError, match="byte range"):
        run(_with_client(FAST, lambda c: c.get_range(files_server.url, 5, 4)))


def test_range_retried_after_truncation(files_server: StaticIndexServer) -> None:
    files_server.faults.add("data.bin", "truncate")

    async def action(client: HttpClient) -> Answer[bytes]:
        return await client.get_range(files_server.url + "/files/data.bin", 0, 1000)

    assert run(_with_client(FAST, action)) == Found((bytes(range(256)) * 40)[:1000])
    assert files_server.count("data.bin") == 2


def test_content_length(files_server: StaticIndexServer, index: LocalIndex) -> None:
    async def action(client: HttpClient) -> list[Answer[int | None]]:
        return [
            await client.content_length(files_server.url + "/files/data.bin"),
            await client.content_length(index.simple_url + "demo/"),  # no Accept-Ranges
            await client.content_length(files_server.url + "/files/nope.bin"),
        ]

    size, page, missing = run(_with_client(FAST, action))
    assert size == Found(10240)
    assert page == Found(None)
    assert missing == NotFound(files_server.url + "/files/nope.bin")
    assert {r.method for r in files_server.requests} == {"HEAD"}


# --------------------------------------------------------------------------- downloads


def test_download_with_correct_hash(index: LocalIndex, tmp_path: Path) -> None:
    wheel = index.root / "files" / "demo-1.0-py3-none-any.whl"
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    dest = tmp_path / "out" / "deep" / wheel.name

    async def action(client: HttpClient) -> tuple[Answer[Path], ClientStats]:
        answer = await client.download(
            index.url + f"/files/{wheel.name}#sha256={digest}", dest, hashes={"sha256": digest}
        )
        return answer, client.stats

    answer, stats = run(_with_client(FAST, action))
    assert answer == Found(dest)
    assert dest.read_bytes() == wheel.read_bytes()
    assert list(dest.parent.iterdir()) == [dest]  # no temporary file left behind
    assert stats.bytes_downloaded >= wheel.stat().st_size
    assert index.requests[-1].headers.get("Accept-Encoding") == "identity"


def test_download_with_wrong_hash(index: LocalIndex, tmp_path: Path) -> None:
    wheel = index.root / "files" / "demo-1.0-py3-none-any.whl"
    actual = hashlib.sha256(wheel.read_bytes()).hexdigest()
    wrong = "0" * 64
    dest = tmp_path / wheel.name

    async def action(client: HttpClient) -> Answer[Path]:
        return await client.download(
            index.url + f"/files/{wheel.name}",
            dest,
            hashes={"sha256": wrong, "md5": hashlib.md5(wheel.read_bytes()).hexdigest()},
        )

    answer = run(_with_client(FAST, action))
    assert isinstance(answer, Failed)
    assert wheel.name in answer.reason
    assert f"expected sha256:{wrong}" in answer.reason
    assert f"got sha256:{actual}" in answer.reason
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []
    assert index.count(wheel.name) == 1  # a mismatch is not a transient error


def test_download_retries_truncation_and_drops(
    files_server: StaticIndexServer, tmp_path: Path
) -> None:
    files_server.faults.add("data.bin", "truncate")
    files_server.faults.add("data.bin", "drop")
    files_server.faults.add("data.bin", "500")
    dest = tmp_path / "out" / "data.bin"
    digest = hashlib.sha256(bytes(range(256)) * 40).hexdigest()

    async def action(client: HttpClient) -> Answer[Path]:
        return await client.download(
            files_server.url + "/files/data.bin", dest, hashes={"SHA256": digest.upper()}
        )

    assert run(_with_client(FAST, action)) == Found(dest)
    assert [r.fault for r in files_server.requests] == ["truncate", "drop", "status", None]
    assert dest.read_bytes() == bytes(range(256)) * 40
    assert list(dest.parent.iterdir()) == [dest]


def test_download_failures(files_server: StaticIndexServer, tmp_path: Path) -> None:
    files_server.faults.add("data.bin", ("truncate", 5))
    out = tmp_path / "out"

    async def action(client: HttpClient) -> list[Answer[Path]]:
        return [
            await client.download(files_server.url + "/files/nope.bin", out / "a"),
            await client.download(files_server.url + "/files/data.bin", out / "b"),
            await client.download(
                files_server.url + "/files/page.html", out / "c", hashes={"nohash": "00"}
            ),
        ]

    missing, truncated, bad_algorithm = run(
        _with_client(ClientOptions(retries=1, backoff=0.01), action)
    )
    assert isinstance(missing, NotFound)
    assert isinstance(truncated, Failed) and "gave up after 2 attempts" in truncated.reason
    assert (
        isinstance(bad_algorithm, Failed) and "unsupported hash algorithm" in bad_algorithm.reason
    )
    assert list(out.iterdir()) == []


def test_download_overwrites_existing_file(files_server: StaticIndexServer, tmp_path: Path) -> None:
    dest = tmp_path / "page.html"
    dest.write_text("old")
    answer = run(
        _with_client(FAST, lambda c: c.download(files_server.url + "/files/page.html", dest))
    )
    assert answer == Found(dest)
    assert dest.read_text() == "<html>hello</html>"


# --------------------------------------------------------------------------- offline


def test_offline_never_touches_the_network(files_server: StaticIndexServer, tmp_path: Path) -> None:
    url = files_server.url + "/files/data.bin"

    async def action(client: HttpClient) -> list[object]:
        return [
            await client.get(url),
            await client.get_range(url, 0, 10),
            await client.content_length(url),
            await client.download(url, tmp_path / "x"),
            client.stats.requests,
        ]

    answers = run(_with_client(ClientOptions(offline=True), action, cache_dir=tmp_path / "c"))
    assert answers == [Offline(url)] * 4 + [0]
    assert files_server.requests == []


# --------------------------------------------------------------------------- concurrency


class CountingServer(StaticIndexServer):
    """Counts requests being handled at once (server side), each held for ``hold`` seconds."""

    def __init__(self, root: Path, *, hold: float) -> None:
        super().__init__(root)
        self.hold = hold
        self.in_flight = 0
        self.peak = 0
        self._counter_lock = threading.Lock()

    def _respond(self, handler: Any, path: str, query: str, *, head: bool) -> Any:
        with self._counter_lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            time.sleep(self.hold)
            return super()._respond(handler, path, query, head=head)
        finally:
            with self._counter_lock:
                self.in_flight -= 1


@pytest.mark.parametrize("limit", [1, 2, 8])
def test_concurrency_limit(tmp_path: Path, limit: int) -> None:
    for i in range(8):
        (tmp_path / f"f{i}.txt").write_text(str(i))
    with CountingServer(tmp_path, hold=0.1) as server:

        async def action(client: HttpClient) -> list[Answer[Response]]:
            urls = [f"{server.url}/f{i}.txt" for i in range(8)]
            return list(await asyncio.gather(*(client.get(u) for u in urls)))

        answers = run(_with_client(ClientOptions(max_connections=limit), action))
        assert all(isinstance(a, Found) for a in answers)
        # The server saw at most `limit` requests at once; with 8 requests of 100 ms it
        # did see that many for a small limit. For limit 8 the server's own accept backlog
        # (5) may stagger arrivals, so more than 2 proves only that the limit is lifted.
        assert server.peak <= limit
        if limit <= 2:
            assert server.peak == limit
        else:
            assert server.peak > 2
        assert server.count() == 8


# --------------------------------------------------------------------------- environment


def test_proxy_from_environ(index: LocalIndex) -> None:
    # The test server answers absolute-form request targets ("GET http://host/path"), so
    # it can stand in for a forward proxy: the request for an unresolvable host arrives.
    answer, _ = fetch("http://pypi.example.invalid/simple/demo/", environ={"HTTP_PROXY": index.url})
    assert isinstance(answer, Found)
    assert b"demo-1.0" in answer.value.content
    [record] = index.requests
    assert record.path == "/simple/demo/"
    assert record.headers["Host"] == "pypi.example.invalid"


def test_no_proxy_bypasses_the_proxy(files_server: StaticIndexServer) -> None:
    environ = {"HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "localhost,127.0.0.1"}
    answer, _ = fetch(files_server.url + "/files/page.html", environ=environ)
    assert isinstance(answer, Found)


def test_lower_case_proxy_variables_win(index: LocalIndex) -> None:
    environ = {"HTTP_PROXY": "http://127.0.0.1:9", "http_proxy": index.url}
    answer, _ = fetch("http://pypi.example.invalid/simple/demo/", environ=environ)
    assert isinstance(answer, Found)


def test_ssl_cert_file_must_load(tmp_path: Path) -> None:
    async def action(client: HttpClient) -> None:
        return None

    with pytest.raises(PuffinError, match="SSL_CERT_FILE"):
        run(_with_client(FAST, action, environ={"SSL_CERT_FILE": str(tmp_path / "none.pem")}))
    import certifi

    run(_with_client(FAST, action, environ={"SSL_CERT_FILE": certifi.where()}))


def test_client_module_does_not_import_httpx() -> None:
    code = (
        "import sys, puffin.client as c; c.ClientOptions(); c.CacheMode.DEFAULT;"
        "assert 'httpx' not in sys.modules, 'httpx imported';"
        "c.HttpClient; assert 'httpx' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


class TlsServer(StaticIndexServer):
    """The test server behind TLS with a certificate for 127.0.0.1."""

    def __init__(self, root: Path, *, cert: Path, key: Path) -> None:
        super().__init__(root)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)

    def start(self) -> Any:
        super().start()
        # Same descriptor, so the serving thread's selector keeps watching it.
        httpd: Any = self._httpd
        httpd.socket = self.context.wrap_socket(httpd.socket, server_side=True)
        return self


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_with_ssl_cert_file(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "a.txt").write_text("secure")
    with TlsServer(tmp_path / "root", cert=cert, key=key) as server:
        url = f"https://127.0.0.1:{server.port}/a.txt"
        trusted, _ = fetch(url, environ={"SSL_CERT_FILE": str(cert)})
        assert isinstance(trusted, Found)
        assert trusted.value.content == b"secure"
        untrusted, stats = fetch(url, environ={})  # the system store does not know it
        assert isinstance(untrusted, Failed)
        assert untrusted.reason.startswith("TLS certificate verification failed")
        assert stats.requests == 1  # not retried: it would fail the same way


# --------------------------------------------------------------------------- policy units


def test_retry_policy_delays() -> None:
    from puffin.client.retry import RetryPolicy

    policy = RetryPolicy(retries=5, backoff=0.1, max_delay=0.5)
    assert policy.attempts == 6
    for retry, ceiling in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.5), (5, 0.5)]:
        delays = [policy.delay(retry) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered
    assert policy.delay(1, hint=3.0) == 3.0


def test_retry_after_parsing() -> None:
    from email.utils import formatdate

    from puffin.client.retry import MAX_RETRY_AFTER, is_retryable_status, retry_after

    now = time.time()
    assert retry_after({"retry-after": "2"}, now=now) == 2.0
    assert retry_after({"retry-after": "99999"}, now=now) == MAX_RETRY_AFTER
    assert (retry_after({"retry-after": formatdate(now + 10, usegmt=True)}, now=now) or 0) >= 8
    assert retry_after({"retry-after": "soon"}, now=now) is None
    assert retry_after({}, now=now) is None
    assert [s for s in (400, 401, 404, 408, 429, 500, 503) if is_retryable_status(s)] == [
        408,
        429,
        500,
        503,
    ]


def test_proxy_map() -> None:
    from puffin.client.http import proxy_map

    assert proxy_map({}) == {}
    assert proxy_map({"HTTPS_PROXY": "proxy:3128", "ALL_PROXY": "socks5://s:1080"}) == {
        "https://": "http://proxy:3128",
        "all://": "socks5://s:1080",
    }
    mapped = proxy_map(
        {"HTTP_PROXY": "http://p:1", "NO_PROXY": "localhost, 10.0.0.1,::1,.corp.example,x.org"}
    )
    assert mapped == {
        "http://": "http://p:1",
        "all://localhost": None,
        "all://10.0.0.1": None,
        "all://[::1]": None,
        "all://*.corp.example": None,
        "all://*x.org": None,
    }
    assert proxy_map({"HTTP_PROXY": "http://p:1", "NO_PROXY": "*"}) == {}
    # Under CGI, HTTP_PROXY may come from a client's "Proxy:" header: ignored.
    assert proxy_map({"HTTP_PROXY": "http://evil:1", "REQUEST_METHOD": "GET"}) == {}
    assert proxy_map({"http_proxy": "http://p:1", "REQUEST_METHOD": "GET"}) == {
        "http://": "http://p:1"
    }
