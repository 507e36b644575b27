"""A project's metadata straight from its ``[project]`` table, when a build cannot change it.

PEP 621 makes every field of ``[project]`` that is not listed in ``dynamic`` binding on the
backend. When the name, version, dependencies, optional dependencies and Requires-Python
are all static, the resolver needs no metadata build for a local directory or git
checkout (as uv does); only installing it runs the backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from puffin.distribution.core_metadata import CoreMetadata

_NEEDED_STATIC = frozenset({"version", "dependencies", "optional-dependencies", "requires-python"})


def static_metadata(directory: Path) -> CoreMetadata | None:
    """The metadata of the project in ``directory``, or None when a build must tell."""
    from puffin.config.files import load_toml
    from puffin.errors import PuffinError

    pyproject = directory / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        data = load_toml(pyproject)
    except PuffinError:
        return None  # the build reports a malformed file, with the backend's words
    project = data.get("project")
    if not isinstance(project, dict):
        return None
    dynamic = project.get("dynamic", [])
    if not isinstance(dynamic, list) or _NEEDED_STATIC.intersection(dynamic):
        return None
    try:
        return _from_table(project)
    except (TypeError, ValueError):
        return None  # anything unusual: let the backend decide


def _from_table(project: dict[str, object]) -> CoreMetadata | None:
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.utils import canonicalize_name
    from packaging.version import Version

    from puffin.distribution.core_metadata import CoreMetadata

    name, version = project.get("name"), project.get("version")
    if not isinstance(name, str) or not isinstance(version, str):
        return None
    requires: list[Requirement] = [Requirement(text) for text in _strings(project, "dependencies")]
    optional = project.get("optional-dependencies", {})
    if not isinstance(optional, dict):
        return None
    extras = []
    for extra, items in optional.items():
        normalized = canonicalize_name(str(extra))
        extras.append(normalized)
        if not isinstance(items, list):
            return None
        for text in items:
            requirement = Requirement(str(text))
            condition = f'extra == "{normalized}"'
            marker = f"({requirement.marker}) and {condition}" if requirement.marker else condition
            requirement.marker = None
            requires.append(Requirement(f"{requirement} ; {marker}"))
    requires_python = project.get("requires-python")
    license_value = project.get("license")
    return CoreMetadata(
        name=name,
        normalized_name=canonicalize_name(name),
        version=Version(version),
        metadata_version="2.2",
        summary=str(project["description"]) if "description" in project else None,
        requires_dist=tuple(requires),
        requires_python=SpecifierSet(requires_python) if isinstance(requires_python, str) else None,
        provides_extra=tuple(dict.fromkeys(extras)),
        license_expression=license_value if isinstance(license_value, str) else None,
        classifiers=tuple(str(item) for item in _strings(project, "classifiers")),
    )


def _strings(project: dict[str, object], key: str) -> list[str]:
    value = project.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError(key)
    return [str(item) for item in value]
