"""The partial solution: PubGrub's ordered list of decisions and derivations.

Besides the list itself, it keeps per package the running intersection of its
assignments (what is known about the package now), and, in every assignment, the
intersection up to that assignment, so that conflict resolution finds satisfiers by
scanning one package's short history instead of replaying the whole list.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, NamedTuple

from puffin.resolver.incompatibility import Term, contradicts, satisfies
from puffin.resolver.version_set import VersionSet

if TYPE_CHECKING:
    from collections.abc import Callable

    from packaging.version import Version

    from puffin.resolver.incompatibility import Incompatibility
    from puffin.resolver.package import Package


class Relation(enum.Enum):
    """How the partial solution stands towards an incompatibility."""

    SATISFIED = "satisfied"
    """Every term holds: a conflict."""
    ALMOST_SATISFIED = "almost satisfied"
    """Every term but one holds and that one is undecided: derive its negation."""
    CONTRADICTED = "contradicted"
    """Some term is false: nothing to do."""
    INCONCLUSIVE = "inconclusive"
    """Two or more terms are undecided."""


class Assignment(NamedTuple):
    """One entry of the partial solution."""

    package: Package
    term: Term
    level: int
    """The number of decisions at or before this assignment."""
    cause: Incompatibility | None
    """The incompatibility it was derived from; None for a decision."""
    position: int
    """Its index in the partial solution."""
    accumulated: Term
    """The intersection of this package's assignments up to and including this one."""

    @property
    def is_decision(self) -> bool:
        """Whether the solver chose this version rather than derived the term."""
        return self.cause is None


class Satisfier(NamedTuple):
    """The result of the search for the assignment that completed a conflict."""

    assignment: Assignment
    term: Term
    """The incompatibility's term about the satisfier's package."""
    previous_level: int
    """The decision level of the previous satisfier, 0 when there is none."""


class PartialSolution:
    """Assignments in order, with per-package indexes (mutable solver state)."""

    __slots__ = (
        "_contradicted",
        "_current",
        "_decisions",
        "_history",
        "_pending",
        "assignments",
        "level",
    )

    def __init__(self) -> None:
        self.assignments: list[Assignment] = []
        self.level = 0
        self._history: dict[Package, list[Assignment]] = {}
        self._current: dict[Package, Term] = {}
        self._decisions: dict[Package, Version] = {}
        # Positively derived, undecided packages with their cached priority (None: stale).
        self._pending: dict[Package, Any] = {}
        # Incompatibilities known to be contradicted, with the decision level that made
        # them so: they stay contradicted until a backtrack below it, and most
        # incompatibilities met during propagation are in this state.
        self._contradicted: dict[Incompatibility, int] = {}

    # -- what is known ------------------------------------------------------------------

    def term(self, package: Package) -> Term | None:
        """The intersection of every assignment to ``package``, None if there is none."""
        return self._current.get(package)

    def decisions(self) -> dict[Package, Version]:
        """The decided versions, in the order they were decided."""
        return dict(self._decisions)

    def is_decided(self, package: Package) -> bool:
        """Whether a version of ``package`` has been decided."""
        return package in self._decisions

    def next_package(self, prioritize: Callable[[Package, VersionSet], Any]) -> Package | None:
        """The undecided package with a positive derivation and the smallest priority."""
        pending = self._pending
        if not pending:
            return None
        best: Package | None = None
        best_key: Any = None
        current = self._current
        for package, cached in pending.items():
            key = cached
            if key is None:
                # Replacing a value keeps the dict's size, so iterating on is safe.
                key = pending[package] = prioritize(package, current[package].versions)
            if best is None or key < best_key:
                best, best_key = package, key
        return best

    # -- relations ----------------------------------------------------------------------

    def relation(self, incompatibility: Incompatibility) -> tuple[Relation, Term | None]:
        """How the partial solution stands towards ``incompatibility``.

        Returns the undecided term along with :attr:`Relation.ALMOST_SATISFIED`.
        """
        if incompatibility in self._contradicted:
            return Relation.CONTRADICTED, None
        current = self._current
        unsatisfied: Term | None = None
        for term in incompatibility.terms:
            known = current.get(term.package)
            if known is None:
                # Nothing is known: only "not a in {}" holds, and nothing is excluded.
                if not term.positive and term.versions.is_empty:
                    continue
            elif satisfies(known.positive, known.versions, term.positive, term.versions):
                continue
            elif contradicts(known.positive, known.versions, term.positive, term.versions):
                self._contradicted[incompatibility] = self._history[term.package][-1].level
                return Relation.CONTRADICTED, None
            if unsatisfied is not None:
                return Relation.INCONCLUSIVE, None
            unsatisfied = term
        if unsatisfied is None:
            return Relation.SATISFIED, None
        return Relation.ALMOST_SATISFIED, unsatisfied

    def would_satisfy(
        self, incompatibility: Incompatibility, package: Package, version: Version
    ) -> bool:
        """Whether deciding ``package==version`` would make ``incompatibility`` a conflict."""
        current = self._current
        for term in incompatibility.terms:
            if term.package == package:
                if term.versions.contains(version) != term.positive:
                    return False
                continue
            known = current.get(term.package)
            if known is None:
                if not (not term.positive and term.versions.is_empty):
                    return False
            elif not satisfies(known.positive, known.versions, term.positive, term.versions):
                return False
        return True

    # -- changes ------------------------------------------------------------------------

    def decision_level(self, package: Package) -> int | None:
        """The decision level at which ``package`` was decided, None if it is not."""
        if package not in self._decisions:
            return None
        for assignment in self._history[package]:
            if assignment.cause is None:
                return assignment.level
        return None

    def forget_priorities(self) -> None:
        """Drop cached priorities: the provider's ordering changed."""
        for package in self._pending:
            self._pending[package] = None

    def decide(self, package: Package, version: Version) -> None:
        """Select ``package==version``, opening a new decision level."""
        self.level += 1
        self._assign(package, Term(package, VersionSet.singleton(version)), None)
        self._decisions[package] = version
        self._pending.pop(package, None)

    def derive(self, term: Term, cause: Incompatibility) -> None:
        """Record ``term``, which ``cause`` and the assignments so far imply."""
        package = term.package
        accumulated = self._assign(package, term, cause)
        if accumulated.positive and package not in self._decisions:
            self._pending[package] = None  # its allowed versions changed: re-prioritize

    def _assign(self, package: Package, term: Term, cause: Incompatibility | None) -> Term:
        known = self._current.get(package)
        accumulated = term if known is None else known.intersect(term)
        assignment = Assignment(
            package, term, self.level, cause, len(self.assignments), accumulated
        )
        self.assignments.append(assignment)
        history = self._history.get(package)
        if history is None:
            self._history[package] = [assignment]
        else:
            history.append(assignment)
        self._current[package] = accumulated
        return accumulated

    def backtrack(self, level: int) -> None:
        """Remove every assignment above decision level ``level``."""
        assignments = self.assignments
        touched: dict[Package, None] = {}
        while assignments and assignments[-1].level > level:
            assignment = assignments.pop()
            package = assignment.package
            history = self._history[package]
            history.pop()
            if assignment.cause is None:
                del self._decisions[package]
            touched[package] = None
        for package in touched:
            history = self._history[package]
            if history:
                accumulated = history[-1].accumulated
                self._current[package] = accumulated
                if accumulated.positive and package not in self._decisions:
                    self._pending[package] = None
                else:
                    self._pending.pop(package, None)
            else:
                del self._history[package]
                del self._current[package]
                self._pending.pop(package, None)
        self.level = level
        contradicted = self._contradicted
        if contradicted:
            self._contradicted = {
                incompatibility: at for incompatibility, at in contradicted.items() if at <= level
            }

    # -- conflict resolution ------------------------------------------------------------

    def find_satisfier(self, incompatibility: Incompatibility) -> Satisfier:
        """The assignment that made the (satisfied) incompatibility true, and the level
        of the previous satisfier: the latest assignment, other than the satisfier, needed
        for the incompatibility to hold."""
        history_of = self._history
        satisfier: Assignment | None = None
        satisfier_term: Term | None = None
        previous = -1
        for term in incompatibility.terms:
            if term.is_any:
                continue  # holds whatever happens ("not a in {}")
            earliest = _earliest_satisfying(history_of[term.package], term)
            if satisfier is None or earliest.position > satisfier.position:
                if satisfier is not None:
                    previous = max(previous, satisfier.position)
                satisfier, satisfier_term = earliest, term
            else:
                previous = max(previous, earliest.position)
        assert satisfier is not None and satisfier_term is not None, "not satisfied"
        # The satisfier may need earlier assignments to its own package to satisfy the term
        # (``a>=1`` then ``a<2`` satisfy ``a>=1,<2`` together).
        own = satisfier.term
        if not own.satisfies(satisfier_term):
            for assignment in history_of[satisfier.package]:
                if assignment.position >= satisfier.position:
                    break
                if assignment.accumulated.intersect(own).satisfies(satisfier_term):
                    previous = max(previous, assignment.position)
                    break
        level = self.assignments[previous].level if previous >= 0 else 0
        return Satisfier(satisfier, satisfier_term, level)


def _earliest_satisfying(history: list[Assignment], term: Term) -> Assignment:
    for assignment in history:
        accumulated = assignment.accumulated
        if satisfies(accumulated.positive, accumulated.versions, term.positive, term.versions):
            return assignment
    raise AssertionError(f"{term} is not satisfied")  # pragma: no cover
