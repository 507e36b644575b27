"""Large project pages read in a worker process, on another core.

Decoding a large PEP 691 page and grouping its files by version is pure CPU (the
data-science benchmark set: 63 MB of JSON, 144,000 files), and in the command's process
it competes with the HTTP client and the resolver for one core and the GIL. A
:class:`PageReaders` sends such pages to one worker process, which returns the page's
reading in the form :mod:`puffin.index.page_cache` stores (each version's entries as a
marshal blob), so the command's process unpacks only the versions it reads.

The worker (:func:`puffin.processes.start_worker_pool`) starts after
:data:`START_AFTER` bytes of large pages, takes pages once it is up, and stops with the
command. A page the worker cannot read is read again in the command's process, so that a
malformed page fails with the usual message.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["LARGE_PAGE", "START_AFTER", "PageReaders", "stored_reading"]

LARGE_PAGE = 512 * 1024
"""Pages from this size on go to the worker; smaller ones cost less than the trip."""
START_AFTER = 32 * 1024 * 1024
"""The worker starts once large pages of this many bytes in all were read here: below
that, a worker costs the machine more than it takes off the command's thread, and a
resolution should not pay for a process it hardly uses. With pages decoded by orjson and
workers forked from the fork server, the web set (22 MB of pages) installed cold in 1,077
ms without the worker against 1,131 ms with it from 4 MB on (medians of 6); the
data-science set (63 MB) in 4,352 ms with it from 32 MB on against 4,619 ms from 4 MB
(medians of 4)."""


def stored_reading(content: bytes, url: str, project: str) -> bytes | None:
    """The marshalled reading of a PEP 691 JSON page (None when it cannot be read).

    Runs in the worker process: only bytes and strings cross the process boundary.
    """
    import marshal

    from packaging.utils import canonicalize_name

    from puffin.index.page_cache import stored_json_reading
    from puffin.index.simple import IndexPageError

    try:
        stored = stored_json_reading(content, url=url, project=canonicalize_name(project))
    except IndexPageError:
        return None
    return marshal.dumps(stored)


class PageReaders:
    """One worker process for large pages, per command; :meth:`close` stops it.

    The worker starts once large pages of :data:`START_AFTER` bytes were read here, and is
    used once it is up: starting an interpreter takes longer than reading a few pages, so
    the pages that come while it starts are read in the command's process, and a
    resolution with few large pages neither starts it nor waits for it.
    """

    def __init__(self) -> None:
        self._starting: Future[ProcessPoolExecutor] | None = None
        self._broken = False
        self._read_here = 0

    async def read(self, content: bytes, *, url: str, project: str) -> bytes | None:
        """The marshalled reading of a JSON page, from the worker; None when the worker
        cannot help (not up yet, failed to start or died, or the page does not read)."""
        if self._broken:
            return None
        try:
            if self._starting is None:
                self._read_here += len(content)
                if self._read_here >= START_AFTER:
                    self._launch()
                return None
            if not self._starting.done():
                return None
            pool = self._starting.result()  # raises if the worker could not start
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(pool, stored_reading, content, url, project)
        except (OSError, RuntimeError):
            # The worker could not start, or died (BrokenProcessPool is a RuntimeError):
            # pages are read in this process from now on.
            self._broken = True
            return None

    async def start(self) -> bool:
        """Start the worker now and wait until it is up; False when it cannot start."""
        if self._starting is None and not self._broken:
            self._launch()
        if self._starting is None:
            return False
        try:
            await asyncio.wrap_future(self._starting)
        except (OSError, RuntimeError):
            self._broken = True
            return False
        return True

    def close(self) -> None:
        """Stop the worker (waiting for it to start, or for a page it is reading)."""
        if self._starting is not None:
            with contextlib.suppress(OSError, RuntimeError):
                self._starting.result().shutdown(wait=True, cancel_futures=True)
            self._starting = None

    def _launch(self) -> None:
        """Start the worker, on a thread of its own; it is up once ``_starting`` is done."""
        from puffin.processes import start_worker_pool

        self._starting = start_worker_pool(1)
