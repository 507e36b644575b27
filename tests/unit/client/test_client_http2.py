"""puffin.client.http2 against real HTTP/2 servers on 127.0.0.1.

Most tests talk to hypercorn (a third-party server) over TLS with a trustme certificate
(:mod:`puffin.testing.tls_server`). The resend tests need a server that refuses streams,
goes away or drops connections at a chosen moment, which no real server does on demand:
:class:`ScriptedServer` below speaks HTTP/2 over TLS with the h2 library and lets each test
decide, request by request, what happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import random
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import h2.config
import h2.connection
import h2.errors
import h2.events
import httpx
import pytest
from hyperframe.frame import GoAwayFrame

from puffin.client import ClientOptions, HttpClient, open_client
from puffin.client.http2 import Http2Transport
from puffin.client.retry import certificate_error
from puffin.testing.dists import MakeWheel
from puffin.testing.envs import installed_versions
from puffin.testing.index import write_simple_index
from puffin.testing.run import PuffinRunner
from puffin.testing.tls_server import HypercornServer, LocalCA, static_files_app
from puffin.types.answer import Failed, Found

# hypercorn, stopped while a connection is open, may start an idle timer in a task group
# that is already closed; the coroutine it made is then never awaited.
pytestmark = pytest.mark.filterwarnings(
    "ignore:coroutine 'TCPServer._idle_timeout' was never awaited:RuntimeWarning"
)

MiB = 1 << 20
BIG = 10 * MiB + 123  # more than the transport's 4 MiB stream window


def run(coro: Any) -> Any:
    return asyncio.run(coro)


@functools.lru_cache(maxsize=16)
def blob(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


async def app(scope: Any, receive: Any, send: Any) -> None:
    """The app most tests serve; the path picks the behaviour."""
    path: str = scope["path"]
    parts = path.strip("/").split("/")

    async def start(status: int = 200, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers or []})

    async def body(data: bytes, more: bool = False) -> None:
        await send({"type": "http.response.body", "body": data, "more_body": more})

    if parts[0] == "hello":
        await start(200, [(b"x-greeting", b"hi"), (b"content-length", b"5")])
        await body(b"" if scope["method"] == "HEAD" else b"hello")
    elif parts[0] == "echo":
        received = b""
        while True:
            message = await receive()
            received += message.get("body", b"")
            if not message.get("more_body"):
                break
        document = {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode(),
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
            "body": received.decode(),
        }
        await start(200, [(b"content-type", b"application/json")])
        await body(json.dumps(document).encode())
    elif parts[0] == "status":
        await start(int(parts[1]), [(b"content-length", b"0")])
        await body(b"")
    elif parts[0] == "blob":  # /blob/<size>/<seed>: deterministic bytes
        data = blob(int(parts[1]), int(parts[2]))
        await start(200, [(b"content-length", str(len(data)).encode())])
        for offset in range(0, len(data), 1 << 16):
            await body(data[offset : offset + (1 << 16)], more=True)
        await body(b"")
    elif parts[0] == "stall-headers":  # answers after a minute
        await asyncio.sleep(60)
    elif parts[0] == "stall-body":  # half a body, then nothing for a minute
        await start(200, [(b"content-length", b"2000")])
        await body(b"x" * 1000, more=True)
        await asyncio.sleep(60)
    elif parts[0] == "truncate":  # promises 1 MB, ends the stream after 100 KB
        await start(200, [(b"content-length", b"1000000")])
        await body(b"x" * 100_000)
    elif parts[0] == "raise":  # the app fails after part of the body
        await start(200, [(b"content-length", b"1000000")])
        await body(b"x" * 100_000, more=True)
        raise RuntimeError("the app failed mid-body")
    else:
        await start(404, [(b"content-length", b"0")])
        await body(b"")


@pytest.fixture
def ca(tmp_path: Path) -> LocalCA:
    return LocalCA(tmp_path / "ca")


@pytest.fixture
def serve(ca: LocalCA) -> Iterator[Callable[..., HypercornServer]]:
    """Start a :class:`HypercornServer` (with the test's CA unless told otherwise)."""
    with contextlib.ExitStack() as stack:

        def start(application: Any = app, **options: Any) -> HypercornServer:
            options.setdefault("ca", ca)
            return stack.enter_context(HypercornServer(application, **options))

        yield start


def make_transport(context: ssl.SSLContext) -> Http2Transport:
    # As puffin.client.http.create_client builds it: the fallback shares the context.
    return Http2Transport(
        context,
        fallback=lambda: httpx.AsyncHTTPTransport(
            verify=context, http1=True, http2=True, retries=0
        ),
    )


@contextlib.asynccontextmanager
async def h2_client(context: ssl.SSLContext | LocalCA, *, read: float = 5.0) -> Any:
    if isinstance(context, LocalCA):
        context = context.client_context()
    timeout = httpx.Timeout(5.0, read=read)
    async with httpx.AsyncClient(transport=make_transport(context), timeout=timeout) as client:
        yield client


# --------------------------------------------------------------------------- basics


def test_get_and_head_over_http2(serve: Callable[..., HypercornServer], ca: LocalCA) -> None:
    server = serve()

    async def main() -> list[httpx.Response]:
        async with h2_client(ca) as client:
            get = await client.get(server.url + "/hello")
            head = await client.head(server.url + "/hello")
            missing = await client.get(server.url + "/status/404")
            echo = await client.get(
                server.url + "/echo/caf%C3%A9?x=1&y=%20",
                # connection-specific headers must not reach an HTTP/2 server; "te: trailers"
                # is the one allowed form of TE.
                headers={"X-Custom": "Value", "Connection": "keep-alive", "TE": "trailers"},
            )
            return [get, head, missing, echo]

    get, head, missing, echo = run(main())
    assert get.status_code == 200
    assert get.http_version == "HTTP/2"
    assert get.headers["x-greeting"] == "hi"
    assert get.headers["content-length"] == "5"
    assert get.content == b"hello"
    assert head.status_code == 200 and head.http_version == "HTTP/2"
    assert head.headers["content-length"] == "5" and head.content == b""
    assert missing.status_code == 404 and missing.content == b""
    seen = echo.json()
    assert seen["method"] == "GET"
    assert seen["path"] == "/echo/café"
    assert seen["query"] == "x=1&y=%20"
    assert seen["headers"]["x-custom"] == "Value"
    assert seen["headers"]["te"] == "trailers"
    assert "connection" not in seen["headers"]
    assert seen["headers"]["host"] == f"127.0.0.1:{server.port}"
    assert [(r.method, r.http_version) for r in server.requests] == [
        ("GET", "2"),
        ("HEAD", "2"),
        ("GET", "2"),
        ("GET", "2"),
    ]
    assert len(server.client_ports()) == 1  # one connection carried them all
    assert server.connections == 1


def test_concurrent_first_requests_share_one_connection(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    server = serve()

    async def main() -> list[httpx.Response]:
        async with h2_client(ca) as client:
            return list(
                await asyncio.gather(*(client.get(server.url + "/hello") for _ in range(50)))
            )

    responses = run(main())
    assert [r.content for r in responses] == [b"hello"] * 50
    assert server.connections == 1  # the 49 others waited for the first one's handshake


def test_a_server_allowing_few_streams_is_kept_to_its_limit(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    # hypercorn answers streams beyond its limit with a connection error that cuts off the
    # responses it had begun. A new connection waits for the server's SETTINGS before it
    # takes requests, so even the first burst keeps to the limit they state.
    server = serve(options={"h2_max_concurrent_streams": 5})

    async def main() -> list[httpx.Response]:
        async with h2_client(ca) as client:
            first = await asyncio.gather(*(client.get(server.url + "/hello") for _ in range(40)))
            again = await asyncio.gather(*(client.get(server.url + "/hello") for _ in range(40)))
            return [*first, *again]

    responses = run(main())
    assert [r.content for r in responses] == [b"hello"] * 80
    assert all(r.http_version == "HTTP/2" for r in responses)


def test_300_concurrent_gets_with_exact_bodies(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    # hypercorn allows 100 streams per connection: 300 requests at once need more than one.
    server = serve()
    edges = [0, 1, 16383, 16384, 16385, 65535, 65536, 4 * MiB, 4 * MiB + 1, BIG]
    sizes = edges + [(i * 7919) % 60_000 for i in range(300 - len(edges))]
    random.Random(0).shuffle(sizes)

    async def main() -> list[httpx.Response]:
        async with h2_client(ca, read=10) as client:
            return list(
                await asyncio.gather(
                    *(client.get(f"{server.url}/blob/{s}/{i}") for i, s in enumerate(sizes))
                )
            )

    responses = run(main())
    for i, (size, response) in enumerate(zip(sizes, responses, strict=True)):
        assert response.status_code == 200
        assert response.http_version == "HTTP/2"
        assert len(response.content) == size
        assert response.content == blob(size, i), f"body {i} ({size} bytes) differs"
    assert len(server.requests) == 300
    assert {r.http_version for r in server.requests} == {"2"}
    # More than one connection (100 streams each), and no more than 300 / 100 need.
    assert 2 <= len(server.client_ports()) <= 3
    assert server.connections == len(server.client_ports())


def test_closing_responses_early_gives_their_window_back(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    # Nine 10 MB responses abandoned after their first bytes: the server sends up to the
    # 4 MiB stream window of each, 36 MiB in all, more than the connection's 32 MiB window.
    # Unless closing a response returns what it left unread, the connection stalls and the
    # last full download times out.
    server = serve()
    url = f"{server.url}/blob/{BIG}/7"

    async def main() -> tuple[list[bytes], bytes, list[bytes]]:
        firsts = []
        async with h2_client(ca, read=5) as client:
            for _ in range(9):
                async with client.stream("GET", url) as response:
                    assert response.http_version == "HTTP/2"
                    firsts.append(await response.aiter_raw().__anext__())
                    await asyncio.sleep(0.1)  # let the server fill the stream window
            whole = (await client.get(url)).content
            small = await asyncio.gather(*(client.get(server.url + "/hello") for _ in range(5)))
        return firsts, whole, [r.content for r in small]

    firsts, whole, small = run(main())
    expected = blob(BIG, 7)
    assert all(first and expected.startswith(first) for first in firsts)
    assert whole == expected
    assert small == [b"hello"] * 5
    assert len(server.client_ports()) == 1  # all of it over the one connection


# --------------------------------------------------------------------------- fallback


def test_http11_only_tls_server_goes_through_the_fallback(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    server = serve(alpn=["http/1.1"])

    async def main() -> list[httpx.Response]:
        async with h2_client(ca) as client:
            first = await client.get(server.url + "/hello")
            more = [await client.get(server.url + "/hello") for _ in range(4)]
            return [first, *more]

    responses = run(main())
    assert [r.content for r in responses] == [b"hello"] * 5
    assert {r.http_version for r in responses} == {"HTTP/1.1"}
    assert {r.http_version for r in server.requests} == {"1.1"}
    # One handshake found no h2, one connection of the fallback carried the five requests:
    # the host is remembered as HTTP/1.1-only, not probed again.
    assert server.connections == 2
    assert len(server.client_ports()) == 1


def test_plain_http_goes_through_the_fallback(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    server = serve(tls=False)
    assert server.url.startswith("http://")

    async def main() -> httpx.Response:
        async with h2_client(ca) as client:
            return await client.get(server.url + "/hello")

    response = run(main())
    assert response.content == b"hello"
    assert response.http_version == "HTTP/1.1"
    assert [r.http_version for r in server.requests] == ["1.1"]


def test_the_fallback_transport_is_made_only_when_a_request_needs_it(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    """httpx's own transport (httpcore and anyio to import) is made on the first request
    that HTTP/2 cannot carry, and not at all for a client that only meets HTTP/2 hosts."""
    h2_server = serve()
    plain = serve(tls=False)
    made: list[httpx.AsyncBaseTransport] = []

    def fallback() -> httpx.AsyncBaseTransport:
        made.append(httpx.AsyncHTTPTransport(verify=ca.client_context(), retries=0))
        return made[-1]

    async def main() -> tuple[int, int, bytes]:
        transport = Http2Transport(ca.client_context(), fallback=fallback)
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(3):
                assert (await client.get(h2_server.url + "/hello")).http_version == "HTTP/2"
            before = len(made)
            body = (await client.get(plain.url + "/hello")).content
            await client.get(plain.url + "/hello")
            return before, len(made), body

    before, after, body = run(main())
    assert (before, after, body) == (0, 1, b"hello")


def test_request_with_a_body_goes_through_the_fallback(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    server = serve()

    async def main() -> tuple[httpx.Response, httpx.Response]:
        async with h2_client(ca) as client:
            get = await client.get(server.url + "/hello")
            post = await client.post(server.url + "/echo", content=b"payload")
            return get, post

    get, post = run(main())
    assert get.http_version == "HTTP/2"
    assert post.status_code == 200
    assert post.json()["method"] == "POST" and post.json()["body"] == "payload"
    get_request, post_request = server.requests
    # The fallback (httpx's own transport, HTTP/2 too) made its own connection.
    assert post_request.client_port != get_request.client_port
    assert server.connections == 2


# --------------------------------------------------------------------------- failures


def test_server_restart_between_requests(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    server = serve()
    url = server.url + "/hello"

    async def main() -> tuple[httpx.Response, httpx.Response, BaseException]:
        async with h2_client(ca) as client:
            before = await client.get(url)
            # Called on the client's loop, so the client cannot see its connection close:
            # the next request goes out on the dead connection, and must be sent again.
            server.stop()
            server.start()
            after = await client.get(url)
            server.stop()
            with pytest.raises(httpx.ConnectError) as refused:
                await client.get(url)
            return before, after, refused.value

    before, after, refused = run(main())
    assert before.content == after.content == b"hello"
    assert after.http_version == "HTTP/2"
    assert isinstance(refused.__cause__, ConnectionRefusedError)
    # One request per server: the one on the dead connection never reached the app.
    assert [r.path for r in server.requests] == ["/hello", "/hello"]
    assert len(server.client_ports()) == 2  # a new connection after the restart


def test_read_timeout_waiting_for_headers_and_body(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    server = serve()

    async def main() -> tuple[float, float, httpx.Response]:
        async with h2_client(ca, read=0.3) as client:
            started = time.monotonic()
            with pytest.raises(httpx.ReadTimeout):
                await client.get(server.url + "/stall-headers")
            headers_wait = time.monotonic() - started
            started = time.monotonic()
            with pytest.raises(httpx.ReadTimeout):
                await client.get(server.url + "/stall-body")
            body_wait = time.monotonic() - started
            # The connection is still good for other requests.
            return headers_wait, body_wait, await client.get(server.url + "/hello")

    headers_wait, body_wait, after = run(main())
    assert 0.3 <= headers_wait < 2
    assert 0.3 <= body_wait < 2
    assert after.content == b"hello"
    assert len(server.client_ports()) == 1


def test_cancelled_request_leaves_the_connection_usable(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    server = serve()

    async def main() -> httpx.Response:
        async with h2_client(ca) as client:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(client.get(server.url + "/stall-headers"), 0.2)
            return await client.get(server.url + "/hello")

    assert run(main()).content == b"hello"
    assert len(server.client_ports()) == 1


def test_connect_timeout_and_connect_error_reach_every_waiting_request(ca: LocalCA) -> None:
    # A listener that never accepts: the TCP handshake completes in the kernel's backlog,
    # the TLS handshake never does.
    with socket.socket() as silent, socket.socket() as closed:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        silent_url = f"https://127.0.0.1:{silent.getsockname()[1]}/x"
        closed_url = f"https://127.0.0.1:{closed.getsockname()[1]}/x"

        async def main() -> tuple[list[BaseException], list[BaseException], float]:
            timeout = httpx.Timeout(5.0, connect=0.3)
            transport = make_transport(ca.client_context())
            async with httpx.AsyncClient(transport=transport, timeout=timeout) as client:
                started = time.monotonic()
                slow = await asyncio.gather(
                    *(client.get(silent_url) for _ in range(5)), return_exceptions=True
                )
                waited = time.monotonic() - started
                refused = await asyncio.gather(
                    *(client.get(closed_url) for _ in range(5)), return_exceptions=True
                )
            return slow, refused, waited

        slow, refused, waited = run(main())
    assert all(isinstance(error, httpx.ConnectTimeout) for error in slow), slow
    assert waited < 2  # the five waited for one handshake, not five in a row
    assert all(isinstance(error, httpx.ConnectError) for error in refused), refused


@pytest.mark.parametrize("problem", ["unknown CA", "wrong host"])
def test_untrusted_certificate_is_a_connect_error(
    serve: Callable[..., HypercornServer], tmp_path: Path, ca: LocalCA, problem: str
) -> None:
    if problem == "unknown CA":
        server = serve(ca=LocalCA(tmp_path / "other"))
    else:
        server = serve(ca=LocalCA(tmp_path / "other", identities=["example.org"]))
        ca = server.ca

    async def main() -> BaseException:
        async with h2_client(ca) as client:
            with pytest.raises(httpx.ConnectError) as caught:
                await client.get(server.url + "/hello")
            return caught.value

    error = run(main())
    assert isinstance(error.__cause__, ssl.SSLCertVerificationError)
    assert certificate_error(error) is error.__cause__
    assert server.requests == []


def test_truncated_body_is_a_protocol_error(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    # The app ends the stream after 100 KB of the 1 MB its Content-Length promised.
    server = serve()

    async def main() -> httpx.Response:
        async with h2_client(ca, read=10) as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get(server.url + "/truncate")
            return await client.get(server.url + "/hello")

    started = time.monotonic()
    after = run(main())
    assert time.monotonic() - started < 5  # not the read timeout
    assert after.content == b"hello"


def test_app_failing_mid_body_ends_in_an_httpx_error(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    # hypercorn neither ends nor resets the stream of an app that raised after starting its
    # response: the client's read timeout is what ends the wait, as an httpx error.
    server = serve()

    async def main() -> tuple[float, httpx.Response]:
        async with h2_client(ca, read=0.5) as client:
            started = time.monotonic()
            with pytest.raises(httpx.ReadTimeout):
                await client.get(server.url + "/raise")
            waited = time.monotonic() - started
            return waited, await client.get(server.url + "/hello")

    waited, after = run(main())
    assert 0.5 <= waited < 3
    assert after.content == b"hello"


def test_server_dying_mid_body_is_a_read_error_not_a_hang(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    sent = threading.Event()

    async def half_then_wait(scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-length", b"2000000")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"x" * 1_000_000, "more_body": True})
        sent.set()
        await asyncio.sleep(60)

    server = serve(half_then_wait, graceful_timeout=0.2)

    async def main() -> tuple[int, BaseException, float]:
        async with (
            h2_client(ca, read=30) as client,
            client.stream("GET", server.url + "/") as response,
        ):
            received = 0
            with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)) as caught:
                async for chunk in response.aiter_raw():
                    received += len(chunk)
                    if received >= 1_000_000:
                        # The half may arrive before the app returns from sending it (one
                        # large frame): stop the server once the app is waiting.
                        assert await asyncio.to_thread(sent.wait, 5)
                        started = time.monotonic()
                        await asyncio.to_thread(server.stop)
        return received, caught.value, time.monotonic() - started

    received, error, waited = run(main())
    assert received == 1_000_000
    assert waited < 5, f"{error!r} came after {waited:.1f}s"


# --------------------------------------------------------------------------- puffin's client


def test_open_client_gets_and_downloads_over_http2(
    serve: Callable[..., HypercornServer], ca: LocalCA, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    page = b"<html>over h2</html>"
    data = blob(3 * MiB + 5, 3)
    (root / "page.html").write_bytes(page)
    (root / "data.bin").write_bytes(data)
    server = serve(static_files_app(root))
    dest = tmp_path / "out" / "data.bin"
    dest.parent.mkdir()
    digest = hashlib.sha256(data).hexdigest()

    async def main() -> tuple[Any, Any, Any]:
        options = ClientOptions(timeout=5, retries=0)
        async with open_client(options, cache_dir=None, environ=ca.environ) as client:
            assert isinstance(client, HttpClient)
            got = await client.get(server.url + "/page.html")
            downloaded = await client.download(
                server.url + "/data.bin", dest, hashes={"sha256": digest}
            )
            return got, downloaded, client.stats

    got, downloaded, stats = run(main())
    assert isinstance(got, Found)
    assert got.value.content == page
    assert got.value.headers["content-type"] == "text/html"
    assert downloaded == Found(dest)
    assert dest.read_bytes() == data
    assert stats.requests == 2
    assert stats.bytes_downloaded == len(page) + len(data)
    assert [(r.path, r.http_version) for r in server.requests] == [
        ("/page.html", "2"),
        ("/data.bin", "2"),
    ]
    assert server.connections == 1


def test_open_client_reports_an_untrusted_certificate(
    serve: Callable[..., HypercornServer], tmp_path: Path
) -> None:
    server = serve(ca=LocalCA(tmp_path / "other"))
    trusted_elsewhere = LocalCA(tmp_path / "mine")

    async def main() -> tuple[Any, Any]:
        options = ClientOptions(timeout=5, retries=2, backoff=0.01)
        environ = trusted_elsewhere.environ
        async with open_client(options, cache_dir=None, environ=environ) as client:
            return await client.get(server.url + "/hello"), client.stats

    answer, stats = run(main())
    assert isinstance(answer, Failed)
    assert answer.reason.startswith("TLS certificate verification failed")
    assert stats.requests == 1  # not retried: it would fail the same way


# --------------------------------------------------------------------------- end to end


def test_pip_install_from_an_http2_index(
    serve: Callable[..., HypercornServer],
    ca: LocalCA,
    make_wheel: MakeWheel,
    run_puffin: PuffinRunner,
    tmp_path: Path,
) -> None:
    root = tmp_path / "index"
    write_simple_index(
        root,
        [
            make_wheel("app", "1.0", requires_dist=["lib>=1"]),
            make_wheel("lib", "1.0"),
            make_wheel("lib", "2.0"),
        ],
    )
    server = serve(static_files_app(root))
    venv = tmp_path / "env"
    run_puffin("venv", str(venv), "-p", sys.executable).assert_ok()
    result = run_puffin(
        "pip", "install", "-p", str(venv), "-i", server.url + "/simple/", "app", env=ca.environ
    )
    result.assert_ok()
    assert installed_versions(venv) == {"app": "1.0", "lib": "2.0"}
    paths = {r.path for r in server.requests}
    assert {"/simple/app/", "/simple/lib/"} <= paths
    assert {"/files/app-1.0-py3-none-any.whl", "/files/lib-2.0-py3-none-any.whl"} <= paths
    # Every request, pages and wheels, went over HTTP/2, on one connection.
    assert {r.http_version for r in server.requests} == {"2"}
    assert server.connections == 1


# --------------------------------------------------------------------------- resends


class ScriptedConnection(asyncio.Protocol):
    """The server side of one connection of a :class:`ScriptedServer`."""

    def __init__(self, server: ScriptedServer) -> None:
        self.server = server
        self.index = len(server.connections)
        self.h2 = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        )
        self.transport: asyncio.Transport | None = None
        self.streams: list[tuple[int, str]] = []  # (stream id, path) in arrival order
        server.connections.append(self)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.h2.initiate_connection()
        self.flush()

    def data_received(self, data: bytes) -> None:
        for event in self.h2.receive_data(data):
            if isinstance(event, h2.events.RequestReceived):
                path = dict(event.headers or [])[":path"]
                self.streams.append((event.stream_id, path))
                self.server.requests.append((self.index, path))
                self.server.handler(self, event.stream_id, path)
            elif isinstance(event, h2.events.DataReceived):
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        self.flush()

    def flush(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(self.h2.data_to_send())

    def respond(self, stream_id: int, body: bytes, *, end: bool = True) -> None:
        headers = [(":status", "200"), ("content-length", str(len(body)))]
        self.h2.send_headers(stream_id, headers)
        self.h2.send_data(stream_id, body, end_stream=end)
        self.flush()

    def go_away(self, last_stream_id: int) -> None:
        # Written behind h2's back: its state machine allows nothing more on a connection
        # after its own GOAWAY, and a graceful server goes on answering the streams below.
        self.flush()
        frame = GoAwayFrame(0, last_stream_id=last_stream_id, error_code=0)
        assert self.transport is not None
        self.transport.write(frame.serialize())

    def reset(self, stream_id: int, code: h2.errors.ErrorCodes) -> None:
        self.h2.reset_stream(stream_id, code)
        self.flush()

    def drop(self) -> None:
        assert self.transport is not None
        self.transport.abort()


class ScriptedServer:
    """HTTP/2 over TLS on the test's own loop; ``handler(connection, stream_id, path)``
    decides what each request gets. ``requests`` lists (connection index, path)."""

    def __init__(
        self, ca: LocalCA, handler: Callable[[ScriptedConnection, int, str], None]
    ) -> None:
        self.ca = ca
        self.handler = handler
        self.connections: list[ScriptedConnection] = []
        self.requests: list[tuple[int, str]] = []
        self.url = ""

    async def __aenter__(self) -> ScriptedServer:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca.cert_pem, self.ca.key_pem)
        context.set_alpn_protocols(["h2"])
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: ScriptedConnection(self), "127.0.0.1", 0, ssl=context
        )
        self.url = f"https://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for connection in self.connections:
            if connection.transport is not None:
                connection.transport.abort()
        self._server.close()
        await self._server.wait_closed()


def test_streams_above_goaway_are_sent_again(ca: LocalCA) -> None:
    def handler(connection: ScriptedConnection, stream_id: int, path: str) -> None:
        if connection.index > 0:
            connection.respond(stream_id, path.encode())
        elif len(connection.streams) == 3:
            # Answer the first, then say that nothing after it will be processed.
            first_id, first_path = connection.streams[0]
            connection.respond(first_id, first_path.encode())
            connection.go_away(first_id)

    async def main() -> tuple[list[bytes], list[tuple[int, str]]]:
        async with ScriptedServer(ca, handler) as server, h2_client(ca) as client:
            responses = await asyncio.gather(
                *(client.get(f"{server.url}/{name}") for name in "abc")
            )
            return [r.content for r in responses], server.requests

    bodies, requests = run(main())
    assert bodies == [b"/a", b"/b", b"/c"]
    first = [path for index, path in requests if index == 0]
    second = sorted(path for index, path in requests if index == 1)
    assert sorted(first) == ["/a", "/b", "/c"]
    assert second == sorted(set(first) - {first[0]})  # the two unprocessed ones, again


def test_frames_larger_than_the_default_are_accepted_from_the_first_read(ca: LocalCA) -> None:
    # The client allows frames of up to 1 MiB (fewer frames, less Python per byte). The
    # server may use that as soon as it has read the client's SETTINGS: here its SETTINGS
    # acknowledgement and a 256 KiB DATA frame leave in one write.
    body = blob(256 * 1024, seed=3)
    frame_limits: list[int] = []

    def handler(connection: ScriptedConnection, stream_id: int, path: str) -> None:
        frame_limits.append(connection.h2.max_outbound_frame_size)
        connection.respond(stream_id, body)  # one DATA frame, under the client's limit

    async def main() -> bytes:
        async with ScriptedServer(ca, handler) as server, h2_client(ca) as client:
            response = await client.get(f"{server.url}/big")
            return bytes(response.content)

    assert run(main()) == body
    assert frame_limits == [1 << 20]


def test_stream_below_goaway_completes(ca: LocalCA) -> None:
    # A graceful GOAWAY (RFC 9113, 6.8): the server processes the streams up to the last
    # stream id it names and finishes their responses after the GOAWAY frame; the client
    # must read them to the end, and send new requests on another connection.
    def handler(connection: ScriptedConnection, stream_id: int, path: str) -> None:
        if connection.index > 0:
            connection.respond(stream_id, path.encode())
            return
        connection.h2.send_headers(stream_id, [(":status", "200"), ("content-length", "10")])
        connection.h2.send_data(stream_id, b"01234")
        connection.go_away(stream_id)
        connection.h2.send_data(stream_id, b"56789", end_stream=True)
        connection.flush()

    async def main() -> tuple[bytes, bytes, list[tuple[int, str]]]:
        async with ScriptedServer(ca, handler) as server, h2_client(ca) as client:
            first = await client.get(server.url + "/first")
            second = await client.get(server.url + "/second")
            return first.content, second.content, server.requests

    first, second, requests = run(main())
    # With h2 4.x the transport cannot pass this: h2's connection state machine turns CLOSED
    # on a GOAWAY and raises ProtocolError on the stream's next frame, so the processed
    # request fails, or, if the frames came in one read, is sent again as unprocessed.
    assert requests == [(0, "/first"), (1, "/second")], "the processed request went again"
    assert first == b"0123456789"
    assert second == b"/second"


def test_refused_stream_is_sent_again(ca: LocalCA) -> None:
    def handler(connection: ScriptedConnection, stream_id: int, path: str) -> None:
        if len(connection.streams) == 1:
            connection.reset(stream_id, h2.errors.ErrorCodes.REFUSED_STREAM)
        else:
            connection.respond(stream_id, b"second time")

    async def main() -> tuple[bytes, list[tuple[int, str]]]:
        async with ScriptedServer(ca, handler) as server, h2_client(ca) as client:
            response = await client.get(server.url + "/x")
            return response.content, server.requests

    body, requests = run(main())
    assert body == b"second time"
    assert requests == [(0, "/x"), (0, "/x")]  # on the same connection, still usable


def test_resends_are_bounded(ca: LocalCA) -> None:
    def handler(connection: ScriptedConnection, stream_id: int, path: str) -> None:
        connection.reset(stream_id, h2.errors.ErrorCodes.REFUSED_STREAM)

    async def main() -> tuple[BaseException, list[tuple[int, str]]]:
        async with ScriptedServer(ca, handler) as server, h2_client(ca) as client:
            with pytest.raises(httpx.RemoteProtocolError) as caught:
                await client.get(server.url + "/x")
            return caught.value, server.requests

    error, requests = run(main())
    assert "refused" in str(error)
    assert requests == [(0, "/x")] * 4  # the first attempt and three more


def test_reset_after_headers_is_not_sent_again(ca: LocalCA) -> None:
    def handler(connection: ScriptedConnection, stream_id: int, path: str) -> None:
        connection.h2.send_headers(stream_id, [(":status", "200"), ("content-length", "10")])
        connection.h2.send_data(stream_id, b"01234")
        connection.reset(stream_id, h2.errors.ErrorCodes.INTERNAL_ERROR)

    async def main() -> list[tuple[int, str]]:
        async with ScriptedServer(ca, handler) as server, h2_client(ca) as client:
            with pytest.raises(httpx.RemoteProtocolError, match="reset"):
                await client.get(server.url + "/x")
            return server.requests

    assert run(main()) == [(0, "/x")]


def test_connection_lost_before_headers_is_sent_again(ca: LocalCA) -> None:
    def handler(connection: ScriptedConnection, stream_id: int, path: str) -> None:
        if connection.index == 0:
            connection.drop()
        else:
            connection.respond(stream_id, b"on the second connection")

    async def main() -> tuple[bytes, list[tuple[int, str]]]:
        async with ScriptedServer(ca, handler) as server, h2_client(ca) as client:
            response = await client.get(server.url + "/x")
            return response.content, server.requests

    body, requests = run(main())
    assert body == b"on the second connection"
    assert requests == [(0, "/x"), (1, "/x")]


def test_connection_lost_before_headers_is_not_resent_for_a_post(ca: LocalCA) -> None:
    # The server may have acted on it before the connection went: a POST (here without a
    # body, so it travels over HTTP/2) is not sent twice.
    def handler(connection: ScriptedConnection, stream_id: int, path: str) -> None:
        if connection.index == 0:
            connection.drop()
        else:
            connection.respond(stream_id, b"on the second connection")

    async def main() -> list[tuple[int, str]]:
        async with ScriptedServer(ca, handler) as server, h2_client(ca) as client:
            with pytest.raises(httpx.RemoteProtocolError):
                await client.post(server.url + "/x")
            return server.requests

    assert run(main()) == [(0, "/x")]


def test_connection_lost_after_headers_is_an_error(ca: LocalCA) -> None:
    def handler(connection: ScriptedConnection, stream_id: int, path: str) -> None:
        connection.respond(stream_id, b"01234", end=False)
        connection.drop()

    async def main() -> list[tuple[int, str]]:
        async with ScriptedServer(ca, handler) as server, h2_client(ca) as client:
            with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
                await client.get(server.url + "/x")
            return server.requests

    assert run(main()) == [(0, "/x")]


def test_closing_finished_responses_unread_gives_their_window_back(
    serve: Callable[..., HypercornServer], ca: LocalCA
) -> None:
    # Thirty-two responses of 1 MiB, exactly the connection's 32 MiB window, arrive whole
    # and are closed unread (as puffin closes a 200 that answered a range request). Unless
    # closing gives back the window of what was left unread, the window stays at 0 and the
    # connection carries no response body again.
    server = serve()

    async def main() -> list[bytes]:
        async with h2_client(ca, read=2) as client:
            responses = await asyncio.gather(
                *(
                    client.send(
                        client.build_request("GET", f"{server.url}/blob/{MiB}/{seed}"), stream=True
                    )
                    for seed in range(32)
                )
            )
            await asyncio.sleep(1)  # every body arrives, unread
            for response in responses:
                await response.aclose()
            later = [await client.get(f"{server.url}/blob/{MiB}/{seed}") for seed in range(3)]
            return [response.content for response in later]

    assert run(main()) == [blob(MiB, seed) for seed in range(3)]
    assert len(server.client_ports()) == 1


def test_data_frames_are_received_without_formatting_their_bodies() -> None:
    """h2 formats each received frame for a trace line; a DATA frame's body is not part of
    that text (hex-encoding 16 KB per frame was the largest cost of receiving), while its
    data, and every other frame's description, are unchanged."""
    from hyperframe.frame import DataFrame, HeadersFrame

    from puffin.client.http2 import _QuietFrameBuffer

    body = blob(3 * 16384 + 5, seed=7)
    frames = [HeadersFrame(1, data=b"\x88", flags=["END_HEADERS"])]
    frames += [
        DataFrame(1, data=body[start : start + 16384]) for start in range(0, len(body), 16384)
    ]
    buffer = _QuietFrameBuffer(server=False)
    buffer.max_frame_size = 16384
    buffer.add_data(b"".join(frame.serialize() for frame in frames))

    received = list(buffer)

    assert [type(frame) for frame in received] == [type(frame) for frame in frames]
    assert b"".join(frame.data for frame in received[1:]) == body
    assert repr(received[0]) == repr(frames[0])
    for frame in received[1:]:
        shown = frame.data.hex()[:20]
        assert shown in repr(DataFrame(1, data=frame.data))  # hyperframe's own description
        assert shown not in repr(frame) and "<data not shown>" in repr(frame)
