"""A cross-process lock on a file, for cache entries that several puffins may fill at once.

Atomic renames keep readers from seeing half an entry; a lock keeps two processes from
doing the same expensive work (building one sdist, unpacking one wheel) twice. Locks are
``flock(2)`` locks on a separate lock file: they belong to the open file description, so
they also exclude each other between threads or objects of one process, and the kernel
drops them when the holder dies, so a crash never leaves a stale lock behind.

POSIX only (``fcntl``), like the rest of puffin's cache.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from types import TracebackType

    from typing_extensions import Self

__all__ = ["FileLock", "LockTimeout"]

_POLL_INTERVAL = 0.01
_MAX_POLL_INTERVAL = 0.2


class LockTimeout(PuffinError):
    """The lock was not acquired within the timeout."""


class FileLock:
    """An exclusive (or shared) ``flock`` on ``path``, which is created if missing.

    Use as a context manager (``with FileLock(path): ...``), or ``async with`` to wait
    without blocking the event loop. Not re-entrant: acquiring a lock object twice is an
    error, and a second object on the same path waits for the first, even in one process.

    :param timeout: seconds to wait; None waits for ever, 0 tries once.
    :param shared: take a shared (reader) lock; any number of shared holders exclude
        exclusive ones.
    """

    def __init__(self, path: Path, *, timeout: float | None = None, shared: bool = False) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.shared = shared
        self._fd: int | None = None

    @property
    def locked(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def _open(self) -> int:
        if self._fd is not None:
            raise RuntimeError(f"lock on {self.path} is already held by this object")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)

    def _try(self, fd: int) -> bool:
        operation = fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _timeout_error(self) -> LockTimeout:
        return LockTimeout(f"timed out after {self.timeout:g}s waiting for the lock {self.path}")

    def acquire(self) -> None:
        """Take the lock, waiting up to ``timeout``; raise :class:`LockTimeout` if it is
        still held elsewhere then."""
        fd = self._open()
        try:
            if self.timeout is None:
                fcntl.flock(fd, fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX)
            else:
                deadline = time.monotonic() + self.timeout
                interval = _POLL_INTERVAL
                while not self._try(fd):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise self._timeout_error()
                    time.sleep(min(interval, remaining))
                    interval = min(interval * 2, _MAX_POLL_INTERVAL)
        except BaseException:
            # A timeout, or Ctrl-C while waiting: the descriptor must not leak.
            os.close(fd)
            raise
        self._fd = fd

    async def acquire_async(self) -> None:
        """Like :meth:`acquire`, but waits with ``asyncio.sleep`` between tries, so other
        tasks keep running (a blocking ``flock`` would stall the whole event loop)."""
        fd = self._open()
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        interval = _POLL_INTERVAL
        try:
            while not self._try(fd):
                if deadline is not None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise self._timeout_error()
                    await asyncio.sleep(min(interval, remaining))
                else:
                    await asyncio.sleep(interval)
                interval = min(interval * 2, _MAX_POLL_INTERVAL)
        except BaseException:
            # A timeout, or the task cancelled while waiting: the descriptor must not leak.
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        """Give the lock up; the lock file stays (removing it would race with waiters that
        opened it already and then lock a file nobody else can see)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()

    async def __aenter__(self) -> Self:
        await self.acquire_async()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()

    def __repr__(self) -> str:
        state = "locked" if self.locked else "unlocked"
        return f"FileLock({str(self.path)!r}, {'shared' if self.shared else 'exclusive'}, {state})"
