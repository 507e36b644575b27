"""An HTTP/2 transport for httpx, lean enough that the network, not Python, sets the pace.

httpcore's HTTP/2 connection takes an anyio lock, a cancel scope and a task lookup for every
frame it reads, and keeps each stream's receive window at the protocol's default 64 KiB, so
a 2 MB index page costs dozens of window updates. Fetching the 201 pages of the data-science
bench set (63 MB, 4,400 DATA frames) took 0.64 s of CPU through it, and 0.21 s through this
module (docs/architecture.md, "HTTP/2"). Here one :class:`asyncio.Protocol` per connection
feeds the bytes to h2's state machine as they arrive and hands each stream's data to the
response that reads it; flow control opens each stream's window to 4 MiB and acknowledges
data as the reader consumes it, so a slow reader holds the sender back instead of filling
memory.

Only ``https`` requests without a body, to servers that choose ``h2`` in the TLS handshake,
travel this way. Everything else (plain ``http``, HTTP/1.1-only servers, requests with a
body) goes to the ``fallback`` transport, httpx's own, unchanged.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
from typing import TYPE_CHECKING

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.frame_buffer
import h2.settings
import httpx
from hyperframe.frame import DataFrame, Frame

if TYPE_CHECKING:
    import ssl
    from collections.abc import AsyncIterator, Callable

__all__ = ["Http2Transport"]

# Each stream may receive this much before the reader has consumed any of it: above the
# bandwidth-delay product of a fast link, so the sender never waits for a window update.
_STREAM_WINDOW = 1 << 22
# All streams of a connection together; bounds what unread responses can hold in memory.
_CONNECTION_WINDOW = 1 << 25
# The largest frame the server may send (the protocol's default is 16 KiB). Every frame
# costs h2 the same Python work whatever its size; with this, the registry's file server
# sent 2,000 frames instead of 5,400 for the 48 MB of the web benchmark set.
_MAX_FRAME = 1 << 20
# Streams a connection carries before the server's SETTINGS say how many it allows (RFC
# 9113 asks servers to allow at least 100).
_STREAMS_BEFORE_SETTINGS = 100
# How long a new connection waits for the server's SETTINGS before it takes requests. A
# server sends them first thing, and they usually arrive with the end of the TLS handshake;
# a burst sent before them can exceed a small stream limit, and a server may answer that
# with a connection error that cuts off responses it had begun.
_SETTINGS_WAIT = 0.1
# Requests that met a connection the server was closing, sent again on another one.
_RESENDS = 3
# Methods whose request may be sent twice with the effect of once (RFC 9110, 9.2.2).
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
# Headers that describe one HTTP/1.1 connection; HTTP/2 forbids them (RFC 9113, 8.2.2).
_CONNECTION_HEADERS = frozenset(
    {b"connection", b"host", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade"}
)


class _NotProcessed(Exception):
    """The stream got no response: the request may go again on another connection.

    ``certain`` when the server said it did not process it (a GOAWAY below the stream,
    ``REFUSED_STREAM``); otherwise the connection was lost first, and only a request that
    is safe to repeat (RFC 9110's idempotent methods) goes again.
    """

    def __init__(self, message: str, *, certain: bool = True) -> None:
        super().__init__(message)
        self.certain = certain


class _DrainingStateMachine(h2.connection.H2ConnectionStateMachine):
    """h2's connection state machine, except that a GOAWAY from the server leaves the
    connection open for what is still to arrive.

    RFC 9113 (6.8): the streams up to the GOAWAY's last stream identifier may still
    complete, and servers finish them (nginx sends GOAWAY after ``keepalive_requests`` and
    then the rest of the responses in flight). h2 closes the connection on receipt and
    rejects every later frame. No new stream is opened after a GOAWAY all the same:
    :attr:`_Connection.usable` is False from then on.
    """

    def process_input(self, input_: h2.connection.ConnectionInputs) -> list[h2.events.Event]:
        if (
            input_ is h2.connection.ConnectionInputs.RECV_GOAWAY
            and self.state is h2.connection.ConnectionState.CLIENT_OPEN
        ):
            return []
        return super().process_input(input_)


class _Stream:
    """One request's response as it arrives: headers, then body chunks, then the end."""

    __slots__ = ("chunks", "ended", "error", "headers", "id", "unacknowledged", "waiter")

    def __init__(self, stream_id: int) -> None:
        self.id = stream_id
        self.headers: list[tuple[bytes, bytes]] | None = None
        self.chunks: collections.deque[bytes] = collections.deque()
        self.unacknowledged = 0  # flow-controlled bytes received but not yet read
        self.ended = False
        self.error: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None

    def wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


class _QuietFrameBuffer(h2.frame_buffer.FrameBuffer):
    """h2's frame buffer, except that a DATA frame it yields describes its body in constant
    time.

    h2 formats every frame it receives for a trace log line, ``repr(frame)``, before the
    logger can decline it; hyperframe's repr of a DATA frame copies the body and hex-encodes
    all of it to show 20 characters. That was the largest single cost of receiving: 45 ms of
    CPU per 48 MB, measured. The frame's data and handling are unchanged.
    """

    def __next__(self) -> Frame:
        frame = super().__next__()
        if type(frame) is DataFrame:
            # An instance attribute shadows the method Frame.__repr__ calls (a function of
            # no arguments: one bound to the frame would make a reference cycle).
            frame._body_repr = _data_not_shown  # type: ignore[method-assign]
        return frame


def _data_not_shown() -> str:
    return "<data not shown>"


class _Connection(asyncio.Protocol):
    """One TLS connection speaking HTTP/2: it sends requests and routes what arrives."""

    def __init__(self, limits: dict[tuple[str, int], int], origin: tuple[str, int]) -> None:
        """:param limits: the stream limit each host's SETTINGS stated, shared by the
        transport's connections: a new connection to a host keeps to it before its own
        SETTINGS arrive."""
        config = h2.config.H2Configuration(client_side=True, header_encoding=None)
        self._h2 = h2.connection.H2Connection(config)
        self._h2.state_machine = _DrainingStateMachine()
        self._h2.incoming_buffer = _QuietFrameBuffer(server=False)
        self._transport: asyncio.Transport | None = None
        self._streams: dict[int, _Stream] = {}
        self._limits = limits
        self._origin = origin
        self._settings_received = False
        self._settings_or_closed: asyncio.Future[None] | None = None
        self._closed_error: BaseException | None = None
        self._last_processed: int | None = None  # from GOAWAY: later streams were not

    # -- asyncio.Protocol ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        settings = h2.settings.SettingCodes
        self._h2.local_settings = h2.settings.Settings(
            client=True,
            initial_values={
                settings.ENABLE_PUSH: 0,
                settings.INITIAL_WINDOW_SIZE: _STREAM_WINDOW,
                settings.MAX_HEADER_LIST_SIZE: 1 << 16,
                settings.MAX_FRAME_SIZE: _MAX_FRAME,
            },
        )
        self._h2.initiate_connection()
        # Accepted from now on, not from the server's acknowledgement: h2 checks a whole
        # read against the limit it had before it, and the acknowledgement and the first
        # large frame often arrive in one read.
        self._h2.max_inbound_frame_size = _MAX_FRAME
        self._h2.increment_flow_control_window(_CONNECTION_WINDOW - 65535)
        self._flush()

    def data_received(self, data: bytes) -> None:
        try:
            events = self._h2.receive_data(data)
        except h2.exceptions.ProtocolError as error:
            self._fail_all(httpx.RemoteProtocolError(f"HTTP/2 protocol error: {error}"))
            self._flush()
            self.close()
            return
        streams = self._streams
        for event in events:
            if isinstance(event, h2.events.DataReceived):
                stream = streams.get(event.stream_id)
                if stream is not None:
                    if event.data:
                        stream.chunks.append(event.data)
                    stream.unacknowledged += event.flow_controlled_length or 0
                    stream.wake()
                elif event.flow_controlled_length:
                    # A stream its reader gave up on: give the connection window back.
                    self._h2.acknowledge_received_data(
                        event.flow_controlled_length,
                        event.stream_id,
                    )
            elif isinstance(event, h2.events.ResponseReceived):
                stream = streams.get(event.stream_id)
                if stream is not None:
                    stream.headers = list(event.headers or ())
                    stream.wake()
            elif isinstance(event, h2.events.StreamEnded):
                stream = streams.pop(event.stream_id, None)
                if stream is not None:
                    stream.ended = True
                    stream.wake()
            elif isinstance(event, h2.events.StreamReset):
                stream = streams.pop(event.stream_id, None)
                if stream is not None:
                    code = event.error_code
                    if code == h2.errors.ErrorCodes.REFUSED_STREAM and stream.headers is None:
                        stream.error = _NotProcessed(f"stream refused ({code!r})")
                    else:
                        stream.error = httpx.RemoteProtocolError(
                            f"the server reset the stream ({code!r})"
                        )
                    stream.wake()
            elif isinstance(event, h2.events.RemoteSettingsChanged):
                self._settings_received = True
                self._limits[self._origin] = self._h2.remote_settings.max_concurrent_streams
                self._settings_arrived()
            elif isinstance(event, h2.events.ConnectionTerminated):
                self._goaway(event.last_stream_id or 0, event.error_code)
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._closed_error is None:
            self._closed_error = httpx.RemoteProtocolError("the server closed the connection")
        reason: BaseException = (
            httpx.ReadError(f"connection lost: {exc}") if exc is not None else self._closed_error
        )
        self._fail_all(reason)
        self._transport = None
        self._settings_arrived()

    # -- used by the transport and the response streams -------------------------------

    async def settings(self, timeout: float) -> None:
        """Wait until the server's SETTINGS arrived or the connection ended, for at most
        ``timeout`` seconds (then :attr:`usable` goes by the remembered or default limit)."""
        if self._settings_received or self._transport is None:
            return
        if self._settings_or_closed is None:
            self._settings_or_closed = asyncio.get_running_loop().create_future()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._settings_or_closed), timeout)

    def _settings_arrived(self) -> None:
        if self._settings_or_closed is not None and not self._settings_or_closed.done():
            self._settings_or_closed.set_result(None)

    @property
    def usable(self) -> bool:
        """True while the connection can take another request."""
        if self._closed_error is not None or self._transport is None:
            return False
        if self._last_processed is not None:
            return False
        limit = self._h2.remote_settings.max_concurrent_streams
        if not self._settings_received:
            # Until the server says, what it said before, else RFC 9113's recommended floor
            # (a server that allows fewer may treat the excess as a connection error).
            limit = self._limits.get(self._origin, _STREAMS_BEFORE_SETTINGS)
        return len(self._streams) < limit

    @property
    def idle(self) -> bool:
        return not self._streams

    def open_stream(self, headers: list[tuple[bytes, bytes]]) -> _Stream:
        """Send a request without a body; its response arrives on the returned stream."""
        if self._closed_error is not None or self._transport is None:
            raise _NotProcessed("the connection is closed")
        try:
            stream_id = self._h2.get_next_available_stream_id()
        except h2.exceptions.NoAvailableStreamIDError:
            self._last_processed = self._h2.highest_outbound_stream_id or 0
            raise _NotProcessed("no stream identifiers left on this connection") from None
        stream = _Stream(stream_id)
        self._streams[stream_id] = stream
        self._h2.send_headers(stream_id, headers, end_stream=True)
        self._flush()
        return stream

    def consumed(self, stream: _Stream) -> None:
        """The reader took everything buffered: open the windows by as much."""
        if stream.unacknowledged and self._transport is not None:
            count, stream.unacknowledged = stream.unacknowledged, 0
            self._h2.acknowledge_received_data(count, stream.id)
            self._flush()

    def cancel(self, stream: _Stream) -> None:
        """The reader stops before the end: reset the stream and return its window."""
        if self._streams.pop(stream.id, None) is None or self._transport is None:
            return
        with contextlib.suppress(h2.exceptions.ProtocolError):
            self._h2.reset_stream(stream.id, h2.errors.ErrorCodes.CANCEL)
        if stream.unacknowledged:
            self._h2.acknowledge_received_data(stream.unacknowledged, stream.id)
            stream.unacknowledged = 0
        self._flush()

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    # -- internals ----------------------------------------------------------------------

    def _flush(self) -> None:
        data = self._h2.data_to_send()
        if data and self._transport is not None:
            self._transport.write(data)

    def _goaway(self, last_stream_id: int, code: object) -> None:
        self._last_processed = last_stream_id
        for stream_id in [key for key in self._streams if key > last_stream_id]:
            stream = self._streams.pop(stream_id)
            stream.error = _NotProcessed(f"the server is closing the connection ({code!r})")
            stream.wake()
        if not self._streams:
            self.close()

    def _fail_all(self, error: BaseException) -> None:
        self._closed_error = self._closed_error or error
        streams, self._streams = self._streams, {}
        for stream in streams.values():
            # A stream that saw no response may not have reached the server at all.
            if stream.headers is None:
                stream.error = _NotProcessed(str(error), certain=False)
            else:
                stream.error = error
            stream.wake()


async def _wait(stream: _Stream, timeout: float | None) -> None:
    """Wait until something arrives on ``stream`` (or it fails), within ``timeout``."""
    waiter = stream.waiter = asyncio.get_running_loop().create_future()
    try:
        await asyncio.wait_for(waiter, timeout)
    except asyncio.TimeoutError:
        raise httpx.ReadTimeout("timed out waiting for the server") from None
    finally:
        stream.waiter = None


class _ResponseBody(httpx.AsyncByteStream):
    """A response body read from its stream, each read handing back all that has arrived."""

    def __init__(self, connection: _Connection, stream: _Stream, timeout: float | None) -> None:
        self._connection = connection
        self._stream = stream
        self._timeout = timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        stream = self._stream
        chunks = stream.chunks
        while True:
            if chunks:
                data = chunks.popleft() if len(chunks) == 1 else b"".join(chunks)
                chunks.clear()
                self._connection.consumed(stream)
                yield data
            elif stream.ended:
                return
            elif stream.error is not None:
                error = stream.error
                if isinstance(error, _NotProcessed):
                    raise httpx.RemoteProtocolError(str(error))
                raise error
            else:
                await _wait(stream, self._timeout)

    async def aclose(self) -> None:
        self._connection.consumed(self._stream)  # what arrived unread: its window goes back
        if not self._stream.ended:
            self._connection.cancel(self._stream)


def _request_headers(request: httpx.Request) -> list[tuple[bytes, bytes]]:
    url = request.url
    authority = request.headers.get("host") or url.netloc.decode("ascii")
    headers = [
        (b":method", request.method.encode("ascii")),
        (b":authority", authority.encode("ascii")),
        (b":scheme", b"https"),
        (b":path", url.raw_path),
    ]
    for name, value in request.headers.raw:
        lower = name.lower()
        if lower in _CONNECTION_HEADERS or (lower == b"te" and value.lower() != b"trailers"):
            continue
        headers.append((lower, value))
    return headers


def _has_body(request: httpx.Request) -> bool:
    headers = request.headers
    return "transfer-encoding" in headers or headers.get("content-length", "0") != "0"


class Http2Transport(httpx.AsyncBaseTransport):
    """Sends ``https`` requests over HTTP/2 connections of its own, one per host (another
    only when the server's limit on concurrent streams is reached); everything else, and
    hosts that do not offer HTTP/2, through ``fallback``.

    :param ssl_context: verifies the servers; its ALPN list is set to offer ``h2``.
    :param fallback: makes the transport for plain HTTP, HTTP/1.1-only hosts and request
        bodies, when the first such request comes: httpx's own transport imports httpcore
        and anyio (25 ms), which a command that only talks to HTTP/2 hosts never needs.
    """

    def __init__(
        self, ssl_context: ssl.SSLContext, fallback: Callable[[], httpx.AsyncBaseTransport]
    ) -> None:
        # The same list httpcore sets on a shared context, so neither undoes the other.
        ssl_context.set_alpn_protocols(["http/1.1", "h2"])
        self._ssl_context = ssl_context
        self._make_fallback = fallback
        self._fallback: httpx.AsyncBaseTransport | None = None
        self._connections: dict[tuple[str, int], list[_Connection]] = {}
        self._connecting: dict[tuple[str, int], asyncio.Future[_Connection | None]] = {}
        self._http1_only: set[tuple[str, int]] = set()
        self._limits: dict[tuple[str, int], int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.host, url.port or 443)
        if url.scheme != "https" or origin in self._http1_only or _has_body(request):
            return await self._fallback_transport().handle_async_request(request)
        timeouts = request.extensions.get("timeout", {})
        headers = _request_headers(request)
        for attempt in range(_RESENDS + 1):
            connection = await self._connection(origin, timeouts.get("connect"))
            if connection is None:
                return await self._fallback_transport().handle_async_request(request)
            try:
                stream = connection.open_stream(headers)
            except _NotProcessed:
                continue
            try:
                while stream.headers is None:
                    if stream.error is not None:
                        raise stream.error
                    await _wait(stream, timeouts.get("read"))
            except _NotProcessed as error:
                if attempt == _RESENDS or not (error.certain or request.method in _IDEMPOTENT):
                    raise httpx.RemoteProtocolError(str(error)) from None
                continue
            except BaseException:
                connection.cancel(stream)
                raise
            return _response(stream, connection, timeouts.get("read"))
        raise httpx.RemoteProtocolError("no connection would take the request")

    async def _connection(
        self, origin: tuple[str, int], timeout: float | None
    ) -> _Connection | None:
        """A connection to ``origin`` with room for a stream; None when it speaks only
        HTTP/1.1. Requests that arrive while the first connection is being made wait for
        it instead of each opening one."""
        while True:
            connections = self._connections.get(origin)
            if connections:
                for spent in [c for c in connections if not c.usable and c.idle]:
                    spent.close()
                    connections.remove(spent)
                for connection in connections:
                    if connection.usable:
                        return connection
            pending = self._connecting.get(origin)
            if pending is None:
                pending = asyncio.ensure_future(self._connect(origin, timeout))
                self._connecting[origin] = pending
                pending.add_done_callback(functools.partial(self._connected, origin))
            made = await asyncio.shield(pending)
            if made is None:
                return None
            if made.usable:
                return made

    def _connected(
        self, origin: tuple[str, int], pending: asyncio.Future[_Connection | None]
    ) -> None:
        self._connecting.pop(origin, None)
        if not pending.cancelled():
            pending.exception()  # retrieved: every waiter has raised it already

    async def _connect(self, origin: tuple[str, int], timeout: float | None) -> _Connection | None:
        import ssl

        host, port = origin
        loop = asyncio.get_running_loop()
        try:
            transport, connection = await asyncio.wait_for(
                loop.create_connection(
                    functools.partial(_Connection, self._limits, origin),
                    host,
                    port,
                    ssl=self._ssl_context,
                    server_hostname=host,
                    happy_eyeballs_delay=0.25,
                ),
                timeout,
            )
        except asyncio.TimeoutError:
            raise httpx.ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except (OSError, ssl.SSLError) as error:
            raise httpx.ConnectError(str(error)) from error
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None or ssl_object.selected_alpn_protocol() != "h2":
            transport.close()
            self._http1_only.add(origin)
            return None
        await connection.settings(_SETTINGS_WAIT)
        self._connections.setdefault(origin, []).append(connection)
        return connection

    async def aclose(self) -> None:
        for pending in self._connecting.values():
            pending.cancel()
        for connections in self._connections.values():
            for connection in connections:
                connection.close()
        self._connections.clear()
        if self._fallback is not None:
            await self._fallback.aclose()

    def _fallback_transport(self) -> httpx.AsyncBaseTransport:
        if self._fallback is None:
            self._fallback = self._make_fallback()
        return self._fallback


def _response(
    stream: _Stream, connection: _Connection, read_timeout: float | None
) -> httpx.Response:
    status = 0
    headers = []
    for name, value in stream.headers or ():
        if name == b":status":
            status = int(value)
        elif not name.startswith(b":"):
            headers.append((name, value))
    return httpx.Response(
        status,
        headers=headers,
        stream=_ResponseBody(connection, stream, read_timeout),
        extensions={"http_version": b"HTTP/2"},
    )
