"""Which files offer which version, and which file of a version suits a target best.

A project's listing is grouped by version (:func:`group_by_version`); for one version the
files are ranked for the target's wheel tags (:func:`rank_files`): compatible wheels by how
good their best tag is, then sdists. Wheels that fit no tag of the target are kept apart
(:func:`incompatible_wheels`) so that a resolver can say why a version was unusable.

Only names are considered here. Yanked files, ``Requires-Python`` and hashes are the
resolver's business, since their treatment depends on the request.
"""

from __future__ import annotations

from dataclasses import field
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from puffin._values import value_type
from puffin.index.filenames import parse_dist_filename

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from packaging.tags import Tag
    from packaging.utils import BuildTag, NormalizedName
    from packaging.version import Version

    from puffin.environment.target import TargetEnvironment
    from puffin.types.dist import DistFile

__all__ = [
    "TagPriority",
    "group_by_version",
    "incompatible_wheels",
    "prefer_find_links",
    "rank_files",
]


class _FileRank(NamedTuple):
    """What a file name says for one target."""

    wheel: bool
    rank: int | None
    """Wheels: the rank of the best supported tag, None when none is. Sdists: 0 for
    ``.tar.gz``, 1 for ``.zip``."""
    build: BuildTag


@value_type
class TagPriority:
    """The wheel tags a target supports, each with its rank: 0 is the most preferred.

    ``TagPriority(target.tags)`` once per target, then pass it to :func:`rank_files` for
    every version: ranking a file is then a few dictionary look-ups.
    """

    tags: tuple[Tag, ...]
    """The supported tags, best first (as :attr:`TargetEnvironment.tags` are)."""
    ranks: Mapping[Tag, int] = field(init=False, repr=False, compare=False)
    """Tag -> its position in :attr:`tags` (the first, for a tag listed twice); read-only."""
    _files: dict[str, _FileRank | None] = field(init=False, repr=False, compare=False)
    # What each file name seen so far says for this target: a command ranks one version's
    # files several times (the resolution, the plan, the download, the unpacking), and
    # parsing a wheel name (its version, its expanded tag set) is most of the cost.

    def __post_init__(self) -> None:
        tags = tuple(self.tags)
        ranks: dict[Tag, int] = {}
        for position, tag in enumerate(tags):
            ranks.setdefault(tag, position)
        # Frozen: the derived fields are set once, here.
        object.__setattr__(self, "tags", tags)
        object.__setattr__(self, "ranks", MappingProxyType(ranks))
        object.__setattr__(self, "_files", {})

    @classmethod
    def from_tags(cls, tags: Iterable[Tag]) -> TagPriority:
        """From supported tags listed best first, in any iterable."""
        return cls(tuple(tags))

    @classmethod
    def for_target(cls, target: TargetEnvironment) -> TagPriority:
        """The priorities of ``target``'s tags."""
        return cls(target.tags)

    def best(self, tags: Iterable[Tag]) -> int | None:
        """The rank of the best supported tag among ``tags``; None when none is supported."""
        ranks = self.ranks
        best: int | None = None
        for tag in tags:
            rank = ranks.get(tag)
            if rank is not None and (best is None or rank < best):
                best = rank
        return best

    def _file_rank(self, filename: str) -> _FileRank | None:
        """What ``filename`` is for this target (None: not a distribution name)."""
        files = self._files
        if filename in files:
            return files[filename]
        parsed = parse_dist_filename(filename)
        if parsed is None:
            rank = None
        elif parsed.kind == "sdist":
            rank = _FileRank(False, int(not filename.lower().endswith(".tar.gz")), ())
        else:
            rank = _FileRank(True, self.best(parsed.tags), parsed.build)
        files[filename] = rank
        return rank

    def supports(self, tags: Iterable[Tag]) -> bool:
        """True when the target supports at least one of ``tags``."""
        ranks = self.ranks
        return any(tag in ranks for tag in tags)


def group_by_version(
    files: Iterable[DistFile], *, project: NormalizedName
) -> dict[Version, tuple[DistFile, ...]]:
    """The files of ``project`` by version, newest version first, files in listing order.

    Files of other projects and names that do not parse are left out: simple pages and
    find-links pages may link anything. Versions that are equal under PEP 440 (``1.0`` and
    ``1.0.0``) share one entry. The rule is :func:`~puffin.index.listing.group_filenames`;
    :func:`~puffin.index.listing.versions_of` gives the same grouping without building
    every file of a lazy listing.
    """
    from puffin.index.listing import group_filenames

    listed = tuple(files)
    grouping = group_filenames([file.filename for file in listed], project=project)
    return {
        version: tuple(listed[position] for position in positions)
        for version, positions in grouping.by_version.items()
    }


def rank_files(
    files: Iterable[DistFile], tags: Sequence[Tag] | TagPriority
) -> tuple[DistFile, ...]:
    """One version's files, best first, for a target supporting ``tags`` (best first).

    Compatible wheels come first, ordered by the rank of the best tag each supports, then
    by build tag (higher first); then sdists (``.tar.gz`` before ``.zip``). Incompatible
    wheels and names that do not parse are left out (see :func:`incompatible_wheels`).
    Equal files keep their listing order. Pass a :class:`TagPriority` when ranking more
    than one version for the same target.
    """
    return _partition(files, _priority(tags))[0]


def incompatible_wheels(
    files: Iterable[DistFile], tags: Sequence[Tag] | TagPriority
) -> tuple[DistFile, ...]:
    """The wheels among ``files`` that support none of ``tags``, in listing order."""
    return _partition(files, _priority(tags))[1]


def prefer_find_links(
    index_files: Sequence[DistFile],
    flat_files: Iterable[DistFile],
    *,
    project: NormalizedName | None = None,
) -> Sequence[DistFile]:
    """One project's files from indexes and find-links, where find-links win per version.

    When find-links offer any file of version V of a project, every index file of that
    project and version is dropped, even a wheel for a platform the find-links files do not
    cover: a locally built or patched release must not be mixed with the index's files of
    the same version (their contents and hashes differ). Index files of versions that
    find-links do not offer, and index files whose names do not parse, are kept.

    Returns the find-links files, then the remaining index files, each in input order.
    ``project`` helps split legacy sdist names (see :func:`parse_dist_filename`).
    """
    flat = tuple(flat_files)
    if not flat:
        return index_files  # as given: a lazy listing stays lazy
    shadowed: set[tuple[NormalizedName, Version]] = set()
    for file in flat:
        parsed = parse_dist_filename(file.filename, project=project)
        if parsed is not None:
            shadowed.add((parsed.name, parsed.version))
    kept = []
    for file in index_files:
        parsed = parse_dist_filename(file.filename, project=project)
        if parsed is None or (parsed.name, parsed.version) not in shadowed:
            kept.append(file)
    return (*flat, *kept)


def _priority(tags: Sequence[Tag] | TagPriority) -> TagPriority:
    return tags if isinstance(tags, TagPriority) else TagPriority(tuple(tags))


def _partition(
    files: Iterable[DistFile], priority: TagPriority
) -> tuple[tuple[DistFile, ...], tuple[DistFile, ...]]:
    """(ranked compatible wheels and sdists, incompatible wheels)."""
    wheels: list[tuple[int, BuildTag, DistFile]] = []
    sdists: list[tuple[int, DistFile]] = []
    incompatible: list[DistFile] = []
    file_rank = priority._file_rank
    for file in files:
        known = file_rank(file.filename)
        if known is None:
            continue
        wheel, rank, build = known
        if not wheel:
            assert rank is not None
            sdists.append((rank, file))
        elif rank is None:
            incompatible.append(file)
        else:
            wheels.append((rank, build, file))
    # Two stable sorts: build tag descending, then tag rank ascending, so that the build
    # tag only breaks ties between wheels of the same rank (PEP 427's rule).
    wheels.sort(key=lambda item: item[1], reverse=True)
    wheels.sort(key=lambda item: item[0])
    sdists.sort(key=lambda item: item[0])
    ranked = (*(file for _, _, file in wheels), *(file for _, file in sdists))
    return ranked, tuple(incompatible)
