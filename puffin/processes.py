"""Worker processes for CPU- and syscall-heavy work that should not share the GIL with
the command's event loop (reading large pages, unpacking wheels).

Workers are fresh interpreters (``spawn``): the command's process has threads, which
``fork`` would copy in an unknown state. Ctrl-C is the command's to handle: it stops the
pool, and a worker does not print a traceback of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["spawn_pool"]


def spawn_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes that ignore SIGINT."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_ignore_interrupts,
    )


def _ignore_interrupts() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
