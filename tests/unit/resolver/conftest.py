"""An in-memory dependency provider: the solver's real input, kept in a dictionary.

``MemoryProvider({"a": {"1.0": {"b": ">=2"}}, "b": {"2.0": {}}})`` describes package
``a`` 1.0 depending on ``b>=2``. A dependency named ``python`` is on the target Python;
``"b[x]"`` as a dependency is the extra ``x`` of ``b``, and a key ``"b[x]"`` in the
universe lists what the extra adds per version of ``b``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from puffin.resolver.package import PYTHON, Package
from puffin.resolver.provider import Unavailable
from puffin.resolver.solver import solve
from puffin.resolver.version_set import VersionSet

Universe = Mapping[str, Mapping[str, Mapping[str, str]]]


def package_of(text: str) -> Package:
    """``"a"`` -> a, ``"a[x]"`` -> a[x], ``"python"`` -> PYTHON."""
    if text == "python":
        return PYTHON
    requirement = Requirement(text)
    extra = next(iter(requirement.extras), None)
    return Package.project(requirement.name, extra)


def requirements(spec: Mapping[str, str]) -> dict[Package, VersionSet]:
    """``{"a": ">=1.0"}`` as solver dependencies (``"*"`` or ``""`` for any version)."""
    return {
        package_of(name): VersionSet.from_specifier("" if text == "*" else text)
        for name, text in spec.items()
    }


class MemoryProvider:
    """Answers from a dictionary; records what the solver asked."""

    def __init__(
        self,
        universe: Universe,
        *,
        python: str = "3.11.7",
        rejected: Mapping[str, Mapping[str, str]] | None = None,
        unavailable: Mapping[str, Mapping[str, str]] | None = None,
        lowest: bool = False,
        priorities: Mapping[str, int] | None = None,
    ) -> None:
        self.python = Version(python)
        self.lowest = lowest
        self.priorities = dict(priorities or {})
        self.versions: dict[Package, list[Version]] = {}
        self.dependencies: dict[tuple[Package, Version], dict[Package, VersionSet]] = {}
        self.rejected = {
            package_of(name): {Version(v): why for v, why in versions.items()}
            for name, versions in (rejected or {}).items()
        }
        self.unavailable = {
            package_of(name): {Version(v): why for v, why in versions.items()}
            for name, versions in (unavailable or {}).items()
        }
        self.asked_dependencies: list[tuple[Package, Version]] = []
        self.asked_versions: list[tuple[Package, VersionSet]] = []
        extras: dict[Package, Mapping[str, Mapping[str, str]]] = {}
        for name, versions in universe.items():
            package = package_of(name)
            if package.extra is not None:
                extras[package] = versions
                continue
            self.versions[package] = sorted((Version(v) for v in versions), reverse=True)
            for text, dependencies in versions.items():
                self.dependencies[(package, Version(text))] = requirements(dependencies)
        for package, versions in extras.items():
            base = package.base
            self.versions[package] = list(self.versions.get(base, []))
            for version in self.versions[package]:
                added = requirements(versions.get(str(version), {}))
                self.dependencies[(package, version)] = {
                    base: VersionSet.singleton(version),
                    **added,
                }

    def prioritize(self, package: Package, allowed: VersionSet) -> Any:
        # Python first, then pub's heuristic: the package with the fewest versions left.
        if package == PYTHON:
            return (-1, 0, "")
        if package.name in self.priorities:
            return (0, self.priorities[package.name], str(package))
        count = sum(1 for v in self.versions.get(package, ()) if allowed.contains(v))
        return (1, count, str(package))

    async def choose_version(self, package: Package, allowed: VersionSet) -> Version | None:
        self.asked_versions.append((package, allowed))
        await asyncio.sleep(0)
        if package == PYTHON:
            return self.python if allowed.contains(self.python) else None
        rejected = self.rejected.get(package, {})
        candidates = [
            v for v in self.versions.get(package, ()) if allowed.contains(v) and v not in rejected
        ]
        if not candidates:
            return None
        return candidates[-1] if self.lowest else candidates[0]

    async def get_dependencies(
        self, package: Package, version: Version
    ) -> Mapping[Package, VersionSet] | Unavailable:
        self.asked_dependencies.append((package, version))
        await asyncio.sleep(0)
        if package == PYTHON:
            return {}
        reason = self.unavailable.get(package, {}).get(version)
        if reason is not None:
            return Unavailable(reason)
        return self.dependencies[(package, version)]

    def unavailable_versions(
        self, package: Package, allowed: VersionSet
    ) -> Sequence[tuple[VersionSet, str]]:
        if package not in self.versions and package != PYTHON:
            return ((allowed, "was not found in the package registry"),)
        return [
            (VersionSet.singleton(version), reason)
            for version, reason in self.rejected.get(package, {}).items()
            if allowed.contains(version)
        ]


def run_solve(
    provider: MemoryProvider, root: Mapping[str, str], **kwargs: Any
) -> dict[Package, Version]:
    """Solve synchronously."""
    return asyncio.run(solve(provider, requirements(root), **kwargs))


def pins(solution: Mapping[Package, Version]) -> dict[str, str]:
    """A solution as ``{"a": "1.0", "b[x]": "2.0"}``."""
    return {str(package): str(version) for package, version in solution.items()}


@pytest.fixture
def resolver_kit() -> Any:
    """The helpers above, for the resolver's test modules (which cannot import each other)."""

    class Kit:
        Provider = MemoryProvider
        solve = staticmethod(run_solve)
        pins = staticmethod(pins)
        requirements = staticmethod(requirements)
        package = staticmethod(package_of)

    return Kit
