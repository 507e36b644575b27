"""Project metadata files as requirement inputs: ``pyproject.toml`` and ``setup.cfg``.

Only static metadata is read. A project whose dependencies are computed by its build backend
(``dynamic = ["dependencies"]``, ``file:`` directives) has to be built first to know them.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING, Any

from packaging.utils import NormalizedName, canonicalize_name

from puffin._values import value_type
from puffin.requirements.manifest import Origin, RequirementEntry, RequirementsError
from puffin.requirements.parser import parse_requirement_string

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from pathlib import Path

    from packaging.markers import Marker

__all__ = ["read_pyproject", "read_setup_cfg"]


@value_type
class _Project:
    """The static dependency metadata of a project, whichever file it came from."""

    path: Path
    name: NormalizedName | None
    dependencies: tuple[str, ...]
    optional: Mapping[NormalizedName, tuple[str, ...]]
    optional_table: str  # where extras are defined, for messages
    lines: tuple[str, ...]  # the file's text, to point messages at a line
    quoted: bool  # whether requirement strings appear quoted in the file (TOML) or bare


def _fail(path: Path, problem: str, *, hint: str | None = None) -> RequirementsError:
    return RequirementsError(f"{Origin(path)}: {problem}", hint=hint)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RequirementsError(f"{Origin(path)}: file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RequirementsError(f"{Origin(path)}: cannot be read: {exc}") from exc


def _load_toml(path: Path, text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"invalid TOML: {exc}") from exc
    return data


def _string_list(value: object, where: str, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _fail(path, f"{where} must be a list of strings")
    return tuple(value)


def _normalized_groups(
    groups: Mapping[str, tuple[str, ...]], path: Path
) -> dict[NormalizedName, tuple[str, ...]]:
    """Key extras by their PEP 685 normalized name, refusing two spellings of one extra."""
    normalized: dict[NormalizedName, tuple[str, ...]] = {}
    spelled: dict[NormalizedName, str] = {}
    for extra, requirements in groups.items():
        name = canonicalize_name(extra)
        if name in spelled:
            raise _fail(
                path, f"extras '{spelled[name]}' and '{extra}' are the same extra (PEP 685)"
            )
        spelled[name] = extra
        normalized[name] = requirements
    return normalized


def _find_line(project: _Project, text: str) -> int | None:
    """The first line that spells out ``text``, so messages can point at it (best effort)."""
    needles = (f'"{text}"', f"'{text}'") if project.quoted else (text,)
    for number, line in enumerate(project.lines, start=1):
        if any(needle in line for needle in needles):
            return number
    return None


def _entry(project: _Project, text: str) -> RequirementEntry:
    origin = Origin(project.path, _find_line(project, text))
    entry = parse_requirement_string(text, origin=origin, base_dir=project.path.parent)
    if entry.requirement is None:
        raise RequirementsError(
            f"{origin}: '{text}' is not a PEP 508 requirement",
            hint="project metadata must name its dependencies: 'name @ url'",
        )
    return entry


def _and_marker(entry: RequirementEntry, marker: Marker | None) -> RequirementEntry:
    """``entry`` restricted to environments where ``marker`` holds too."""
    if marker is None or entry.requirement is None:
        return entry
    from packaging.markers import Marker
    from packaging.requirements import Requirement

    combined = marker if entry.marker is None else Marker(f"({entry.marker}) and ({marker})")
    requirement = Requirement(str(entry.requirement))
    requirement.marker = combined
    return dataclasses.replace(entry, requirement=requirement, marker=combined)


def _expand(
    project: _Project, texts: Sequence[str], marker: Marker | None, seen: frozenset[NormalizedName]
) -> Iterator[RequirementEntry]:
    """Entries for ``texts``; a project requiring its own extras gets those extras' entries.

    ``all = ["me[docs,test]"]`` is the common way to define an extra as a union of others;
    listing "me" as a dependency of itself would make the resolver chase its own tail.
    """
    for text in texts:
        entry = _entry(project, text)
        if project.name is None or entry.name != project.name or entry.url_or_path is not None:
            yield _and_marker(entry, marker)
            continue
        inner = _and_marker(entry, marker).marker
        for extra in map(canonicalize_name, entry.extras):
            if extra not in project.optional:
                raise _fail(
                    project.path,
                    f"'{text}' refers to extra '{extra}', which {project.optional_table} "
                    "does not define",
                )
            if extra not in seen:
                yield from _expand(project, project.optional[extra], inner, seen | {extra})


def _selected_extras(
    project: _Project, extras: Sequence[str], all_extras: bool
) -> tuple[NormalizedName, ...]:
    if all_extras:
        return tuple(project.optional)
    for extra in extras:
        if canonicalize_name(extra) not in project.optional:
            defined = ", ".join(sorted(project.optional)) or "none"
            raise _fail(
                project.path,
                f"extra '{extra}' is not defined in {project.optional_table}",
                hint=f"defined extras: {defined}",
            )
    return tuple(dict.fromkeys(canonicalize_name(extra) for extra in extras))


def _requirements(
    project: _Project, extras: Sequence[str], all_extras: bool
) -> tuple[RequirementEntry, ...]:
    selected = _selected_extras(project, extras, all_extras)
    entries = list(_expand(project, project.dependencies, None, frozenset()))
    for extra in selected:
        entries.extend(_expand(project, project.optional[extra], None, frozenset({extra})))
    # Overlapping extras (say "all" and "test") list the same requirement more than once.
    return tuple(dict.fromkeys(entries))


def read_pyproject(
    path: Path, *, extras: Sequence[str] = (), all_extras: bool = False
) -> tuple[RequirementEntry, ...]:
    """The requirements of the ``[project]`` table: ``dependencies`` plus selected extras.

    Extras are matched after PEP 685 normalization (``cuda12_pip`` selects ``cuda12-pip``);
    asking for one the project does not define is an error. Dynamic dependencies are an error
    too, because only building the project can tell what they are.
    """
    text = _read_text(path)
    project = _load_toml(path, text).get("project")
    if not isinstance(project, dict):
        raise _fail(path, "no [project] table", hint="puffin reads PEP 621 project metadata")
    dynamic = project.get("dynamic", [])
    if "dependencies" in dynamic or ((extras or all_extras) and "optional-dependencies" in dynamic):
        raise _fail(
            path,
            "the project's dependencies are dynamic; it has to be built to know them",
            hint="building projects for their metadata is not supported yet",
        )
    optional = project.get("optional-dependencies", {})
    if not isinstance(optional, dict):
        raise _fail(path, "project.optional-dependencies must be a table")
    name = project.get("name")
    metadata = _Project(
        path=path,
        name=canonicalize_name(name) if isinstance(name, str) else None,
        dependencies=_string_list(project.get("dependencies", []), "project.dependencies", path),
        optional=_normalized_groups(
            {
                extra: _string_list(value, f"project.optional-dependencies.{extra}", path)
                for extra, value in optional.items()
            },
            path,
        ),
        optional_table="[project.optional-dependencies]",
        lines=tuple(text.splitlines()),
        quoted=True,
    )
    return _requirements(metadata, extras, all_extras)


def _setup_cfg_list(value: str, where: str, path: Path) -> tuple[str, ...]:
    """Split a setuptools requirement list: one per line, or ';'-separated on a single line."""
    if value.strip().startswith("file:"):
        raise _fail(
            path,
            f"{where} is read from a file ('file:'); the project has to be built to know it",
            hint="building projects for their metadata is not supported yet",
        )
    items = value.splitlines() if "\n" in value else value.split(";")
    return tuple(
        item.strip() for item in items if item.strip() and not item.strip().startswith("#")
    )


def read_setup_cfg(
    path: Path, *, extras: Sequence[str] = (), all_extras: bool = False
) -> tuple[RequirementEntry, ...]:
    """The requirements of a setuptools ``setup.cfg``: ``[options] install_requires`` plus
    the selected groups of ``[options.extras_require]``, with the same rules as
    :func:`read_pyproject`.
    """
    import configparser

    text = _read_text(path)
    # No interpolation: "%" is legal in URLs and means nothing special to setuptools here.
    config = configparser.ConfigParser(interpolation=None)
    try:
        config.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise _fail(path, f"invalid setup.cfg: {exc}") from exc
    install_requires = config.get("options", "install_requires", fallback="")
    groups = (
        dict(config.items("options.extras_require"))
        if config.has_section("options.extras_require")
        else {}
    )
    name = config.get("metadata", "name", fallback=None)
    metadata = _Project(
        path=path,
        name=canonicalize_name(name) if name else None,
        dependencies=_setup_cfg_list(install_requires, "[options] install_requires", path),
        optional=_normalized_groups(
            {
                extra: _setup_cfg_list(value, f"[options.extras_require] {extra}", path)
                for extra, value in groups.items()
            },
            path,
        ),
        optional_table="[options.extras_require]",
        lines=tuple(text.splitlines()),
        quoted=False,
    )
    return _requirements(metadata, extras, all_extras)
