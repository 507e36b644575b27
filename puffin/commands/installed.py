"""``pip freeze``, ``pip list``, ``pip show``, ``pip check`` and ``pip uninstall``.

The first four only read the target environment and print what pip prints, line for line,
so scripts that parse pip's output keep working; ``uninstall`` removes distributions and
reports like the rest of puffin (a summary, then ``- name==version`` lines).

The environment is the one every command acts on (``--python``, ``VIRTUAL_ENV``,
``.venv``, ``--system``); its ``purelib`` and ``platlib`` directories are what is scanned.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable, Mapping, Sequence

    from puffin.context import Context
    from puffin.environment.query import Interpreter
    from puffin.install.installed import Installed

__all__ = [
    "freeze_lines",
    "list_lines",
    "run_check",
    "run_freeze",
    "run_list",
    "run_show",
    "run_uninstall",
]

# pip hides itself from ``pip freeze``, and on Python < 3.12 the build tools a venv used to
# be seeded with (pip's ``_should_suppress_build_backends``), unless ``--all``.
_FREEZE_HIDDEN = frozenset({"pip"})
_FREEZE_HIDDEN_BEFORE_312 = frozenset({"pip", "setuptools", "distribute", "wheel"})


def _site_packages(interpreter: Interpreter) -> tuple[Path, ...]:
    paths = interpreter.paths
    return tuple(dict.fromkeys(Path(paths[key]) for key in ("purelib", "platlib") if key in paths))


def _environment(
    args: argparse.Namespace, ctx: Context
) -> tuple[Interpreter, tuple[Installed, ...]]:
    from puffin.install.installed import scan_installed
    from puffin.targets import interpreter_for_args

    interpreter = interpreter_for_args(args, ctx)
    return interpreter, scan_installed(_site_packages(interpreter))


# --- freeze ---------------------------------------------------------------------------------


def freeze_lines(
    installed: Sequence[Installed],
    *,
    python_version: tuple[int, ...],
    exclude_editable: bool = False,
    include_all: bool = False,
) -> tuple[str, ...]:
    """The lines of ``pip freeze``: ``name==version``, ``name @ url`` and ``-e location``.

    Sorted case-insensitively by the name as written, as pip sorts. An editable install
    gets pip's comment line above it (puffin does not ask version control systems for a
    ``git+...`` requirement, so every editable is written as its directory).
    """
    hidden: frozenset[str] = frozenset()
    if not include_all:
        hidden = _FREEZE_HIDDEN if python_version >= (3, 12) else _FREEZE_HIDDEN_BEFORE_312
    lines: list[str] = []
    for entry in sorted(installed, key=lambda e: e.raw_name.lower()):
        dist = entry.dist
        if dist.name in hidden or (exclude_editable and dist.editable):
            continue
        if dist.editable:
            import os

            location = entry.editable_location or dist.dist_info.parent
            lines.append(
                f"# Editable install with no version control ({entry.raw_name}=={dist.version})"
            )
            lines.append(f"-e {os.path.normcase(os.path.abspath(location))}")  # noqa: PTH100
        elif dist.direct_url is not None:
            lines.append(f"{entry.raw_name} @ {dist.direct_url}")
        else:
            lines.append(f"{entry.raw_name}=={dist.version}")
    return tuple(lines)


def run_freeze(args: argparse.Namespace, ctx: Context) -> int:
    """Print the installed distributions in requirements format."""
    interpreter, installed = _environment(args, ctx)
    for line in freeze_lines(
        installed,
        python_version=interpreter.version,
        exclude_editable=bool(getattr(args, "exclude_editable", False)),
        include_all=bool(getattr(args, "all", False)),
    ):
        ctx.reporter.result(line)
    return 0


# --- list -----------------------------------------------------------------------------------


def list_lines(
    installed: Sequence[Installed],
    *,
    output_format: str = "columns",
    editable_only: bool = False,
    exclude_editable: bool = False,
) -> tuple[str, ...]:
    """The output of ``pip list`` in its three formats, sorted by normalized name."""
    selected = [
        entry
        for entry in installed
        if not (editable_only and not entry.dist.editable)
        and not (exclude_editable and entry.dist.editable)
    ]
    selected.sort(key=lambda e: e.dist.name)
    if output_format == "freeze":
        return tuple(f"{e.raw_name}=={e.dist.version}" for e in selected)
    if output_format == "json":
        import json

        rows: list[dict[str, str]] = []
        for entry in selected:
            row = {"name": entry.raw_name, "version": str(entry.dist.version)}
            if entry.editable_location is not None:
                row["editable_project_location"] = str(entry.editable_location)
            rows.append(row)
        return (json.dumps(rows),)
    if not selected:
        return ()
    header = ["Package", "Version"]
    has_editables = any(e.dist.editable for e in selected)
    if has_editables:
        header.append("Editable project location")
    table = [header]
    for entry in selected:
        cells = [entry.raw_name, str(entry.dist.version)]
        if has_editables:
            cells.append(str(entry.editable_location) if entry.editable_location else "")
        table.append(cells)
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [
        " ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    lines.insert(1, " ".join("-" * width for width in widths))
    return tuple(lines)


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    """Print the installed distributions as a table, ``name==version`` lines or JSON."""
    _, installed = _environment(args, ctx)
    for line in list_lines(
        installed,
        output_format=getattr(args, "format", None) or "columns",
        editable_only=bool(getattr(args, "editable", False)),
        exclude_editable=bool(getattr(args, "exclude_editable", False)),
    ):
        ctx.reporter.result(line)
    return 0


# --- show -----------------------------------------------------------------------------------


def _dependencies(entry: Installed) -> list[str]:
    """Requirement names without extras' markers, as pip's ``iter_dependencies()``."""
    from puffin.install.installed import read_requires

    names = []
    for requirement in read_requires(entry.dist):
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.append(requirement.name)
    return names


def show_lines(
    installed: Sequence[Installed], names: Sequence[str], *, files: bool = False
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(output lines, names not found) of ``pip show NAME...``."""
    from packaging.utils import canonicalize_name

    from puffin.distribution.core_metadata import MetadataError
    from puffin.install.installed import declared_files, read_headers

    by_name = {entry.dist.name: entry for entry in installed}
    missing = tuple(sorted(name for name in names if canonicalize_name(name) not in by_name))
    requires_of: dict[str, set[str]] = {}
    lines: list[str] = []
    shown = 0
    for name in names:
        entry = by_name.get(canonicalize_name(name))
        if entry is None:
            continue
        if not requires_of:
            # Required-by needs every distribution's requirements: read them once.
            for other in installed:
                try:
                    deps = _dependencies(other)
                except (
                    OSError,
                    ValueError,
                    MetadataError,
                ):  # a broken neighbour must not stop show
                    deps = []
                requires_of[other.dist.name] = {canonicalize_name(d) for d in deps}
        if shown:
            lines.append("---")
        shown += 1
        headers = read_headers(entry.dist)
        requires = sorted(_dependencies(entry), key=str.lower)
        required_by = sorted(
            (
                other.raw_name
                for other in installed
                if entry.dist.name in requires_of.get(other.dist.name, set())
            ),
            key=str.lower,
        )
        lines.append(f"Name: {entry.raw_name}")
        lines.append(f"Version: {entry.dist.version}")
        for field in ("Summary", "Home-page", "Author", "Author-email", "License"):
            lines.append(f"{field}: {headers.get(field) or ''}")
        lines.append(f"Location: {entry.location}")
        if entry.editable_location is not None:
            lines.append(f"Editable project location: {entry.editable_location}")
        lines.append(f"Requires: {', '.join(requires)}")
        lines.append(f"Required-by: {', '.join(required_by)}")
        if files:
            lines.append("Files:")
            listed = declared_files(entry.dist, entry.location)
            if listed is None:
                lines.append("Cannot locate RECORD or installed-files.txt")
            else:
                lines.extend(f"  {path}" for path in sorted(listed))
    return tuple(lines), missing


def run_show(args: argparse.Namespace, ctx: Context) -> int:
    """Print pip's fields for each named distribution; exit 1 when none is installed."""
    _, installed = _environment(args, ctx)
    lines, missing = show_lines(installed, args.packages, files=bool(getattr(args, "files", False)))
    if missing:
        ctx.reporter.warning(f"Package(s) not found: {', '.join(missing)}")
    for line in lines:
        ctx.reporter.result(line)
    # As pip: a partial answer is a success, nothing found is not.
    return 0 if lines else 1


# --- check ----------------------------------------------------------------------------------


def check_lines(
    installed: Sequence[Installed], markers: Mapping[str, str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(problem lines, unreadable distributions) of ``pip check``, in pip's order.

    Requirements are those of no extra; a marker is evaluated for the target interpreter.
    """
    from puffin.distribution.core_metadata import MetadataError
    from puffin.install.installed import read_requires

    environment = {**markers, "extra": ""}
    versions = {entry.dist.name: entry.dist.version for entry in installed}
    missing_lines: list[str] = []
    conflict_lines: list[str] = []
    unreadable: list[str] = []
    from packaging.utils import canonicalize_name

    for entry in installed:
        dist = entry.dist
        try:
            requirements = read_requires(dist)
        except (MetadataError, OSError, ValueError) as error:
            unreadable.append(f"Error parsing requirements for {dist.name}: {error}")
            continue
        missing: set[tuple[str, str]] = set()
        conflicting: set[tuple[str, str, str]] = set()
        for requirement in requirements:
            if requirement.marker is not None and not requirement.marker.evaluate(environment):
                continue
            name = canonicalize_name(requirement.name)
            if name not in versions:
                missing.add((name, str(requirement)))
                continue
            if not requirement.specifier.contains(versions[name], prereleases=True):
                conflicting.add((name, str(versions[name]), str(requirement)))
        # pip sorts these tuples by their str(); sorting the tuples gives the same order
        # for all but pathological names.
        missing_lines.extend(
            f"{dist.name} {dist.version} requires {name}, which is not installed."
            for name, _ in sorted(missing)
        )
        conflict_lines.extend(
            f"{dist.name} {dist.version} has requirement {req}, but you have {name} {version}."
            for name, version, req in sorted(conflicting)
        )
    return tuple(missing_lines + conflict_lines), tuple(unreadable)


def run_check(args: argparse.Namespace, ctx: Context) -> int:
    """Report requirements of installed distributions that installed versions break."""
    interpreter, installed = _environment(args, ctx)
    problems, unreadable = check_lines(installed, interpreter.markers)
    for warning in unreadable:
        ctx.reporter.warning(warning)
    for line in problems:
        ctx.reporter.result(line)
    if problems or unreadable:
        return 1
    ctx.reporter.result("No broken requirements found.")
    return 0


# --- uninstall ------------------------------------------------------------------------------


def _names_to_uninstall(args: argparse.Namespace, ctx: Context) -> list[str]:
    from puffin.errors import UsageError
    from puffin.requirements.parser import parse_requirements_file

    names: list[str] = list(getattr(args, "packages", None) or [])
    for path in getattr(args, "requirements", None) or []:
        parsed = parse_requirements_file(ctx.cwd / path, environ=ctx.environ)
        for entry in parsed.requirements:
            if entry.requirement is None:
                raise UsageError(
                    f"{entry.origin}: cannot uninstall {entry.text!r}: it names no project",
                    hint="write it as 'name @ url' or give the name",
                )
            names.append(entry.requirement.name)
    if not names:
        raise UsageError(
            "you must give at least one requirement to uninstall (see 'puffin pip uninstall -h')"
        )
    return names


def _check_removal_plan(ctx: Context, entries: Iterable[Installed]) -> None:
    """``puffin_check_plan`` sees an uninstall as a plan of removals and may veto it."""
    from puffin.commands.install import PlanVetoed
    from puffin.types import Plan, PlanAction, PlanItem

    plan = Plan(tuple(PlanItem(PlanAction.REMOVE, None, entry.dist) for entry in entries))
    problems = ctx.hooks.check_plan(plan, ctx)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise PlanVetoed(f"the uninstall was rejected; nothing was changed:\n{listed}")


def run_uninstall(args: argparse.Namespace, ctx: Context) -> int:
    """Uninstall each named distribution (``-y`` is accepted: puffin never asks)."""
    import time

    from packaging.utils import canonicalize_name

    from puffin.install.uninstall import uninstall

    started = time.perf_counter()
    names = _names_to_uninstall(args, ctx)
    interpreter, installed = _environment(args, ctx)
    by_name = {entry.dist.name: entry for entry in installed}
    site_packages = _site_packages(interpreter)
    chosen: dict[str, Installed] = {}
    for name in names:
        entry = by_name.get(canonicalize_name(name))
        if entry is None:
            ctx.reporter.warning(f"Skipping {name} as it is not installed.")
            continue
        chosen.setdefault(entry.dist.name, entry)
    if chosen:
        _check_removal_plan(ctx, chosen.values())
    for entry in chosen.values():
        # A legacy editable's metadata lives in the project: its site-packages is the first.
        home = entry.location if entry.location in site_packages else site_packages[0]
        uninstall(
            entry.dist,
            site_packages=home,
            scripts_dir=Path(interpreter.paths["scripts"]),
            prefix=interpreter.prefix,
        )
    if chosen:
        elapsed = (time.perf_counter() - started) * 1000
        noun = "package" if len(chosen) == 1 else "packages"
        ctx.reporter.summary(f"Uninstalled {len(chosen)} {noun} in {elapsed:.0f}ms")
        for entry in sorted(chosen.values(), key=lambda e: e.dist.name):
            ctx.reporter.change("-", f"{entry.dist.name}=={entry.dist.version}")
    return 0
