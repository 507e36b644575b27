"""The HTTP client proper, on httpx: pooling, retries, credentials, cache, downloads.

See :mod:`puffin.client` for the public face. One :class:`HttpClient` lives for one
command's event loop. It holds per-command memory (credentials that worked, counters) and
no other state: the HTTP cache is on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import os
import tempfile
import time
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple, TypeVar

import httpx

from puffin.client import CacheMode, ClientOptions, ClientStats, Response
from puffin.client.credentials import CredentialStore, SplitUrl, load_netrc, split_url
from puffin.client.httpcache import CacheEntry, HttpCache, cache_key, storable
from puffin.client.redact import basic_auth_token, redact_text, redact_url
from puffin.client.retry import (
    RetryPolicy,
    describe_transport_error,
    is_permanent_error,
    is_retryable_status,
    retry_after,
)
from puffin.client.tls import make_ssl_context
from puffin.errors import PuffinError
from puffin.types.answer import Failed, Found, NotFound, Offline
from puffin.types.credentials import Credentials

if TYPE_CHECKING:
    import ssl
    from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

    from puffin.cache.writes import WriteBehind
    from puffin.client import CredentialsProvider
    from puffin.client.plain import PlainRequest
    from puffin.types.answer import Answer

__all__ = ["HttpClient", "create_client", "make_ssl_context", "proxy_map"]

_T = TypeVar("_T")

_CHUNK = 1 << 16
# Headers that describe one transfer rather than the resource; a Response's body is always
# decoded, so its headers must not claim an encoding.
_TRANSFER_HEADERS = frozenset(
    {"content-encoding", "transfer-encoding", "connection", "keep-alive", "content-length"}
)
# Downloads and ranges want the file's own bytes: a server that compresses a .tar.gz "for
# transfer" would otherwise change what is hashed (pip asks for identity for the same reason).
_IDENTITY = MappingProxyType({"Accept-Encoding": "identity"})


class _Retry(NamedTuple):
    """An attempt failed in a way worth retrying; ``reason`` says how."""

    reason: str
    hint: float | None = None  # seconds asked for by Retry-After


class _Counters:
    """The mutable tallies behind :attr:`HttpClient.stats`."""

    def __init__(self) -> None:
        self.requests = 0
        self.cache_hits = 0
        self.revalidations = 0
        self.retries = 0
        self.bytes_downloaded = 0

    def snapshot(self) -> ClientStats:
        return ClientStats(
            requests=self.requests,
            cache_hits=self.cache_hits,
            revalidations=self.revalidations,
            retries=self.retries,
            bytes_downloaded=self.bytes_downloaded,
        )


def _reason(response: httpx.Response) -> str:
    phrase = response.reason_phrase
    return f"HTTP {response.status_code}" + (f" {phrase}" if phrase else "")


def _response_headers(response: httpx.Response, body_length: int) -> Mapping[str, str]:
    headers: dict[str, str] = {}
    for name, value in response.headers.multi_items():
        lower = name.lower()
        if lower in _TRANSFER_HEADERS:
            continue
        headers[lower] = f"{headers[lower]}, {value}" if lower in headers else value
    headers["content-length"] = str(body_length)
    return MappingProxyType(headers)


def _plain_headers(response: httpx.Response) -> Mapping[str, str]:
    return MappingProxyType({k.lower(): v for k, v in response.headers.items()})


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _short_body(response: httpx.Response, received: int) -> str | None:
    """Say so when fewer bytes arrived than the ``Content-Length`` promised.

    h11 raises on a connection closed early, but this check does not depend on how the
    transport reports it. ``received`` counts bytes as transferred (before decoding).
    """
    declared = response.headers.get("content-length")
    if declared is None or response.request.method == "HEAD" or response.status_code == 304:
        return None
    try:
        expected = int(declared)
    except ValueError:
        return None
    if received < expected:
        return f"truncated body: received {received} of {expected} bytes"
    return None


class HttpClient:
    """Fetches pages, byte ranges and files for one command; see :mod:`puffin.client`.

    Create it with :func:`puffin.client.open_client`, not directly.
    """

    def __init__(
        self,
        options: ClientOptions,
        *,
        http: httpx.AsyncClient,
        cache: HttpCache | None,
        credentials: CredentialStore,
        log: Callable[[str], None] | None,
        extra_secrets: frozenset[str] = frozenset(),
        writes: WriteBehind | None = None,
        plain_certificates: tuple[str | None, str | None] | None = None,
    ) -> None:
        """:param plain_certificates: ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``, from which a
        worker builds this client's TLS context (:meth:`plain_request`); None when a
        bare GET cannot do what this client does (a proxy is configured)."""
        self._options = options
        self._plain_certificates = plain_certificates
        self._writes = writes
        self._http = http
        self._cache = cache
        self._credentials = credentials
        self._log_sink = log
        self._extra_secrets = extra_secrets
        self._policy = RetryPolicy(retries=options.retries, backoff=options.backoff)
        self._slots = asyncio.Semaphore(options.max_connections)
        self._counters = _Counters()

    # ------------------------------------------------------------------ public

    @property
    def options(self) -> ClientOptions:
        """The options the client was opened with."""
        return self._options

    @property
    def stats(self) -> ClientStats:
        """A frozen snapshot of the counters (network requests, cache hits, 304s...)."""
        return self._counters.snapshot()

    def plain_request(self, url: str) -> PlainRequest | None:
        """How a worker process may GET ``url`` without this client
        (:mod:`puffin.client.plain`), or None when a bare GET would not do what this
        client does: offline, a proxy configured, or credentials for the URL's host (in
        the URL, in netrc, or remembered from an earlier 401)."""
        from puffin.client.plain import PlainRequest

        if self._options.offline or self._plain_certificates is None:
            return None
        try:
            split = split_url(url)
        except ValueError:
            return None
        if split.origin.scheme not in ("http", "https") or not split.origin.host:
            return None
        if split.username is not None or self._credentials.initial(split) is not None:
            return None
        cert_file, cert_dir = self._plain_certificates
        return PlainRequest(
            url=split.url,
            timeout=self._options.timeout,
            user_agent=self._options.user_agent,
            cert_file=cert_file,
            cert_dir=cert_dir,
        )

    def redact(self, url: str) -> str:
        """``url`` with its password masked (:func:`puffin.client.redact.redact_url`)."""
        return redact_url(url)

    async def get(
        self, url: str, *, accept: str | None = None, cache: CacheMode = CacheMode.DEFAULT
    ) -> Answer[Response]:
        """GET ``url`` through the HTTP cache.

        2xx -> ``Found``; 404/410 -> ``NotFound``; offline without a cached entry ->
        ``Offline``; anything else after the retries -> ``Failed``. Only 200 responses are
        stored, keyed by the URL without credentials and the ``Accept`` header.
        """
        shown = redact_url(url)
        split = self._split(url)
        if isinstance(split, Failed):
            return split
        mode = cache
        if self._options.refresh and mode is CacheMode.DEFAULT:
            mode = CacheMode.REVALIDATE
        store = self._cache if mode is not CacheMode.NO_STORE else None
        key = cache_key(split.url, accept)
        now = time.time()

        def usable(entry: CacheEntry) -> bool:
            # Offline, fresh, or able to revalidate: otherwise the body is never read.
            if self._options.offline or entry.validators():
                return True
            return mode is CacheMode.DEFAULT and entry.is_fresh(now)

        entry = store.load(key, usable=usable) if store is not None else None
        started = time.monotonic()
        if self._options.offline:
            if entry is None:
                self._log(f"GET {split.display} not in the cache (offline)")
                return Offline(shown)
            return Found(self._hit(entry, split.display, started, note=" (offline)"))
        if entry is not None and mode is CacheMode.DEFAULT and entry.is_fresh(time.time()):
            return Found(self._hit(entry, split.display, started))

        headers: dict[str, str] = {}
        if accept is not None:
            headers["Accept"] = accept
        if entry is not None:
            headers.update(entry.validators())

        async def attempt() -> Answer[Response] | _Retry:
            begun = time.monotonic()
            async with self._slots, self._exchange("GET", split, headers) as response:
                if response.status_code == 304 and entry is not None:
                    await response.aclose()
                    refreshed = entry.refreshed(_plain_headers(response), time.time())
                    self._store(store, refreshed)
                    self._counters.revalidations += 1
                    self._log_response(split, response, "revalidated", begun)
                    return Found(self._from_entry(refreshed))
                content = await response.aread()
                short = _short_body(response, response.num_bytes_downloaded)
                if short is not None:
                    return _Retry(short)
                self._log_response(split, response, "miss", begun)
                status = response.status_code
                if 200 <= status < 300:
                    final = split_url(str(response.url)).url
                    result = Response(
                        url=final,
                        status=status,
                        headers=_response_headers(response, len(content)),
                        content=content,
                        from_cache=False,
                    )
                    if store is not None and storable(status, result.headers):
                        self._store(
                            store,
                            CacheEntry(key, final, status, result.headers, content, time.time()),
                        )
                    return Found(result)
                return self._classify(response, shown)

        return await self._with_retries("GET", split.display, shown, attempt)

    async def get_range(self, url: str, start: int, end: int) -> Answer[bytes]:
        """Bytes ``[start, end)`` of ``url`` with a ``Range`` request; never cached.

        A server answering 200 instead of 206 -> ``Failed("range requests not supported")``.
        """
        if start < 0 or end < start:
            raise ValueError(f"not a byte range: [{start}, {end})")
        return await self._ranged_get(
            url,
            f"bytes={start}-{end - 1}",
            lambda response, body, shown: self._check_range(response, body, start, end, shown),
            unsatisfiable=f"range not satisfiable: bytes {start}-{end - 1}",
            empty=Found(b"") if end == start else None,
        )

    async def get_tail(self, url: str, length: int) -> Answer[tuple[int, bytes]]:
        """The last ``length`` bytes of ``url`` and its total size, in one request.

        A suffix range (``Range: bytes=-N``) answers both questions a lazy wheel reader
        needs at once, where a HEAD followed by a range would take two round trips.
        A server answering 200 instead of 206 -> ``Failed("range requests not supported")``.
        """
        if length <= 0:
            raise ValueError(f"not a suffix length: {length}")
        return await self._ranged_get(
            url,
            f"bytes=-{length}",
            lambda response, body, shown: _parse_tail(
                response.headers.get("content-range", ""), body, shown
            ),
        )

    async def _ranged_get(
        self,
        url: str,
        byte_range: str,
        check: Callable[[httpx.Response, bytes, str], Answer[_T] | _Retry],
        *,
        unsatisfiable: str | None = None,
        empty: Answer[_T] | None = None,
    ) -> Answer[_T]:
        """One ``Range: <byte_range>`` GET, retried like any other; ``check`` reads a 206.

        ``unsatisfiable`` is the failure reason for a 416 (default: as any other status);
        ``empty`` is the answer, after the offline check, when nothing needs fetching.
        """
        shown = redact_url(url)
        split = self._split(url)
        if isinstance(split, Failed):
            return split
        if self._options.offline:
            return Offline(shown)
        if empty is not None:
            return empty
        headers = {**_IDENTITY, "Range": byte_range}

        async def attempt() -> Answer[_T] | _Retry:
            begun = time.monotonic()
            async with self._slots, self._exchange("GET", split, headers) as response:
                status = response.status_code
                if status == 200:
                    # Do not read what may be a whole wheel just to throw it away.
                    self._log_response(split, response, None, begun, note=" (no range)")
                    return Failed(shown, "range requests not supported")
                if status != 206:
                    await response.aread()
                    self._log_response(split, response, None, begun)
                    if status == 416 and unsatisfiable is not None:
                        return Failed(shown, unsatisfiable)
                    return self._classify(response, shown)
                body = b"".join([chunk async for chunk in response.aiter_raw()])
                short = _short_body(response, len(body))
                if short is not None:
                    return _Retry(short)
                self._log_response(split, response, None, begun)
                return check(response, body, shown)

        return await self._with_retries("GET", split.display, shown, attempt)

    async def content_length(self, url: str) -> Answer[int | None]:
        """The size of ``url`` from a HEAD request, or None when the server gives no
        ``Content-Length`` or does not advertise ``Accept-Ranges: bytes``."""
        shown = redact_url(url)
        split = self._split(url)
        if isinstance(split, Failed):
            return split
        if self._options.offline:
            return Offline(shown)

        async def attempt() -> Answer[int | None] | _Retry:
            begun = time.monotonic()
            async with self._slots, self._exchange("HEAD", split, _IDENTITY) as response:
                await response.aread()
                self._log_response(split, response, None, begun, method="HEAD")
                if not 200 <= response.status_code < 300:
                    return self._classify(response, shown)
                ranges = response.headers.get("accept-ranges", "")
                units = {unit.strip().lower() for unit in ranges.split(",")}
                length = response.headers.get("content-length")
                if "bytes" not in units or length is None or not length.strip().isdigit():
                    return Found(None)
                return Found(int(length))

        return await self._with_retries("HEAD", split.display, shown, attempt)

    async def download(
        self, url: str, dest: Path, *, hashes: Mapping[str, str] = MappingProxyType({})
    ) -> Answer[Path]:
        """Stream ``url`` into ``dest``, checking every hash in ``hashes`` (algorithm -> hex).

        The body goes to a temporary sibling of ``dest`` and is renamed into place only when
        complete and matching; a mismatch -> ``Failed`` naming the file and both hashes.
        Connection errors and truncated bodies are retried like a GET.
        """
        shown = redact_url(url)
        split = self._split(url)
        if isinstance(split, Failed):
            return split
        dest = Path(dest)
        from puffin.client.plain import normalized_hashes

        expected = normalized_hashes(hashes.items())
        for algorithm in expected:
            try:
                hashlib.new(algorithm)
            except ValueError:
                return Failed(shown, f"unsupported hash algorithm {algorithm!r} for {dest.name}")
        if self._options.offline:
            return Offline(shown)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            return Failed(shown, f"cannot create {dest.parent}: {error.strerror or error}")

        async def attempt() -> Answer[Path] | _Retry:
            begun = time.monotonic()
            async with self._slots, self._exchange("GET", split, _IDENTITY) as response:
                if response.status_code != 200:
                    await response.aread()
                    self._log_response(split, response, None, begun)
                    if 200 <= response.status_code < 300:
                        return Failed(shown, f"unexpected {_reason(response)} for a download")
                    return self._classify(response, shown)
                return await self._save(
                    response,
                    split=split,
                    dest=dest,
                    expected=expected,
                    shown=shown,
                    begun=begun,
                )

        return await self._with_retries("GET", split.display, shown, attempt)

    # ------------------------------------------------------------------ attempts

    def _split(self, url: str) -> SplitUrl | Failed:
        try:
            split = split_url(url)
        except ValueError as error:
            return Failed(redact_url(url), self._scrub(f"invalid URL: {error}"))
        self._credentials.note_secret(split.password)
        if split.origin.scheme not in ("http", "https") or not split.origin.host:
            return Failed(redact_url(url), "invalid URL: not an http(s) URL with a host")
        try:
            # httpx's own parser is stricter (control characters, bad ports): fail here,
            # once, rather than on every attempt.
            httpx.URL(split.url)
        except httpx.InvalidURL as error:
            return Failed(redact_url(url), self._scrub(f"invalid URL: {error}"))
        return split

    async def _with_retries(
        self,
        method: str,
        display: str,
        shown: str,
        attempt: Callable[[], Awaitable[_T | _Retry]],
    ) -> _T | Failed:
        """Run ``attempt`` until it gives an answer or the retries are used up."""
        total = self._policy.attempts
        for number in range(1, total + 1):
            begun = time.monotonic()
            try:
                result = await attempt()
            except (httpx.HTTPError, httpx.InvalidURL) as error:
                reason = self._scrub(describe_transport_error(error, timeout=self._options.timeout))
                self._log(f"{method} {display} failed: {reason} ({_elapsed_ms(begun)}ms)")
                if is_permanent_error(error):
                    # Sending the same request again would meet the same error.
                    return Failed(shown, reason)
                hint = None
            else:
                if not isinstance(result, _Retry):
                    return result
                reason, hint = result
            reason = self._scrub(reason)
            if number == total:
                attempts = "1 attempt" if total == 1 else f"{total} attempts"
                return Failed(shown, f"{reason} (gave up after {attempts})")
            delay = self._policy.delay(number, hint=hint)
            self._counters.retries += 1
            self._log(
                f"{method} {display}: {reason}; retrying in {delay:.2f}s "
                f"(attempt {number + 1} of {total})"
            )
            await asyncio.sleep(delay)
        raise AssertionError("unreachable: the last attempt returns")  # pragma: no cover

    @contextlib.asynccontextmanager
    async def _exchange(
        self, method: str, split: SplitUrl, headers: Mapping[str, str]
    ) -> AsyncIterator[httpx.Response]:
        """One request with its credentials, and at most one more after a 401 when a new
        set of credentials turns up; yields the (streaming) response, closed on exit."""
        credentials = await self._first_credentials(split)
        response = await self._send(method, split.url, headers, credentials)
        try:
            if response.status_code == 401:
                # The 401 came from the final URL, which may be on another host than the
                # one asked (a redirect to a file server): credentials are that host's.
                final = split_url(str(response.url))
                tried = credentials if final.origin == split.origin else None
                replacement = await self._credentials_after_401(final, tried)
                if replacement is not None:
                    self._log(f"{method} {final.display} 401: sending it again with credentials")
                    await response.aclose()
                    self._count_transfer(response)
                    response = await self._send(method, final.url, headers, replacement)
            yield response
        finally:
            await response.aclose()
            self._count_transfer(response)

    async def _first_credentials(self, split: SplitUrl) -> Credentials | None:
        credentials = self._credentials.initial(split)
        if credentials is None and split.username is not None:
            # The URL names a user but no password: ask the provider before the server
            # has to say 401; without an answer, send the bare name (a token as user name
            # is common) as pip does.
            answer = await self._credentials.ask_provider(split)
            credentials = answer or Credentials(split.username, "")
        return credentials

    async def _credentials_after_401(
        self, final: SplitUrl, tried: Credentials | None
    ) -> Credentials | None:
        """Credentials worth one more request after a 401 from ``final``, or None."""
        store = self._credentials
        if tried is None:
            # Nothing went to this host yet: what is known for it (remembered, netrc).
            known = store.initial(final)
            if known is not None:
                return known
        answer = await store.ask_provider(final)
        if answer is not None and answer != tried:
            return answer
        # Another request may have found working credentials for the host meanwhile.
        remembered = store.remembered(final.origin)
        if remembered is not None and remembered != tried:
            return remembered
        return None

    async def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        credentials: Credentials | None,
    ) -> httpx.Response:
        request_headers = dict(headers)
        if credentials is not None:
            token = basic_auth_token(credentials.username, credentials.password)
            self._credentials.note_secret(token)
            self._credentials.note_secret(credentials.password)
            request_headers["Authorization"] = f"Basic {token}"
        request = self._http.build_request(method, url, headers=request_headers)
        try:
            response = await self._http.send(request, stream=True)
        except BaseException:
            self._counters.requests += 1
            raise
        self._counters.requests += 1 + len(response.history)
        return response

    def _count_transfer(self, response: httpx.Response) -> None:
        # Once per response, after it is closed (a body read in part counts what arrived).
        self._counters.bytes_downloaded += response.num_bytes_downloaded

    def _classify(self, response: httpx.Response, shown: str) -> Failed | NotFound | _Retry:
        """The answer to a response that is not the success the caller wanted."""
        status = response.status_code
        if status in (404, 410):
            return NotFound(shown)
        if status == 401:
            return Failed(shown, f"authentication failed for {shown} ({_reason(response)})")
        if is_retryable_status(status):
            return _Retry(_reason(response), retry_after(response.headers, now=time.time()))
        return Failed(shown, _reason(response))

    def _check_range(
        self, response: httpx.Response, body: bytes, start: int, end: int, shown: str
    ) -> Answer[bytes] | _Retry:
        content_range = response.headers.get("content-range", "")
        unit, _, spec = content_range.partition(" ")
        span, _, _total = spec.partition("/")
        first, _, last = span.partition("-")
        try:
            if unit.strip().lower() != "bytes":
                raise ValueError(content_range)
            first_byte, last_byte = int(first), int(last)
        except ValueError:
            return Failed(shown, f"unusable Content-Range {content_range!r}")
        if first_byte != start or last_byte > end - 1:
            return Failed(
                shown, f"server sent bytes {first_byte}-{last_byte}, not {start}-{end - 1}"
            )
        if len(body) != last_byte - first_byte + 1:
            return _Retry(
                f"truncated body: received {len(body)} of {last_byte - first_byte + 1} bytes"
            )
        return Found(body)

    async def _save(
        self,
        response: httpx.Response,
        *,
        split: SplitUrl,
        dest: Path,
        expected: Mapping[str, str],
        shown: str,
        begun: float,
    ) -> Answer[Path] | _Retry:
        digests = {name: hashlib.new(name) for name in expected}
        fd, temporary = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        renamed = False
        try:
            received = 0
            with os.fdopen(fd, "wb") as stream:
                async for chunk in response.aiter_raw(_CHUNK):
                    stream.write(chunk)
                    received += len(chunk)
                    for digest in digests.values():
                        digest.update(chunk)
            short = _short_body(response, received)
            if short is not None:
                return _Retry(short)
            self._log_response(split, response, None, begun)
            for name, digest in digests.items():
                actual = digest.hexdigest()
                if actual != expected[name]:
                    return Failed(
                        shown,
                        f"hash mismatch for {dest.name}: expected {name}:{expected[name]}, "
                        f"got {name}:{actual}",
                    )
            os.replace(temporary, dest)
            renamed = True
            return Found(dest)
        except OSError as error:
            return Failed(shown, f"cannot write {dest}: {error.strerror or error}")
        finally:
            if not renamed:
                Path(temporary).unlink(missing_ok=True)

    # ------------------------------------------------------------------ cache, logging

    def _hit(self, entry: CacheEntry, display: str, started: float, note: str = "") -> Response:
        self._counters.cache_hits += 1
        self._log(f"GET {display} {entry.status} (cache: hit{note}) {_elapsed_ms(started)}ms")
        return self._from_entry(entry)

    @staticmethod
    def _from_entry(entry: CacheEntry) -> Response:
        return Response(
            url=entry.url,
            status=entry.status,
            headers=entry.headers,
            content=entry.body,
            from_cache=True,
        )

    def _store(self, store: HttpCache | None, entry: CacheEntry) -> None:
        if store is None:
            return
        if self._writes is not None:
            # Written behind: the response is already in hand, and this command asks
            # for each page once.
            self._writes.submit(lambda: store.store(entry), what=self._scrub(entry.url))
            return
        try:
            store.store(entry)
        except OSError as error:
            # The response is still good; only its reuse is lost.
            self._log(f"could not write the HTTP cache entry for {entry.url}: {error}")

    def _log_response(
        self,
        split: SplitUrl,
        response: httpx.Response,
        cache: str | None,
        started: float,
        *,
        method: str = "GET",
        note: str = "",
    ) -> None:
        if self._log_sink is None:
            return
        final = split_url(str(response.url)).url
        target = split.display if final == split.url else f"{split.display} -> {final}"
        cached = f" (cache: {cache})" if cache else ""
        self._log(
            f"{method} {target} {response.status_code}{cached}{note} {_elapsed_ms(started)}ms"
        )

    def _scrub(self, text: str) -> str:
        return redact_text(text, self._credentials.secrets | self._extra_secrets)

    def _log(self, line: str) -> None:
        if self._log_sink is not None:
            self._log_sink(self._scrub(line))


# ---------------------------------------------------------------------- construction


def _environment_proxies(environ: Mapping[str, str]) -> dict[str, str]:
    # urllib.request.getproxies_environment() on a given mapping: lower-case names win,
    # and an upper-case HTTP_PROXY is ignored under CGI (REQUEST_METHOD set), where a
    # client's "Proxy:" header would arrive as HTTP_PROXY (CVE-2016-1000110).
    proxies: dict[str, str] = {}
    for name, value in environ.items():
        lower = name.lower()
        if value and lower.endswith("_proxy"):
            proxies[lower[:-6]] = value
    if "REQUEST_METHOD" in environ:
        proxies.pop("http", None)
    for name, value in environ.items():
        if name.endswith("_proxy"):
            if value:
                proxies[name[:-6]] = value
            else:
                proxies.pop(name[:-6], None)
    return proxies


def proxy_map(environ: Mapping[str, str]) -> dict[str, str | None]:
    """httpx mount patterns -> proxy URL (None: connect directly), from ``HTTP_PROXY``,
    ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` in ``environ``, as httpx derives them
    from ``os.environ`` with ``trust_env``."""
    proxies = _environment_proxies(environ)
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        target = proxies.get(scheme)
        if target:
            mounts[f"{scheme}://"] = target if "://" in target else f"http://{target}"
    for host in (h.strip() for h in proxies.get("no", "").split(",")):
        if host == "*":
            return {}
        if not host:
            continue
        if "://" in host:
            mounts[host] = None
            continue
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if address is not None:
            mounts[f"all://[{host}]" if address.version == 6 else f"all://{host}"] = None
        elif host.lower() == "localhost":
            mounts[f"all://{host}"] = None
        else:
            # curl's rule: "example.com" covers the host and its subdomains, ".example.com"
            # only the subdomains.
            mounts[f"all://*{host}"] = None
    return mounts


def _h2_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("h2") is not None


# HTTP/2 multiplexes every request to a host over one connection: one DNS lookup and one
# TLS handshake per host instead of one per concurrent request (PyPI and its file host
# both speak it). httpx needs the h2 package for it.
_HTTP2 = _h2_available()


@contextlib.asynccontextmanager
async def create_client(
    options: ClientOptions,
    *,
    cache_dir: Path | None,
    credentials: CredentialsProvider | None = None,
    log: Callable[[str], None] | None = None,
    environ: Mapping[str, str] | None = None,
    writes: WriteBehind | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> AsyncIterator[HttpClient]:
    """The implementation of :func:`puffin.client.open_client`."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    context = make_ssl_context(env) if ssl_context is None else ssl_context
    limits = httpx.Limits(
        max_connections=options.max_connections,
        max_keepalive_connections=options.max_connections,
    )

    def transport(proxy: str | None = None) -> httpx.AsyncHTTPTransport:
        return httpx.AsyncHTTPTransport(
            verify=context,
            http1=True,
            http2=_HTTP2,
            limits=limits,
            trust_env=False,
            proxy=proxy,
            retries=0,  # retries are ours, with backoff and a reason to report
        )

    # trust_env=False with the same rules applied to ``environ``: httpx would read
    # os.environ, and the caller's snapshot of the environment must win.
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
    proxy_secrets: set[str] = set()
    for pattern, target in proxy_map(env).items():
        if target is None:
            mounts[pattern] = None
            continue
        try:
            password = split_url(target).password
            mounts[pattern] = transport(target)
        except (ValueError, httpx.InvalidURL) as error:
            raise PuffinError(
                f"invalid proxy URL {redact_url(target)!r} in the environment: "
                f"{redact_text(str(error))}"
            ) from None
        if password:
            proxy_secrets.add(password)
    netrc = load_netrc(env, log=None if log is None else (lambda line: log(redact_text(line))))
    store = CredentialStore(netrc=netrc, provider=credentials)
    main: httpx.AsyncBaseTransport
    if _HTTP2:
        from puffin.client.http2 import Http2Transport

        main = Http2Transport(context, fallback=transport)
    else:
        main = transport()
    http = httpx.AsyncClient(
        transport=main,
        mounts=mounts,
        timeout=httpx.Timeout(options.timeout),
        follow_redirects=True,
        trust_env=False,
        headers={"User-Agent": options.user_agent},
    )
    cache = HttpCache(cache_dir) if cache_dir is not None else None
    async with http:
        yield HttpClient(
            options,
            http=http,
            cache=cache,
            credentials=store,
            log=log,
            extra_secrets=frozenset(proxy_secrets),
            writes=writes,
            plain_certificates=None
            if any(mount is not None for mount in mounts.values())
            else (env.get("SSL_CERT_FILE") or None, env.get("SSL_CERT_DIR") or None),
        )


def _parse_tail(content_range: str, body: bytes, shown: str) -> Answer[tuple[int, bytes]] | _Retry:
    """Check a suffix-range answer: ``bytes A-B/TOTAL`` with B = TOTAL - 1."""
    unit, _, spec = content_range.partition(" ")
    span, _, total_text = spec.partition("/")
    first, _, last = span.partition("-")
    try:
        if unit.strip().lower() != "bytes":
            raise ValueError(content_range)
        first_byte, last_byte, total = int(first), int(last), int(total_text)
    except ValueError:
        return Failed(shown, f"unusable Content-Range {content_range!r}")
    if last_byte != total - 1:
        return Failed(shown, f"server sent bytes {first_byte}-{last_byte} of {total}, not the tail")
    if len(body) != last_byte - first_byte + 1:
        return _Retry(f"truncated body: received {len(body)} of {last_byte - first_byte + 1} bytes")
    return Found((total, body))
