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

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from packaging.utils import NormalizedName
    from packaging.version import Version

    from puffin.index.selection import TagPriority
    from puffin.types import DistFile, Rejection


@dataclass(frozen=True, slots=True)
class VersionCandidate:
    """One usable version: its files for the target (best first) and all its files."""

    version: Version
    files: tuple[DistFile, ...]
    """Compatible wheels by tag preference, then sdists: what an install would use."""
    all_files: tuple[DistFile, ...]
    """Every file of the version (``--generate-hashes`` lists them all)."""
    metadata_file: DistFile
    """The file whose metadata stands for the version: a compatible wheel, else any wheel
    (when an sdist makes the version usable, its wheels' metadata is the same), else the
    sdist."""
    yanked: str | None = None
    """The yank reason when every file of the version is yanked."""

    @property
    def needs_build(self) -> bool:
        """True when the metadata can only come from an sdist."""
        return not self.metadata_file.is_wheel


@dataclass(frozen=True, slots=True)
class ProjectCandidates:
    """The versions of one project the resolver may choose (newest first) and the rest."""

    name: NormalizedName
    versions: tuple[VersionCandidate, ...]
    rejected: tuple[tuple[Version, str], ...]
    """Versions that may not be chosen, with the reason, for explanations."""

    def get(self, version: Version) -> VersionCandidate | None:
        """The candidate for ``version``, if usable."""
        for candidate in self.versions:
            if candidate.version == version:
                return candidate
        return None


def build_candidates(
    name: NormalizedName,
    files: Sequence[DistFile],
    *,
    priority: TagPriority,
    exclude_newer: datetime | None,
    running_python: str,
    rejections: Sequence[Rejection] = (),
) -> ProjectCandidates:
    """Sort ``files`` of project ``name`` into usable versions and rejected ones."""
    from puffin.index.selection import group_by_version, incompatible_wheels, rank_files

    by_plugin = {rejection.candidate.version: rejection for rejection in rejections}
    usable: list[VersionCandidate] = []
    rejected: list[tuple[Version, str]] = []
    for version, version_files in group_by_version(files, project=name).items():
        rejection = by_plugin.get(version)
        if rejection is not None:
            rejected.append((version, _plugin_reason(rejection)))
            continue
        present = version_files
        if exclude_newer is not None:
            present = tuple(
                file
                for file in version_files
                if file.upload_time is None or file.upload_time <= exclude_newer
            )
            if not present:
                rejected.append((version, f"was published after {exclude_newer:%Y-%m-%d}"))
                continue
        ranked = rank_files(present, priority)
        wheels = [file for file in ranked if file.is_wheel]
        sdists = [file for file in ranked if not file.is_wheel]
        if wheels:
            metadata_file = wheels[0]
        elif sdists:
            others = incompatible_wheels(present, priority)
            if others:
                metadata_file = others[0]
            else:
                metadata_file = sdists[0]
                if running_python and not _admits(sdists[0].requires_python, running_python):
                    rejected.append(
                        (
                            version,
                            f"has only a source distribution, which requires Python "
                            f"{sdists[0].requires_python} to build (puffin runs on "
                            f"Python {running_python})",
                        )
                    )
                    continue
        else:
            rejected.append((version, "has no wheel compatible with the target platform"))
            continue
        yanked = _all_yanked(present)
        usable.append(
            VersionCandidate(version, ranked, version_files, metadata_file, yanked=yanked)
        )
    return ProjectCandidates(name, tuple(usable), tuple(rejected))


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
