"""Worker pools: real worker processes, forked from a fork server where the platform has
one, never from the command's own (threaded) process."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys

import pytest

from puffin.processes import WORKER_MODULES, start_worker_pool, worker_pool

FORK_SERVER = "forkserver" in multiprocessing.get_all_start_methods()


def _describe() -> tuple[int, int, bool, bool]:
    """(pid, parent pid, SIGINT ignored, the worker modules already imported)."""
    ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    preloaded = all(name in sys.modules for name in WORKER_MODULES)
    return os.getpid(), os.getppid(), ignored, preloaded


def _pid_after(seconds: float) -> int:
    import time

    time.sleep(seconds)
    return os.getpid()


def test_workers_run_in_other_processes_and_ignore_interrupts() -> None:
    with worker_pool(2) as pool:
        answers = [pool.submit(_describe).result() for _ in range(4)]

    assert all(pid != os.getpid() for pid, _, _, _ in answers)
    assert all(ignored for _, _, ignored, _ in answers)  # Ctrl-C is the command's


@pytest.mark.skipif(not FORK_SERVER, reason="this platform has no fork server")
def test_workers_are_forked_from_one_server_that_imported_their_modules() -> None:
    with worker_pool(1) as first, worker_pool(2) as second:
        answers = [first.submit(_describe).result(), second.submit(_describe).result()]

    parents = {parent for _, parent, _, _ in answers}
    assert parents != {os.getpid()}  # not forked from this (threaded) process
    assert len(parents) == 1  # one server for every pool
    assert all(preloaded for _, _, _, preloaded in answers)


def test_a_pool_starts_on_a_thread_of_its_own_and_is_handed_over_with_every_worker_up() -> None:
    starting = start_worker_pool(2)
    # The caller (the command's event loop) goes on at once: starting a worker waits for
    # the fork server, or for a new interpreter.
    assert not starting.done()
    with starting.result(timeout=120) as pool:
        answers = [pool.submit(_describe).result() for _ in range(4)]
        # Two tasks at once run in two processes: both workers are up.
        both = [pool.submit(_pid_after, 0.5) for _ in range(2)]
        pids = {task.result() for task in both}

    assert all(pid != os.getpid() for pid, _, _, _ in answers)
    assert all(ignored for _, _, ignored, _ in answers)
    assert len(pids) == 2
    assert os.getpid() not in pids
