"""The PubGrub solver over in-memory universes (the ``resolver_kit`` fixture)."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from puffin.resolver.package import PYTHON, ROOT, Package
from puffin.resolver.solver import NoSolution, ProviderError, solve
from puffin.resolver.version_set import VersionSet

HERE = Path(__file__).parent


def resolve(
    kit: Any, universe: dict[str, Any], root: dict[str, str], **options: Any
) -> dict[str, str]:
    return kit.pins(kit.solve(kit.Provider(universe, **options), root))


# -- the examples of pub's solver documentation ----------------------------------------


def test_no_conflicts(resolver_kit: Any) -> None:
    universe = {
        "foo": {"1.0.0": {"bar": ">=1.0.0,<2.0.0"}},
        "bar": {"1.0.0": {}, "2.0.0": {}},
    }
    assert resolve(resolver_kit, universe, {"foo": ">=1.0.0,<2.0.0"}) == {
        "foo": "1.0.0",
        "bar": "1.0.0",
    }


def test_avoiding_conflict_during_decision_making(resolver_kit: Any) -> None:
    universe = {
        "foo": {"1.1.0": {"bar": ">=2.0.0,<3.0.0"}, "1.0.0": {}},
        "bar": {"1.0.0": {}, "1.1.0": {}, "2.0.0": {}},
    }
    provider = resolver_kit.Provider(universe)
    solution = resolver_kit.solve(provider, {"foo": ">=1.0.0,<2.0.0", "bar": ">=1.0.0,<2.0.0"})
    assert resolver_kit.pins(solution) == {"foo": "1.0.0", "bar": "1.1.0"}
    # foo 1.1.0 was examined (its dependencies read) but never selected.
    assert (Package("foo"), Version("1.1.0")) in provider.asked_dependencies


def test_performing_conflict_resolution(resolver_kit: Any) -> None:
    universe = {
        "foo": {"2.0.0": {"bar": ">=1.0.0,<2.0.0"}, "1.0.0": {}},
        "bar": {"1.0.0": {"foo": ">=1.0.0,<2.0.0"}},
    }
    assert resolve(resolver_kit, universe, {"foo": ">=1.0.0"}) == {"foo": "1.0.0"}


def test_conflict_resolution_with_a_partial_satisfier(resolver_kit: Any) -> None:
    universe = {
        "foo": {"1.1.0": {"left": ">=1.0.0,<2.0.0", "right": ">=1.0.0,<2.0.0"}, "1.0.0": {}},
        "left": {"1.0.0": {"shared": ">=1.0.0"}},
        "right": {"1.0.0": {"shared": "<2.0.0"}},
        "shared": {"2.0.0": {}, "1.0.0": {"target": ">=1.0.0,<2.0.0"}},
        "target": {"2.0.0": {}, "1.0.0": {}},
    }
    root = {"foo": ">=1.0.0,<2.0.0", "target": ">=2.0.0,<3.0.0"}
    assert resolve(resolver_kit, universe, root) == {"foo": "1.0.0", "target": "2.0.0"}


def test_linear_error_example_has_no_solution(resolver_kit: Any) -> None:
    universe = {
        "foo": {"1.0.0": {"bar": ">=2.0.0,<3.0.0"}},
        "bar": {"2.0.0": {"baz": ">=3.0.0,<4.0.0"}},
        "baz": {"1.0.0": {}, "3.0.0": {}},
    }
    with pytest.raises(NoSolution) as caught:
        resolve(resolver_kit, universe, {"foo": ">=1.0.0,<2.0.0", "baz": ">=1.0.0,<2.0.0"})
    assert caught.value.incompatibility.is_failure()


# -- basics ----------------------------------------------------------------------------


def test_nothing_required(resolver_kit: Any) -> None:
    assert resolve(resolver_kit, {"a": {"1.0": {}}}, {}) == {}


def test_newest_allowed_version_wins(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {}, "2.0": {}, "3.0": {}}}
    assert resolve(resolver_kit, universe, {"a": "<3"}) == {"a": "2.0"}
    assert resolve(resolver_kit, universe, {"a": "*"}, lowest=True) == {"a": "1.0"}


def test_transitive_dependencies(resolver_kit: Any) -> None:
    universe = {
        "a": {"1.0": {"b": ">=1"}},
        "b": {"1.0": {"c": "==2.0"}, "2.0": {"c": "<2"}},
        "c": {"1.0": {}, "2.0": {}},
        "unrelated": {"1.0": {}},
    }
    assert resolve(resolver_kit, universe, {"a": "*"}) == {"a": "1.0", "b": "2.0", "c": "1.0"}


def test_shared_dependency_ranges_intersect(resolver_kit: Any) -> None:
    universe = {
        "a": {"1.0": {"c": ">=1.2"}},
        "b": {"1.0": {"c": "<1.4"}},
        "c": {v: {} for v in ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5")},
    }
    assert resolve(resolver_kit, universe, {"a": "*", "b": "*"})["c"] == "1.3"


def test_result_excludes_root_and_python(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {"python": ">=3.8"}}}
    solution = resolver_kit.solve(resolver_kit.Provider(universe), {"a": "*", "python": ">=3"})
    assert ROOT not in solution and PYTHON not in solution
    assert resolver_kit.pins(solution) == {"a": "1.0"}


def test_root_version(resolver_kit: Any) -> None:
    provider = resolver_kit.Provider({"a": {"1.0": {}}})
    solution = resolver_kit.solve(provider, {"a": "*"}, root_version=Version("4.2"))
    assert resolver_kit.pins(solution) == {"a": "1.0"}


def test_prerelease_and_post_versions_are_ordinary(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {}, "2.0rc1": {}, "1.0.post1": {}}}
    assert resolve(resolver_kit, universe, {"a": "<2.0"}) == {"a": "1.0.post1"}
    assert resolve(resolver_kit, universe, {"a": ">=2.0rc1"}) == {"a": "2.0rc1"}


# -- backtracking ----------------------------------------------------------------------


def test_backtracks_over_many_versions(resolver_kit: Any) -> None:
    # Only the oldest of 30 versions of a works with the root's pin of b.
    universe = {
        "a": {f"{n}.0": {"b": f"=={n}.0"} for n in range(1, 31)},
        "b": {f"{n}.0": {} for n in range(1, 31)},
    }
    provider = resolver_kit.Provider(universe, priorities={"a": 0, "b": 1})
    solution = resolver_kit.solve(provider, {"a": "*", "b": "<2"})
    assert resolver_kit.pins(solution) == {"a": "1.0", "b": "1.0"}


def test_deep_backtracking(resolver_kit: Any) -> None:
    # p0 -> p1 -> ... -> p11: the newest versions all lead to a dead end at the bottom,
    # so the solver must back out of twelve levels of decisions.
    depth = 12
    universe: dict[str, Any] = {}
    for level in range(depth):
        universe[f"p{level}"] = {
            f"{n}.0": {f"p{level + 1}": f"=={n}.0"} if level + 1 < depth else {"missing": "*"}
            for n in (2, 3)
        }
        universe[f"p{level}"]["1.0"] = {f"p{level + 1}": "==1.0"} if level + 1 < depth else {}
    solution = resolve(resolver_kit, universe, {"p0": "*"})
    assert solution == {f"p{level}": "1.0" for level in range(depth)}


def test_backjumps_past_irrelevant_decisions(resolver_kit: Any) -> None:
    # Decisions about x, y, z have nothing to do with the conflict between a and b; the
    # solver learns "a>=2 needs b>=2" once and keeps its other choices.
    universe = {
        "a": {"1.0": {}, "2.0": {"b": ">=2"}},
        "b": {"1.0": {}},
        "x": {"1.0": {}, "2.0": {}},
        "y": {"1.0": {}, "2.0": {}},
        "z": {"1.0": {}, "2.0": {}},
    }
    provider = resolver_kit.Provider(universe, priorities={"x": 0, "y": 1, "z": 2, "a": 3, "b": 4})
    solution = resolver_kit.solve(provider, {"x": "*", "y": "*", "z": "*", "a": "*", "b": "*"})
    assert resolver_kit.pins(solution) == {
        "x": "2.0",
        "y": "2.0",
        "z": "2.0",
        "a": "1.0",
        "b": "1.0",
    }
    asked = [str(package) for package, _ in provider.asked_dependencies]
    assert asked.count("x") == 1 and asked.count("a") == 2


def test_dependencies_are_asked_once_per_version(resolver_kit: Any) -> None:
    universe = {
        "a": {f"{n}.0": {"b": f">={n}.0", "c": "*"} for n in range(1, 6)},
        "b": {f"{n}.0": {"c": f"<{n}.0"} for n in range(1, 6)},
        "c": {f"{n}.0": {} for n in range(1, 6)},
    }
    provider = resolver_kit.Provider(universe)
    resolver_kit.solve(provider, {"a": "*"})
    assert len(provider.asked_dependencies) == len(set(provider.asked_dependencies))


def test_choose_version_sees_what_was_learned(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {}, "2.0": {"b": ">=2"}}, "b": {"1.0": {}}}
    provider = resolver_kit.Provider(universe)
    resolver_kit.solve(provider, {"a": "*", "b": "*"})
    allowed = [versions for package, versions in provider.asked_versions if package.name == "a"]
    assert allowed[0].is_full
    assert not allowed[-1].contains(Version("2.0"))


# -- cycles, self-dependencies, extras ------------------------------------------------


def test_dependency_cycle(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {"b": "*"}}, "b": {"1.0": {"c": "*"}}, "c": {"1.0": {"a": "==1.0"}}}
    assert resolve(resolver_kit, universe, {"a": "*"}) == {"a": "1.0", "b": "1.0", "c": "1.0"}


def test_dependency_cycle_with_conflict(resolver_kit: Any) -> None:
    universe = {
        "a": {"2.0": {"b": "*"}, "1.0": {"b": "*"}},
        "b": {"1.0": {"a": "<2"}},
    }
    assert resolve(resolver_kit, universe, {"a": "*"}) == {"a": "1.0", "b": "1.0"}


def test_self_dependency(resolver_kit: Any) -> None:
    universe = {"a": {"2.0": {"a": "<2"}, "1.0": {"a": ">=1"}}}
    assert resolve(resolver_kit, universe, {"a": "*"}) == {"a": "1.0"}


def test_extras_are_virtual_packages(resolver_kit: Any) -> None:
    universe = {
        "app": {"1.0": {"lib[fast]": ">=1"}},
        "lib": {"1.0": {}, "2.0": {}},
        "lib[fast]": {"1.0": {"speedup": "*"}, "2.0": {"speedup": ">=2"}},
        "speedup": {"1.0": {}, "2.0": {}},
    }
    assert resolve(resolver_kit, universe, {"app": "*"}) == {
        "app": "1.0",
        "lib[fast]": "2.0",
        "lib": "2.0",
        "speedup": "2.0",
    }


def test_extra_and_base_share_one_version(resolver_kit: Any) -> None:
    # lib[fast] needs speedup>=2, which only lib<2's extra can have... and the root pins
    # lib<2 directly, so the extra follows the base down to 1.0.
    universe = {
        "lib": {"1.0": {}, "2.0": {}},
        "lib[fast]": {"1.0": {"speedup": "*"}, "2.0": {"speedup": ">=2"}},
        "speedup": {"1.0": {}},
    }
    assert resolve(resolver_kit, universe, {"lib[fast]": "*", "lib": "*"}) == {
        "lib[fast]": "1.0",
        "lib": "1.0",
        "speedup": "1.0",
    }


# -- constraints -------------------------------------------------------------------------


def constrained(
    kit: Any, universe: dict[str, Any], root: dict[str, str], limits: dict[str, str]
) -> Any:
    provider = kit.Provider(universe)
    found = asyncio.run(
        solve(provider, kit.requirements(root), constraints=kit.requirements(limits))
    )
    return kit.pins(found)


def test_constraints_limit_without_requiring(resolver_kit: Any) -> None:
    universe = {
        "a": {"1.0": {"b": "*"}, "2.0": {"b": ">=2"}},
        "b": {"1.0": {}, "2.0": {}},
        "c": {"1.0": {}},
    }
    found = constrained(resolver_kit, universe, {"a": "*"}, {"b": "<2.0", "c": "<1"})
    assert found == {"a": "1.0", "b": "1.0"}


def test_constraint_against_a_requirement_fails(resolver_kit: Any) -> None:
    with pytest.raises(NoSolution):
        constrained(resolver_kit, {"a": {"1.0": {}, "2.0": {}}}, {"a": ">=2.0"}, {"a": "<2.0"})


# -- Python, unavailable and missing versions -----------------------------------------


def test_requires_python_skips_versions(resolver_kit: Any) -> None:
    universe = {"a": {"2.0": {"python": ">=3.12"}, "1.0": {"python": ">=3.8"}}}
    assert resolve(resolver_kit, universe, {"a": "*"}, python="3.11.7") == {"a": "1.0"}
    assert resolve(resolver_kit, universe, {"a": "*"}, python="3.12.1") == {"a": "2.0"}


def test_requires_python_without_a_match_fails(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {"python": ">=3.12"}}}
    with pytest.raises(NoSolution):
        resolve(resolver_kit, universe, {"a": "*"}, python="3.11.7")


def test_unavailable_version_is_skipped(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {}, "2.0": {}}}
    unavailable = {"a": {"2.0": "has no wheel for this platform and no source distribution"}}
    assert resolve(resolver_kit, universe, {"a": "*"}, unavailable=unavailable) == {"a": "1.0"}


def test_rejected_version_is_not_chosen(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {}, "2.0": {}}}
    rejected = {"a": {"2.0": "was rejected by plugin 'deny' (on the deny list)"}}
    assert resolve(resolver_kit, universe, {"a": "*"}, rejected=rejected) == {"a": "1.0"}


def test_no_versions(resolver_kit: Any) -> None:
    with pytest.raises(NoSolution):
        resolve(resolver_kit, {"a": {"1.0": {}}}, {"a": ">=2"})


def test_missing_package(resolver_kit: Any) -> None:
    with pytest.raises(NoSolution):
        resolve(resolver_kit, {"a": {"1.0": {"ghost": "*"}}}, {"a": "*"})


def test_dependency_on_no_version_makes_a_version_unusable(resolver_kit: Any) -> None:
    universe = {"a": {"2.0": {"b": ">=2,<1"}, "1.0": {}}, "b": {"1.0": {}}}
    assert resolve(resolver_kit, universe, {"a": "*"}) == {"a": "1.0"}


def test_no_solution_str_is_the_explanation(resolver_kit: Any) -> None:
    with pytest.raises(NoSolution) as caught:
        resolve(resolver_kit, {"a": {"1.0": {}}}, {"a": ">=2"})
    assert str(caught.value) == (
        "Because you require a>=2 and there is no version of a>=2, "
        "your requirements are unsatisfiable."
    )
    assert "Incompatibility" in repr(caught.value)


# -- the provider's side of the protocol ----------------------------------------------


class _Lying:
    def prioritize(self, package: Package, allowed: VersionSet) -> Any:
        return 0

    async def choose_version(self, package: Package, allowed: VersionSet) -> Version | None:
        return Version("9")

    async def get_dependencies(
        self, package: Package, version: Version
    ) -> dict[Package, VersionSet]:
        return {}

    def unavailable_versions(self, package: Package, allowed: VersionSet) -> tuple[()]:
        return ()


def test_provider_choosing_outside_allowed_is_an_error() -> None:
    root = {Package("a"): VersionSet.from_specifier("<2")}
    with pytest.raises(ProviderError, match=r"a==9, which is not in <2"):
        asyncio.run(solve(_Lying(), root))


def test_provider_coroutines_run_concurrently_with_prefetches(resolver_kit: Any) -> None:
    # A provider may start fetching in one call and collect the result in a later one:
    # the solver awaits on the running loop, so background tasks make progress.
    class Prefetching(resolver_kit.Provider):  # type: ignore[misc,name-defined]
        def __init__(self, universe: Any) -> None:
            super().__init__(universe)
            self.tasks: dict[Any, asyncio.Task[None]] = {}
            self.finished: list[str] = []

        async def choose_version(self, package: Package, allowed: VersionSet) -> Version | None:
            version = await super().choose_version(package, allowed)
            if version is not None and package not in self.tasks:
                self.tasks[package] = asyncio.ensure_future(self._fetch(str(package)))
            return version

        async def _fetch(self, name: str) -> None:
            await asyncio.sleep(0.001)
            self.finished.append(name)

        async def get_dependencies(self, package: Package, version: Version) -> Any:
            await self.tasks[package]
            return await super().get_dependencies(package, version)

    provider = Prefetching({"a": {"1.0": {"b": "*"}}, "b": {"1.0": {}}})
    solution = resolver_kit.solve(provider, {"a": "*"})
    assert resolver_kit.pins(solution) == {"a": "1.0", "b": "1.0"}
    assert provider.finished == ["a", "b"]


def test_priorities_decide_the_order(resolver_kit: Any) -> None:
    universe = {"a": {"1.0": {}}, "b": {"1.0": {}}, "c": {"1.0": {}}}
    provider = resolver_kit.Provider(universe, priorities={"c": 0, "a": 1, "b": 2})
    resolver_kit.solve(provider, {"a": "*", "b": "*", "c": "*"})
    assert [str(p) for p, _ in provider.asked_dependencies] == ["c", "a", "b"]


# -- soundness and completeness against brute force -----------------------------------


def _random_universe(rng: random.Random) -> tuple[dict[str, Any], dict[str, str]]:
    names = [f"p{i}" for i in range(rng.randint(1, 5))]
    specs = ["*", ">={lo}", "<{hi}", ">={lo},<{hi}", "=={lo}", "!={lo}"]

    def spec() -> str:
        lo = rng.randint(1, 4)
        return rng.choice(specs).format(lo=lo, hi=lo + rng.randint(0, 3))

    universe = {
        name: {
            str(v): {
                other: spec() for other in rng.sample(names, rng.randint(0, min(3, len(names))))
            }
            for v in range(1, rng.randint(1, 4) + 1)
        }
        for name in names
    }
    root = {name: spec() for name in rng.sample(names, rng.randint(1, len(names)))}
    return universe, root


def _valid(universe: dict[str, Any], root: dict[str, str], chosen: dict[str, Version]) -> bool:
    def met(name: str, spec: str) -> bool:
        wanted = SpecifierSet("" if spec == "*" else spec)
        return name in chosen and wanted.contains(chosen[name], prereleases=True)

    return all(met(name, spec) for name, spec in root.items()) and all(
        met(name, spec)
        for package, version in chosen.items()
        for name, spec in universe[package][str(version)].items()
    )


def _brute_force(universe: dict[str, Any], root: dict[str, str]) -> bool:
    names = list(universe)
    options = [[None, *(Version(v) for v in universe[name])] for name in names]
    for combination in itertools.product(*options):
        chosen = {n: v for n, v in zip(names, combination, strict=True) if v is not None}
        if _valid(universe, root, chosen):
            return True
    return False


def test_agrees_with_brute_force_on_random_universes(resolver_kit: Any) -> None:
    from puffin.resolver.report import explain

    rng = random.Random(20240611)
    solved = failed = 0
    for _ in range(400):
        universe, root = _random_universe(rng)
        possible = _brute_force(universe, root)
        try:
            solution = resolver_kit.solve(resolver_kit.Provider(universe), root)
        except NoSolution as error:
            assert not possible, (universe, root)
            assert explain(error)  # every failure can be told
            failed += 1
        else:
            chosen = {str(package): version for package, version in solution.items()}
            assert _valid(universe, root, chosen), (universe, root, chosen)
            solved += 1
    assert solved > 50 and failed > 50


# -- scale and determinism ---------------------------------------------------------------


def _large_universe(seed: int, packages: int = 200, versions: int = 30) -> dict[str, Any]:
    # Each version depends on three later packages through a window of 2/5 of their
    # versions, so the solver has to backtrack, but a solution exists.
    rng = random.Random(seed)
    window = versions * 2 // 5
    universe: dict[str, Any] = {}
    for index in range(packages):
        later = range(index + 1, packages)
        universe[f"p{index}"] = {
            f"{v}.0": {
                f"p{j}": f">={lo}.0,<{lo + window}.0"
                for j in rng.sample(later, min(3, len(later)))
                for lo in [rng.randint(1, versions - window + 1)]
            }
            for v in range(1, versions + 1)
        }
    return universe


def test_200_packages_of_30_versions(resolver_kit: Any) -> None:
    universe = _large_universe(seed=0)
    provider = resolver_kit.Provider(universe)
    started = time.perf_counter()
    solution = resolver_kit.solve(provider, {f"p{i}": "*" for i in range(10)})
    elapsed = time.perf_counter() - started
    print(
        f"\n200 packages x 30 versions: {len(solution)} pinned, "
        f"{len(provider.asked_dependencies)} versions read, {elapsed * 1000:.0f} ms"
    )
    chosen = {str(package): version for package, version in solution.items()}
    assert _valid(universe, {f"p{i}": "*" for i in range(10)}, chosen)


def test_same_input_same_output(resolver_kit: Any) -> None:
    universe = _large_universe(seed=3, packages=60, versions=10)
    root = {f"p{i}": "*" for i in range(5)}
    first = resolver_kit.Provider(universe)
    second = resolver_kit.Provider(universe)
    assert list(resolver_kit.solve(first, root).items()) == list(
        resolver_kit.solve(second, root).items()
    )
    assert first.asked_dependencies == second.asked_dependencies


def test_output_does_not_depend_on_hash_seeds() -> None:
    # Package names are strings, whose hashes change per process: nothing may iterate a set.
    script = textwrap.dedent(
        f"""
        import asyncio, importlib.util, random, sys
        spec = importlib.util.spec_from_file_location("kit", {str(HERE / "conftest.py")!r})
        kit = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(kit)
        rng = random.Random(7)
        def dependencies(i):
            later = rng.sample(range(i + 1, 40), min(3, 39 - i))
            return {{f"n{{j}}": f">={{rng.randint(1, 3)}}.0" for j in later}}
        universe = {{
            f"n{{i}}": {{f"{{v}}.0": dependencies(i) for v in range(1, 6)}} for i in range(40)
        }}
        provider = kit.MemoryProvider(universe)
        try:
            print(list(kit.pins(kit.run_solve(provider, {{"n0": "*", "n1": "*"}})).items()))
        except Exception as error:
            print(error)
        print(provider.asked_dependencies)
        """
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
