"""Explanations of failures: golden texts for the classic PubGrub scenarios and more."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from packaging.version import Version

from puffin.resolver.incompatibility import Incompatibility, Kind, Term
from puffin.resolver.package import PYTHON, ROOT, Package
from puffin.resolver.report import DefaultVocabulary, explain
from puffin.resolver.solver import NoSolution, solve
from puffin.resolver.version_set import VersionSet


def failure(kit: Any, universe: dict[str, Any], root: dict[str, str], **options: Any) -> NoSolution:
    provider_options = {
        k: v for k, v in options.items() if k in ("python", "rejected", "unavailable")
    }
    with pytest.raises(NoSolution) as caught:
        kit.solve(kit.Provider(universe, **provider_options), root)
    return caught.value


def told(kit: Any, universe: dict[str, Any], root: dict[str, str], **options: Any) -> str:
    error = failure(kit, universe, root, **options)
    return explain(
        error,
        vocabulary=options.get("vocabulary"),
        describe_root=options.get("describe_root"),
    )


# -- pub's examples -----------------------------------------------------------------


def test_linear_error_reporting(resolver_kit: Any) -> None:
    universe = {
        "foo": {"1.0.0": {"bar": ">=2.0.0,<3.0.0"}},
        "bar": {"2.0.0": {"baz": ">=3.0.0,<4.0.0"}},
        "baz": {"1.0.0": {}, "3.0.0": {}},
    }
    text = told(resolver_kit, universe, {"foo": ">=1.0.0,<2.0.0", "baz": ">=1.0.0,<2.0.0"})
    assert text == (
        "Because foo>=1.0.0,<2.0.0 depends on bar>=2.0.0,<3.0.0 which depends on "
        "baz>=3.0.0,<4.0.0, we can conclude that foo>=1.0.0,<2.0.0 requires baz>=3.0.0,<4.0.0.\n"
        "And because you require both baz>=1.0.0,<2.0.0 and foo>=1.0.0,<2.0.0, "
        "your requirements are unsatisfiable."
    )


def test_branching_error_reporting(resolver_kit: Any) -> None:
    universe = {
        "foo": {
            "1.0.0": {"a": ">=1.0.0,<2.0.0", "b": ">=1.0.0,<2.0.0"},
            "1.1.0": {"x": ">=1.0.0,<2.0.0", "y": ">=1.0.0,<2.0.0"},
        },
        "a": {"1.0.0": {"b": ">=2.0.0,<3.0.0"}},
        "b": {"1.0.0": {}, "2.0.0": {}},
        "x": {"1.0.0": {"y": ">=2.0.0,<3.0.0"}},
        "y": {"1.0.0": {}, "2.0.0": {}},
    }
    text = told(resolver_kit, universe, {"foo": ">=1.0.0,<2.0.0"})
    assert text == (
        "Because a>=1.0.0,<2.0.0 depends on b>=2.0.0,<3.0.0 and foo==1.0.0 depends on "
        "b>=1.0.0,<2.0.0, we can conclude that a>=1.0.0,<2.0.0 and foo==1.0.0 are incompatible.\n"
        "And because foo==1.0.0 depends on a>=1.0.0,<2.0.0 and there is no version of "
        "foo>1.0.0,!=1.1.0,<2.0.0, we can conclude that foo>=1.0.0,!=1.1.0,<2.0.0 "
        "cannot be used. (1)\n"
        "\n"
        "Because x>=1.0.0,<2.0.0 depends on y>=2.0.0,<3.0.0 and foo==1.1.0 depends on "
        "y>=1.0.0,<2.0.0, we can conclude that x>=1.0.0,<2.0.0 and foo==1.1.0 are incompatible.\n"
        "And because foo==1.1.0 depends on x>=1.0.0,<2.0.0, we can conclude that foo==1.1.0 "
        "cannot be used.\n"
        "And because foo>=1.0.0,!=1.1.0,<2.0.0 cannot be used (1), we can conclude that "
        "foo>=1.0.0,<2.0.0 cannot be used.\n"
        "And because you require foo>=1.0.0,<2.0.0, your requirements are unsatisfiable."
    )


def test_conflict_with_a_root_requirement(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {"b": ">=2.0"}}, "b": {"1.0": {}, "2.0": {}}}
    assert told(resolver_kit, universe, {"a": "==1.0", "b": "<2.0"}) == (
        "Because a==1.0 depends on b>=2.0 and you require b<2.0, we can conclude that "
        "a==1.0 cannot be used.\n"
        "And because you require a==1.0, your requirements are unsatisfiable."
    )


def test_two_branches_joined_by_thus(resolver_kit: Any) -> None:
    universe = {
        "a": {"1.0": {"c": ">=2"}, "2.0": {"c": ">=3"}},
        "b": {"1.0": {"c": "<2"}, "2.0": {"c": "<1.5"}},
        "c": {"1.0": {}, "2.0": {}, "3.0": {}},
    }
    assert told(resolver_kit, universe, {"a": "*", "b": "*"}) == (
        "Because a!=2.0 depends on c>=2 and a==2.0 depends on c>=3, we can conclude that "
        "a requires c>=2.\n"
        "Because b==2.0 depends on c<1.5 and b!=2.0 depends on c<2, we can conclude that "
        "b requires c<2.\n"
        "Thus, a and b are incompatible.\n"
        "And because you require both b and a, your requirements are unsatisfiable."
    )


def test_incompatible_requirements_of_two_packages(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {"c": ">=2"}}, "b": {"1.0": {"c": "<2"}}, "c": {"1.0": {}, "2.0": {}}}
    assert told(resolver_kit, universe, {"a": "*", "b": "*"}) == (
        "Because a depends on c>=2 and b==1.0 depends on c<2, we can conclude that a and "
        "b==1.0 are incompatible.\n"
        "And because there is no version of b!=1.0, we can conclude that a and b are "
        "incompatible.\n"
        "And because you require both b and a, your requirements are unsatisfiable."
    )


def test_shared_conclusion_is_numbered_and_cited() -> None:
    # a is unusable; c and d both need a; t 1.0 needs c and t 2.0 needs d.
    a, b, c, d, t = (Package(name) for name in "abcdt")
    full = VersionSet.full()

    def dep(depender: Package, spec: str, dependency: Package, required: VersionSet = full) -> Any:
        return Incompatibility.dependency(
            depender, VersionSet.from_specifier(spec), dependency, required
        )

    a_bad = Incompatibility.derived(
        dep(a, "", b, VersionSet.from_specifier(">=2")),
        Incompatibility.no_versions(b, VersionSet.from_specifier(">=2")),
        b,
    )
    c_bad = Incompatibility.derived(dep(c, "", a), a_bad, a)
    d_bad = Incompatibility.derived(dep(d, "", a), a_bad, a)
    t1 = Incompatibility.derived(dep(t, "==1", c), c_bad, c)
    t2 = Incompatibility.derived(dep(t, "==2", d), d_bad, d)
    t_bad = Incompatibility.derived(
        Incompatibility.derived(t1, t2, t),
        Incompatibility.no_versions(t, VersionSet.from_specifier("!=1,!=2")),
        t,
    )
    root = Incompatibility.derived(dep(ROOT, "==0", t), t_bad, t)
    assert root.is_failure()
    assert explain(root) == (
        "Because a depends on b>=2 and there is no version of b>=2, we can conclude that "
        "a cannot be used. (1)\n"
        "And because t==1 depends on c which depends on a, we can conclude that t==1 cannot "
        "be used. (2)\n"
        "\n"
        "Because d depends on a and a cannot be used (1), we can conclude that d cannot be used.\n"
        "And because t==2 depends on d, we can conclude that t==2 cannot be used.\n"
        "And because t==1 cannot be used (2), we can conclude that t==1 | ==2 cannot be used.\n"
        "And because there is no version of t!=1,!=2 and you require t, your requirements "
        "are unsatisfiable."
    )


def test_long_derivations_do_not_hit_the_recursion_limit() -> None:
    # A chain of 3000 derivations: p0 needs p1 needs ... needs p3000, which is missing.
    packages = [Package(f"p{i}") for i in range(3001)]
    full = VersionSet.full()
    current = Incompatibility.no_versions(packages[-1], full)
    for depender, dependency in zip(reversed(packages[:-1]), reversed(packages[1:]), strict=True):
        fact = Incompatibility.dependency(depender, full, dependency, full)
        assert fact is not None
        current = Incompatibility.derived(fact, current, dependency)
    root_fact = Incompatibility.dependency(
        ROOT, VersionSet.singleton(Version("0")), packages[0], full
    )
    assert root_fact is not None
    lines = explain(Incompatibility.derived(root_fact, current, packages[0])).splitlines()
    assert len(lines) > 1000
    assert lines[-1] == (
        "And because you require p0 which depends on p1, your requirements are unsatisfiable."
    )


# -- Python ----------------------------------------------------------------------------


def test_requires_python_with_the_target_named(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {"python": ">=3.12"}}}
    text = told(resolver_kit, universe, {"a": "==1.0"}, vocabulary=DefaultVocabulary("3.11.7"))
    assert text == (
        "Because you require a==1.0 and a==1.0 requires Python>=3.12 "
        "(the target Python is 3.11.7), your requirements are unsatisfiable."
    )


def test_requires_python_without_a_target(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {"python": ">=3.12"}}}
    assert told(resolver_kit, universe, {"a": "==1.0"}) == (
        "Because you require a==1.0 and a==1.0 requires Python>=3.12 "
        "(the target Python does not satisfy it), your requirements are unsatisfiable."
    )


def test_every_version_requires_a_newer_python(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {"python": ">=3.12"}, "0.9": {"python": ">=3.13"}}}
    text = told(resolver_kit, universe, {"a": "*"}, vocabulary=DefaultVocabulary("3.11.7"))
    assert text == (
        "Because a!=1.0 requires Python>=3.13 and a==1.0 requires Python>=3.12, we can "
        "conclude that a requires Python>=3.12.\n"
        "And because the target Python is 3.11.7 and you require a, your requirements are "
        "unsatisfiable."
    )


def test_root_requires_python(resolver_kit: Any) -> None:
    text = told(resolver_kit, {}, {"python": ">=3.12"}, vocabulary=DefaultVocabulary("3.11.7"))
    assert text == (
        "Because you require Python>=3.12 and the target Python is 3.11.7, your requirements "
        "are unsatisfiable."
    )


# -- missing, unavailable and rejected versions ---------------------------------------


def test_no_version_in_range(resolver_kit: Any) -> None:
    assert told(resolver_kit, {"a": {"1.0": {}}}, {"a": ">=2"}) == (
        "Because you require a>=2 and there is no version of a>=2, your requirements are "
        "unsatisfiable."
    )


def test_package_not_found(resolver_kit: Any) -> None:
    assert told(resolver_kit, {}, {"a": "*"}) == (
        "Because you require a and a was not found in the package registry, your "
        "requirements are unsatisfiable."
    )


def test_rejected_by_a_plugin(resolver_kit: Any) -> None:
    rejected = {"a": {"2.0": "was rejected by plugin 'deny' (on the deny list)"}}
    assert told(resolver_kit, {"a": {"1.0": {}, "2.0": {}}}, {"a": ">=2"}, rejected=rejected) == (
        "Because a==2.0 was rejected by plugin 'deny' (on the deny list) and there is no "
        "version of a>2.0, we can conclude that a>=2.0 cannot be used.\n"
        "And because you require a>=2, your requirements are unsatisfiable."
    )


def test_unavailable_dependencies(resolver_kit: Any) -> None:
    unavailable = {"a": {"2.0": "has no wheel for this platform and no source distribution"}}
    text = told(resolver_kit, {"a": {"1.0": {}, "2.0": {}}}, {"a": ">=2"}, unavailable=unavailable)
    assert text == (
        "Because there is no version of a>2.0 and a==2.0 has no wheel for this platform and "
        "no source distribution, we can conclude that a>=2.0 cannot be used.\n"
        "And because you require a>=2, your requirements are unsatisfiable."
    )


def test_self_dependency_on_another_version(resolver_kit: Any) -> None:
    assert told(resolver_kit, {"a": {"1.0": {"a": "==2.0"}}}, {"a": "*"}) == (
        "Because there is no version of a!=1.0 and a==1.0 depends on a==2.0, we can conclude "
        "that a cannot be used.\n"
        "And because you require a, your requirements are unsatisfiable."
    )


def test_extras_read_as_packages(resolver_kit: Any) -> None:
    universe = {"b": {"1.0": {}, "2.0": {}}, "b[x]": {"1.0": {"c": ">=2"}}, "c": {"1.0": {}}}
    assert told(resolver_kit, universe, {"b[x]": "<2"}) == (
        "Because b[x]<2 depends on c>=2 and there is no version of c>=2, we can conclude that "
        "b[x]<2 cannot be used.\n"
        "And because you require b[x]<2, your requirements are unsatisfiable."
    )


# -- constraints and empty requirements ------------------------------------------------


def told_with_constraints(
    kit: Any, universe: dict[str, Any], root: dict[str, str], limits: dict[str, str], **words: Any
) -> str:
    provider = kit.Provider(universe)
    with pytest.raises(NoSolution) as caught:
        asyncio.run(solve(provider, kit.requirements(root), constraints=kit.requirements(limits)))
    return explain(caught.value, **words)


def test_constraint_conflicts_with_a_dependency(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {"b": ">=2.0"}}, "b": {"1.0": {}, "2.0": {}}}
    assert told_with_constraints(resolver_kit, universe, {"a": "==1.0"}, {"b": "<2.0"}) == (
        "Because a==1.0 depends on b>=2.0 and your constraints allow only b<2.0, we can "
        "conclude that a==1.0 cannot be used.\n"
        "And because you require a==1.0, your requirements are unsatisfiable."
    )


def test_constraint_conflicts_with_a_requirement(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {}, "2.0": {}}}
    assert told_with_constraints(resolver_kit, universe, {"a": ">=2.0"}, {"a": "<2.0"}) == (
        "Because you require a>=2.0 and your constraints allow only a<2.0, your requirements "
        "are unsatisfiable."
    )


@dataclass(frozen=True)
class WithOrigins(DefaultVocabulary):
    """Names where constraints come from."""

    def constraint(self, package: Package, allowed: VersionSet) -> str:
        return f"constraints.txt line 1 allows only {self.term(package, allowed)}"


def test_constraint_wording_is_the_vocabularys(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {}, "2.0": {}}}
    text = told_with_constraints(
        resolver_kit,
        universe,
        {"a": ">=2.0"},
        {"a": "<2.0"},
        vocabulary=WithOrigins(),
        describe_root=lambda package, versions: f"{package}{versions} (line 1)",
    )
    assert text == (
        "Because you require a>=2.0 (line 1) and constraints.txt line 1 allows only a<2.0, "
        "your requirements are unsatisfiable."
    )


def test_requirement_of_no_version(resolver_kit: Any) -> None:
    assert told(resolver_kit, {"a": {"1.0": {}}}, {"a": ">=2,<1"}) == (
        "Because you require no version of a, your requirements are unsatisfiable."
    )


# -- wording hooks ---------------------------------------------------------------------


def test_describe_root_names_requirement_origins(resolver_kit: Any) -> None:
    lines = {"a": 3, "b": 4}

    def describe(package: Package, versions: VersionSet) -> str:
        origin = f"(from requirements.in line {lines[package.name]})"
        return f"{package}{versions.format(compact=True)} {origin}"

    universe = {"a": {"1.0": {"b": ">=2.0"}}, "b": {"1.0": {}, "2.0": {}}}
    text = told(resolver_kit, universe, {"a": "==1.0", "b": "<2.0"}, describe_root=describe)
    assert text == (
        "Because a==1.0 depends on b>=2.0 and you require b<2.0 (from requirements.in line 4), "
        "we can conclude that a==1.0 cannot be used.\n"
        "And because you require a==1.0 (from requirements.in line 3), your requirements are "
        "unsatisfiable."
    )


@dataclass(frozen=True)
class Shouting(DefaultVocabulary):
    """A vocabulary that words packages its own way and says which Pythons are involved."""

    def term(self, package: Package, versions: VersionSet) -> str:
        return super().term(package, versions).upper()

    def requires_python(
        self, package: Package, versions: VersionSet, python: VersionSet, *, unmet: bool
    ) -> str:
        pythons = f"(running 3.12.1, target {self.target_python})"
        return f"{self.term(package, versions)} needs Python {python} {pythons}"


def test_custom_vocabulary(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {"python": ">=3.12", "b": "*"}}, "b": {"1.0": {}}}
    text = told(resolver_kit, universe, {"a": "*"}, vocabulary=Shouting("3.11.7"))
    assert text == (
        "Because you require A and A needs Python >=3.12 (running 3.12.1, target 3.11.7), "
        "your requirements are unsatisfiable."
    )


def test_default_vocabulary_terms() -> None:
    words = DefaultVocabulary()
    a = Package("a")
    assert words.term(a, VersionSet.full()) == "a"
    assert words.term(a, VersionSet.from_specifier("!=1.0")) == "a!=1.0"
    assert words.term(a, VersionSet.from_specifier(">=1.0,<2.0")) == "a>=1.0,<2.0"
    assert words.term(a, VersionSet.empty()) == "no version of a"
    assert words.term(Package("a", "x"), VersionSet.from_specifier("==1.0")) == "a[x]==1.0"
    assert words.term(PYTHON, VersionSet.from_specifier(">=3.12")) == "Python>=3.12"
    assert words.no_versions(a, VersionSet.full()) == "there is no version of a"
    assert (
        words.unavailable(a, VersionSet.from_specifier("==1.0"), "was yanked")
        == "a==1.0 was yanked"
    )


def test_explains_an_external_root_failure() -> None:
    # A root that depends on another version of itself fails without any derivation.
    root_fact = Incompatibility.dependency(
        ROOT,
        VersionSet.singleton(Version("0")),
        ROOT,
        VersionSet.from_specifier(">=1"),
    )
    assert root_fact is not None and root_fact.is_failure()
    assert explain(root_fact) == (
        "Because the root==0 depends on the root>=1, your requirements are unsatisfiable."
    )
    assert explain(Incompatibility((), Kind.DERIVED, None, (root_fact, root_fact))).startswith(
        "Because"
    )
    assert Term(ROOT, VersionSet.full()).positive
