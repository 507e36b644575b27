"""Bare HTTP/1.1 GETs of whole files, for worker processes.

A worker process that fetches a wheel and then unpacks it keeps the download's CPU (TLS,
hashing, writing) off the command's process, whose one thread is busy resolving. It
cannot use :class:`~puffin.client.HttpClient`: that lives on the command's event loop,
and importing httpx costs a worker more than a download. So a worker fetches only what a
bare GET serves (:meth:`~puffin.client.HttpClient.plain_request` says which URLs those
are, and with which TLS settings), with :mod:`http.client`, and its caller falls back to
the index source's own ``fetch_file`` when anything goes wrong: an error here is never
reported to the user, only logged.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import http.client
    import ssl
    from collections.abc import Iterable, Mapping

__all__ = ["Fetched", "PlainFetchError", "PlainFetcher", "PlainRequest", "normalized_hashes"]

_BUFFER = 1 << 20


def normalized_hashes(hashes: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``(algorithm, hex digest)`` pairs as a download checks them: the algorithm as
    :mod:`hashlib` names it (lowercase), the digest lowercase and unpadded by spaces.

    Both ways of downloading a file (:meth:`~puffin.client.HttpClient.download` and a
    worker's :class:`PlainFetcher`) compare against this form.
    """
    return {algorithm.lower(): digest.strip().lower() for algorithm, digest in hashes}


@dataclass(frozen=True)
class PlainRequest:
    """How to GET one file without the command's client (picklable, for a worker)."""

    url: str
    """An ``http`` or ``https`` URL with no user information and no fragment."""
    timeout: float
    """Seconds to wait for the connection and between bytes read."""
    user_agent: str
    cert_file: str | None = None
    """``SSL_CERT_FILE`` of the command, which :func:`~puffin.client.tls.make_ssl_context`
    reads; with ``cert_dir``, the worker builds the same TLS context."""
    cert_dir: str | None = None
    """``SSL_CERT_DIR`` of the command."""


@dataclass(frozen=True)
class Fetched:
    """A file a worker fetched: where it is, its size, and how long the GET took."""

    path: Path
    size: int
    seconds: float
    reused_connection: bool


class PlainFetchError(Exception):
    """A bare GET did not produce the file; the message says why (for the debug log)."""


class PlainFetcher:
    """GETs files over one kept-alive connection per origin (a worker fetches one file at
    a time). Not thread-safe: one per worker process."""

    def __init__(self) -> None:
        self._connections: dict[tuple[str, str], http.client.HTTPConnection] = {}
        self._tls: dict[tuple[str | None, str | None], ssl.SSLContext] = {}

    def fetch(self, request: PlainRequest, dest: Path, hashes: Mapping[str, str]) -> Fetched:
        """Download ``request.url`` to ``dest`` (through a temporary sibling, renamed into
        place once complete and matching every hash in ``hashes``: algorithm -> hex).

        :raises PlainFetchError: anything but a complete, matching 200 response.
        """
        import http.client

        begun = time.monotonic()
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PlainFetchError(f"not an http(s) URL: {request.url}")
        target = parts.path or "/"
        if parts.query:
            target = f"{target}?{parts.query}"
        origin = (parts.scheme, parts.netloc)
        reused = origin in self._connections
        try:
            response = self._get(request, origin, target)
        except (OSError, http.client.HTTPException) as error:
            self._drop(origin)
            if not reused:
                raise PlainFetchError(f"GET failed: {error!r}") from None
            # The server may have closed the kept-alive connection since the last file:
            # one new connection, as browsers do.
            reused = False
            try:
                response = self._get(request, origin, target)
            except (OSError, http.client.HTTPException) as retry_error:
                self._drop(origin)
                raise PlainFetchError(f"GET failed: {retry_error!r}") from None
        try:
            if response.status != 200:
                raise PlainFetchError(f"HTTP {response.status} {response.reason}")
            size = self._save(response, dest, hashes)
        except (OSError, http.client.HTTPException) as error:
            self._drop(origin)
            raise PlainFetchError(f"reading the body failed: {error!r}") from None
        except PlainFetchError:
            self._drop(origin)
            raise
        if response.will_close:
            self._drop(origin)
        return Fetched(dest, size, time.monotonic() - begun, reused)

    def close(self) -> None:
        """Close every kept-alive connection."""
        for origin in list(self._connections):
            self._drop(origin)

    def _get(
        self, request: PlainRequest, origin: tuple[str, str], target: str
    ) -> http.client.HTTPResponse:
        connection = self._connection(request, origin)
        connection.request(
            "GET",
            target,
            headers={"Accept-Encoding": "identity", "User-Agent": request.user_agent},
        )
        return connection.getresponse()

    def _connection(
        self, request: PlainRequest, origin: tuple[str, str]
    ) -> http.client.HTTPConnection:
        import http.client

        connection = self._connections.get(origin)
        if connection is not None:
            return connection
        scheme, netloc = origin
        if scheme == "https":
            connection = http.client.HTTPSConnection(
                netloc, timeout=request.timeout, context=self._tls_context(request)
            )
        else:
            connection = http.client.HTTPConnection(netloc, timeout=request.timeout)
        self._connections[origin] = connection
        return connection

    def _tls_context(self, request: PlainRequest) -> ssl.SSLContext:
        key = (request.cert_file, request.cert_dir)
        context = self._tls.get(key)
        if context is None:
            from puffin.client.tls import make_ssl_context

            environ = {
                name: value
                for name, value in (("SSL_CERT_FILE", key[0]), ("SSL_CERT_DIR", key[1]))
                if value
            }
            context = self._tls[key] = make_ssl_context(environ)
        return context

    def _drop(self, origin: tuple[str, str]) -> None:
        connection = self._connections.pop(origin, None)
        if connection is not None:
            connection.close()

    @staticmethod
    def _save(response: http.client.HTTPResponse, dest: Path, hashes: Mapping[str, str]) -> int:
        digests = {name: hashlib.new(name) for name in hashes}
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        size = 0
        renamed = False
        try:
            buffer = memoryview(bytearray(_BUFFER))
            with os.fdopen(fd, "wb", buffering=0) as stream:
                while count := response.readinto(buffer):
                    chunk = buffer[:count]
                    for digest in digests.values():
                        digest.update(chunk)
                    while chunk:
                        written = stream.write(chunk)
                        if not written:
                            raise OSError(f"could not write to {temporary}")
                        chunk = chunk[written:]
                    size += count
            length = response.getheader("content-length")
            if length is not None and length.isdigit() and int(length) != size:
                raise PlainFetchError(f"the body has {size} bytes, not {length}")
            for name, digest in digests.items():
                if digest.hexdigest() != hashes[name].lower():
                    raise PlainFetchError(f"the {name} hash does not match the index's")
            os.replace(temporary, dest)
            renamed = True
        finally:
            if not renamed:
                Path(temporary).unlink(missing_ok=True)
        return size
