"""Build the CycloneDX 1.5 document (a plain ``dict``, ready for ``json.dumps``).

A pure function of what is installed: :func:`build_bom` does no I/O of its own beyond
reading each distribution's ``direct_url.json`` (:mod:`puffin_sbom._source`). Everything
but ``serialNumber`` and ``metadata.timestamp`` is deterministic: components are sorted by
normalized name, dependency lists by reference, and every mapping is built in a fixed key
order, so two SBOMs of the same environment differ in those two values only.

Shape::

    {
      "$schema": "http://cyclonedx.org/schema/bom-1.5.schema.json",
      "bomFormat": "CycloneDX", "specVersion": "1.5",
      "serialNumber": "urn:uuid:...", "version": 1,
      "metadata": {"timestamp": ..., "tools": {"components": [puffin, puffin-sbom]},
                   "component": <the environment, an application>},
      "components": [<one library per installed distribution>],
      "dependencies": [<the environment and every component, with what it depends on>]
    }

The environment's own entry in ``dependencies`` lists what the user asked for
(distributions with a PEP 376 ``REQUESTED`` file) and every distribution nothing else
depends on, so that every component is reachable from the root.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, NamedTuple
from urllib.parse import quote

from packaging.utils import canonicalize_name

from puffin_sbom._licenses import licenses
from puffin_sbom._source import Source, source_of

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from packaging.requirements import Requirement
    from packaging.utils import NormalizedName
    from puffin.plugin import CoreMetadata, InstalledDist

__all__ = ["ROOT_REF", "SPEC_VERSION", "Environment", "Package", "Tool", "build_bom", "purl"]

SPEC_VERSION: Final = "1.5"
ROOT_REF: Final = "environment"
"""The ``bom-ref`` of the environment itself (``metadata.component``)."""

# Property names of the CycloneDX property taxonomy (cdx:python namespace).
EDITABLE_PROPERTY: Final = "cdx:python:package:source:local:editable"
SUBDIRECTORY_PROPERTY: Final = "cdx:python:package:source:subdirectory"


class Package(NamedTuple):
    """One installed distribution and its core metadata (None when unreadable)."""

    dist: InstalledDist
    metadata: CoreMetadata | None


class Environment(NamedTuple):
    """What the SBOM says about the environment itself."""

    prefix: Path
    """``sys.prefix`` of the environment's interpreter."""
    markers: Mapping[str, str]
    """PEP 508 marker values that ``Requires-Dist`` markers are evaluated against."""


class Tool(NamedTuple):
    """A tool that made the SBOM (``metadata.tools``)."""

    name: str
    version: str | None


def build_bom(
    packages: Sequence[Package],
    environment: Environment,
    tools: Sequence[Tool],
    *,
    serial_number: str | None = None,
    timestamp: str | None = None,
) -> dict[str, Any]:
    """The CycloneDX document of an environment holding ``packages``.

    :param serial_number: ``urn:uuid:...``; a new random one by default.
    :param timestamp: ISO 8601 in UTC; now by default.
    """
    if serial_number is None:
        import uuid

        serial_number = uuid.uuid4().urn
    if timestamp is None:
        from datetime import datetime, timezone

        now = datetime.now(timezone.utc).replace(microsecond=0)
        timestamp = now.isoformat().replace("+00:00", "Z")

    ordered = sorted(packages, key=lambda package: package.dist.name)
    sources = {package.dist.name: source_of(package.dist) for package in ordered}
    refs = {
        dist.name: purl(dist.name, str(dist.version), sources[dist.name])
        for dist in (package.dist for package in ordered)
    }
    marker_env = {**environment.markers, "extra": ""}
    edges = {package.dist.name: _depends_on(package, refs, marker_env) for package in ordered}
    depended_on = {ref for targets in edges.values() for ref in targets}
    top_level = sorted(
        refs[package.dist.name]
        for package in ordered
        if package.dist.requested or refs[package.dist.name] not in depended_on
    )
    return {
        "$schema": f"http://cyclonedx.org/schema/bom-{SPEC_VERSION}.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": serial_number,
        "version": 1,
        "metadata": {
            "timestamp": timestamp,
            "tools": {"components": [_tool(tool) for tool in tools]},
            "component": _root(environment),
        },
        "components": [
            _component(package, refs[package.dist.name], sources[package.dist.name])
            for package in ordered
        ],
        "dependencies": [
            {"ref": ROOT_REF, "dependsOn": top_level},
            *(
                {"ref": refs[package.dist.name], "dependsOn": edges[package.dist.name]}
                for package in ordered
            ),
        ],
    }


def purl(name: str, version: str, source: Source | None = None) -> str:
    """The package URL: ``pkg:pypi/<normalized name>@<version>``.

    The name is normalized as PEP 503 does (lower case, runs of ``-_.`` become ``-``),
    which is what the PURL specification's PyPI type asks for. A distribution from a VCS
    or a remote archive gets the PURL qualifier ``vcs_url`` or ``download_url``: it is not
    the file of that name and version on PyPI.
    """
    text = f"pkg:pypi/{quote(canonicalize_name(name), safe='')}@{quote(version, safe='')}"
    if source is not None:
        if source.kind == "vcs":
            text += "?vcs_url=" + quote(source.reference, safe=":/")
        elif source.kind == "archive" and source.url.startswith(("https://", "http://")):
            text += "?download_url=" + quote(source.url, safe=":/")
    return text


def _tool(tool: Tool) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "application", "name": tool.name}
    if tool.version:
        entry["version"] = tool.version
    return entry


def _root(environment: Environment) -> dict[str, Any]:
    markers = environment.markers
    python = " ".join(
        part
        for part in (
            markers.get("platform_python_implementation", "Python"),
            markers.get("python_full_version", ""),
            "on",
            markers.get("platform_system", ""),
            markers.get("platform_machine", ""),
        )
        if part
    )
    return {
        "type": "application",
        "bom-ref": ROOT_REF,
        "name": environment.prefix.name or str(environment.prefix),
        "description": f"Python environment {environment.prefix} ({python})",
    }


def _component(package: Package, ref: str, source: Source | None) -> dict[str, Any]:
    dist, metadata = package
    entry: dict[str, Any] = {
        "type": "library",
        "bom-ref": ref,
        "name": metadata.name if metadata is not None else dist.name,
        "version": str(dist.version),
    }
    if metadata is not None:
        if metadata.summary and metadata.summary.strip():
            entry["description"] = " ".join(metadata.summary.split())
        found = licenses(metadata)
        if found:
            entry["licenses"] = found
    entry["purl"] = ref
    if source is not None:
        entry["externalReferences"] = [_external_reference(source)]
        properties = []
        if source.editable:
            properties.append({"name": EDITABLE_PROPERTY, "value": "true"})
        if source.subdirectory:
            properties.append({"name": SUBDIRECTORY_PROPERTY, "value": source.subdirectory})
        if properties:
            entry["properties"] = properties
    return entry


def _external_reference(source: Source) -> dict[str, Any]:
    if source.kind == "vcs":
        revision = f" at commit {source.commit}" if source.commit else ""
        return {
            "type": "vcs",
            "url": source.reference,
            "comment": f"installed from {source.vcs}{revision} (PEP 610 direct URL)",
        }
    what = "an archive" if source.kind == "archive" else "a local directory"
    if source.editable:
        what += ", editable"
    reference: dict[str, Any] = {"type": "distribution", "url": source.url}
    if source.hashes:
        reference["hashes"] = [
            {"alg": algorithm, "content": digest} for algorithm, digest in source.hashes
        ]
    reference["comment"] = f"installed from {what} (PEP 610 direct URL)"
    return reference


def _depends_on(
    package: Package, refs: Mapping[NormalizedName, str], marker_env: dict[str, str]
) -> list[str]:
    """The references of the installed distributions ``package`` requires here.

    Requirements whose marker is false in this environment, or that belong to an extra
    (``extra == "..."``: which extras were asked for is not recorded anywhere), are left
    out; so is any requirement that is not installed.
    """
    if package.metadata is None:
        return []
    own = package.dist.name
    found: set[str] = set()
    for requirement in package.metadata.requires_dist:
        name = canonicalize_name(requirement.name)
        if name != own and name in refs and _applies(requirement, marker_env):
            found.add(refs[name])
    return sorted(found)


def _applies(requirement: Requirement, marker_env: dict[str, str]) -> bool:
    if requirement.marker is None:
        return True
    try:
        return requirement.marker.evaluate(marker_env)
    except ValueError:  # UndefinedComparison, UndefinedEnvironmentName: cannot apply
        return False
