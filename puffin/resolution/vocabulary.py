"""How puffin words a failed resolution: the user's requirements with where they came
from, and Python as both the target and the interpreter puffin runs on."""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from puffin._values import value_type
from puffin.resolver.report import DefaultVocabulary, explain

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from packaging.requirements import Requirement

    from puffin.environment.target import TargetEnvironment
    from puffin.requirements.manifest import RequirementEntry
    from puffin.resolution.options import ResolverOptions
    from puffin.resolver.package import Package
    from puffin.resolver.version_set import VersionSet


@value_type
class PuffinVocabulary:
    """The default wording, plus origins of root requirements and both Pythons."""

    target_python: str
    running_python: str
    origins: Mapping[str, str] = field(default_factory=dict)
    """Normalized project name -> ``requirements.in line 3``."""
    constraint_origins: Mapping[str, str] = field(default_factory=dict)
    """Normalized project name -> ``constraints.txt line 1``."""

    @property
    def _plain(self) -> DefaultVocabulary:
        return DefaultVocabulary(target_python=self.target_python)

    def term(self, package: Package, versions: VersionSet) -> str:
        """As the default: ``a==1.0``, ``a>=1.0,<2.0``."""
        return self._plain.term(package, versions)

    def root_requirement(self, package: Package, versions: VersionSet) -> str:
        """``b<2.0 (from requirements.in line 2)``."""
        text = self._plain.term(package, versions)
        origin = self.origins.get(package.name)
        return f"{text} (from {origin})" if origin else text

    def constraint(self, package: Package, allowed: VersionSet) -> str:
        """``your constraints allow only b<2.0 (from constraints.txt line 1)``."""
        text = f"your constraints allow only {self._plain.term(package, allowed)}"
        origin = self.constraint_origins.get(package.name)
        return f"{text} (from {origin})" if origin else text

    def no_versions(self, package: Package, versions: VersionSet) -> str:
        """``there is no version of a>=2.0``."""
        return self._plain.no_versions(package, versions)

    def unavailable(self, package: Package, versions: VersionSet, reason: str) -> str:
        """``a==1.0 was yanked``."""
        return self._plain.unavailable(package, versions, reason)

    def requires_python(
        self, package: Package, versions: VersionSet, python: VersionSet, *, unmet: bool
    ) -> str:
        """``a==2.0 requires Python>=3.13 (the target Python is 3.11.0; puffin runs on
        Python 3.11.7)``."""
        text = f"{self._plain.term(package, versions)} requires Python{python.format(compact=True)}"
        if unmet:
            note = f"the target Python is {self.target_python}"
            if self.running_python and self.running_python != self.target_python:
                note += f"; puffin runs on Python {self.running_python}"
            text += f" ({note})"
        return text


def explain_no_solution(
    error: object,
    direct: Sequence[tuple[Requirement, RequirementEntry]],
    constraints: Sequence[tuple[Requirement, RequirementEntry]],
    target: TargetEnvironment,
    options: ResolverOptions,
) -> str:
    """The explanation of ``error`` (a NoSolution) with puffin's wording."""
    from puffin.resolver.solver import NoSolution

    assert isinstance(error, NoSolution)
    vocabulary = PuffinVocabulary(
        target_python=target.python_full_version,
        running_python=options.running_python,
        origins=_origins(direct),
        constraint_origins=_origins(constraints),
    )
    return explain(error, vocabulary=vocabulary)


def _origins(entries: Sequence[tuple[Requirement, RequirementEntry]]) -> dict[str, str]:
    """Project name -> ``requirements.in line 3`` for each entry read from a file."""
    origins: dict[str, str] = {}
    for requirement, entry in entries:
        origin = entry.origin
        if origin.label is not None:
            origins.setdefault(canonicalize_name(requirement.name), origin.label)
        elif origin.path is not None:
            where = origin.path.name + (f" line {origin.line}" if origin.line else "")
            origins.setdefault(canonicalize_name(requirement.name), where)
    return origins
