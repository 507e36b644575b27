"""The options that shape a resolution (uv's pip interface, pip's where it has one)."""

from __future__ import annotations

import enum
from dataclasses import field
from types import MappingProxyType
from typing import TYPE_CHECKING

from puffin._values import value_type

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


@value_type
class BinaryPolicy:
    """Which projects may use wheels and which may be built from source.

    ``--no-binary NAME|:all:`` installs from source (the resolver still reads metadata
    from wheels, as uv does); ``--only-binary NAME|:all:`` and ``--no-build`` never build
    a source distribution, so versions offering only one are not candidates. A named
    project overrides ``:all:`` of the other option.
    """

    no_binary: frozenset[str] = frozenset()
    """Normalized names, or ``:all:``."""
    only_binary: frozenset[str] = frozenset()
    """Normalized names, or ``:all:``."""

    def builds_allowed(self, name: str) -> bool:
        """Whether a source distribution or source tree of ``name`` may be built."""
        if name in self.only_binary:
            return False
        return ":all:" not in self.only_binary or name in self.no_binary

    def wheels_allowed(self, name: str) -> bool:
        """Whether ``name`` may be installed from a published wheel."""
        if name in self.no_binary:
            return False
        return ":all:" not in self.no_binary or name in self.only_binary


def _no_preferences() -> Mapping[NormalizedName, Version]:
    return MappingProxyType({})


@value_type
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
    """The interpreter that builds (``3.11.7``): an sdist must suit it too, to be built."""
    binary: BinaryPolicy = field(default_factory=BinaryPolicy)
    """``--no-binary``, ``--only-binary`` and ``--no-build``."""
