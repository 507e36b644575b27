"""Explanations of a failed resolution in plain words.

The derivation graph of :class:`~puffin.resolver.solver.NoSolution` is a proof; this
module writes it as the pub solver's error reports do (``doc/solver.md``, "Error
Reporting"): a chain of "Because ..., we can conclude that ..." lines, "And because ..."
for each further step, numbered lines for conclusions used twice, and a blank line
between independent branches.

Before writing, the graph is tidied where that loses nothing: a "no versions" fact that
only fills the gaps between the versions of a dependency is folded into it (``a==1.0``
and "nothing between 1.0 and 2.0" read as ``a>=1.0,<2.0``), and a dependency on Python
that the target Python does not meet reads as one fact. How packages, requirements and
Python are worded is the caller's, through a :class:`Vocabulary`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol

from puffin._values import value_type
from puffin.resolver.incompatibility import Incompatibility, Kind, Term
from puffin.resolver.package import PYTHON, ROOT

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from puffin.resolver.package import Package
    from puffin.resolver.solver import NoSolution
    from puffin.resolver.version_set import VersionSet


class Vocabulary(Protocol):
    """How an explanation names things. Each method returns a fragment of a sentence."""

    def term(self, package: Package, versions: VersionSet) -> str:
        """A package at some versions: ``a==1.0``, ``a>=1.0,<2.0``, ``a`` (any version)."""
        ...

    def root_requirement(self, package: Package, versions: VersionSet) -> str:
        """One of the user's requirements, as it reads after "you require "."""
        ...

    def no_versions(self, package: Package, versions: VersionSet) -> str:
        """The fact that no version of ``package`` in ``versions`` exists (a clause)."""
        ...

    def unavailable(self, package: Package, versions: VersionSet, reason: str) -> str:
        """The fact that these versions cannot be used, for the provider's ``reason``."""
        ...

    def requires_python(
        self, package: Package, versions: VersionSet, python: VersionSet, *, unmet: bool
    ) -> str:
        """The fact that ``package`` at ``versions`` requires Python in ``python``.

        ``unmet`` is true when the target Python is known not to be in ``python``: the
        place to say which Python that is.
        """
        ...

    # Optional, looked up by name so that vocabularies written before it still fit:
    #
    #   def constraint(self, package: Package, allowed: VersionSet) -> str:
    #       """The fact that the user's constraints allow only ``allowed``."""
    #
    # DefaultVocabulary's wording is used when a vocabulary has no such method.


@value_type
class DefaultVocabulary:
    """Plain wording; ``target_python`` (a version string) is named where it matters."""

    target_python: str | None = None

    def term(self, package: Package, versions: VersionSet) -> str:
        """``a==1.0``, ``a>=1.0,<2.0``, ``a`` for any version."""
        if versions.is_full:
            return str(package)
        if versions.is_empty:
            return f"no version of {package}"
        return f"{package}{versions.format(compact=True)}"

    def root_requirement(self, package: Package, versions: VersionSet) -> str:
        """The requirement as a term."""
        return self.term(package, versions)

    def no_versions(self, package: Package, versions: VersionSet) -> str:
        """``there is no version of a>=2.0``; for Python, what the target Python is."""
        if package == PYTHON:
            if self.target_python is not None:
                return f"the target Python is {self.target_python}"
            return f"the target Python does not satisfy {versions.format(compact=True)}"
        return f"there is no version of {self.term(package, versions)}"

    def unavailable(self, package: Package, versions: VersionSet, reason: str) -> str:
        """The term, then the reason clause: ``a==1.0 was yanked``."""
        return f"{self.term(package, versions)} {reason}"

    def constraint(self, package: Package, allowed: VersionSet) -> str:
        """``your constraints allow only b<2.0``."""
        return f"your constraints allow only {self.term(package, allowed)}"

    def requires_python(
        self, package: Package, versions: VersionSet, python: VersionSet, *, unmet: bool
    ) -> str:
        """``a==1.0 requires Python>=3.12 (the target Python is 3.11.7)``."""
        text = f"{self.term(package, versions)} requires {self.term(PYTHON, python)}"
        if not unmet:
            return text
        if self.target_python is None:
            return f"{text} (the target Python does not satisfy it)"
        return f"{text} (the target Python is {self.target_python})"


@value_type
class _RootNamed:
    """A vocabulary whose root requirements are named by the caller's function."""

    inner: Vocabulary
    describe_root: Callable[[Package, VersionSet], str]

    def term(self, package: Package, versions: VersionSet) -> str:
        return self.inner.term(package, versions)

    def root_requirement(self, package: Package, versions: VersionSet) -> str:
        return self.describe_root(package, versions)

    def no_versions(self, package: Package, versions: VersionSet) -> str:
        return self.inner.no_versions(package, versions)

    def unavailable(self, package: Package, versions: VersionSet, reason: str) -> str:
        return self.inner.unavailable(package, versions, reason)

    def constraint(self, package: Package, allowed: VersionSet) -> str:
        return _constraint_text(self.inner, package, allowed)

    def requires_python(
        self, package: Package, versions: VersionSet, python: VersionSet, *, unmet: bool
    ) -> str:
        return self.inner.requires_python(package, versions, python, unmet=unmet)


def explain(
    error: NoSolution | Incompatibility,
    *,
    describe_root: Callable[[Package, VersionSet], str] | None = None,
    vocabulary: Vocabulary | None = None,
) -> str:
    """Why the root's requirements cannot be satisfied, in numbered plain sentences.

    ``describe_root(package, versions)`` names one of the user's requirements as it
    reads after "you require " (to add, say, "(from requirements.in line 3)");
    ``vocabulary`` words everything else (:class:`DefaultVocabulary` by default).
    """
    incompatibility = error if isinstance(error, Incompatibility) else error.incompatibility
    words: Vocabulary = vocabulary if vocabulary is not None else DefaultVocabulary()
    if describe_root is not None:
        words = _RootNamed(words, describe_root)
    root = _tidy(incompatibility)
    writer = _Writer(words, _count_uses(root))
    if root.causes is None:
        writer.write(f"Because {writer.fact(root)}, {writer.conclusion(root)}.", False)
    else:
        writer.visit(root)
    return writer.text()


# -- the graph as it will be told ------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class _Fact:
    """A node of the derivation graph as the explanation tells it."""

    terms: tuple[Term, ...]
    kind: Kind | None
    """None for a Python requirement the target does not meet (``python`` is set)."""
    reason: str | None = None
    causes: tuple[_Fact, _Fact] | None = None
    python: VersionSet | None = None


def _tidy(root: Incompatibility) -> _Fact:
    """The graph as facts, with the lossless simplifications applied bottom-up."""
    facts: dict[int, _Fact] = {}
    # Iterative post-order: derivation chains can be longer than the recursion limit.
    stack: list[tuple[Incompatibility, bool]] = [(root, False)]
    while stack:
        incompatibility, expanded = stack.pop()
        if id(incompatibility) in facts:
            continue
        causes = incompatibility.causes
        if causes is None:
            facts[id(incompatibility)] = _Fact(
                incompatibility.terms, incompatibility.kind, incompatibility.reason
            )
        elif expanded:
            first, second = facts[id(causes[0])], facts[id(causes[1])]
            facts[id(incompatibility)] = _fold(incompatibility.terms, first, second)
        else:
            stack.append((incompatibility, True))
            stack.extend((cause, False) for cause in causes if id(cause) not in facts)
    return facts[id(root)]


def _fold(terms: tuple[Term, ...], first: _Fact, second: _Fact) -> _Fact:
    """A derived fact, told as one external fact when that says exactly the same."""
    if first.causes is None and second.causes is None:
        for none, other in ((first, second), (second, first)):
            if none.kind is not Kind.NO_VERSIONS:
                continue
            package = none.terms[0].package
            if (
                other.kind is Kind.NO_VERSIONS
                and other.terms[0].package == package
                and len(terms) == 1
                and terms[0].package == package
                and terms[0].positive
            ):
                return _Fact(terms, Kind.NO_VERSIONS)
            if other.kind is not Kind.DEPENDENCY or len(other.terms) != 2:
                continue
            depender, dependee = other.terms
            if (
                package == depender.package
                and len(terms) == 2
                and terms[0].package == depender.package
                and terms[0].positive
                and terms[1] == dependee
            ):
                # No version fills the gaps between the dependers: a wider dependency.
                return _Fact(terms, Kind.DEPENDENCY)
            if (
                package == PYTHON == dependee.package
                and depender.package != ROOT
                and len(terms) == 1
                and terms[0].package == depender.package
                and terms[0].positive
            ):
                return _Fact(terms, None, python=dependee.versions)
    return _Fact(terms, Kind.DERIVED, causes=(first, second))


def _count_uses(root: _Fact) -> dict[int, int]:
    """How many distinct facts each derived fact is a cause of."""
    uses: dict[int, int] = {}
    seen = {id(root)}
    stack = [root]
    while stack:
        fact = stack.pop()
        if fact.causes is None:
            continue
        for cause in fact.causes:
            uses[id(cause)] = uses.get(id(cause), 0) + 1
            if id(cause) not in seen:
                seen.add(id(cause))
                stack.append(cause)
    return uses


# -- writing ---------------------------------------------------------------------------


class _Visit(NamedTuple):
    """A step of the writer: prove ``fact``, numbering its line if ``conclusion``."""

    fact: _Fact
    conclusion: bool


class _Writer:
    """pub's error-reporting algorithm over the tidied graph."""

    __slots__ = ("_lines", "_numbers", "_uses", "_words")

    def __init__(self, words: Vocabulary, uses: dict[int, int]) -> None:
        self._words = words
        self._uses = uses
        self._lines: list[tuple[str, int | None]] = []
        self._numbers: dict[int, int] = {}

    def text(self) -> str:
        return "\n".join(
            line if number is None else f"{line} ({number})" for line, number in self._lines
        )

    def write(self, line: str, numbered: bool, fact: _Fact | None = None) -> None:
        if numbered and fact is not None:
            number = len(self._numbers) + 1
            self._numbers[id(fact)] = number
            self._lines.append((line, number))
        else:
            self._lines.append((line, None))

    def visit(self, root: _Fact) -> None:
        """Write the lines that prove ``root`` (a derived fact).

        pub's algorithm is recursive; here each step pushes its sub-steps and the line it
        writes after them on a stack, since proofs can be deeper than Python's recursion
        limit. Lines are worded when they are written, after the numbers they cite exist.
        """
        stack: list[_Visit | Callable[[], None]] = [_Visit(root, False)]
        while stack:
            step = stack.pop()
            if isinstance(step, _Visit):
                self._plan(step.fact, step.conclusion, stack)
            else:
                step()

    def _plan(
        self, fact: _Fact, conclusion: bool, stack: list[_Visit | Callable[[], None]]
    ) -> None:
        """Push the steps that prove ``fact``: visits of its causes, then its own line."""
        assert fact.causes is not None
        numbered = conclusion or self._uses.get(id(fact), 0) > 1
        first, second = fact.causes
        numbers = self._numbers

        def line(text: Callable[[], str]) -> Callable[[], None]:
            return lambda: self.write(text(), numbered, fact)

        # Steps run in the reverse order of the pushes below.
        if first.causes is not None and second.causes is not None:
            line1, line2 = numbers.get(id(first)), numbers.get(id(second))
            if line1 is not None and line2 is not None:
                self.write(
                    f"Because {self.claim(first)} ({line1}) and {self.claim(second)} ({line2}), "
                    f"{self.conclusion(fact)}.",
                    numbered,
                    fact,
                )
            elif line1 is not None or line2 is not None:
                with_line, without = (first, second) if line1 is not None else (second, first)
                stack.append(
                    line(
                        lambda: (
                            f"And because {self.claim(with_line)} "
                            f"({numbers[id(with_line)]}), {self.conclusion(fact)}."
                        )
                    )
                )
                stack.append(_Visit(without, False))
            elif _one_line(first) or _one_line(second):
                # The one-line cause reads right after the other's conclusion.
                before, after = (first, second) if _one_line(second) else (second, first)
                stack.append(line(lambda: f"Thus, {self.claim(fact)}."))
                stack.append(_Visit(after, False))
                stack.append(_Visit(before, False))
            else:
                stack.append(
                    line(
                        lambda: (
                            f"And because {self.claim(first)} ({numbers[id(first)]}), "
                            f"{self.conclusion(fact)}."
                        )
                    )
                )
                stack.append(_Visit(second, False))
                stack.append(lambda: self._lines.append(("", None)))
                stack.append(_Visit(first, True))
        elif first.causes is not None or second.causes is not None:
            derived, external = (first, second) if first.causes is not None else (second, first)
            number = numbers.get(id(derived))
            if number is not None:
                self.write(
                    f"Because {self.fact(external)} and {self.claim(derived)} ({number}), "
                    f"{self.conclusion(fact)}.",
                    numbered,
                    fact,
                )
            elif self._collapsible(derived):
                assert derived.causes is not None
                inner_first, inner_second = derived.causes
                inner_derived, inner_external = (
                    (inner_first, inner_second)
                    if inner_first.causes is not None
                    else (inner_second, inner_first)
                )
                stack.append(
                    line(
                        lambda: (
                            f"And because {self.both(inner_external, external)}, "
                            f"{self.conclusion(fact)}."
                        )
                    )
                )
                stack.append(_Visit(inner_derived, False))
            else:
                stack.append(
                    line(lambda: f"And because {self.fact(external)}, {self.conclusion(fact)}.")
                )
                stack.append(_Visit(derived, False))
        else:
            self.write(
                f"Because {self.both(first, second)}, {self.conclusion(fact)}.", numbered, fact
            )

    def _collapsible(self, derived: _Fact) -> bool:
        # "A, from B and c; then X from A and d" reads "B; and because c and d, X" when A
        # is needed nowhere else and exactly one of its causes is derived.
        if self._uses.get(id(derived), 0) > 1 or derived.causes is None:
            return False
        first, second = derived.causes
        if (first.causes is None) == (second.causes is None):
            return False
        inner = first if first.causes is not None else second
        return id(inner) not in self._numbers

    # -- sentences ----------------------------------------------------------------------

    def conclusion(self, fact: _Fact) -> str:
        """What a line concludes: "we can conclude that ..." or the final failure."""
        if _is_failure(fact.terms):
            return "your requirements are unsatisfiable"
        return f"we can conclude that {self.claim(fact)}"

    def claim(self, fact: _Fact) -> str:
        """What a derived fact says, as a clause."""
        if _is_failure(fact.terms):
            return "your requirements are unsatisfiable"
        terms = [t for t in fact.terms if not (t.positive and t.package == ROOT)] or list(
            fact.terms
        )
        term = self._words.term
        positive = [term(t.package, t.versions) for t in terms if t.positive]
        negative = [term(t.package, t.versions) for t in terms if not t.positive]
        if not negative:
            if len(positive) == 1:
                return f"{positive[0]} cannot be used"
            return f"{_and(positive)} are incompatible"
        if not positive:
            if len(negative) == 1:
                return f"{negative[0]} is required"
            return f"one of {_or(negative)} is required"
        verb = "requires" if len(positive) == 1 else "require"
        return f"{_and(positive)} {verb} {_or(negative)}"

    def fact(self, fact: _Fact) -> str:
        """What a fact says: an external one in the words of its kind."""
        if fact.causes is not None:
            return self.claim(fact)
        words = self._words
        terms = fact.terms
        if fact.kind is None:
            assert fact.python is not None
            return words.requires_python(
                terms[0].package, terms[0].versions, fact.python, unmet=True
            )
        if fact.kind is Kind.NO_VERSIONS:
            return words.no_versions(terms[0].package, terms[0].versions)
        if fact.kind is Kind.UNAVAILABLE:
            return words.unavailable(terms[0].package, terms[0].versions, fact.reason or "")
        if fact.kind is Kind.CONSTRAINT:
            return _constraint_text(words, terms[0].package, terms[0].versions.complement())
        if fact.kind is Kind.ROOT:
            return "your requirements must be satisfied"
        if fact.kind is Kind.DEPENDENCY:
            depender, dependee = terms
            if depender.package == ROOT:
                return f"you require {words.root_requirement(dependee.package, dependee.versions)}"
            if dependee.package == PYTHON:
                return words.requires_python(
                    depender.package, depender.versions, dependee.versions, unmet=False
                )
            return (
                f"{words.term(depender.package, depender.versions)} depends on "
                f"{words.term(dependee.package, dependee.versions)}"
            )
        return self.claim(fact)  # pragma: no cover - derived facts have causes

    def both(self, first: _Fact, second: _Fact) -> str:
        """Two external facts joined, shared words said once where they chain or pair."""
        # "The root must be selected" goes without saying.
        if first.kind is Kind.ROOT:
            return self.fact(second)
        if second.kind is Kind.ROOT:
            return self.fact(first)
        words = self._words
        if _is_dependency(first) and _is_dependency(second):
            a_depender, a_dependee = first.terms
            b_depender, b_dependee = second.terms
            # "a depends on both b and c", "you require both b and c".
            if a_depender == b_depender:
                if a_depender.package == ROOT:
                    return (
                        "you require both "
                        f"{words.root_requirement(a_dependee.package, a_dependee.versions)} and "
                        f"{words.root_requirement(b_dependee.package, b_dependee.versions)}"
                    )
                return (
                    f"{words.term(a_depender.package, a_depender.versions)} depends on both "
                    f"{words.term(a_dependee.package, a_dependee.versions)} and "
                    f"{words.term(b_dependee.package, b_dependee.versions)}"
                )
            # "a depends on b>=2 which depends on c": every b>=2 does.
            for one, two in ((first, second), (second, first)):
                required, depender = one.terms[1], two.terms[0]
                if (
                    required.package == depender.package
                    and two.terms[0].package != ROOT
                    and required.versions.is_subset(depender.versions)
                ):
                    dependee = two.terms[1]
                    return (
                        f"{self.fact(one)} which depends on "
                        f"{words.term(dependee.package, dependee.versions)}"
                    )
        return f"{self.fact(first)} and {self.fact(second)}"


def _constraint_text(words: Vocabulary, package: Package, allowed: VersionSet) -> str:
    wording = getattr(words, "constraint", None)
    if wording is None:
        return f"your constraints allow only {words.term(package, allowed)}"
    text: str = wording(package, allowed)
    return text


def _is_dependency(fact: _Fact) -> bool:
    # A plain two-term dependency on a project (Python's requirements are worded apart).
    return (
        fact.kind is Kind.DEPENDENCY
        and fact.causes is None
        and len(fact.terms) == 2
        and fact.terms[1].package != PYTHON
    )


def _one_line(fact: _Fact) -> bool:
    causes = fact.causes
    return causes is not None and causes[0].causes is None and causes[1].causes is None


def _is_failure(terms: tuple[Term, ...]) -> bool:
    return not terms or (len(terms) == 1 and terms[0].positive and terms[0].package == ROOT)


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _or(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"
