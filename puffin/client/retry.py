"""When the HTTP client tries again, how long it waits, and how it names what went wrong."""

from __future__ import annotations

import random
import ssl
from dataclasses import field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from puffin._values import value_type

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "RetryPolicy",
    "certificate_error",
    "describe_transport_error",
    "is_permanent_error",
    "is_retryable_status",
    "retry_after",
]

MAX_RETRY_AFTER = 30.0
"""The longest ``Retry-After`` honoured, in seconds: a server asking for more is treated as
asking for this much, so that one overloaded mirror cannot park a whole resolution."""


def is_retryable_status(status: int) -> bool:
    """Server errors, 408 Request Timeout and 429 Too Many Requests may succeed later;
    every other 4xx is the request's fault and will fail the same way again."""
    return status >= 500 or status in (408, 429)


def retry_after(headers: Mapping[str, str], *, now: float) -> float | None:
    """The delay a ``Retry-After`` header asks for (seconds or an HTTP date), capped at
    :data:`MAX_RETRY_AFTER`; None without a usable header."""
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(moment.timestamp() - now, 0.0), MAX_RETRY_AFTER)


@value_type
class RetryPolicy:
    """``retries`` extra attempts after the first, waiting ``backoff * 2**n`` seconds with
    full jitter before retry ``n + 1`` (so simultaneous clients spread out)."""

    retries: int = 3
    backoff: float = 0.25
    max_delay: float = 10.0
    # A private generator: the module-level random functions share global state.
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    @property
    def attempts(self) -> int:
        """The total number of attempts, the first included."""
        return self.retries + 1

    def delay(self, retry: int, *, hint: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry).

        A server's ``Retry-After`` (``hint``) is a lower bound on the wait.
        """
        ceiling = min(self.backoff * 2.0 ** (retry - 1), self.max_delay)
        # Half fixed, half random: a floor keeps retries from hammering immediately, the
        # random half decorrelates clients that failed together.
        wait = ceiling / 2 + self.rng.uniform(0, ceiling / 2)
        if hint is not None:
            wait = max(wait, hint)
        return wait


def certificate_error(error: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification failure behind ``error`` (httpx wraps it twice)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def is_permanent_error(error: BaseException) -> bool:
    """Errors that the same request would meet again: a bad URL or protocol, a redirect
    loop, an untrusted certificate. Everything else on the network may be transient."""
    import httpx

    permanent = (
        httpx.UnsupportedProtocol,
        httpx.LocalProtocolError,
        httpx.TooManyRedirects,
        httpx.InvalidURL,
    )
    return isinstance(error, permanent) or certificate_error(error) is not None


def describe_transport_error(error: BaseException, *, timeout: float) -> str:
    """A short, user-facing account of an httpx transport error.

    Callers redact the result; the message of an httpx error may quote a host name but
    never credentials, since requests go out without userinfo.
    """
    import httpx

    detail = str(error).strip()
    certificate = certificate_error(error)
    if certificate is not None:
        message = certificate.verify_message or str(certificate)
        return (
            f"TLS certificate verification failed: {message} "
            "(SSL_CERT_FILE can name the CA bundle to trust)"
        )
    if isinstance(error, httpx.TimeoutException):
        kind = {
            httpx.ConnectTimeout: "connecting",
            httpx.ReadTimeout: "waiting for data",
            httpx.WriteTimeout: "sending",
            httpx.PoolTimeout: "waiting for a free connection",
        }.get(type(error))
        return f"timed out after {timeout:g}s" + (f" {kind}" if kind else "")
    if isinstance(error, httpx.ConnectError):
        return f"connection failed: {detail or type(error).__name__}"
    if isinstance(error, httpx.RemoteProtocolError):
        # h11 reports both a closed connection before any response and a body shorter
        # than its Content-Length this way; the detail tells which.
        return f"connection closed by server: {detail or 'incomplete response'}"
    if isinstance(error, httpx.ProxyError):
        return f"proxy error: {detail or type(error).__name__}"
    if isinstance(error, httpx.TransportError):
        return (
            f"network error ({type(error).__name__}): {detail}"
            if detail
            else (f"network error ({type(error).__name__})")
        )
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__
