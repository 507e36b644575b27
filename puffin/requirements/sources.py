"""Combine every requirement input of a command into one :class:`Manifest`.

The inputs are those of ``puffin pip install``: requirement arguments, ``-r`` files (which may
be ``pyproject.toml`` or ``setup.cfg``), ``-c`` constraint files, override files and ``-e``
editables. Order follows pip: arguments, then editables, then files, each in the order given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from puffin.requirements.manifest import (
    IndexOptions,
    Manifest,
    Origin,
    ParsedFile,
    RequirementEntry,
    RequirementsError,
)
from puffin.requirements.parser import (
    parse_constraints_file,
    parse_editable_string,
    parse_requirement_string,
    parse_requirements_file,
)
from puffin.requirements.pyproject import read_pyproject, read_setup_cfg

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

__all__ = [
    "build_manifest",
    "parse_requirement_string",
    "parse_requirements_file",
    "read_pyproject",
    "read_setup_cfg",
]

# Inputs recognized by file name, as pip and uv do, rather than by sniffing their content.
_PROJECT_FILES = frozenset({"pyproject.toml", "setup.cfg"})


@dataclass
class _Collected:
    """What has been read so far; private to one build_manifest call."""

    requirements: list[RequirementEntry] = field(default_factory=list)
    constraints: list[RequirementEntry] = field(default_factory=list)
    overrides: list[RequirementEntry] = field(default_factory=list)
    index: IndexOptions = field(default_factory=IndexOptions)
    ignored: list[str] = field(default_factory=list)
    require_hashes: bool = False

    def add_file(self, parsed: ParsedFile, *, as_overrides: bool = False) -> None:
        target = self.overrides if as_overrides else self.requirements
        target.extend(parsed.requirements)
        self.constraints.extend(parsed.constraints)
        self.index = self.index.merge(parsed.index)
        self.ignored.extend(parsed.ignored_options)
        self.require_hashes = self.require_hashes or parsed.require_hashes

    def manifest(self) -> Manifest:
        return Manifest(
            requirements=tuple(self.requirements),
            constraints=tuple(self.constraints),
            overrides=tuple(self.overrides),
            index=self.index,
            ignored_options=tuple(self.ignored),
            require_hashes=self.require_hashes,
        )


def _absolute(path: Path, base_dir: Path) -> Path:
    return path if path.is_absolute() else base_dir / path


def _check_extras_have_a_project(
    requirement_files: Sequence[Path], extras: Sequence[str], all_extras: bool
) -> None:
    # Extras select optional dependencies of a project; without one they would silently do
    # nothing, which hides typos in the command line.
    if (extras or all_extras) and not any(p.name in _PROJECT_FILES for p in requirement_files):
        requested = "--all-extras" if all_extras else ", ".join(f"'{e}'" for e in extras)
        raise RequirementsError(
            f"extras were requested ({requested}) but no pyproject.toml or setup.cfg is among "
            "the requirement files",
            hint="extras select optional dependencies of a project given with -r",
        )


def _read_project_file(
    path: Path, extras: Sequence[str], all_extras: bool
) -> tuple[RequirementEntry, ...]:
    if path.name == "pyproject.toml":
        return read_pyproject(path, extras=extras, all_extras=all_extras)
    return read_setup_cfg(path, extras=extras, all_extras=all_extras)


def _check_override(entry: RequirementEntry) -> RequirementEntry:
    # An override replaces the requirements on one project, so it must say which project.
    if entry.editable:
        raise RequirementsError(
            f"{entry.origin}: editable requirement '{entry.text}' cannot be an override"
        )
    if entry.requirement is None:
        raise RequirementsError(
            f"{entry.origin}: unnamed requirement '{entry.text}' cannot be an override",
            hint="name the project: 'name @ url'",
        )
    return entry


def build_manifest(
    *,
    args: Sequence[str] = (),
    requirement_files: Sequence[Path] = (),
    constraint_files: Sequence[Path] = (),
    override_files: Sequence[Path] = (),
    editables: Sequence[str] = (),
    extras: Sequence[str] = (),
    all_extras: bool = False,
    base_dir: Path,
    environ: Mapping[str, str] | None = None,
) -> Manifest:
    """Read all requirement inputs of a command into one manifest.

    ``args`` and ``editables`` are command-line strings; relative paths in them, and relative
    file names, are resolved against ``base_dir`` (normally the working directory). A
    requirement file named ``pyproject.toml`` or ``setup.cfg`` contributes its project's
    dependencies plus the optional groups chosen by ``extras``/``all_extras``; other files use
    requirements.txt syntax. Raises :class:`RequirementsError` for any unusable input.
    """
    _check_extras_have_a_project(requirement_files, extras, all_extras)
    collected = _Collected()
    command_line = Origin(None)
    for arg in args:
        entry = parse_requirement_string(arg, origin=command_line, base_dir=base_dir)
        collected.requirements.append(entry)
    for editable in editables:
        entry = parse_editable_string(editable, origin=command_line, base_dir=base_dir)
        collected.requirements.append(entry)
    for given in requirement_files:
        path = _absolute(given, base_dir)
        if path.name in _PROJECT_FILES:
            collected.requirements.extend(_read_project_file(path, extras, all_extras))
        else:
            collected.add_file(parse_requirements_file(path, environ=environ))
    for given in constraint_files:
        path = _absolute(given, base_dir)
        if path.name in _PROJECT_FILES:
            raise RequirementsError(
                f"{Origin(path)}: constraints must be given in requirements.txt format",
            )
        collected.add_file(parse_constraints_file(path, environ=environ))
    for given in override_files:
        path = _absolute(given, base_dir)
        parsed = parse_requirements_file(path, environ=environ)
        for entry in parsed.requirements:
            _check_override(entry)
        collected.add_file(parsed, as_overrides=True)
    return collected.manifest()
