"""The resolver's answer: one pinned distribution per project."""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

from puffin._values import value_type

if TYPE_CHECKING:
    from collections.abc import Iterator

    from packaging.utils import NormalizedName
    from packaging.version import Version

    from puffin.distribution.core_metadata import CoreMetadata
    from puffin.types.dist import DistFile


@value_type
class ResolvedDist:
    """A pinned project: its version, the files that may install it, and why it is here."""

    name: NormalizedName
    version: Version
    files: tuple[DistFile, ...] = ()
    extras: tuple[str, ...] = ()
    url: str | None = None
    """Set for direct URL, path and VCS requirements (``name @ url``)."""
    required_by: tuple[str, ...] = ()
    """Who asked for it: project names, or requirement-file origins for direct requirements."""
    editable: bool = False
    """Installed in editable mode (``-e``); ``url`` then says where the project is."""
    metadata: CoreMetadata | None = field(default=None, compare=False, repr=False)
    """The core metadata the resolver read (license, classifiers, summary...), for
    ``puffin_check_resolution`` plugins; None when the resolution did not read it."""

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


@value_type
class Resolution:
    """A complete, consistent set of pins, sorted by name."""

    dists: tuple[ResolvedDist, ...]

    def __iter__(self) -> Iterator[ResolvedDist]:
        return iter(self.dists)

    def __len__(self) -> int:
        return len(self.dists)

    def get(self, name: NormalizedName) -> ResolvedDist | None:
        """The pin for ``name``, or None when the resolution does not include it."""
        return next((dist for dist in self.dists if dist.name == name), None)
