"""Packages, terms and incompatibilities: the solver's vocabulary of facts."""

from __future__ import annotations

from packaging.version import Version

from puffin.resolver.incompatibility import Incompatibility, Kind, Term
from puffin.resolver.package import PYTHON, ROOT, Package
from puffin.resolver.version_set import VersionSet

A = Package("a")


def vs(text: str) -> VersionSet:
    return VersionSet.from_specifier(text)


def test_package_names_and_kinds() -> None:
    assert str(Package("a")) == "a"
    assert str(Package("a", "x")) == "a[x]"
    assert str(ROOT) == "the root"
    assert str(PYTHON) == "Python"
    assert ROOT.is_root and not ROOT.is_python
    assert PYTHON.is_python and not Package("python").is_python
    assert Package.project("Foo_Bar", "Security.Extra") == Package("foo-bar", "security-extra")
    assert Package("a", "x").base == Package("a")
    assert Package("a").base is not None
    assert len({Package("a"), Package("a", None), Package("a", "x")}) == 2
    assert repr(Package("a", "x")) == "Package('a', 'x')"


def test_term_intersection_and_union() -> None:
    positive = Term(A, vs(">=1.0"))
    negative = Term(A, vs(">=2.0"), False)
    # Not vs(">=1.0,<2.0"): PEP 440's "<2.0" also leaves out 2.0's pre-releases.
    between = vs(">=1.0") - vs(">=2.0")
    assert between.contains(Version("2.0rc1"))
    assert positive.intersect(negative) == Term(A, between)
    assert negative.intersect(positive) == Term(A, between)
    assert negative.intersect(Term(A, vs("<1.0"), False)) == Term(
        A, vs("<1.0") | vs(">=2.0"), False
    )
    assert positive.union(Term(A, vs(">=1.0").complement())) == Term(A, VersionSet.full())
    # "a>=1" or "not a>=2" holds whatever is selected; "a<1" or "not a>=2" excludes a>=2.
    assert positive.union(negative).is_any
    assert Term(A, vs("<1.0")).union(negative) == Term(A, vs(">=2.0"), False)
    assert Term(A, VersionSet.empty(), False).is_any
    assert not Term(A, VersionSet.empty()).is_any


def test_term_relations() -> None:
    decided = Term(A, VersionSet.singleton(Version("1.5")))
    assert decided.satisfies(Term(A, vs(">=1.0")))
    assert decided.satisfies(Term(A, vs(">=2.0"), False))
    assert decided.contradicts(Term(A, vs(">=2.0")))
    assert decided.contradicts(Term(A, vs(">=1.0"), False))
    excluded = Term(A, vs(">=1.0"), False)
    # A negative term allows "not selected", so it never satisfies a positive one...
    assert not excluded.satisfies(Term(A, VersionSet.full()))
    # ...and never contradicts another negative one.
    assert not excluded.contradicts(Term(A, vs("<1.0"), False))
    assert excluded.satisfies(Term(A, vs(">=2.0"), False))
    assert excluded.contradicts(Term(A, vs(">=2.0")))
    assert str(excluded) == "not a>=1.0"
    assert str(Term(A, VersionSet.full(), False)) == "not a"
    assert str(Term(A, VersionSet.full())) == "a"
    assert str(Term(A, vs(">=1.0,<2.0"))) == "a>=1.0,<2.0"
    assert str(Term(A, vs("!=1.0"))) == "a!=1.0"


def test_dependency_incompatibility() -> None:
    fact = Incompatibility.dependency(A, vs("==1.0"), Package("b"), vs(">=2"))
    assert fact is not None
    assert fact.kind is Kind.DEPENDENCY
    assert fact.terms == (Term(A, vs("==1.0")), Term(Package("b"), vs(">=2"), False))
    assert str(fact) == "{a==1.0, not b>=2}"
    assert fact.term(Package("b")) == Term(Package("b"), vs(">=2"), False)
    assert fact.term(Package("c")) is None
    assert not fact.is_derived and not fact.is_failure()


def test_self_dependency() -> None:
    one = VersionSet.singleton(Version("1.0"))
    assert Incompatibility.dependency(A, one, A, vs(">=0.5")) is None
    fact = Incompatibility.dependency(A, one, A, vs(">=2"))
    assert fact is not None
    assert fact.terms == (Term(A, one),)
    assert fact.kind is Kind.UNAVAILABLE
    assert fact.reason == "depends on a>=2"


def test_derived_incompatibility_is_the_resolvent() -> None:
    # {foo>=2, not bar>=1,<2} and {bar, not foo>=1,<2} give {foo>=2} (pub's example).
    foo, bar = Package("foo"), Package("bar")
    first = Incompatibility.dependency(bar, VersionSet.full(), foo, vs(">=1.0,<2.0"))
    second = Incompatibility.dependency(foo, vs(">=2.0"), bar, vs(">=1.0,<2.0"))
    assert first is not None and second is not None
    derived = Incompatibility.derived(first, second, bar)
    assert derived.terms == (Term(foo, vs(">=2.0")),)
    assert derived.causes == (first, second)
    assert derived.is_derived and derived.kind is Kind.DERIVED
    assert "derived" in repr(derived)


def test_failure() -> None:
    assert Incompatibility((), Kind.DERIVED).is_failure()
    assert Incompatibility((Term(ROOT, VersionSet.full()),), Kind.DERIVED).is_failure()
    assert not Incompatibility.not_root(Version("0")).is_failure()
    assert Incompatibility.no_versions(A, vs(">=1")).kind is Kind.NO_VERSIONS
    assert Incompatibility.unavailable(A, vs(">=1"), "was yanked").reason == "was yanked"
