"""Distribution files, candidates offered to the resolver, and installed distributions."""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

from puffin._values import value_type

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from packaging.utils import NormalizedName
    from packaging.version import Version

    from puffin.types.index import IndexSpec


@value_type
class DistFile:
    """One downloadable file of a project, as an index source lists it.

    Hashes are optional: the simple API does not require them. ``hashes`` maps an algorithm
    name (``sha256``) to a lowercase hex digest.
    """

    filename: str
    url: str
    source: IndexSpec
    hashes: tuple[tuple[str, str], ...] = ()
    requires_python: str | None = None
    yanked: str | None = None
    """None when not yanked; the reason (possibly empty) when yanked (PEP 592)."""
    upload_time: datetime | None = None
    size: int | None = None
    has_core_metadata: bool = False
    """True when the source serves the file's METADATA separately (PEP 658 / PEP 714)."""

    @property
    def is_wheel(self) -> bool:
        """True for a ``.whl`` file, False for a source distribution."""
        return self.filename.endswith(".whl")

    def hash(self, algorithm: str = "sha256") -> str | None:
        """The hex digest for ``algorithm``, or None when the source gave none."""
        return dict(self.hashes).get(algorithm)


@value_type
class Candidate:
    """A version of a project that the resolver may choose, with the files that offer it."""

    name: NormalizedName
    version: Version
    files: tuple[DistFile, ...] = ()

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


@value_type
class InstalledDist:
    """A distribution present in an environment's site-packages."""

    name: NormalizedName
    version: Version
    dist_info: Path
    """The ``.dist-info`` (or legacy ``.egg-info``) directory."""
    installer: str | None = None
    editable: bool = False
    requested: bool = False
    direct_url: str | None = None
    extras: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"
