"""Distribution file names: project, version, kind and wheel tags, read from the name alone.

Indexes list files by name, and a resolver needs to know what each file offers before it
downloads anything. Wheels have a strict name format; source distributions only have one
since PEP 625, so older names (``Django-4.2.tar.gz``, ``python-dateutil-2.9.0.tar.gz``) are
split with help from the project name when the caller knows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from puffin._values import value_type

if TYPE_CHECKING:
    from packaging.tags import Tag
    from packaging.utils import BuildTag, NormalizedName

__all__ = [
    "DIST_SUFFIXES",
    "SDIST_SUFFIXES",
    "DistFilename",
    "DistKind",
    "has_dist_suffix",
    "parse_dist_filename",
]

DistKind = Literal["wheel", "sdist"]
"""A built distribution (``.whl``) or a source distribution."""

SDIST_SUFFIXES = (".tar.gz", ".zip")
"""The source distribution archives puffin reads; ``.tar.gz`` is the only one PEP 625 allows
for new uploads, ``.zip`` is still common among older releases."""

DIST_SUFFIXES = (".whl", *SDIST_SUFFIXES)
"""Every file name ending that can be a distribution puffin installs."""


@value_type
class DistFilename:
    """What a distribution's file name says about it."""

    name: NormalizedName
    version: Version
    kind: DistKind
    tags: frozenset[Tag] = frozenset()
    """The wheel's compatibility tags (compressed tag sets expanded); empty for sdists."""
    build: BuildTag = ()
    """The wheel's build tag as ``(number, rest)``, or ``()``: none, or an sdist."""

    @property
    def is_wheel(self) -> bool:
        """True for a wheel, False for a source distribution."""
        return self.kind == "wheel"


def has_dist_suffix(filename: str) -> bool:
    """True when ``filename`` ends like a wheel or an sdist that puffin reads.

    A cheap test for filtering long listings; :func:`parse_dist_filename` is the full check.
    Matches its rules: ``.whl`` exactly, sdist archive suffixes in any case.
    """
    return filename.endswith(DIST_SUFFIXES) or filename.lower().endswith(SDIST_SUFFIXES)


def parse_dist_filename(filename: str, *, project: str | None = None) -> DistFilename | None:
    """Parse a wheel or sdist file name; None when it is neither or is malformed.

    ``project`` is the project the caller is looking for (any spelling). It is only used
    for sdists whose names predate PEP 625 and cannot be split on the last dash, such as
    ``foo-bar-1.0-1.tar.gz`` (version ``1.0-1``, i.e. ``1.0.post1``). When ``project`` does
    not match the name, the file is parsed as if no project were given, so the result may
    name another project; callers filter on :attr:`DistFilename.name`.

    Never raises: ``.egg``, ``.exe``, ``.msi``, ``.tar.bz2``, invalid versions and other
    junk found on real index pages all give None.
    """
    if filename.endswith(".whl"):
        # The wheel name format is normative: a name packaging refuses is not installable.
        try:
            name, version, build, tags = parse_wheel_filename(filename)
        except (InvalidWheelFilename, InvalidVersion):
            return None
        return DistFilename(name, version, "wheel", tags, build)
    # Archive suffixes are matched case-insensitively, as pip does (``Foo-1.0.ZIP``).
    lower = filename.lower()
    for suffix in SDIST_SUFFIXES:
        if lower.endswith(suffix):
            return _parse_sdist(filename[: -len(suffix)], suffix, project)
    return None


def _parse_sdist(stem: str, suffix: str, project: str | None) -> DistFilename | None:
    if project is not None:
        parsed = _split_at_project(stem, canonicalize_name(project))
        if parsed is not None:
            return parsed
    try:
        # packaging splits on the last dash, which is right for every PEP 440 version
        # written in normal form and for the great majority of legacy names.
        name, version = parse_sdist_filename(stem + suffix)
    except (InvalidSdistFilename, InvalidVersion):
        return None
    return DistFilename(name, version, "sdist")


def _split_at_project(stem: str, project: NormalizedName) -> DistFilename | None:
    """Split ``stem`` at the first dash whose left side names ``project``.

    Legacy versions may contain dashes (``1.0-1``, ``2.0-beta``) and legacy names always may,
    so only the known project name tells where one ends and the other starts.
    """
    position = stem.find("-")
    while position > 0:
        if canonicalize_name(stem[:position]) == project:
            try:
                version = Version(stem[position + 1 :])
            except InvalidVersion:
                return None
            return DistFilename(project, version, "sdist")
        position = stem.find("-", position + 1)
    return None
