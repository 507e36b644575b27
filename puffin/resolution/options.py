"""The options that shape a resolution (uv's pip interface, pip's where it has one)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from packaging.utils import NormalizedName
    from packaging.version import Version


class ResolutionStrategy(enum.Enum):
    """Which version of each package to prefer."""

    HIGHEST = "highest"
    LOWEST = "lowest"
    LOWEST_DIRECT = "lowest-direct"
    """Lowest for direct requirements, highest for everything they bring in."""


class PrereleaseMode(enum.Enum):
    """When pre-release versions may be chosen (uv's modes; ``--pre`` is ``allow``)."""

    DISALLOW = "disallow"
    ALLOW = "allow"
    IF_NECESSARY = "if-necessary"
    """Only for a package none of whose stable versions is acceptable."""
    EXPLICIT = "explicit"
    """Only for packages whose direct requirement names a pre-release (``a>=2.0b1``)."""
    IF_NECESSARY_OR_EXPLICIT = "if-necessary-or-explicit"


def _no_preferences() -> Mapping[NormalizedName, Version]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ResolverOptions:
    """Everything besides the requirements and the target that decides a resolution."""

    strategy: ResolutionStrategy = ResolutionStrategy.HIGHEST
    prerelease: PrereleaseMode = PrereleaseMode.IF_NECESSARY_OR_EXPLICIT
    exclude_newer: datetime | None = None
    """Files uploaded after this moment are ignored (PEP 700 upload times)."""
    no_deps: bool = False
    preferences: Mapping[NormalizedName, Version] = field(default_factory=_no_preferences)
    """Versions to keep when still acceptable (pins of an existing ``-o`` file)."""
    running_python: str = ""
    """The interpreter running puffin (``3.11.7``): an sdist must suit it too, to be built."""
