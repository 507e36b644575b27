"""Several package sources as one: which indexes are asked for a project, and in what order.

An :class:`IndexSet` holds the simple-index sources of a command in priority order and the
command's find-links locations (already read into one :class:`FlatIndex`, or as the
sources that plugins return for them). It lists each project once per command, however
many resolutions and concurrent tasks ask for it.
"""

from __future__ import annotations

import asyncio
import enum
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from puffin.index.flat import FlatIndex
from puffin.index.selection import prefer_find_links
from puffin.types.answer import Failed, Found, NotFound, Offline

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from packaging.utils import NormalizedName

    from puffin.plugin.protocols import IndexSource
    from puffin.types.answer import Answer
    from puffin.types.dist import DistFile

__all__ = ["IndexSet", "IndexStrategy"]


class IndexStrategy(enum.Enum):
    """How the files of several indexes combine (the values are the option's spellings)."""

    FIRST_INDEX = "first-index"
    """The default: a project comes from the first index that has it, and later indexes are
    not asked about it. An attacker who publishes a project of the same name on another
    index (dependency confusion) cannot win with a higher version."""

    UNSAFE_BEST_MATCH = "unsafe-best-match"
    """Every index is asked and their files merged, so the best version anywhere wins; only
    safe when every index is trusted with every project name."""


class IndexSet:
    """The simple indexes and find-links of one command, asked as one source.

    :param sources: the simple-index sources, in priority order (first is asked first).
    :param flat: the command's find-links locations: either already read and merged into
        one :class:`FlatIndex`, or as sources (plugins serve find-links locations too),
        in priority order. None: no find-links.
    :param strategy: how the indexes combine; find-links are always all consulted.

    Listings are memoized in the instance: build one ``IndexSet`` per command and share it
    between resolutions. It belongs to the event loop that first uses it.
    """

    __slots__ = (
        "_by_spec",
        "_flat",
        "_flat_index",
        "_flat_sources",
        "_listings",
        "_sources",
        "_strategy",
    )

    def __init__(
        self,
        sources: Sequence[IndexSource],
        flat: FlatIndex | Sequence[IndexSource] | None = None,
        strategy: IndexStrategy = IndexStrategy.FIRST_INDEX,
    ) -> None:
        self._sources = tuple(sources)
        self._flat: FlatIndex | tuple[IndexSource, ...]
        if flat is None or isinstance(flat, FlatIndex):
            self._flat = self._flat_index = flat if flat is not None else FlatIndex()
            self._flat_sources: tuple[IndexSource, ...] = ()
        else:
            self._flat = self._flat_sources = tuple(flat)
            self._flat_index = FlatIndex()
        self._strategy = strategy
        # Reversed, so that the first of two sources serving the same spec wins.
        every_source = (*self._sources, *self._flat_sources)
        self._by_spec = {source.spec: source for source in reversed(every_source)}
        # A task per project, so that concurrent callers await one listing.
        self._listings: dict[NormalizedName, asyncio.Future[Answer[Sequence[DistFile]]]] = {}

    @property
    def sources(self) -> tuple[IndexSource, ...]:
        """The simple-index sources, in priority order."""
        return self._sources

    @property
    def flat(self) -> FlatIndex | tuple[IndexSource, ...]:
        """The find-links locations, as given: one :class:`FlatIndex`, or sources."""
        return self._flat

    @property
    def strategy(self) -> IndexStrategy:
        """How the indexes combine."""
        return self._strategy

    def source_for(self, file: DistFile) -> IndexSource | None:
        """The source that serves ``file``'s location (to fetch it), by ``file.source``.

        None when no source of this set has that spec, e.g. for the files of a
        :class:`FlatIndex` passed in already read.
        """
        return self._by_spec.get(file.source)

    async def project_files(self, name: NormalizedName) -> Answer[Sequence[DistFile]]:
        """Every file of project ``name`` from the indexes and find-links, all versions.

        * ``first-index``: the indexes are asked one after another, and the first to answer
          :class:`Found` with at least one file gives the index files; later indexes are
          not asked. :class:`NotFound` (or an empty listing) moves on to the next index.
        * ``unsafe-best-match``: every index is asked at once; their files are merged, and
          a file name listed by several indexes is taken from the one asked first.

        Find-links are always all consulted (concurrently with the indexes, since they are
        independent), a repeated file name taken from the first location.

        An :class:`Offline` or :class:`Failed` answer from an index that was asked, or from
        a find-links source, is the answer (indexes first, then in priority order), even
        if other locations have the project: a result must not depend silently on which
        location happened to be reachable.

        Otherwise the find-links files are added to the index files; for a version they
        offer, they replace the index files of that version (see
        :func:`~puffin.index.selection.prefer_find_links`). :class:`NotFound` only when no
        index and no find-links location has a file of the project.

        Each project is listed once per instance; concurrent callers share the listing, and
        a caller that is cancelled does not cancel it for the others.
        """
        return await asyncio.shield(self._listing(canonicalize_name(name)))

    def prefetch(self, names: Iterable[str]) -> None:
        """Start listing ``names`` now; :meth:`project_files` answers from these listings.

        A command lists its direct requirements while it still loads the resolver.
        """
        for name in names:
            self._listing(canonicalize_name(name))

    def _listing(self, name: NormalizedName) -> asyncio.Future[Answer[Sequence[DistFile]]]:
        task = self._listings.get(name)
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            task = asyncio.ensure_future(self._list(name))
            self._listings[name] = task
        return task

    async def _list(self, name: NormalizedName) -> Answer[Sequence[DistFile]]:
        # Indexes and find-links are independent: ask both at once.
        if self._strategy is IndexStrategy.FIRST_INDEX:
            index_answer, flat_answer = await asyncio.gather(
                self._first_index(name), self._flat_files(name)
            )
        else:
            index_answer, flat_answer = await asyncio.gather(
                self._best_match(name), self._flat_files(name)
            )
        if isinstance(index_answer, Offline | Failed):
            return index_answer
        if isinstance(flat_answer, Offline | Failed):
            return flat_answer
        index_files = index_answer.value if isinstance(index_answer, Found) else ()
        flat_files = flat_answer.value if isinstance(flat_answer, Found) else ()
        if not index_files and not flat_files:
            return NotFound(name)
        return Found(prefer_find_links(index_files, flat_files, project=name))

    async def _flat_files(self, name: NormalizedName) -> Answer[Sequence[DistFile]]:
        """Every find-links file of ``name``; the first location wins a repeated file name."""
        if not self._flat_sources:
            return Found(self._flat_index.files(name))
        return _merge(
            await asyncio.gather(*(source.list_files(name) for source in self._flat_sources)),
            name,
        )

    async def _first_index(self, name: NormalizedName) -> Answer[Sequence[DistFile]]:
        # One index at a time, never speculatively in parallel: asking a later index at
        # all would tell it which private names we use, and invite it to answer.
        for source in self._sources:
            answer = await source.list_files(name)
            if isinstance(answer, Found):
                if answer.value:
                    return answer
            elif not isinstance(answer, NotFound):
                return answer
        return NotFound(name)

    async def _best_match(self, name: NormalizedName) -> Answer[Sequence[DistFile]]:
        answers = await asyncio.gather(*(source.list_files(name) for source in self._sources))
        return _merge(answers, name)

    def __repr__(self) -> str:
        urls = ", ".join(source.spec.url for source in self._sources)
        flat = ", ".join(source.spec.url for source in self._flat_sources) or repr(self._flat)
        return f"IndexSet([{urls}], {flat}, {self._strategy.value})"


def _merge(
    answers: Sequence[Answer[Sequence[DistFile]]], name: NormalizedName
) -> Answer[Sequence[DistFile]]:
    """The answers of several sources asked together, in priority order, as one.

    The first Offline or Failed answer wins: a merge missing one source's files could
    choose differently from the complete one. A file name listed twice is taken from the
    first source listing it.
    """
    for answer in answers:
        if isinstance(answer, Offline | Failed):
            return answer
    found = [answer for answer in answers if isinstance(answer, Found) and answer.value]
    if len(found) == 1:
        return found[0]  # nothing to merge: keep a lazy listing lazy
    merged: dict[str, DistFile] = {}
    for answer in answers:
        if isinstance(answer, Found):
            for file in answer.value:
                merged.setdefault(file.filename, file)
    return Found(tuple(merged.values())) if merged else NotFound(name)
