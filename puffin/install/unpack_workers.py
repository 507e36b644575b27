"""Wheels unpacked in worker processes, for installs that unpack many megabytes.

Unpacking is file creation: thousands of ``open``, ``write`` and ``mkdir`` calls, each of
which lets go of the GIL and takes it back. On threads, the unpacking fights the event
loop, which is downloading the other wheels, for the GIL. Measured on the web benchmark set
(58 wheels, 8,600 files): 1.15 s on six threads, 0.95 s on one, 0.6 s in two processes
including their start. An install of a few small wheels keeps threads: starting a process
costs more than it saves there.

The workers also fetch the large wheels whose sources name an anonymous URL
(:func:`fetch_and_unpack_in_worker`), so that the downloads' TLS, hashing and writing stay
off the command's process too (see :mod:`puffin.install.prefetch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from concurrent.futures import ProcessPoolExecutor

    from puffin.cache.dirs import Cache
    from puffin.client.plain import Fetched, PlainFetcher, PlainRequest
    from puffin.types import DistFile

__all__ = [
    "FETCHED_FROM",
    "PROCESSES_FROM",
    "SHARED_FROM",
    "UnpackWorkers",
    "worth_processes",
]

PROCESSES_FROM = 16 * 1024 * 1024
"""Wheels of this many bytes in all (as the index states their sizes) are unpacked in
worker processes; fewer are unpacked on threads."""
SHARED_FROM = 4 * 1024 * 1024
"""A wheel file of this size or more is unpacked by all the workers together, each taking
a share of its members (a run of consecutive ones, :func:`puffin.install.unpack.share`).
The largest wheels of a set tend to arrive last (they share the bandwidth with the
others), and one worker unpacking them alone kept the other cores idle at the end:
botocore's 16 MB took 0.35 s to 0.9 s after its last byte arrived."""


def worth_processes(wheels: Iterable[DistFile]) -> bool:
    """Whether ``wheels``, the ones to download and unpack, are large enough together for
    worker processes (a wheel whose size the index does not state counts as empty)."""
    return sum(wheel.size or 0 for wheel in wheels) >= PROCESSES_FROM


FETCHED_FROM = 1024 * 1024
"""A wheel of this size or more (as the index states it) is fetched by a worker too, when
its source offers an anonymous URL (:class:`~puffin.plugin.AnonymousFiles`); smaller ones
are fetched by the command's client, which keeps many small requests in flight on one
connection where a worker fetches one file at a time."""


@functools.cache
def _worker_fetcher() -> PlainFetcher:
    """The worker process's fetcher, which keeps its connections open between files.
    Only a worker process makes one: the command's process downloads with its client."""
    from puffin.client.plain import PlainFetcher

    return PlainFetcher()


def fetch_and_unpack_in_worker(
    request: PlainRequest,
    dest: str,
    hashes: dict[str, str],
    cache_root: str,
    sha256: str | None,
) -> tuple[str, Fetched]:
    """Fetch a wheel to ``dest`` (:class:`~puffin.client.plain.PlainFetcher`), then unpack
    it into the cache, in a worker process; the cache entry and what the fetch took.

    :raises PlainFetchError: the fetch failed (the caller fetches the file itself).
    :raises PuffinError: as :func:`~puffin.install.unpack.unpack_wheel`.
    """
    path = Path(dest)
    fetched = _worker_fetcher().fetch(request, path, hashes)
    return unpack_in_worker(dest, cache_root, sha256), fetched


def unpack_in_worker(wheel: str, cache_root: str, sha256: str | None) -> str:
    """:func:`~puffin.install.unpack.unpack_wheel`, in a worker process (paths as strings)."""
    from puffin.cache.dirs import Cache
    from puffin.install.unpack import unpack_wheel

    return str(unpack_wheel(Path(wheel), Cache(Path(cache_root)), sha256=sha256))


class UnpackWorkers:
    """Worker processes that unpack wheels into ``cache``, one per core (at most four)."""

    def __init__(self, cache: Cache, *, processes: int | None = None) -> None:
        """Start the workers, on a thread of their own
        (:func:`~puffin.processes.start_worker_pool`): the first wheels download meanwhile.

        :param processes: how many workers (default: one per core, at most four).
        """
        from puffin.processes import start_worker_pool

        self._cache = cache
        self._workers = processes or max(1, min(4, os.cpu_count() or 1))
        self._starting = start_worker_pool(self._workers)

    async def _pool(self) -> ProcessPoolExecutor:
        """The pool, once its workers are up.

        :raises OSError: no worker could start.
        :raises RuntimeError: no worker could start (``BrokenProcessPool``).
        """
        if not self._starting.done():
            await asyncio.wrap_future(self._starting)
        return self._starting.result()

    async def unpack(self, wheel: Path, *, sha256: str | None) -> Path:
        """The wheel's directory in the cache, unpacked by a worker (by all of them, in
        shares, for a wheel of :data:`SHARED_FROM` bytes or more).

        :raises PuffinError: as :func:`~puffin.install.unpack.unpack_wheel`.
        """
        loop = asyncio.get_running_loop()
        try:
            if self._workers > 1 and wheel.stat().st_size >= SHARED_FROM:
                return await self._unpack_shared(wheel, sha256)
            done = await loop.run_in_executor(
                await self._pool(), unpack_in_worker, str(wheel), str(self._cache.root), sha256
            )
        except (OSError, RuntimeError):
            # A worker that could not start or died (BrokenProcessPool is a RuntimeError),
            # or a file system error: unpacked here, where a real error is raised again.
            from puffin.install.unpack import unpack_wheel

            return await asyncio.to_thread(unpack_wheel, wheel, self._cache, sha256=sha256)
        return Path(done)

    async def fetch_and_unpack(
        self, request: PlainRequest, dest: Path, *, hashes: dict[str, str], sha256: str | None
    ) -> tuple[Path, Fetched]:
        """Fetch a wheel to ``dest`` and unpack it, both in a worker
        (:func:`fetch_and_unpack_in_worker`): the cache entry, and what the fetch took.

        :raises PlainFetchError: the fetch failed, or no worker could run it; the caller
            fetches the file itself.
        :raises PuffinError: the wheel cannot be unpacked.
        """
        from puffin.client.plain import PlainFetchError

        loop = asyncio.get_running_loop()
        try:
            done, fetched = await loop.run_in_executor(
                await self._pool(),
                fetch_and_unpack_in_worker,
                request,
                str(dest),
                hashes,
                str(self._cache.root),
                sha256,
            )
        except (OSError, RuntimeError) as error:
            # A worker that could not start or died (BrokenProcessPool is a RuntimeError).
            raise PlainFetchError(f"no worker process: {error!r}") from None
        return Path(done), fetched

    async def _unpack_shared(self, wheel: Path, sha256: str | None) -> Path:
        from puffin.cache.lock import FileLock
        from puffin.install.unpack import (
            cache_entry,
            extract_part,
            finish_entry,
            lock_path,
            new_temporary,
            remove_temporary,
        )

        pool = await self._pool()
        entry = await asyncio.to_thread(cache_entry, wheel, self._cache, sha256=sha256)
        if entry.is_dir():
            return entry
        loop = asyncio.get_running_loop()
        async with FileLock(lock_path(entry)):
            if entry.is_dir():  # another process finished it while this one waited
                return entry
            temporary = new_temporary(entry)
            try:
                parts = [
                    loop.run_in_executor(
                        pool, extract_part, str(wheel), str(temporary), part, self._workers
                    )
                    for part in range(self._workers)
                ]
                gathering = asyncio.gather(*parts, return_exceptions=True)
                try:
                    outcomes = await asyncio.shield(gathering)
                except asyncio.CancelledError:
                    # The workers write into the temporary directory until their shares
                    # are done; only then may it be removed.
                    await gathering
                    raise
                failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
                if failures:
                    raise failures[0]
                await asyncio.to_thread(finish_entry, wheel, temporary, entry)
            except BaseException:
                remove_temporary(temporary)
                raise
        return entry

    def close(self) -> None:
        """Stop the workers (a wheel being unpacked is finished first); workers still
        starting are waited for, then stopped."""
        with contextlib.suppress(OSError, RuntimeError):
            self._starting.result().shutdown(wait=True, cancel_futures=True)
