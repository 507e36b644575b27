"""The HTTP cache: one file per (URL, Accept) in ``<cache root>/http-v1``.

An entry holds the status, the final URL, the response headers and the (decoded) body of
a 200 response to a GET. Entries are written to a temporary file in their own directory
and renamed into place, so a reader, or another puffin filling the same cache at the same
time, sees the old entry, the new one or none, never a torn one. A file that does not
parse (a crash of an older version, a disk error) counts as a miss and is overwritten.

Freshness follows RFC 9111 for a private cache, roughly: ``Cache-Control: max-age`` (else
``Expires`` minus ``Date``) against the entry's age (``Age`` plus the time since it was
stored); ``no-cache`` stores but always revalidates, ``no-store`` does not store. Without
explicit freshness an entry is stale at once: an index page can change at any moment, and
revalidating with ``ETag``/``Last-Modified`` costs one round trip and no body.

File layout::

    b"puffin-http-v1\\n"  4-byte big-endian length  JSON metadata  body
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import field, replace
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from puffin._values import value_type

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

__all__ = [
    "BUCKET",
    "CacheEntry",
    "CorruptEntry",
    "HttpCache",
    "cache_control",
    "cache_key",
    "parse_entry",
    "serialize_entry",
    "storable",
]

BUCKET = "http-v1"
"""The cache bucket's directory name; bumped when the entry format changes."""

_MAGIC = b"puffin-http-v1\n"
_LENGTH_BYTES = 4
# Read first: the metadata of an entry (a few hundred bytes) and, for most pages, the body.
_FIRST_READ = 64 * 1024
# A 304 describes the stored representation; these of its headers describe the (empty)
# 304 message itself, or the transfer, and must not overwrite the stored ones.
_NOT_REFRESHED = frozenset(
    {
        "content-length",
        "content-encoding",
        "content-range",
        "content-type",
        "transfer-encoding",
        "connection",
        "keep-alive",
    }
)


class CorruptEntry(ValueError):
    """A cache file that is not a complete entry (for the key it was read for)."""


def cache_key(url: str, accept: str | None) -> str:
    """The key of a GET of ``url`` (no userinfo, no fragment) with this ``Accept`` header:
    a simple index answers HTML or JSON for one URL depending on it."""
    return f"GET {url}\naccept: {accept or ''}"


def cache_control(headers: Mapping[str, str]) -> Mapping[str, str | None]:
    """The ``Cache-Control`` directives: lower-case name -> argument (None without one)."""
    directives: dict[str, str | None] = {}
    for element in headers.get("cache-control", "").split(","):
        name, eq, value = element.strip().partition("=")
        name = name.strip().lower()
        if name:
            directives[name] = value.strip().strip('"') if eq else None
    return MappingProxyType(directives)


def storable(status: int, headers: Mapping[str, str]) -> bool:
    """Whether a GET response may be stored: a 200 without ``no-store`` or ``Vary: *``."""
    if status != 200:
        return False
    if "no-store" in cache_control(headers):
        return False
    return "*" not in (v.strip() for v in headers.get("vary", "").split(","))


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(float(int(value)), 0.0)
    except ValueError:
        return None


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _empty_headers() -> Mapping[str, str]:
    return MappingProxyType({})


@value_type
class CacheEntry:
    """One stored response.

    ``key`` is the full cache key (the file name is only its hash, so the key is checked
    on every read); ``stored_at`` is the time (``time.time()``) the response arrived or was
    last revalidated.
    """

    key: str
    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=_empty_headers)
    body: bytes = b""
    stored_at: float = 0.0

    def age(self, now: float) -> float:
        """Seconds since the origin server produced the response (``Age`` included)."""
        received_age = _seconds(self.headers.get("age")) or 0.0
        return received_age + max(now - self.stored_at, 0.0)

    def freshness_lifetime(self) -> float:
        """Seconds the response stays fresh; 0 when it must always be revalidated."""
        directives = cache_control(self.headers)
        if "no-cache" in directives or "no-store" in directives:
            return 0.0
        max_age = _seconds(directives.get("max-age"))
        if max_age is not None:
            return max_age
        expires = _http_date(self.headers.get("expires"))
        if expires is not None:
            date = _http_date(self.headers.get("date"))
            return max(expires - (date if date is not None else self.stored_at), 0.0)
        return 0.0

    def is_fresh(self, now: float) -> bool:
        """Whether the entry may be used without asking the server."""
        return self.age(now) < self.freshness_lifetime()

    def validators(self) -> Mapping[str, str]:
        """Request headers that make a GET conditional on this entry (may be empty)."""
        conditional: dict[str, str] = {}
        etag = self.headers.get("etag")
        if etag:
            conditional["If-None-Match"] = etag
        last_modified = self.headers.get("last-modified")
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        return MappingProxyType(conditional)

    def refreshed(self, headers: Mapping[str, str], now: float) -> CacheEntry:
        """The entry after a 304 carrying ``headers``: the same body, updated headers, and
        its age restarted."""
        merged = dict(self.headers)
        # The stored Age described the response when it first arrived; the age restarts
        # now, from whatever Age the 304 itself carries.
        merged.pop("age", None)
        for name, value in headers.items():
            if name not in _NOT_REFRESHED:
                merged[name] = value
        return replace(self, headers=MappingProxyType(merged), stored_at=now)


def serialize_entry(entry: CacheEntry) -> bytes:
    """The bytes of a cache file for ``entry``."""
    meta = {
        "key": entry.key,
        "url": entry.url,
        "status": entry.status,
        "headers": [[name, value] for name, value in entry.headers.items()],
        "stored_at": entry.stored_at,
        "body_length": len(entry.body),
    }
    encoded = json.dumps(meta, separators=(",", ":")).encode("utf-8")
    return b"".join((_MAGIC, len(encoded).to_bytes(_LENGTH_BYTES, "big"), encoded, entry.body))


def parse_entry(data: bytes, *, key: str | None = None) -> CacheEntry:
    """Parse a cache file; raise :class:`CorruptEntry` unless it is complete and, when
    ``key`` is given, stores that key."""
    head, body_start, body_length = _parse_head(data, key=key)
    body = data[body_start:]
    if len(body) != body_length:
        raise CorruptEntry(f"body has {len(body)} bytes, expected {body_length}")
    return replace(head, body=body)


def _metadata_end(data: bytes) -> int:
    """Where the metadata of the cache file starting with ``data`` ends (the body's start)."""
    if not data.startswith(_MAGIC):
        raise CorruptEntry("not a puffin HTTP cache entry")
    start = len(_MAGIC) + _LENGTH_BYTES
    return start + int.from_bytes(data[len(_MAGIC) : start], "big")


def _parse_head(data: bytes, *, key: str | None) -> tuple[CacheEntry, int, int]:
    """The entry without its body, where the body starts, and its stated length."""
    end = _metadata_end(data)
    start = len(_MAGIC) + _LENGTH_BYTES
    if len(data) < end:
        raise CorruptEntry("metadata cut short")
    try:
        meta = json.loads(data[start:end])
        stored_key = meta["key"]
        url = meta["url"]
        status = meta["status"]
        header_pairs = meta["headers"]
        stored_at = meta["stored_at"]
        body_length = meta["body_length"]
    except (ValueError, KeyError, TypeError) as error:
        raise CorruptEntry(f"unreadable metadata: {type(error).__name__}") from None
    if not (
        isinstance(stored_key, str)
        and isinstance(url, str)
        and isinstance(status, int)
        and isinstance(stored_at, int | float)
        and isinstance(body_length, int)
        and isinstance(header_pairs, list)
        and all(
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(part, str) for part in pair)
            for pair in header_pairs
        )
    ):
        raise CorruptEntry("malformed metadata")
    if key is not None and stored_key != key:
        raise CorruptEntry("entry belongs to another key")  # a hash collision, in theory
    headers = MappingProxyType({name: value for name, value in header_pairs})
    return CacheEntry(stored_key, url, status, headers, b"", float(stored_at)), end, body_length


class HttpCache:
    """The ``http-v1`` bucket under a cache root.

    Holds no state besides its location: every call reads or writes the disk, so any
    number of clients and processes can share one cache.
    """

    def __init__(self, cache_root: Path) -> None:
        self.cache_root = Path(cache_root)
        self.directory = self.cache_root / BUCKET

    def path(self, key: str) -> Path:
        """The file of ``key``: ``http-v1/<2 hex>/<sha256 of key>``."""
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        # A two-character fan-out keeps directories small on caches of 100k pages.
        return self.directory / digest[:2] / digest

    def load(
        self, key: str, *, usable: Callable[[CacheEntry], bool] | None = None
    ) -> CacheEntry | None:
        """The entry for ``key``, or None when there is none or it does not parse.

        :param usable: shown the entry without its body first; when it answers False, the
            body is not read and the answer is None. A stale page without validators is of
            no use, and reading its body cost as much as the page (63 MB for the 201 pages
            of the data-science bench set, on every run against an index that sends
            neither ``ETag`` nor ``Cache-Control``).
        """
        try:
            with open(self.path(key), "rb") as file:
                data = file.read(_FIRST_READ)
                try:
                    end = _metadata_end(data)
                    if len(data) < end:
                        data += file.read(end - len(data))
                    head, start, length = _parse_head(data, key=key)
                except CorruptEntry:
                    return None
                if usable is not None and not usable(head):
                    return None
                body = data[start:] + file.read()
        except OSError:
            return None
        if len(body) != length:
            return None
        return replace(head, body=body)

    def store(self, entry: CacheEntry) -> None:
        """Write ``entry`` atomically (temporary file in the same directory, then rename).

        Raises OSError when the cache cannot be written; callers treat that as a cache
        that did not keep the response.
        """
        target = self.path(entry.key)
        if not target.parent.is_dir():
            # Through the Cache object, so that the root gets its CACHEDIR.TAG.
            from puffin.cache.dirs import Cache

            Cache(self.cache_root).bucket(BUCKET)
            target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(serialize_entry(entry))
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def entries(self) -> Iterator[Path]:
        """Every entry file (temporary files excluded), in no particular order."""
        if not self.directory.is_dir():
            return
        for shard in self.directory.iterdir():
            if shard.is_dir():
                for path in shard.iterdir():
                    if not path.name.startswith("."):
                        yield path
