"""The HTTP client: one connection pool, retries, credentials and an HTTP cache.

Every network access of a command goes through one :class:`HttpClient`, opened with
:func:`open_client` on the command's event loop and carried in the context
(``ctx.client``). Its look-ups answer with :data:`~puffin.types.Answer` values: ``Found``,
``NotFound`` (404/410), ``Offline`` (``--offline`` and nothing cached) or ``Failed`` (with a
reason that names the last error and the number of attempts). Nothing it says, logs or
raises contains a password.

This module imports neither httpx nor the implementation: commands that never touch the
network do not pay for them, and type annotations work without them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import field
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeAlias

from puffin import __version__
from puffin._lazy import lazy_exports
from puffin._values import value_type
from puffin.types.credentials import Credentials

if TYPE_CHECKING:
    import ssl
    from collections.abc import AsyncIterator, Mapping
    from pathlib import Path

    from puffin.cache.writes import WriteBehind
    from puffin.client.http import HttpClient
    from puffin.client.redact import redact_url

__all__ = [
    "CacheMode",
    "ClientOptions",
    "ClientStats",
    "CredentialsProvider",
    "HttpClient",
    "Response",
    "open_client",
    "redact_url",
]

__getattr__ = lazy_exports(
    __name__,
    {"HttpClient": "puffin.client.http", "redact_url": "puffin.client.redact"},
)


class CacheMode(enum.Enum):
    """How one :meth:`HttpClient.get` uses the HTTP cache."""

    DEFAULT = "default"
    """Serve fresh cached responses; revalidate stale ones (ETag / Last-Modified)."""
    REVALIDATE = "revalidate"
    """Always revalidate a cached response with the server (``--refresh``)."""
    NO_STORE = "no-store"
    """Neither read nor write the HTTP cache."""


@value_type
class ClientOptions:
    """Settings of one :class:`HttpClient`, fixed for its lifetime."""

    timeout: float = 30.0
    """Seconds to wait for a connection and between bytes read (``PUFFIN_HTTP_TIMEOUT``)."""
    retries: int = 3
    """Extra attempts after the first, for connection errors, timeouts, 5xx, 408 and 429."""
    backoff: float = 0.25
    """Base of the exponential backoff between attempts, in seconds."""
    max_connections: int = 16
    """Requests in flight at once, over all hosts."""
    offline: bool = False
    """Never touch the network: answer from the cache, else ``Offline``."""
    refresh: bool = False
    """Revalidate every cached response before using it (``--refresh``)."""
    user_agent: str = f"puffin/{__version__}"
    """The ``User-Agent`` header."""

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise ValueError(f"timeout must be positive, not {self.timeout!r}")
        if self.retries < 0:
            raise ValueError(f"retries cannot be negative ({self.retries!r})")
        if self.backoff < 0:
            raise ValueError(f"backoff cannot be negative ({self.backoff!r})")
        if self.max_connections < 1:
            raise ValueError(f"max_connections must be at least 1, not {self.max_connections!r}")


def _empty_headers() -> Mapping[str, str]:
    return MappingProxyType({})


@value_type
class Response:
    """A complete HTTP response to a GET.

    ``content`` is the decoded body: ``headers`` (lower-case names, read-only) have no
    ``content-encoding`` or ``transfer-encoding``, and ``content-length`` is
    ``len(content)``, whether the response came from the network or the cache.
    """

    url: str
    """The final URL after redirects, without userinfo."""
    status: int
    headers: Mapping[str, str] = field(default_factory=_empty_headers)
    content: bytes = b""
    from_cache: bool = False
    """True when served from the HTTP cache without a transfer: a hit, or after a 304."""


@value_type
class ClientStats:
    """A snapshot of what a client has done so far (for ``-v`` summaries and benchmarks)."""

    requests: int = 0
    """Requests sent over the network: every attempt and redirect hop, HEADs included."""
    cache_hits: int = 0
    """Responses served from the HTTP cache with no network round trip."""
    revalidations: int = 0
    """Cached responses confirmed by the server (304 Not Modified)."""
    retries: int = 0
    """Attempts after a failed one."""
    bytes_downloaded: int = 0
    """Body bytes received over the network (as transferred, before decoding)."""


CredentialsProvider: TypeAlias = Callable[[str, str | None], Credentials | None]
"""The ``puffin_get_credentials`` hook bound by the caller: URL (without userinfo) and the
user name the URL gave (or None) -> credentials or None."""


@asynccontextmanager
async def open_client(
    options: ClientOptions,
    *,
    cache_dir: Path | None,
    credentials: CredentialsProvider | None = None,
    log: Callable[[str], None] | None = None,
    environ: Mapping[str, str] | None = None,
    writes: WriteBehind | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> AsyncIterator[HttpClient]:
    """Open an :class:`HttpClient` on the running event loop; closed on exit.

    :param options: timeouts, retries, concurrency, offline and refresh.
    :param cache_dir: puffin's cache root; the HTTP cache lives in ``cache_dir / "http-v1"``
        (None: no HTTP cache).
    :param credentials: the ``puffin_get_credentials`` hook, asked after a 401 or when a URL
        names a user without a password.
    :param log: receives one line per request (debug level); never contains secrets.
    :param environ: for ``NETRC``, ``SSL_CERT_FILE``/``SSL_CERT_DIR`` and the proxy
        variables (default: ``os.environ``).
    :param writes: stores HTTP cache entries in the background (the caller waits for
        them); None: stored before the response is returned.
    :param ssl_context: the TLS context, when the caller made it already
        (:func:`puffin.client.tls.make_ssl_context`); else it is made here.
    :raises PuffinError: ``SSL_CERT_FILE``/``SSL_CERT_DIR`` name unusable certificates.
    """
    from puffin.client.http import create_client

    async with create_client(
        options,
        cache_dir=cache_dir,
        credentials=credentials,
        log=log,
        environ=environ,
        writes=writes,
        ssl_context=ssl_context,
    ) as client:
        yield client
