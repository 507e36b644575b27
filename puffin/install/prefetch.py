"""Wheels an install fetches and unpacks while its resolution still runs.

In a pinned requirements file (``pip compile`` output) every package has an ``==`` pin.
Once the resolver has chosen such a version, any solution that includes the package has
that version, so its wheel can be fetched and unpacked while the resolver reads the other
packages' metadata: on a cold cache the second core then works during the resolution,
which keeps the command's process busy on one.

The work goes to the worker processes of :class:`~puffin.install.unpack_workers.
UnpackWorkers`, which also fetch the large wheels themselves
(:class:`~puffin.plugin.AnonymousFiles`): what the command's process adds to a resolution
that occupies it is a few small downloads. The install joins this work through the
command's in-flight map, so nothing is fetched or unpacked twice, and it reports any
failure when it asks for the same wheel (nothing is reported here).

Nothing starts before the wheels chosen so far come to
:data:`~puffin.install.unpack_workers.PROCESSES_FROM` bytes: a small install unpacks after
its resolution, on threads, as before, and starts no processes.

A pinned wheel under :data:`~puffin.install.unpack_workers.FETCHED_FROM` bytes that the
install will fetch is named back to the resolution, which fetches it whole at once and
reads the version's metadata from it (:func:`~puffin.resolution.metadata.
wheel_metadata_from_archive`): one request where range requests took two (the zip's end,
then METADATA), or a PEP 658 file one, before the same wheel's download. The install then
finds the wheel in the archive cache. On the web benchmark set this took 53 of the
client's 173 requests away, and the resolution from 600 to 421 ms (medians of 8, cold);
the whole install, bound by the CPU of two cores, from 1,082 to 1,047 ms.

Measured without the large wheels fetched by workers (the command's process fetching
everything): the web set's resolution took 0.9 to 1.1 s instead of 0.4 to 0.6 s, and the
install gained nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from packaging.utils import NormalizedName

    from puffin.context import Context
    from puffin.environment.target import TargetEnvironment
    from puffin.install.unpack_workers import UnpackWorkers
    from puffin.resolution.candidates import VersionCandidate
    from puffin.types import DistFile, ResolvedDist

__all__ = ["WheelPrefetch"]


class WheelPrefetch:
    """The ``on_pinned`` callback of an install's resolution; :meth:`close` it at the end.

    :param satisfied: whether the environment keeps what it has installed for a
        distribution (then nothing is fetched for it).
    """

    def __init__(
        self,
        ctx: Context,
        target: TargetEnvironment,
        *,
        satisfied: Callable[[ResolvedDist], bool],
    ) -> None:
        self._ctx = ctx
        self._target = target
        self._satisfied = satisfied
        self._stopped = False
        self._waiting: list[ResolvedDist] = []
        self._waiting_bytes = 0
        self._workers: UnpackWorkers | None = None
        self._tasks: list[asyncio.Future[None]] = []

    @property
    def workers(self) -> UnpackWorkers | None:
        """The worker processes, once started: the install unpacks with them too."""
        return self._workers

    def __call__(self, name: NormalizedName, candidate: VersionCandidate) -> DistFile | None:
        """Fetch and unpack the wheel that installs ``name`` at ``candidate``, if the
        install will need it, once enough such wheels were chosen.

        :returns: that wheel when it is smaller than
            :data:`~puffin.install.unpack_workers.FETCHED_FROM`: the resolution fetches it
            whole now, to read its metadata from it (see the module's docstring).
        """
        from puffin.install.prepare import wheel_to_download
        from puffin.install.unpack_workers import FETCHED_FROM, PROCESSES_FROM
        from puffin.types import ResolvedDist

        if self._stopped:
            return None
        # The candidate's files are ranked for the target already: the same best wheel as
        # from all of the version's files, without parsing every name again (30 ms of a
        # warm data-science install, where nothing is fetched, with all of them).
        dist = ResolvedDist(name, candidate.version, files=candidate.files)
        if self._satisfied(dist):
            return None
        wheel = wheel_to_download(self._ctx, dist, self._target)
        if wheel is None:
            return None  # unpacked in the cache already, or built from source
        whole = wheel if wheel.size is not None and wheel.size < FETCHED_FROM else None
        if self._workers is not None:
            self._start(dist)
            return whole
        self._waiting.append(dist)
        self._waiting_bytes += wheel.size or 0
        if self._waiting_bytes >= PROCESSES_FROM:
            from puffin.install.unpack_workers import UnpackWorkers

            try:
                self._workers = UnpackWorkers(self._ctx.cache)
            except RuntimeError:
                # No thread could start to start them: the install fetches and unpacks
                # after the resolution, which this callback must never break. (Workers
                # that cannot start fail their tasks, which the install does again.)
                self._stopped = True
                return whole
            for waiting in self._waiting:
                self._start(waiting)
            self._waiting.clear()
        return whole

    async def close(self) -> None:
        """Stop waiting for the prefetches (the in-flight map finishes or cancels their
        work with the command), then stop the workers."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._workers is not None:
            self._workers.close()

    def _start(self, dist: ResolvedDist) -> None:
        self._tasks.append(asyncio.ensure_future(self._unpacked(dist)))

    async def _unpacked(self, dist: ResolvedDist) -> None:
        from puffin.install.prepare import unpacked_wheel

        ctx = self._ctx._replace(unpackers=self._workers)
        # The install reports any failure when it asks for the same wheel (see above).
        with contextlib.suppress(Exception):
            await unpacked_wheel(ctx, dist, self._target)
