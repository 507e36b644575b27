"""Work done once per command, however many tasks ask for it: the in-flight map.

A command runs many resolutions (the user's, and one per build environment) and many
builds at once. When two of them need the same thing (setuptools' metadata, its unpacked
wheel, an environment with the same pins, the wheel of one sdist), the first caller starts
the work and every later caller awaits the same task. Finished results stay in the map,
so the answer is also remembered for the rest of the command.

One :class:`InFlight` travels in the command's :class:`~puffin.context.Context`; it is
never global. It belongs to the event loop that first uses it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Hashable

_T = TypeVar("_T")


class InFlight:
    """Memoized async work by key, plus named concurrency limits, for one command.

    Keys are tuples whose first item names the kind of work (``("wheel", build_key)``),
    so different kinds never collide. A failed task stays failed for the command: every
    caller gets the same error, and nothing is attempted twice.
    """

    __slots__ = ("_limits", "_tasks")

    def __init__(self) -> None:
        self._tasks: dict[Hashable, asyncio.Task[Any]] = {}
        self._limits: dict[str, asyncio.Semaphore] = {}

    async def run(self, key: Hashable, work: Callable[[], Awaitable[_T]]) -> _T:
        """The result of ``work()`` for ``key``, started by the first caller only.

        A caller that is cancelled does not cancel the work for the others (the task is
        shielded); the work is cancelled only by :meth:`cancel_all`.
        """
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(_call(work))
            self._tasks[key] = task
        result: _T = await asyncio.shield(task)
        return result

    def started(self, key: Hashable) -> bool:
        """Whether work for ``key`` was started (finished or not)."""
        return key in self._tasks

    def limit(self, name: str, size: int) -> asyncio.Semaphore:
        """The semaphore named ``name`` (created with ``size`` slots on first use)."""
        semaphore = self._limits.get(name)
        if semaphore is None:
            semaphore = self._limits[name] = asyncio.Semaphore(max(1, size))
        return semaphore

    async def cancel_all(self) -> None:
        """Cancel unfinished work and wait for it to stop (at the end of a command, or
        when one failure makes everything else pointless)."""
        pending = [task for task in self._tasks.values() if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        for task in self._tasks.values():
            if task.done() and not task.cancelled():
                task.exception()  # retrieved: no "exception never retrieved" warnings


async def _call(work: Callable[[], Awaitable[_T]]) -> _T:
    return await work()


async def gather_all_or_cancel(*aws: Awaitable[_T]) -> list[_T]:
    """Like :func:`asyncio.gather`, but the first failure cancels the rest (and waits for
    them to stop) before it propagates: one failed build stops the others cleanly.

    ``asyncio.TaskGroup`` does this from Python 3.11; puffin also runs on 3.10.
    """
    tasks = [asyncio.ensure_future(aw) for aw in aws]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def run_command(main: Awaitable[_T]) -> _T:
    """``asyncio.run(main)``, without paying for a ``repr`` of the result.

    When ``asyncio.run`` restores the SIGINT handler it replaced, ``signal.signal`` tries
    to turn the old handler (which names the main task) into an enum member, and the
    failed attempt formats ``repr(task)``, which includes ``repr`` of the task's result:
    for an install of 200 packages that is the whole plan, a quarter of a second. The
    result travels in a box whose ``repr`` is constant.
    """

    async def boxed() -> _Box[_T]:
        return _Box(await main)

    return asyncio.run(boxed()).value


class _Box(Generic[_T]):
    __slots__ = ("value",)

    def __init__(self, value: _T) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<result>"
