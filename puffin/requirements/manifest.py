"""The value types that requirement inputs are parsed into.

Everything here is immutable (frozen dataclasses holding tuples) so that a parsed manifest can be
shared between the resolver, the installer and plugins without anyone mutating it under another.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from puffin._values import value_type
from puffin.errors import PuffinError

if TYPE_CHECKING:
    from packaging.markers import Marker
    from packaging.requirements import Requirement
    from packaging.utils import NormalizedName

__all__ = [
    "IndexOptions",
    "Manifest",
    "Origin",
    "ParsedFile",
    "RequirementEntry",
    "RequirementsError",
]


class RequirementsError(PuffinError):
    """A requirement input is malformed, missing, or cannot be used the way it was given.

    The message always names where the problem is (file and line, or ``<command line>``) and,
    for file input, quotes the offending line.
    """


def _display_path(path: Path) -> str:
    """Show ``path`` relative to the working directory when it is inside it, else as given."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):  # outside the CWD, or the CWD no longer exists
        return str(path)


@value_type
class Origin:
    """Where a requirement came from: a file and line, the command line (``path=None``), or
    something else that ``label`` names (a plugin's adjustment)."""

    path: Path | None
    line: int | None = None
    label: str | None = None

    def __str__(self) -> str:
        if self.label is not None:
            return self.label
        where = "<command line>" if self.path is None else _display_path(self.path)
        return where if self.line is None else f"{where}:{self.line}"


@value_type
class RequirementEntry:
    """One requirement as written in an input, with relative locations already made absolute.

    ``requirement`` is ``None`` for an unnamed requirement (a local path or an archive/VCS URL
    whose project name is only known once it is built); ``url_or_path`` then says where it is.
    For ``name @ url`` both are set and ``requirement.url == url_or_path``.

    ``extras`` and ``marker`` are available for named and unnamed entries alike (for named ones
    they mirror ``requirement``), so consumers need not special-case unnamed requirements.
    Extras are normalized per PEP 685 and sorted.
    """

    requirement: Requirement | None
    url_or_path: str | None
    editable: bool
    hashes: tuple[str, ...]
    origin: Origin
    text: str
    extras: tuple[str, ...] = ()
    marker: Marker | None = None

    @property
    def name(self) -> NormalizedName | None:
        """The normalized project name, or ``None`` while the requirement is unnamed."""
        if self.requirement is None:
            return None
        from packaging.utils import canonicalize_name

        return canonicalize_name(self.requirement.name)

    def __str__(self) -> str:
        return self.text


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    """Drop repeated items, keeping the first occurrence's position."""
    return tuple(dict.fromkeys(items))


@value_type
class IndexOptions:
    """Where to look for distributions, as given by ``--index-url`` and friends."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False

    def merge(self, other: IndexOptions) -> IndexOptions:
        """Combine with options that come later; ``other``'s index URL wins if it sets one.

        Extra index URLs and find-links accumulate (in order, without repeats) because pip
        treats each occurrence as an addition, and ``--no-index`` anywhere disables the index.
        """
        return IndexOptions(
            index_url=other.index_url if other.index_url is not None else self.index_url,
            extra_index_urls=_unique(self.extra_index_urls + other.extra_index_urls),
            find_links=_unique(self.find_links + other.find_links),
            no_index=self.no_index or other.no_index,
        )


@value_type
class ParsedFile:
    """Everything one requirements file (with the files it includes) contributes."""

    requirements: tuple[RequirementEntry, ...] = ()
    constraints: tuple[RequirementEntry, ...] = ()
    index: IndexOptions = field(default_factory=IndexOptions)
    ignored_options: tuple[str, ...] = ()
    require_hashes: bool = False
    """``--require-hashes`` appeared in the file (or a file it includes)."""


@value_type
class Manifest:
    """All requirement inputs of one command, combined: what the resolver is asked to solve.

    Editable requirements are ordinary entries of ``requirements`` with ``editable=True``;
    ``ignored_options`` holds pip options that were accepted but have no effect yet, verbatim.
    """

    requirements: tuple[RequirementEntry, ...] = ()
    constraints: tuple[RequirementEntry, ...] = ()
    overrides: tuple[RequirementEntry, ...] = ()
    index: IndexOptions = field(default_factory=IndexOptions)
    ignored_options: tuple[str, ...] = ()
    require_hashes: bool = False
    """Hash-checking mode was asked for in a requirements file (``--require-hashes``)."""

    @property
    def editables(self) -> tuple[RequirementEntry, ...]:
        """The editable requirements, in input order."""
        return tuple(entry for entry in self.requirements if entry.editable)
