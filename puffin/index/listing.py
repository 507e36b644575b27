"""A project's files, grouped by version from their names, each file built when first read.

A large project lists tens of thousands of files (botocore: 5,000; the data-science set
of the benchmarks: 138,000 in all), and a resolution reads the files of a handful of
versions. :class:`FileListing` groups a page's entries by the version in their file
names, which costs a string split per wheel, and turns an entry into a
:class:`~puffin.types.DistFile` (URL resolution, hashes, upload time) only when something
reads that version, or iterates the whole listing.

The grouping rule lives here once: :func:`group_filenames` is what both the lazy listing
and :func:`puffin.index.selection.group_by_version` use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from puffin.index.filenames import SDIST_SUFFIXES, parse_dist_filename

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from packaging.utils import NormalizedName

    from puffin.types.dist import DistFile

__all__ = ["FileListing", "Grouping", "group_filenames", "versions_of"]


class Grouping(tuple[dict[Version, list[int]], list[int]]):
    """Positions of a listing's files: by version (newest first), and the rest.

    ``others`` are distribution files that name another project or whose version does not
    parse: simple pages and find-links pages may link anything.
    """

    __slots__ = ()

    @property
    def by_version(self) -> dict[Version, list[int]]:
        """Version -> positions of its files, in listing order; newest version first."""
        return self[0]

    @property
    def others(self) -> list[int]:
        """Positions of distribution files of no version of the project."""
        return self[1]


def group_filenames(filenames: Sequence[str], *, project: str) -> Grouping:
    """Group ``filenames`` (a listing, in order) by the version of ``project`` they offer.

    Names that are not distributions are left out entirely. Versions that are equal under
    PEP 440 (``1.0`` and ``1.0.0``) share one entry. Wheels are grouped by their name and
    version fields alone: their tags are parsed when a version's files are ranked.
    """
    project = canonicalize_name(project)
    groups: dict[Version, list[int]] = {}
    others: list[int] = []
    versions: dict[str, Version | None] = {}
    names: dict[str, bool] = {}
    for position, filename in enumerate(filenames):
        wheel = filename.endswith(".whl")
        if wheel:
            parts = filename[:-4].split("-")
            if len(parts) not in (5, 6):
                others.append(position)
                continue
            raw_name, raw_version = parts[0], parts[1]
        else:
            stem = _sdist_stem(filename)
            if stem is None:
                continue
            # Most sdist names split at their last dash into the project and the version;
            # the others (legacy versions with dashes) take the full parse below.
            raw_name, _, raw_version = stem.rpartition("-")
        matches = names.get(raw_name)
        if matches is None:
            matches = names[raw_name] = canonicalize_name(raw_name) == project
        if matches:
            version = versions.get(raw_version, _UNSEEN)
            if version is _UNSEEN:
                version = versions[raw_version] = _version_or_none(raw_version)
            if version is None:
                others.append(position)
            else:
                groups.setdefault(version, []).append(position)
        elif wheel:
            others.append(position)
        else:
            parsed = parse_dist_filename(filename, project=project)
            if parsed is not None and parsed.name == project:
                groups.setdefault(parsed.version, []).append(position)
            else:
                others.append(position)
    ordered = {version: groups[version] for version in sorted(groups, reverse=True)}
    return Grouping((ordered, others))


_UNSEEN: Any = object()


def _sdist_stem(filename: str) -> str | None:
    """The name of an sdist without its archive suffix; None for any other file."""
    for suffix in SDIST_SUFFIXES:
        if filename.endswith(suffix) or filename[-len(suffix) :].lower() == suffix:
            return filename[: -len(suffix)]
    return None


def _version_or_none(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


Placed = tuple[int, "DistFile"]
"""A file and its position in the listing (listing order is position order)."""


class FileListing(Sequence["DistFile"]):
    """One project's distribution files from one listing, in listing order.

    Built from the listing's groups: one per version (newest first), plus one for the
    distribution files of no version of the project. A group is whatever its source
    stores (positions in a decoded page, a cached blob), and ``read`` turns one group into
    its files with their positions. Reading :attr:`by_version` reads no group; reading a
    version's files reads its group; iterating or indexing the listing reads them all,
    each once.

    Immutable from the outside: what was read is cached, never changed.
    """

    __slots__ = ("_by_version", "_groups", "_others", "_project", "_read", "_read_groups", "_whole")

    def __init__(
        self,
        project: NormalizedName,
        groups: Mapping[Version, Any],
        others: Any,
        read: Callable[[Any], Sequence[Placed]],
    ) -> None:
        """:param others: the group of files of no version of the project; None if none."""
        self._project = project
        self._groups = groups
        self._others = others
        self._read = read
        self._read_groups: dict[Version, Sequence[Placed]] = {}
        self._whole: tuple[DistFile, ...] | None = None
        self._by_version: VersionedFiles | None = None

    @classmethod
    def of_files(cls, project: NormalizedName, files: Sequence[DistFile]) -> FileListing:
        """A listing of files that are already built (an HTML page, a plugin's tuple)."""
        grouping = group_filenames([file.filename for file in files], project=project)

        def read(positions: list[int]) -> list[Placed]:
            return [(position, files[position]) for position in positions]

        return cls(project, grouping.by_version, grouping.others or None, read)

    @classmethod
    def of_entries(
        cls,
        project: NormalizedName,
        entries: Sequence[Any],
        grouping: Grouping,
        build: Callable[[Any], DistFile | None],
    ) -> FileListing:
        """A listing of ``entries`` grouped by ``grouping``; ``build`` makes the file of one
        entry (None: not a distribution file) when its version is read."""

        def read(positions: list[int]) -> list[Placed]:
            placed = []
            for position in positions:
                file = build(entries[position])
                if file is not None:
                    placed.append((position, file))
            return placed

        return cls(project, grouping.by_version, grouping.others or None, read)

    @property
    def project(self) -> NormalizedName:
        """The project the files were grouped for."""
        return self._project

    @property
    def by_version(self) -> VersionedFiles:
        """The files by version, newest first; a version's files are built when read."""
        if self._by_version is None:
            self._by_version = VersionedFiles(self)
        return self._by_version

    def versions(self) -> Iterator[Version]:
        """The versions, newest first."""
        return iter(self._groups)

    def version_count(self) -> int:
        """How many versions the listing offers."""
        return len(self._groups)

    def has_version(self, version: object) -> bool:
        """True when the listing offers ``version``."""
        return version in self._groups

    def placed(self, version: Version) -> Sequence[Placed]:
        """The files of ``version`` with their positions (KeyError: not offered)."""
        placed = self._read_groups.get(version)
        if placed is None:
            placed = self._read_groups[version] = self._read(self._groups[version])
        return placed

    def _all(self) -> tuple[DistFile, ...]:
        if self._whole is None:
            placed = [item for version in self._groups for item in self.placed(version)]
            if self._others is not None:
                placed.extend(self._read(self._others))
            placed.sort(key=_position)
            self._whole = tuple(file for _, file in placed)
        return self._whole

    def __len__(self) -> int:
        return len(self._all())

    def __bool__(self) -> bool:
        return bool(self._groups) or self._others is not None

    @overload
    def __getitem__(self, index: int) -> DistFile: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[DistFile]: ...
    def __getitem__(self, index: int | slice) -> DistFile | Sequence[DistFile]:
        return self._all()[index]

    def __iter__(self) -> Iterator[DistFile]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FileListing | tuple | list):
            return self._all() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"FileListing({self._project!r}, {len(self._groups)} versions)"


def _position(placed: Placed) -> int:
    return placed[0]


class VersionedFiles(Mapping["Version", tuple["DistFile", ...]]):
    """A :class:`FileListing` by version, newest first; values built when read."""

    __slots__ = ("_cache", "_listing")

    def __init__(self, listing: FileListing) -> None:
        self._listing = listing
        self._cache: dict[Version, tuple[DistFile, ...]] = {}

    def __getitem__(self, version: Version) -> tuple[DistFile, ...]:
        files = self._cache.get(version)
        if files is None:
            files = self._cache[version] = tuple(file for _, file in self._listing.placed(version))
        return files

    def __iter__(self) -> Iterator[Version]:
        return self._listing.versions()

    def __len__(self) -> int:
        return self._listing.version_count()

    def __contains__(self, version: object) -> bool:
        return self._listing.has_version(version)


def versions_of(
    files: Sequence[DistFile], *, project: NormalizedName
) -> Mapping[Version, tuple[DistFile, ...]]:
    """``files`` of ``project`` by version, newest first, files in listing order.

    A :class:`FileListing` of the same project is already grouped (nothing is built); any
    other sequence is grouped here.
    """
    if isinstance(files, FileListing) and files.project == project:
        return files.by_version
    return FileListing.of_files(project, files).by_version
