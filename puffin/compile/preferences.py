"""The pins of an earlier ``puffin pip compile`` output, as preferred versions.

When the output file (``-o requirements.txt``) already exists, its ``name==version`` lines
are handed to the resolver as preferences, so that recompiling unchanged inputs gives an
unchanged file and a new requirement moves as few pins as possible. ``--upgrade`` drops every
preference and ``--upgrade-package NAME`` drops one, as in pip-tools and uv.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidName, canonicalize_name
from packaging.version import InvalidVersion, Version

from puffin.errors import PuffinError, UsageError
from puffin.requirements.manifest import Origin

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping
    from pathlib import Path

    from packaging.utils import NormalizedName

__all__ = ["apply_upgrades", "read_preferences"]

# pip's comment rule: "#" at the start of a line or after whitespace ("pkg @ url#frag" is not
# a comment).
_COMMENT: Final = re.compile(r"(^|\s+)#.*$")
# Options after a requirement on its line (--hash, --config-settings) all come in long form.
_REQUIREMENT_OPTIONS: Final = re.compile(r"\s--[A-Za-z]")
_PIN_OPERATORS: Final = frozenset({"==", "==="})
# A line naming a path or URL instead of a project (unnamed requirements): not a pin.
_ARCHIVE_SUFFIXES: Final = (".whl", ".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Each logical line (continuations joined) with the number of its first physical line."""
    pending: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        yield start, " ".join(pending)
        pending = []
    if pending:  # a backslash on the last line continues into nothing
        yield start, " ".join(pending)


def _is_unnamed(text: str) -> bool:
    return (
        "://" in text
        or "/" in text
        or "\\" in text
        or text.startswith(".")
        or text.lower().endswith(_ARCHIVE_SUFFIXES)
    )


def _pinned_version(requirement: Requirement) -> Version | None:
    """The version ``requirement`` pins exactly, or None when it allows more than one."""
    specifiers = list(requirement.specifier)
    if requirement.url is not None or len(specifiers) != 1:
        return None
    (specifier,) = specifiers
    if specifier.operator not in _PIN_OPERATORS or specifier.version.endswith(".*"):
        return None
    try:
        return Version(specifier.version)
    except InvalidVersion:
        return None  # "===" allows arbitrary strings; those are not versions to prefer


def _read_text(path: Path) -> str | None:
    try:
        # utf-8-sig: a byte-order mark from a Windows editor is not part of the first line.
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise PuffinError(
            f"output file '{Origin(path)}' is not UTF-8 text: {exc.reason} at byte {exc.start}"
        ) from exc
    except OSError as exc:
        raise PuffinError(
            f"output file '{Origin(path)}' cannot be read: {exc.strerror or exc}"
        ) from exc


def read_preferences(path: Path) -> dict[NormalizedName, Version]:
    """The pinned versions in the existing output file ``path``, by normalized name.

    Every ``name==version`` line counts (``name[extra]==version`` for ``name``; markers,
    hashes, comments and option lines are ignored); ``name @ url``, editables, paths and
    requirements that allow more than one version are not pins. When a name is pinned twice
    (a file written for several environments), its first pin counts. A missing file has no
    pins: it is the first compile. A file that cannot be read, or a line that is not a
    requirement, raises :class:`PuffinError` naming the file (and the line).
    """
    text = _read_text(path)
    if text is None:
        return {}
    preferences: dict[NormalizedName, Version] = {}
    for number, line in _logical_lines(text):
        content = _COMMENT.sub("", line).strip()
        if not content or content.startswith("-"):
            continue  # blank, comment, or an option line (--index-url, -e, --hash ...)
        option = _REQUIREMENT_OPTIONS.search(content)
        if option is not None:
            content = content[: option.start()].strip()
        try:
            requirement = Requirement(content)
        except InvalidRequirement as exc:
            if _is_unnamed(content):
                continue
            raise PuffinError(
                f"{Origin(path, number)}: not a requirement: '{content}' "
                f"({str(exc).splitlines()[0]})",
                hint="fix or remove the line, or recompile with --upgrade",
            ) from exc
        version = _pinned_version(requirement)
        if version is not None:
            preferences.setdefault(canonicalize_name(requirement.name), version)
    return preferences


def _upgrade_name(value: str) -> NormalizedName:
    # uv accepts a requirement ("foo<2") as well as a name; only the name matters here.
    try:
        return canonicalize_name(Requirement(value).name, validate=True)
    except (InvalidRequirement, InvalidName) as exc:
        raise UsageError(f"--upgrade-package: '{value}' is not a project name") from exc


def apply_upgrades(
    preferences: Mapping[NormalizedName, Version],
    upgrade_all: bool,
    upgrade_packages: Iterable[str],
) -> dict[NormalizedName, Version]:
    """``preferences`` without the projects that may move: all of them for ``--upgrade``.

    ``upgrade_packages`` are the ``--upgrade-package`` values: names in any spelling, or
    requirements whose name is used. A value that names no project raises
    :class:`UsageError`. The input mapping is not changed.
    """
    if upgrade_all:
        return {}
    upgraded = {_upgrade_name(value) for value in upgrade_packages}
    return {name: version for name, version in preferences.items() if name not in upgraded}
