"""A project page kept as it arrived, read only as far as the resolutions need.

A registry's PEP 691 project page (:meth:`~puffin.builtin.index_registry.RegistrySource.
list_files`) comes back as an :class:`UnreadPage`. A resolution that pins the project
(``==``) asks it for that version's files alone (:meth:`UnreadPage.files_of`), which a
scan of its bytes finds (:mod:`puffin.index.version_scan`); anything else reads the whole
page once, through the cache of page readings (:mod:`puffin.index.page_cache`), and the
page then answers as that :class:`~puffin.index.listing.FileListing`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict, overload

from puffin.index.filenames import SDIST_SUFFIXES

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable, Iterator

    from packaging.utils import NormalizedName
    from packaging.version import Version

    from puffin.cache.dirs import Cache
    from puffin.cache.writes import WriteBehind
    from puffin.index.listing import FileListing, Placed
    from puffin.index.page_cache import PageListing
    from puffin.index.page_worker import PageReaders
    from puffin.types import DistFile, IndexSpec

__all__ = ["UnreadPage"]


class _Where(TypedDict):
    """The page's arguments to the readers of :mod:`puffin.index.page_cache`."""

    content_type: str
    url: str
    source: IndexSpec
    project: NormalizedName
    writes: WriteBehind | None


# A file name a listing keeps (a wheel, or an sdist of any suffix: see group_filenames).
_DISTRIBUTION_NAME = re.compile(
    (
        r'"filename"\s*:\s*"[^"\\]*(?:\.whl|(?i:'
        + "|".join(re.escape(suffix) for suffix in SDIST_SUFFIXES)
        + r'))"'
    ).encode("ascii")
)


class UnreadPage(Sequence["DistFile"]):
    """One project's files on a simple-API page, as a sequence in listing order.

    :meth:`files_of` finds one version's files in a JSON page without reading it (an HTML
    page is always read). Reading it all happens once, on the first :meth:`listing` (or,
    synchronously, on the first use as a sequence), and the result is kept.
    """

    __slots__ = (
        "_cache",
        "_content",
        "_content_type",
        "_listing",
        "_lists_files",
        "_project",
        "_readers",
        "_reading",
        "_source",
        "_url",
        "_versions",
        "_writes",
    )

    def __init__(
        self,
        cache: Cache,
        content: bytes,
        *,
        content_type: str,
        url: str,
        source: IndexSpec,
        project: NormalizedName,
        writes: WriteBehind | None = None,
        readers: PageReaders | None = None,
    ) -> None:
        """Arguments as for :func:`~puffin.index.page_cache.read_large_listing`."""
        self._cache = cache
        self._content = content
        self._content_type = content_type
        self._url = url
        self._source = source
        self._project = project
        self._writes = writes
        self._readers = readers
        self._listing: FileListing | None = None
        self._lists_files: bool | None = None
        self._versions: tuple[str, ...] = ()
        self._reading: asyncio.Future[PageListing] | None = None

    @property
    def project(self) -> NormalizedName:
        """The project the page lists."""
        return self._project

    def lists_files(self) -> bool:
        """Whether the page lists a distribution file, found without reading the page
        (False means: read it to know, see :meth:`listing_now`)."""
        if self._listing is not None:
            return bool(self._listing)
        if self._lists_files is None:  # asked again by every truth test of the sequence
            self._lists_files = _DISTRIBUTION_NAME.search(self._content) is not None
        return self._lists_files

    def files_of(self, version: Version, wanted: Callable[[Version], bool]) -> FileListing | None:
        """The files of the versions ``wanted`` accepts, all of ``version``'s release, as
        a listing of those versions alone; None when the page is read already (filter
        its listing) or its text cannot be scanned with certainty (read it).

        :raises IndexPageError: an entry found is malformed (when its files are read).
        """
        from puffin.index.listing import FileListing
        from puffin.index.simple import json_file_reader
        from puffin.index.version_scan import scan_version_files

        if self._listing is not None:
            return None
        if not self._whole():
            return None
        scanned = scan_version_files(
            self._content, project=self._project, version=version, wanted=wanted
        )
        if scanned is None:
            return None
        groups: dict[Version, list[tuple[int, dict[str, Any]]]] = {}
        for offset, found, entry in scanned:
            groups.setdefault(found, []).append((offset, entry))
        build = json_file_reader(self._url, self._source)

        def read(group: list[tuple[int, dict[str, Any]]]) -> list[Placed]:
            placed = []
            for offset, entry in group:
                file = build(entry)
                if file is not None:
                    placed.append((offset, file))
            return placed

        ordered = dict(sorted(groups.items(), key=_version_of, reverse=True))
        return FileListing(self._project, ordered, None, read)

    async def listing(self) -> FileListing:
        """Every file of the page (read once, shared by concurrent callers).

        :raises IndexPageError: the page is malformed.
        """
        import asyncio

        from puffin.index.page_cache import read_large_listing

        if self._listing is not None:
            return self._listing
        if self._reading is None:
            self._reading = asyncio.ensure_future(
                read_large_listing(
                    self._cache, self._content, **self._where(), readers=self._readers
                )
            )
        page = await asyncio.shield(self._reading)
        return self._keep(page)

    def listing_now(self) -> FileListing:
        """:meth:`listing`, read in this thread (for the sequence methods).

        :raises IndexPageError: the page is malformed.
        """
        from puffin.index.page_cache import read_listing

        if self._listing is not None:
            return self._listing
        if self._reading is not None and self._reading.done():
            return self._keep(self._reading.result())
        return self._keep(read_listing(self._cache, self._content, **self._where()))

    @property
    def versions(self) -> tuple[str, ...]:
        """The page's PEP 700 ``versions``, once it is read (empty before)."""
        return self._versions

    def _where(self) -> _Where:
        return _Where(
            content_type=self._content_type,
            url=self._url,
            source=self._source,
            project=self._project,
            writes=self._writes,
        )

    def _keep(self, page: PageListing) -> FileListing:
        if self._listing is None:
            self._listing = page.files
            self._versions = page.versions
            self._content = b""  # read: the listing answers from now on
        return self._listing

    def _whole(self) -> bool:
        """Whether the body is one whole JSON object: a body cut short would hide the files
        after the cut (the client checks Content-Length; this costs nothing)."""
        content = self._content
        return content[:1] == b"{" and content[-64:].rstrip()[-1:] == b"}"

    # -- the sequence: the whole listing --------------------------------------------------

    def __len__(self) -> int:
        return len(self.listing_now())

    def __bool__(self) -> bool:
        return self.lists_files() or bool(self.listing_now())

    @overload
    def __getitem__(self, index: int) -> DistFile: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[DistFile]: ...
    def __getitem__(self, index: int | slice) -> DistFile | Sequence[DistFile]:
        return self.listing_now()[index]

    def __iter__(self) -> Iterator[DistFile]:
        return iter(self.listing_now())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, UnreadPage):
            other = other.listing_now()
        return self.listing_now() == other

    def __hash__(self) -> int:
        return hash(self.listing_now())

    def __repr__(self) -> str:
        state = "read" if self._listing is not None else "unread"
        return f"UnreadPage({self._project!r}, {self._url!r}, {state})"


def _version_of(group: tuple[Version, object]) -> Version:
    return group[0]
