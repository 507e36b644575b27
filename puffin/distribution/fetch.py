"""Core metadata of a distribution file, as cheaply as the source allows.

In order: the metadata cache; the PEP 658 ``.metadata`` file when the index offers one;
HTTP range requests that read only the wheel's central directory and METADATA; the whole
wheel. Every answer is cached in the ``metadata-v1`` bucket, keyed by the file's sha256
when the index gives one and by :func:`unhashed_file_key` otherwise (hashes are optional in
the simple API).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from puffin.types.answer import Failed, Found, NotFound, Offline

if TYPE_CHECKING:
    from puffin.cache.dirs import Cache
    from puffin.cache.writes import WriteBehind
    from puffin.client import HttpClient
    from puffin.types.answer import Answer
    from puffin.types.dist import DistFile

METADATA_BUCKET = "metadata-v1"


def metadata_cache_path(cache: Cache, file: DistFile) -> Path:
    """Where the metadata of ``file`` is cached."""
    sha256 = file.hash("sha256")
    key = f"sha256-{sha256}" if sha256 else "url-" + unhashed_file_key(file)
    return cache.bucket(METADATA_BUCKET) / f"{key}.METADATA"


def unhashed_file_key(file: DistFile) -> str:
    """A digest that names ``file`` in the cache when its source gave no sha256: of its
    URL, and for a local file also of its size and modification time.

    A local file is rebuilt in place (``python -m build`` into ``dist/``, a
    ``--find-links`` directory of wheels built by hand) under the same name and version;
    keyed by its URL alone, the cache kept serving the first build's archive and
    metadata, even to ``--reinstall``.
    """
    identity = file.url
    path = local_path(file.url)
    if path is not None:
        try:
            stat = path.stat()
        except OSError:
            pass  # a missing file: its fetch reports it
        else:
            identity += f"\n{stat.st_size}\n{stat.st_mtime_ns}"
    return hashlib.sha256(identity.encode()).hexdigest()


def local_path(url: str) -> Path | None:
    """The local path of a ``file:`` URL, or None for any other URL."""
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return Path(unquote(parts.path))


async def fetch_core_metadata(
    file: DistFile, *, client: HttpClient | None, cache: Cache, writes: WriteBehind | None = None
) -> Answer[bytes]:
    """The METADATA of wheel ``file`` (see the module docstring for the order of attempts).

    Source distributions are not handled here: their metadata needs a build. With
    ``writes`` (the command's :class:`~puffin.cache.writes.WriteBehind`), the metadata
    is stored in the cache in the background.
    """
    if not file.is_wheel:
        return Failed(file.filename, "a source distribution must be built to read its metadata")
    cached = metadata_cache_path(cache, file)
    try:
        return Found(cached.read_bytes())
    except FileNotFoundError:
        pass
    from puffin.distribution.lazy_wheel import read_wheel_metadata_from_file

    path = local_path(file.url)
    if path is not None:
        if not path.is_file():
            return NotFound(str(path))
        data = read_wheel_metadata_from_file(path, file.filename)
        _store(cached, data, writes)
        return Found(data)

    if client is None:
        return Failed(file.filename, "no HTTP client available for a remote file")
    answer = await _fetch_remote(file, client, cache)
    if isinstance(answer, Found):
        _store(cached, answer.value, writes)
    return answer


async def _fetch_remote(file: DistFile, client: HttpClient, cache: Cache) -> Answer[bytes]:
    from puffin.distribution.lazy_wheel import (
        LazyWheelError,
        read_wheel_metadata,
        read_wheel_metadata_from_file,
    )

    if file.has_core_metadata:
        # PEP 658: the metadata lives at the file's URL (without fragment) + ".metadata".
        answer = await client.get(file.url.partition("#")[0] + ".metadata")
        if isinstance(answer, Found):
            return Found(answer.value.content)
        if isinstance(answer, Offline):
            return answer
        # A missing or broken .metadata file: fall back to reading the wheel itself.

    reader = _ClientRangeReader(client, file.url)
    try:
        return Found(await read_wheel_metadata(reader, file.filename))
    except (LazyWheelError, _RangeFailed):
        pass  # no range support, or an unusual zip: download it whole
    if reader.offline is not None:
        return reader.offline

    downloads = cache.bucket("downloads-tmp-v1")
    target = downloads / f"{os.getpid()}-{hashlib.sha256(file.url.encode()).hexdigest()}.whl"
    hashes = dict(file.hashes)
    downloaded = await client.download(file.url, target, hashes=hashes)
    if not isinstance(downloaded, Found):
        return downloaded
    try:
        return Found(read_wheel_metadata_from_file(downloaded.value, file.filename))
    finally:
        downloaded.value.unlink(missing_ok=True)


class _RangeFailed(Exception):
    """A range request failed; the caller downloads the whole wheel instead."""


class _ClientRangeReader:
    """A :class:`~puffin.distribution.lazy_wheel.RangeReader` over the HTTP client.

    The size comes with the first read: one suffix-range request returns the end of the
    file (which holds the zip's central directory) and, in its Content-Range, the total
    size; reads inside that tail are then answered from memory.
    """

    def __init__(self, client: HttpClient, url: str) -> None:
        self._client = client
        self._url = url
        self._tail_start = 0
        self._tail = b""
        self.offline: Offline | None = None

    async def size(self) -> int | None:
        from puffin.distribution.lazy_wheel import TAIL_SIZE

        answer = await self._client.get_tail(self._url, TAIL_SIZE)
        if isinstance(answer, Offline):
            self.offline = answer
        if not isinstance(answer, Found):
            return None
        total, self._tail = answer.value
        self._tail_start = total - len(self._tail)
        return total

    async def read(self, start: int, end: int) -> bytes:
        if self._tail and start >= self._tail_start:
            return self._tail[start - self._tail_start : end - self._tail_start]
        answer = await self._client.get_range(self._url, start, end)
        if isinstance(answer, Found):
            return answer.value
        raise _RangeFailed(getattr(answer, "reason", "range request failed"))


def _store(path: Path, data: bytes, writes: WriteBehind | None) -> None:
    """Write atomically; two processes storing the same metadata both succeed."""
    from puffin.cache.writes import store_cache_file

    store_cache_file(path, lambda: data, writes=writes, what=path.name)
