"""Worker processes for CPU- and syscall-heavy work that should not share the GIL with
the command's event loop (reading large pages, fetching and unpacking wheels).

Workers are forked from a fork server where the platform has one (Linux, macOS), and
spawned elsewhere. Never forked from the command's process itself: it has threads, which
``fork`` would copy in an unknown state; the fork server is a process of its own with one
thread. It starts with the first pool of the process, imports what the workers run
(:data:`WORKER_MODULES`) and forks each worker from there, where a spawned worker starts a
new interpreter and imports those modules itself. A cold install starts up to three
workers (the page reader and one unpacker per core): spawning them and running their first
task took 230 to 250 ms of the machine's CPU, forking them from the server 140 ms, and
their first results came 35 ms sooner.

A forked worker has the environment and umask the server started with (the process's at
its first pool), not the command's of the moment: what a task needs from the command's
environment travels in its arguments (the TLS settings of a fetch, say).

Ctrl-C is the command's to handle: it stops the pool, and a worker does not print a
traceback of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

__all__ = ["WORKER_MODULES", "start_worker_pool", "worker_pool"]

WORKER_MODULES = (
    "puffin.index.page_worker",
    "puffin.index.page_cache",
    "puffin.install.unpack_workers",
    "puffin.install.unpack",
    "puffin.install.zipread",
    "puffin.client.plain",
)
"""What the workers run, imported by the fork server before it forks them."""


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes that ignore SIGINT."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context: BaseContext
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Read when the server starts (the first pool of the process); the same list
        # every time.
        context.set_forkserver_preload(list(WORKER_MODULES))
    else:
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_ignore_interrupts
    )


def start_worker_pool(workers: int) -> Future[ProcessPoolExecutor]:
    """A pool of ``workers`` processes that ignore SIGINT (:func:`worker_pool`), made on a
    thread of its own. The future gives the pool once every worker has run a first task,
    or raises what kept them from starting: ``OSError``, or a ``RuntimeError`` such as
    ``BrokenProcessPool`` (the workers that did start are stopped then).

    Making a pool costs its caller 16 ms (importing :mod:`multiprocessing`), and the first
    worker of a command waits for the fork server to start and import
    :data:`WORKER_MODULES`: 65 ms on an idle machine, more beside a busy resolution. Pools
    are made in the middle of a resolution, on the event loop's thread, which must go on
    receiving pages and sending requests meanwhile: a cold web-set install's loop stood
    still for that long while its pages were arriving.
    """
    import threading
    from concurrent.futures import Future

    up: Future[ProcessPoolExecutor] = Future()
    # Running, so that a waiter's cancellation (asyncio.wrap_future passes it on) cannot
    # cancel the start and leave the pool without an owner.
    up.set_running_or_notify_cancel()

    def start() -> None:
        pool = None
        try:
            pool = worker_pool(workers)
            # A submission starts a worker while none is idle: all of them start here.
            firsts = [pool.submit(int) for _ in range(workers)]
            for first in firsts:
                first.result()
        except BaseException as error:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            up.set_exception(error)
        else:
            up.set_result(pool)

    threading.Thread(target=start, name="puffin-workers-start", daemon=True).start()
    return up


def _ignore_interrupts() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
