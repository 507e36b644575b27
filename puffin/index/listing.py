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

from puffin.index.filenames import has_dist_suffix, parse_dist_filename

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
        if filename.endswith(".whl"):
            parts = filename[:-4].split("-")
            if len(parts) not in (5, 6):
                others.append(position)
                continue
            raw_name, raw_version = parts[0], parts[1]
            matches = names.get(raw_name)
            if matches is None:
                matches = names[raw_name] = canonicalize_name(raw_name) == project
            if not matches:
                others.append(position)
                continue
            version = versions.get(raw_version, _UNSEEN)
            if version is _UNSEEN:
                version = versions[raw_version] = _version_or_none(raw_version)
            if version is None:
                others.append(position)
            else:
                groups.setdefault(version, []).append(position)
            continue
        if not has_dist_suffix(filename):
            continue
        parsed = parse_dist_filename(filename, project=project)
        if parsed is not None and parsed.name == project:
            groups.setdefault(parsed.version, []).append(position)
        else:
            others.append(position)
    ordered = {version: groups[version] for version in sorted(groups, reverse=True)}
    return Grouping((ordered, others))


_UNSEEN: Any = object()


def _version_or_none(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


class FileListing(Sequence["DistFile"]):
    """One project's distribution files from one listing, in listing order.

    Built from the listing's entries (whatever form the page gave them), their file
    names, and a function that makes a :class:`DistFile` of one entry. Reading
    :attr:`by_version` builds nothing; reading a version's files builds those files;
    iterating or indexing the listing builds all of them, once.

    Immutable from the outside: the built files are cached, never changed.
    """

    __slots__ = ("_build", "_built", "_by_version", "_entries", "_grouping", "_project", "_whole")

    def __init__(
        self,
        project: NormalizedName,
        entries: Sequence[Any],
        grouping: Grouping,
        build: Callable[[Any], DistFile | None],
    ) -> None:
        self._project = project
        self._entries = entries
        self._grouping = grouping
        self._build = build
        self._built: dict[int, DistFile] = {}
        self._whole: tuple[DistFile, ...] | None = None
        self._by_version: VersionedFiles | None = None

    @classmethod
    def of_files(cls, project: NormalizedName, files: Sequence[DistFile]) -> FileListing:
        """A listing of files that are already built (an HTML page, a plugin's tuple)."""
        grouping = group_filenames([file.filename for file in files], project=project)
        return cls(project, files, grouping, _itself)

    @property
    def project(self) -> NormalizedName:
        """The project the files were grouped for."""
        return self._project

    @property
    def grouping(self) -> Grouping:
        """Where each version's files are among the entries."""
        return self._grouping

    @property
    def by_version(self) -> VersionedFiles:
        """The files by version, newest first; a version's files are built when read."""
        if self._by_version is None:
            self._by_version = VersionedFiles(self)
        return self._by_version

    def version_files(self, positions: Sequence[int]) -> tuple[DistFile, ...]:
        """The files at ``positions``, built on first use."""
        built = self._built
        files = []
        for position in positions:
            file = built.get(position)
            if file is None:
                made = self._build(self._entries[position])
                if made is None:
                    continue
                file = built[position] = made
            files.append(file)
        return tuple(files)

    def _all(self) -> tuple[DistFile, ...]:
        if self._whole is None:
            by_version, others = self._grouping
            positions = sorted([*others, *(p for group in by_version.values() for p in group)])
            self._whole = self.version_files(positions)
        return self._whole

    def __len__(self) -> int:
        return len(self._all())

    def __bool__(self) -> bool:
        by_version, others = self._grouping
        return bool(by_version) or bool(others)

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
        by_version, others = self._grouping
        count = sum(len(group) for group in by_version.values()) + len(others)
        return f"FileListing({self._project!r}, {len(by_version)} versions, {count} files)"


class VersionedFiles(Mapping["Version", tuple["DistFile", ...]]):
    """A :class:`FileListing` by version, newest first; values built when read."""

    __slots__ = ("_cache", "_listing")

    def __init__(self, listing: FileListing) -> None:
        self._listing = listing
        self._cache: dict[Version, tuple[DistFile, ...]] = {}

    def __getitem__(self, version: Version) -> tuple[DistFile, ...]:
        files = self._cache.get(version)
        if files is None:
            positions = self._listing.grouping.by_version[version]
            files = self._cache[version] = self._listing.version_files(positions)
        return files

    def __iter__(self) -> Iterator[Version]:
        return iter(self._listing.grouping.by_version)

    def __len__(self) -> int:
        return len(self._listing.grouping.by_version)

    def __contains__(self, version: object) -> bool:
        return version in self._listing.grouping.by_version


def _itself(file: DistFile) -> DistFile:
    return file


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
