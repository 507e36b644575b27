"""Cache files written behind the command's back, on one background thread.

A cold resolution stores every project page twice (the HTTP response, and its reading in
``simple-parsed-v2``) and the metadata of every wheel it reads: hundreds of files and
tens of megabytes for a large requirement set. Creating a file on a busy ext4 file system
takes from tens of microseconds to milliseconds, and on the event loop's thread each of
those waits delays every request in flight. The command never reads these files again
(its in-flight map already holds the results), so they are written by a
:class:`WriteBehind` thread, which file-system calls leave free to run beside the loop
(they release the GIL), and the command waits for the last of them before it ends.

Every write is atomic (a temporary sibling, then ``os.replace``): a reader, in this
command or a concurrent one, sees the old file, the new file, or none; never a part.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

__all__ = ["WriteBehind", "store_cache_file", "write_atomically"]


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary sibling and ``os.replace``.

    :raises OSError: the file cannot be written; no temporary file is left behind.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def store_cache_file(
    path: Path, data: Callable[[], bytes], *, writes: WriteBehind | None, what: str
) -> None:
    """Keep ``data()`` at ``path``: behind the command with ``writes``, else now.

    A cache that cannot be written is no error either way: the entry is not kept.
    """
    if writes is not None:
        writes.write_file(path, data, what=what)
        return
    with contextlib.suppress(OSError, ValueError):
        write_atomically(path, data())


class WriteBehind:
    """Runs cache writes on one background thread; :meth:`close` waits for all of them.

    One per command (:attr:`puffin.context.Context.writes`). A failed write is reported
    to ``on_error`` and otherwise ignored: a cache that could not keep an entry costs the
    next command a fetch, never this one its result.
    """

    def __init__(self, on_error: Callable[[str], None] | None = None) -> None:
        self._on_error = on_error
        self._executor: ThreadPoolExecutor | None = None
        self._closed = False

    def submit(self, write: Callable[[], None], *, what: str) -> None:
        """Run ``write()`` in the background (at once, in this thread, after :meth:`close`).

        :param what: names the entry in the message of a failed write.
        """
        if self._closed:
            self._run(write, what)
            return
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="puffin-cache-writes"
            )
        self._executor.submit(self._run, write, what)

    def write_file(self, path: Path, data: Callable[[], bytes], *, what: str) -> None:
        """Write ``data()`` to ``path`` atomically, in the background.

        ``data`` is called on the writer's thread, so serializing costs the loop nothing
        more than the GIL it shares.
        """
        self.submit(lambda: write_atomically(path, data()), what=what)

    def close(self) -> None:
        """Wait for every write submitted so far, and write later ones at once."""
        self._closed = True
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _run(self, write: Callable[[], None], what: str) -> None:
        try:
            write()
        except (OSError, ValueError) as error:
            if self._on_error is not None:
                self._on_error(f"could not write the cache entry for {what}: {error}")
