"""Which versions of a project the resolver may choose for a target, and why not the rest.

One :class:`ProjectCandidates` per project per resolution, built from the project's
listing: files grouped by version, then filtered by upload time (``--exclude-newer``),
by the target's wheel tags (an sdist makes an otherwise incompatible version usable; a
version with only an sdist must also suit the interpreter that will build it), and by the
``puffin_filter_candidates`` plugins. Yanked versions stay, marked: only an exact ``==``
pin may choose them. ``Requires-Python`` is not checked here: it becomes a dependency on
Python, so explanations can say which Python a version needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, overload

from puffin._values import value_type

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from packaging.utils import NormalizedName
    from packaging.version import Version

    from puffin.index.selection import TagPriority
    from puffin.types import Candidate, DistFile, Rejection


@value_type
class VersionCandidate:
    """One usable version: its files for the target (best first) and all its files."""

    version: Version
    files: tuple[DistFile, ...]
    """Compatible wheels by tag preference, then sdists: what an install would use."""
    all_files: tuple[DistFile, ...]
    """Every file of the version (``--generate-hashes`` lists them all)."""
    metadata_file: DistFile | None
    """The file whose metadata stands for the version: a compatible wheel, else any wheel
    (when an sdist makes the version usable, its wheels' metadata is the same), else the
    sdist; None for a source tree (a directory or git requirement)."""
    yanked: str | None = None
    """The yank reason when every file of the version is yanked."""

    @property
    def needs_build(self) -> bool:
        """True when the metadata can only come from an sdist."""
        return self.metadata_file is None or not self.metadata_file.is_wheel


class ProjectCandidates:
    """The versions of one project (newest first), judged one by one when first asked.

    A large project lists thousands of versions and a resolution looks at a handful:
    ranking a version's files for the target (parsing every wheel's tags) happens only for
    the versions the resolver considers. The cache lives in this object, which lives as
    long as one resolution.
    """

    __slots__ = ("_groups", "_judge", "_judged", "_order", "name")

    def __init__(
        self,
        name: NormalizedName,
        groups: Mapping[Version, tuple[DistFile, ...]],
        judge: Callable[[Version, tuple[DistFile, ...]], VersionCandidate | str],
    ) -> None:
        self.name = name
        self._order = tuple(groups)
        self._groups = groups  # not copied: a lazy listing builds a version's files when read
        self._judge = judge
        self._judged: dict[Version, VersionCandidate | str] = {}

    @classmethod
    def single(cls, name: NormalizedName, candidate: VersionCandidate) -> ProjectCandidates:
        """Exactly one usable version (a ``name @ url`` requirement)."""
        return cls(name, {candidate.version: candidate.all_files}, lambda _v, _f: candidate)

    @classmethod
    def empty(cls, name: NormalizedName) -> ProjectCandidates:
        """A project no source lists."""
        return cls(name, {}, lambda _v, _f: "is not listed")

    @property
    def versions(self) -> tuple[Version, ...]:
        """Every listed version, newest first, usable or not."""
        return self._order

    def judge(self, version: Version) -> VersionCandidate | str:
        """The candidate for ``version``, or the reason it may not be chosen."""
        verdict = self._judged.get(version)
        if verdict is None:
            files = self._groups.get(version)
            verdict = "is not listed" if files is None else self._judge(version, files)
            self._judged[version] = verdict
        return verdict

    def get(self, version: Version) -> VersionCandidate | None:
        """The candidate for ``version`` if it is usable."""
        verdict = self.judge(version)
        return verdict if isinstance(verdict, VersionCandidate) else None

    def rejected(self, allowed: Callable[[Version], bool]) -> list[tuple[Version, str]]:
        """Every version admitted by ``allowed`` that may not be chosen, with the reason."""
        return [
            (version, verdict)
            for version in self._order
            if allowed(version) and isinstance(verdict := self.judge(version), str)
        ]


def build_candidates(
    name: NormalizedName,
    by_version: Mapping[Version, tuple[DistFile, ...]],
    *,
    priority: TagPriority,
    exclude_newer: datetime | None,
    running_python: str,
    rejections: Sequence[Rejection] = (),
    builds_allowed: bool = True,
    target_python: str = "",
) -> ProjectCandidates:
    """The candidates of project ``name`` from its files grouped by version (newest first,
    as :func:`~puffin.index.selection.group_by_version` gives them); each version is
    judged when asked.

    ``target_python`` (``3.11.7``) rules out files whose index entry declares a
    ``Requires-Python`` that excludes it, before any metadata is fetched: walking down
    twenty releases that need a newer Python then costs no request at all.
    """
    by_plugin = {rejection.candidate.version: rejection for rejection in rejections}

    def judge(version: Version, version_files: tuple[DistFile, ...]) -> VersionCandidate | str:
        rejection = by_plugin.get(version)
        if rejection is not None:
            return _plugin_reason(rejection)
        return _judge_files(
            version,
            version_files,
            priority,
            exclude_newer,
            running_python,
            builds_allowed=builds_allowed,
            target_python=target_python,
        )

    return ProjectCandidates(name, by_version, judge)


def _judge_files(
    version: Version,
    version_files: tuple[DistFile, ...],
    priority: TagPriority,
    exclude_newer: datetime | None,
    running_python: str,
    *,
    builds_allowed: bool = True,
    target_python: str = "",
) -> VersionCandidate | str:
    from puffin.index.selection import incompatible_wheels, rank_files

    present = version_files
    if target_python:
        admitted = tuple(file for file in present if _admits(file.requires_python, target_python))
        if not admitted:
            spec = next((file.requires_python for file in present if file.requires_python), "")
            note = f"the target Python is {target_python}"
            if running_python and running_python != target_python:
                note += f"; puffin runs on Python {running_python}"
            return f"requires Python{spec} ({note})"
        present = admitted
    if exclude_newer is not None:
        present = tuple(
            file
            for file in present
            if file.upload_time is None or file.upload_time <= exclude_newer
        )
        if not present:
            return f"was published after {exclude_newer:%Y-%m-%d}"
    ranked = rank_files(present, priority)
    wheels = [file for file in ranked if file.is_wheel]
    sdists = [file for file in ranked if not file.is_wheel]
    if not builds_allowed and not wheels:
        if sdists:
            return (
                "has only a source distribution, and building is not allowed "
                "(--no-build or --only-binary)"
            )
        return "has no wheel compatible with the target platform"
    if not builds_allowed:
        ranked = tuple(wheels)
    if wheels:
        metadata_file = wheels[0]
    elif sdists:
        others = incompatible_wheels(present, priority)
        if others:
            metadata_file = others[0]
        else:
            metadata_file = sdists[0]
            if running_python and not _admits(sdists[0].requires_python, running_python):
                return (
                    f"has only a source distribution, which requires Python "
                    f"{sdists[0].requires_python} to build (puffin runs on "
                    f"Python {running_python})"
                )
    else:
        return "has no wheel compatible with the target platform"
    return VersionCandidate(
        version, ranked, version_files, metadata_file, yanked=_all_yanked(present)
    )


def _all_yanked(files: Sequence[DistFile]) -> str | None:
    reasons = [file.yanked for file in files]
    if not reasons or any(reason is None for reason in reasons):
        return None
    return next((reason for reason in reasons if reason), "")


def _admits(requires_python: str | None, python: str) -> bool:
    if not requires_python:
        return True
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True


def _plugin_reason(rejection: Rejection) -> str:
    origin = f" by plugin {rejection.plugin!r}" if rejection.plugin else ""
    return f"was rejected{origin}: {rejection.reason}"


class OfferedCandidates(Sequence["Candidate"]):
    """A project's versions as ``puffin_filter_candidates`` plugins see them: each
    :class:`~puffin.types.Candidate`, with its files, made when the plugin reads it.

    A registry's listing builds a version's files only when read, and a plugin that looks
    at no candidate (a policy without rules) should not undo that for every version of a
    project with thousands.
    """

    __slots__ = ("_by_version", "_name", "_versions")

    def __init__(
        self, name: NormalizedName, by_version: Mapping[Version, Sequence[DistFile]]
    ) -> None:
        self._name = name
        self._by_version = by_version
        self._versions = list(by_version)

    def __len__(self) -> int:
        return len(self._versions)

    @overload
    def __getitem__(self, index: int) -> Candidate: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Candidate]: ...

    def __getitem__(self, index: int | slice) -> Candidate | Sequence[Candidate]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self)))]
        from puffin.types import Candidate

        version = self._versions[index]
        return Candidate(self._name, version, tuple(self._by_version[version]))

    def __repr__(self) -> str:
        return f"<{len(self)} candidates of {self._name}>"
