"""A real HTTP/2 server over TLS for tests: hypercorn on 127.0.0.1 with a trustme certificate.

:class:`LocalCA` is a throwaway certificate authority (trustme) and a server certificate it
issued for ``127.0.0.1`` and ``localhost``, written as PEM files; clients trust it through
``SSL_CERT_FILE`` (:attr:`LocalCA.environ`) or :meth:`LocalCA.client_context`.

:class:`HypercornServer` runs the third-party hypercorn server on its own event loop in a
daemon thread, on a free port of ``127.0.0.1``, serving an ASGI app the test supplies: over
TLS with ALPN ``["h2", "http/1.1"]`` by default (HTTP/2 for any client that offers it), only
``["http/1.1"]`` to stand in for a server without HTTP/2, or in plain HTTP. It records every
request with the HTTP version hypercorn spoke and the client's port (one port per
connection), so tests can tell how requests travelled. :func:`static_files_app` serves a
directory, e.g. a simple index written by :func:`puffin.testing.index.write_simple_index`.

The app is not called for the ASGI lifespan protocol: the server answers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import socket
import ssl
import tempfile
import threading
import weakref
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import trustme
from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config, Sockets
from hypercorn.utils import wrap_app

from puffin._values import value_type

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from types import TracebackType

    from hypercorn.typing import Framework
    from typing_extensions import Self

__all__ = [
    "ASGIApp",
    "HypercornServer",
    "LocalCA",
    "ServedRequest",
    "static_files_app",
]

Scope: TypeAlias = Mapping[str, Any]
Message: TypeAlias = Mapping[str, Any]
ASGIApp: TypeAlias = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]
"""An ASGI 3 application: ``async def app(scope, receive, send)``."""

_HOST = "127.0.0.1"
_CHUNK = 1 << 18


class LocalCA:
    """A new certificate authority and a server certificate for ``127.0.0.1`` and
    ``localhost``, as PEM files in ``directory`` (created if missing).

    :param directory: where ``ca.pem``, ``server.pem`` (the chain) and ``server.key`` go.
    :param identities: the names and addresses the server certificate is valid for.
    """

    def __init__(
        self, directory: Path, *, identities: Sequence[str] = (_HOST, "localhost")
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        authority = trustme.CA()
        leaf = authority.issue_cert(*identities)
        self.ca_pem = self.directory / "ca.pem"
        """The CA certificate: what ``SSL_CERT_FILE`` names to trust the server."""
        self.cert_pem = self.directory / "server.pem"
        self.key_pem = self.directory / "server.key"
        authority.cert_pem.write_to_path(str(self.ca_pem))
        self.cert_pem.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        leaf.private_key_pem.write_to_path(str(self.key_pem))

    @property
    def environ(self) -> dict[str, str]:
        """``{"SSL_CERT_FILE": <ca.pem>}``, for puffin's environment."""
        return {"SSL_CERT_FILE": str(self.ca_pem)}

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts this CA and nothing else."""
        return ssl.create_default_context(cafile=str(self.ca_pem))


@value_type
class ServedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    """The decoded path, without the query."""
    query: str
    http_version: str
    """As ASGI spells it: ``"2"``, ``"1.1"``."""
    client_port: int
    """The client's port: requests with the same port came over the same connection."""
    headers: Mapping[str, str]
    """Lower-case names; repeated headers joined with ``", "``."""


class _Listener(socket.socket):
    """A listening socket that remembers the connections it accepted, so that stopping the
    server can cut them all (hypercorn keeps no list a caller can reach)."""

    def __init__(self, family: int, kind: int) -> None:
        super().__init__(family, kind)
        self._accepted: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self.accepted_count = 0

    def accept(self) -> tuple[socket.socket, Any]:
        connection, address = super().accept()
        self._accepted.add(connection)
        self.accepted_count += 1
        return connection, address

    def shut_down_connections(self) -> None:
        for connection in list(self._accepted):
            with contextlib.suppress(OSError):  # closed already
                connection.shutdown(socket.SHUT_RDWR)


class HypercornServer:
    """hypercorn serving ``app`` on ``127.0.0.1`` from a daemon thread with its own loop.

    Use as a context manager or call :meth:`start`/:meth:`stop`. After :meth:`stop`,
    :meth:`start` serves again on the same port, so a client's next request meets a new
    server where its connection led to the old one.

    :param app: the ASGI app (never called for lifespan events: answered here).
    :param ca: the certificate authority whose certificate the server presents; a new one
        in a temporary directory when None (see :attr:`ca`).
    :param tls: False serves plain HTTP (``http://``) and ignores ``alpn``.
    :param alpn: the protocols offered in the TLS handshake, in preference order:
        ``("http/1.1",)`` makes a server without HTTP/2.
    :param graceful_timeout: seconds :meth:`stop` lets requests in flight finish.
    :param options: more hypercorn :class:`~hypercorn.config.Config` attributes, e.g.
        ``{"h2_max_concurrent_streams": 10}``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        ca: LocalCA | None = None,
        tls: bool = True,
        alpn: Iterable[str] = ("h2", "http/1.1"),
        graceful_timeout: float = 0.5,
        options: Mapping[str, object] | None = None,
    ) -> None:
        self.app = app
        self.tls = tls
        self.alpn = list(alpn)
        self.graceful_timeout = graceful_timeout
        self.options = dict(options or {})
        for name in self.options:
            if not hasattr(Config, name):
                raise ValueError(f"hypercorn has no setting {name!r}")
        self._ca = ca
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._port = 0
        self._requests: list[ServedRequest] = []
        self._lock = threading.Lock()
        self._listener: _Listener | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._error: BaseException | None = None

    @property
    def ca(self) -> LocalCA:
        """The certificate authority behind the server's certificate."""
        if self._ca is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="puffin-tls-")
            self._ca = LocalCA(Path(self._scratch.name))
        return self._ca

    @property
    def port(self) -> int:
        """The port it listens on (kept across :meth:`stop` and :meth:`start`)."""
        if not self._port:
            raise RuntimeError("the server has not been started")
        return self._port

    @property
    def url(self) -> str:
        """``https://127.0.0.1:PORT`` (``http://`` without TLS), without a trailing slash."""
        return f"{'https' if self.tls else 'http'}://{_HOST}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the serving thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def requests(self) -> list[ServedRequest]:
        """Every request the app was called for so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def connections(self) -> int:
        """TCP connections accepted since the last :meth:`start`, whether or not a request
        came over them (a client probing ALPN, say)."""
        return 0 if self._listener is None else self._listener.accepted_count

    def client_ports(self) -> set[int]:
        """The client ports of all requests so far: one per connection that carried one."""
        return {request.client_port for request in self.requests}

    def _config(self) -> Config:
        config = Config()
        config.graceful_timeout = self.graceful_timeout
        config.accesslog = None
        config.loglevel = "WARNING"  # not "Running on ..." for every start
        if self.tls:
            config.certfile = str(self.ca.cert_pem)
            config.keyfile = str(self.ca.key_pem)
            config.alpn_protocols = list(self.alpn)
        for name, value in self.options.items():
            setattr(config, name, value)
        return config

    def start(self) -> Self:
        """Bind (the previous port after a :meth:`stop`), start serving and return ``self``
        once hypercorn accepts connections.

        :raises RuntimeError: hypercorn failed to start (the cause is chained).
        """
        if self.running:
            raise RuntimeError("the server is already running")
        listener = _Listener(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((_HOST, self._port))
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self._port = int(listener.getsockname()[1])
        self._listener = listener
        self._error = None
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._serve,
            args=(self._config(), listener, ready),
            name=f"hypercorn:{self._port}",
            daemon=True,
        )
        self._thread.start()
        ready.wait(30)
        if self._error is not None or not ready.is_set():
            error = self._error
            self.stop()
            raise RuntimeError(f"hypercorn did not start on port {self._port}") from error
        return self

    def _serve(self, config: Config, listener: _Listener, ready: threading.Event) -> None:
        async def main() -> None:
            self._loop = loop = asyncio.get_running_loop()
            self._stop_event = stop = asyncio.Event()

            async def shutdown_trigger() -> None:
                # hypercorn awaits this once the listener is serving.
                ready.set()
                await stop.wait()
                # Once the graceful period is over, hypercorn cancels the connections' tasks
                # and waits for them, and a TLS connection being closed waits for the
                # client's close_notify, which a client whose loop is blocked (in stop(),
                # say) never sends: cut the connections then, so stop() cannot hang.
                loop.call_later(config.graceful_timeout, listener.shut_down_connections)

            sockets = Sockets(
                secure_sockets=[listener] if self.tls else [],
                insecure_sockets=[] if self.tls else [listener],
                quic_sockets=[],
            )
            app = wrap_app(cast("Framework", self._asgi), config.wsgi_max_body_size, "asgi")
            try:
                await worker_serve(app, config, sockets=sockets, shutdown_trigger=shutdown_trigger)
            finally:
                listener.shut_down_connections()

        try:
            asyncio.run(main())
        except BaseException as error:  # reported by start(); the thread just ends
            self._error = error
        finally:
            self._loop = None
            ready.set()

    async def _asgi(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] == "http":
            headers: dict[str, str] = {}
            for raw_name, raw_value in scope["headers"]:
                name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
            client = scope.get("client") or ("", 0)
            record = ServedRequest(
                method=scope["method"],
                path=scope["path"],
                query=scope["query_string"].decode("latin-1"),
                http_version=scope["http_version"],
                client_port=int(client[1]),
                headers=headers,
            )
            with self._lock:
                self._requests.append(record)
        await self.app(scope, receive, send)

    def stop(self) -> None:
        """Stop serving and close every connection; requests in flight get
        ``graceful_timeout`` seconds to finish. The port is free when it returns. Safe to
        call twice."""
        loop, stop, thread = self._loop, self._stop_event, self._thread
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stop.set)
        if thread is not None:
            thread.join(self.graceful_timeout + 10)
            if thread.is_alive():
                raise RuntimeError(f"hypercorn on port {self._port} did not stop")
        self._thread = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def close(self) -> None:
        """:meth:`stop`, and remove the temporary CA this server made, if any."""
        self.stop()
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch, self._ca = None, None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


async def _respond(
    send: Callable[[Message], Awaitable[None]],
    status: int,
    body: bytes = b"",
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def static_files_app(root: Path) -> ASGIApp:
    """An app serving the files under ``root`` to GET and HEAD, with ``Content-Length`` and a
    ``Content-Type`` guessed from the name; a directory serves its ``index.html`` (after a
    redirect to the path with a trailing slash), anything else is 404, other methods 405."""
    base = Path(root).resolve()

    async def app(
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        method, path = scope["method"], scope["path"]
        if method not in ("GET", "HEAD"):
            await _respond(send, 405, b"method not allowed\n", [(b"allow", b"GET, HEAD")])
            return
        target = (base / path.lstrip("/")).resolve()
        if target != base and base not in target.parents:
            await _respond(send, 404, b"not found\n")
            return
        if target.is_dir():
            if not path.endswith("/"):
                location = (path + "/").encode()
                await _respond(send, 301, b"", [(b"location", location)])
                return
            target = target / "index.html"
        if not target.is_file():
            await _respond(send, 404, b"not found\n")
            return
        data = target.read_bytes()
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.name.endswith(".metadata"):
            content_type = "text/plain"
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(data)).encode()),
                ],
            }
        )
        if method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
            return
        for offset in range(0, len(data), _CHUNK):
            more = offset + _CHUNK < len(data)
            await send(
                {
                    "type": "http.response.body",
                    "body": data[offset : offset + _CHUNK],
                    "more_body": more,
                }
            )
        if not data:
            await send({"type": "http.response.body", "body": b""})

    return app
