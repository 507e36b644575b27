"""puffin.cache.lock.FileLock: flock-based locks between objects, tasks and processes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from puffin.cache.lock import FileLock, LockTimeout
from puffin.errors import PuffinError

_HOLDER = """
import sys, time
from pathlib import Path
from puffin.cache.lock import FileLock
with FileLock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def is_locked(lock: FileLock) -> bool:
    # A call, not the property: mypy would keep the narrowing from the earlier assert.
    return lock.locked


def test_exclusive_between_objects(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "entry.lock"
    held = FileLock(path)
    with held:
        assert held.locked
        assert path.is_file()  # created, with its directory
        with pytest.raises(LockTimeout, match=r"timed out after 0\.05s"):
            FileLock(path, timeout=0.05).acquire()
        with pytest.raises(LockTimeout):
            FileLock(path, timeout=0).acquire()
    assert not is_locked(held)
    with FileLock(path, timeout=0):
        pass
    assert issubclass(LockTimeout, PuffinError)


def test_not_reentrant(tmp_path: Path) -> None:
    lock = FileLock(tmp_path / "x.lock")
    with lock, pytest.raises(RuntimeError, match="already held"):
        lock.acquire()
    lock.release()  # releasing an unheld lock is a no-op


def test_shared_locks_coexist_and_exclude_writers(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    with (
        FileLock(path, shared=True),
        FileLock(path, shared=True, timeout=0),
        pytest.raises(LockTimeout),
    ):
        FileLock(path, timeout=0).acquire()
    with FileLock(path, timeout=0):
        pass


def test_waits_for_another_process(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path), "0.5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockTimeout):
            FileLock(path, timeout=0.05).acquire()
        started = time.monotonic()
        with FileLock(path, timeout=10):
            waited = time.monotonic() - started
        assert 0.1 < waited < 5
    finally:
        holder.wait(timeout=10)
    assert holder.returncode == 0


def test_lock_dies_with_its_process(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path), "60"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait(timeout=10)
    with FileLock(path, timeout=5):
        pass


def test_async_lock_lets_other_tasks_run(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"

    async def main() -> list[str]:
        events: list[str] = []
        first = FileLock(path)
        await first.acquire_async()

        async def waiter() -> None:
            async with FileLock(path, timeout=5):
                events.append("waiter locked")

        task = asyncio.create_task(waiter())
        await asyncio.sleep(0.05)
        events.append("loop still running")  # the waiter does not block the loop
        first.release()
        await task
        with pytest.raises(LockTimeout):
            async with FileLock(path, timeout=0.02), FileLock(path, timeout=0.02):
                pass
        return events

    assert asyncio.run(main()) == ["loop still running", "waiter locked"]
