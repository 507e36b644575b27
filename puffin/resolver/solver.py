"""The PubGrub version solver.

The algorithm of pub's ``doc/solver.md``: unit propagation over incompatibilities indexed
by package, decisions in the provider's priority order, and conflict-driven clause
learning with backjumping. When the root itself is ruled out, :class:`NoSolution` carries
the incompatibility at the root of the derivation graph, which
:func:`puffin.resolver.report.explain` turns into words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.version import Version

from puffin.resolver.incompatibility import Incompatibility, Kind
from puffin.resolver.package import PYTHON, ROOT
from puffin.resolver.partial_solution import PartialSolution, Relation
from puffin.resolver.provider import Unavailable
from puffin.resolver.version_set import VersionSet

if TYPE_CHECKING:
    from collections.abc import Mapping

    from puffin.resolver.incompatibility import Term
    from puffin.resolver.package import Package
    from puffin.resolver.provider import DependencyProvider

_ROOT_VERSION = Version("0")


class NoSolution(Exception):
    """No set of versions satisfies the root's requirements.

    ``incompatibility`` is the root of the derivation graph: following its ``causes``
    down to external facts proves why. ``str()`` of the error is the explanation in words
    (:func:`puffin.resolver.report.explain` with the default vocabulary).
    """

    def __init__(self, incompatibility: Incompatibility) -> None:
        super().__init__(incompatibility)
        self.incompatibility = incompatibility

    def __str__(self) -> str:
        from puffin.resolver.report import explain

        return explain(self)


class ProviderError(Exception):
    """The provider broke the protocol (for example, chose a version outside ``allowed``)."""


async def solve(
    provider: DependencyProvider,
    root_dependencies: Mapping[Package, VersionSet],
    *,
    root_version: Version = _ROOT_VERSION,
    constraints: Mapping[Package, VersionSet] | None = None,
) -> dict[Package, Version]:
    """Choose one version of every package the root needs, transitively.

    ``constraints`` limit the versions of packages without requiring them (pip's
    ``-c``); kept apart from the dependencies, they are named as such when explaining a
    failure. Returns the decided versions in the order they were decided, without
    :data:`~puffin.resolver.package.ROOT` and :data:`~puffin.resolver.package.PYTHON`.
    Raises :class:`NoSolution` when there is none.
    """
    solver = _Solver(provider, root_dependencies, root_version)
    for package, allowed in (constraints or {}).items():
        if not allowed.is_full:
            solver.add(Incompatibility.constraint(package, allowed))
    solution = await solver.run()
    return {
        package: version for package, version in solution.items() if package not in (ROOT, PYTHON)
    }


class _Solver:
    """One solve: the incompatibility store and the partial solution."""

    __slots__ = (
        "_by_dependency",
        "_dependencies",
        "_incompatibilities",
        "_provider",
        "_root_dependencies",
        "_root_version",
        "_solution",
    )

    def __init__(
        self,
        provider: DependencyProvider,
        root_dependencies: Mapping[Package, VersionSet],
        root_version: Version,
    ) -> None:
        self._provider = provider
        self._root_dependencies = root_dependencies
        self._root_version = root_version
        self._solution = PartialSolution()
        # Every incompatibility, under each package it mentions, oldest first.
        self._incompatibilities: dict[Package, list[Incompatibility]] = {}
        # The facts learned from each version's dependencies, so a version decided again
        # after backjumping is neither fetched nor added twice.
        self._dependencies: dict[tuple[Package, Version], tuple[Incompatibility, ...]] = {}
        # Dependency incompatibilities by (depender, dependee): versions of one package
        # with the same requirement merge into one fact, as pub's ranges of versions do.
        self._by_dependency: dict[tuple[Package, Package], list[Incompatibility]] = {}

    async def run(self) -> dict[Package, Version]:
        self.add(Incompatibility.not_root(self._root_version))
        package: Package | None = ROOT
        while package is not None:
            self._propagate(package)
            package = await self._decide()
        return self._solution.decisions()

    def add(self, incompatibility: Incompatibility) -> None:
        """Record a fact, under every package it mentions."""
        store = self._incompatibilities
        for term in incompatibility.terms:
            listed = store.get(term.package)
            if listed is None:
                store[term.package] = [incompatibility]
            else:
                listed.append(incompatibility)

    def _remove(self, incompatibility: Incompatibility) -> None:
        for term in incompatibility.terms:
            self._incompatibilities[term.package].remove(incompatibility)

    # -- unit propagation ---------------------------------------------------------------

    def _propagate(self, package: Package) -> None:
        solution = self._solution
        changed: dict[Package, None] = {package: None}
        while changed:
            current, _ = changed.popitem()
            # Newest first: learned incompatibilities are the most general.
            for incompatibility in reversed(self._incompatibilities.get(current, ())):
                relation, term = solution.relation(incompatibility)
                if relation is Relation.ALMOST_SATISFIED:
                    assert term is not None
                    solution.derive(term.negate(), incompatibility)
                    changed[term.package] = None
                elif relation is Relation.SATISFIED:
                    learned, term = self._resolve_conflict(incompatibility)
                    solution.derive(term.negate(), learned)
                    changed = {term.package: None}
                    break

    def _resolve_conflict(self, incompatibility: Incompatibility) -> tuple[Incompatibility, Term]:
        """Find the root cause of a conflict, learn it and backjump.

        Returns the learned incompatibility and its term that is now undecided.
        """
        solution = self._solution
        original = incompatibility
        while not incompatibility.is_failure():
            assignment, term, previous_level = solution.find_satisfier(incompatibility)
            if assignment.is_decision or previous_level != assignment.level:
                if incompatibility is not original:
                    self.add(incompatibility)
                # Back to the previous satisfier's level, but keep the root's decision
                # (level 1) when that still undoes the satisfier: explanations then end
                # with the user's requirements.
                if previous_level == 0 and assignment.level > 1:
                    previous_level = 1
                solution.backtrack(previous_level)
                return incompatibility, term
            assert assignment.cause is not None
            incompatibility = Incompatibility.derived(
                incompatibility, assignment.cause, assignment.package
            )
        raise NoSolution(incompatibility)

    # -- decision making ----------------------------------------------------------------

    async def _decide(self) -> Package | None:
        """Choose a version of the next package; the package to propagate, or None when
        every required package is decided."""
        solution = self._solution
        package = solution.next_package(self._provider.prioritize)
        if package is None:
            return None
        allowed = solution.term(package)
        assert allowed is not None and allowed.positive
        versions = allowed.versions
        if package == ROOT:
            version: Version | None = self._root_version
        else:
            version = await self._provider.choose_version(package, versions)
        if version is None:
            self._add_no_versions(package, versions)
            return package
        if not versions.contains(version):
            raise ProviderError(
                f"the provider chose {package}=={version}, which is not in {versions}"
            )
        facts = self._dependencies.get((package, version))
        if facts is None:
            facts = await self._learn_dependencies(package, version)
        for fact in facts:
            if solution.would_satisfy(fact, package, version):
                self._report_conflict(package, fact)
                return package  # propagation will rule this version out
        solution.decide(package, version)
        return package

    def _report_conflict(self, package: Package, fact: Incompatibility) -> None:
        """Tell the provider which decided package ruled out a version of ``package``.

        A provider with a ``conflict(affected, culprit) -> bool`` method may answer True to
        have ``culprit`` decided again after ``package``: the solver then backjumps to
        just before the culprit's decision (what it learned stays learned) and asks for
        priorities afresh. This is uv's remedy for a long walk down the versions of one
        package because another was decided too early with a version it cannot use.
        """
        notify = getattr(self._provider, "conflict", None)
        if notify is None:
            return
        solution = self._solution
        for term in fact.terms:
            culprit = term.package
            if culprit == package or culprit in (ROOT, PYTHON):
                continue
            level = solution.decision_level(culprit)
            if level is None or level <= 1:
                continue
            if notify(package, culprit):
                solution.backtrack(level - 1)
                solution.forget_priorities()
                return

    def _add_no_versions(self, package: Package, allowed: VersionSet) -> None:
        """Nothing in ``allowed`` can be chosen: say why as precisely as the provider can."""
        rest = allowed
        if package != ROOT:
            for versions, reason in self._provider.unavailable_versions(package, allowed):
                part = versions.intersection(rest)
                if part.is_empty:
                    continue
                self.add(Incompatibility.unavailable(package, part, reason))
                rest = rest.difference(part)
        if not rest.is_empty:
            self.add(Incompatibility.no_versions(package, rest))

    async def _learn_dependencies(
        self, package: Package, version: Version
    ) -> tuple[Incompatibility, ...]:
        if package == ROOT:
            dependencies: Mapping[Package, VersionSet] | Unavailable = self._root_dependencies
        else:
            dependencies = await self._provider.get_dependencies(package, version)
        at_version = VersionSet.singleton(version)
        facts: list[Incompatibility] = []
        if isinstance(dependencies, Unavailable):
            unusable = Incompatibility.unavailable(package, at_version, dependencies.reason)
            self.add(unusable)
            facts.append(unusable)
        else:
            # Propagation visits the newest facts first: adding the dependencies in reverse
            # derives them in the order they were declared, which explanations follow.
            for dependency, required in reversed(tuple(dependencies.items())):
                fact = self._add_dependency(package, at_version, dependency, required)
                if fact is not None:
                    facts.append(fact)
            facts.reverse()
        result = tuple(facts)
        self._dependencies[(package, version)] = result
        return result

    def _add_dependency(
        self, package: Package, at_version: VersionSet, dependency: Package, required: VersionSet
    ) -> Incompatibility | None:
        fact = Incompatibility.dependency(package, at_version, dependency, required)
        if fact is None or len(fact.terms) != 2 or package == ROOT:
            if fact is not None:
                self.add(fact)
            return fact
        # Another version with the very same requirement: widen that fact instead.
        key = (package, dependency)
        similar = self._by_dependency.get(key)
        if similar is None:
            self._by_dependency[key] = [fact]
            self.add(fact)
            return fact
        for index, known in enumerate(similar):
            if known.terms[1].versions == required:
                merged = Incompatibility(
                    (
                        known.terms[0]._replace(versions=known.terms[0].versions.union(at_version)),
                        known.terms[1],
                    ),
                    Kind.DEPENDENCY,
                )
                similar[index] = merged
                self._remove(known)
                self.add(merged)
                return merged
        similar.append(fact)
        self.add(fact)
        return fact
