"""Terms and incompatibilities: the facts PubGrub reasons with.

A :class:`Term` is a statement about one package: ``a in S`` (positive: ``a`` is selected
at a version in S) or ``not a in S`` (negative: ``a`` is not selected, or is selected
outside S). An :class:`Incompatibility` is a set of terms that must not all be true at
once. External incompatibilities record facts from the provider (dependencies, missing
versions); derived ones are learned during conflict resolution and remember their two
causes, which makes the derivation graph that explains a failure.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from puffin.resolver.package import ROOT
from puffin.resolver.version_set import VersionSet

if TYPE_CHECKING:
    from packaging.version import Version

    from puffin.resolver.package import Package


class Term(NamedTuple):
    """``package in versions`` when ``positive``, else ``not package in versions``."""

    package: Package
    versions: VersionSet
    positive: bool = True

    def negate(self) -> Term:
        """The opposite statement."""
        return Term(self.package, self.versions, not self.positive)

    @property
    def is_any(self) -> bool:
        """Whether the term holds whatever is selected (``not a in {}``)."""
        return not self.positive and self.versions.is_empty

    def intersect(self, other: Term) -> Term:
        """Both terms (of the same package) at once."""
        if self.positive:
            if other.positive:
                return Term(self.package, self.versions.intersection(other.versions))
            return Term(self.package, self.versions.difference(other.versions))
        if other.positive:
            return Term(self.package, other.versions.difference(self.versions))
        return Term(self.package, self.versions.union(other.versions), False)

    def union(self, other: Term) -> Term:
        """Either term (of the same package)."""
        if self.positive:
            if other.positive:
                return Term(self.package, self.versions.union(other.versions))
            return Term(self.package, other.versions.difference(self.versions), False)
        if other.positive:
            return Term(self.package, self.versions.difference(other.versions), False)
        return Term(self.package, self.versions.intersection(other.versions), False)

    def satisfies(self, other: Term) -> bool:
        """Whether this term being true makes ``other`` true."""
        return satisfies(self.positive, self.versions, other.positive, other.versions)

    def contradicts(self, other: Term) -> bool:
        """Whether this term being true makes ``other`` false."""
        return contradicts(self.positive, self.versions, other.positive, other.versions)

    def __str__(self) -> str:
        """``a==1.0``, ``a>=1.0,<2.0``, ``a`` (any version), ``not a`` (not selected)."""
        versions = self.versions
        text = (
            str(self.package)
            if versions.is_full
            else f"{self.package}{versions.format(compact=True)}"
        )
        return text if self.positive else f"not {text}"


def satisfies(
    positive: bool, versions: VersionSet, other_positive: bool, other: VersionSet
) -> bool:
    """Whether the term (positive, versions) implies (other_positive, other)."""
    if positive:
        return versions.is_subset(other) if other_positive else versions.is_disjoint(other)
    # "Not selected" is allowed by a negative term and never by a positive one.
    return not other_positive and other.is_subset(versions)


def contradicts(
    positive: bool, versions: VersionSet, other_positive: bool, other: VersionSet
) -> bool:
    """Whether the term (positive, versions) excludes (other_positive, other)."""
    if positive:
        return versions.is_disjoint(other) if other_positive else versions.is_subset(other)
    return other_positive and other.is_subset(versions)


class Kind(enum.Enum):
    """Where an incompatibility comes from."""

    ROOT = "root"
    """``{not root==v}``: the root must be selected."""
    NO_VERSIONS = "no versions"
    """``{a in S}``: the provider has no version of ``a`` in S."""
    UNAVAILABLE = "unavailable"
    """``{a in S}``: versions in S exist but cannot be used, for ``reason``."""
    DEPENDENCY = "dependency"
    """``{a in S, not b in T}``: every version of ``a`` in S depends on ``b`` in T."""
    CONSTRAINT = "constraint"
    """``{a in S}``: the user allows only versions of ``a`` outside S, if ``a`` is used."""
    DERIVED = "derived"
    """Learned from ``causes`` during conflict resolution."""


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Incompatibility:
    """Terms that cannot all be true. Compared by identity: each is one fact."""

    terms: tuple[Term, ...]
    kind: Kind
    reason: str | None = None
    """Why versions are unavailable (for :attr:`Kind.UNAVAILABLE`), a clause."""
    causes: tuple[Incompatibility, Incompatibility] | None = None
    """The two incompatibilities this one was derived from (for :attr:`Kind.DERIVED`)."""

    @staticmethod
    def not_root(version: Version) -> Incompatibility:
        """The root package must be selected, at ``version``."""
        return Incompatibility((Term(ROOT, VersionSet.singleton(version), False),), Kind.ROOT)

    @staticmethod
    def no_versions(package: Package, versions: VersionSet) -> Incompatibility:
        """There is no version of ``package`` in ``versions``."""
        return Incompatibility((Term(package, versions),), Kind.NO_VERSIONS)

    @staticmethod
    def unavailable(package: Package, versions: VersionSet, reason: str) -> Incompatibility:
        """The versions of ``package`` in ``versions`` cannot be used, for ``reason``."""
        return Incompatibility((Term(package, versions),), Kind.UNAVAILABLE, reason)

    @staticmethod
    def constraint(package: Package, allowed: VersionSet) -> Incompatibility:
        """The user allows only ``allowed`` of ``package`` (without requiring it)."""
        return Incompatibility((Term(package, allowed.complement()),), Kind.CONSTRAINT)

    @staticmethod
    def dependency(
        package: Package, versions: VersionSet, dependency: Package, required: VersionSet
    ) -> Incompatibility | None:
        """``package`` in ``versions`` depends on ``dependency`` in ``required``.

        A package that depends on itself makes the versions outside what it requires
        unusable (an :attr:`Kind.UNAVAILABLE` fact saying so), and None when that excludes
        nothing.
        """
        if dependency == package:
            # "a==1 depends on a in T": a==1 can be used only if 1 is in T.
            left = versions.difference(required)
            if left.is_empty:
                return None
            reason = f"depends on {package}{required.format(compact=True)}"
            return Incompatibility((Term(package, left),), Kind.UNAVAILABLE, reason)
        return Incompatibility(
            (Term(package, versions), Term(dependency, required, False)), Kind.DEPENDENCY
        )

    @staticmethod
    def derived(
        incompatibility: Incompatibility, cause: Incompatibility, package: Package
    ) -> Incompatibility:
        """The resolvent of two incompatibilities on ``package`` (PubGrub's prior cause).

        Given ``{t1, q...}`` and ``{t2, r...}``, derives ``{q..., r..., t1 | t2}``, which
        drops ``t1 | t2`` when it holds for any selection.
        """
        merged: dict[Package, Term] = {}
        pivot: Term | None = None
        for term in (*incompatibility.terms, *cause.terms):
            if term.package == package:
                pivot = term if pivot is None else pivot.union(term)
                merged.setdefault(package, term)
                continue
            known = merged.get(term.package)
            merged[term.package] = term if known is None else known.intersect(term)
        if pivot is None:
            merged.pop(package, None)
        else:
            merged[package] = pivot
        # A term that holds for any selection constrains nothing.
        terms = tuple(term for term in merged.values() if not term.is_any)
        return Incompatibility(terms, Kind.DERIVED, None, (incompatibility, cause))

    @property
    def is_derived(self) -> bool:
        """Whether this was learned rather than told."""
        return self.causes is not None

    def term(self, package: Package) -> Term | None:
        """The term about ``package``, if any."""
        for term in self.terms:
            if term.package == package:
                return term
        return None

    def is_failure(self) -> bool:
        """Whether this says the root cannot be selected: version solving failed."""
        terms = self.terms
        if not terms:
            return True
        return len(terms) == 1 and terms[0].positive and terms[0].package == ROOT

    def __str__(self) -> str:
        return "{" + ", ".join(map(str, self.terms)) + "}"

    def __repr__(self) -> str:
        # Not the dataclass repr: that would recurse through every cause.
        return f"<Incompatibility {self} ({self.kind.value})>"
