"""What the solver asks of the world: the dependency provider protocol.

The solver is pure; every fact about packages comes through these four methods. The two
coroutines are where a provider does its I/O, and where it may start fetching what the
solver will likely ask next (the solver awaits one answer at a time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from packaging.version import Version

    from puffin.resolver.package import Package
    from puffin.resolver.version_set import VersionSet


class Unavailable(NamedTuple):
    """A version whose dependencies cannot be had, and why.

    ``reason`` is a clause that reads after ``name==version``, e.g.
    ``"was rejected by plugin 'deny' (on the deny list)"`` or
    ``"has no wheel for this platform and no source distribution"``.
    """

    reason: str


class DependencyProvider(Protocol):
    """The solver's source of versions and dependencies."""

    def prioritize(self, package: Package, allowed: VersionSet) -> Any:
        """A sortable key: the solver decides the package with the smallest key next.

        Called whenever a package's allowed versions change, so it must be cheap and
        synchronous. Keys of different packages are compared with each other.
        """
        ...

    async def choose_version(self, package: Package, allowed: VersionSet) -> Version | None:
        """The preferred version in ``allowed``, or None when no acceptable one exists."""
        ...

    async def get_dependencies(
        self, package: Package, version: Version
    ) -> Mapping[Package, VersionSet] | Unavailable:
        """What ``package==version`` requires, or why it cannot be used.

        Asked at most once per version. :data:`~puffin.resolver.package.PYTHON` appears
        like any other dependency; an extra's virtual package depends on its project at
        the same version.
        """
        ...

    def unavailable_versions(
        self, package: Package, allowed: VersionSet
    ) -> Sequence[tuple[VersionSet, str]]:
        """Why versions in ``allowed`` were not offered (rejected, yanked, wrong Python).

        Asked only after :meth:`choose_version` found nothing in ``allowed``, to word the
        explanation of a failure; each reason is a clause that reads after the versions
        (``"was yanked"``). May return ``()``.
        """
        ...
