"""What an unpacked wheel installs where, worked out once per wheel in the cache.

Installing a wheel from the cache is mostly ``link(2)`` and ``mkdir(2)``, but everything
around those calls is Python: parsing RECORD (a CSV row and a tuple per file), checking each
path, collecting the directories, and writing the new RECORD. For the data-science bench set
(201 wheels, 36,500 files) that was 110 ms of CPU per install, all of it holding the GIL,
which the threads that link need in turn after every system call.

None of it depends on the environment: a :class:`WheelLayout` is the answer for one unpacked
wheel, stored beside its cache entry (``wheels-v1/<key>.layout-v1``, marshal data) when the
wheel is unpacked, and read back in a few microseconds by every later install. An entry
without one (unpacked by an older puffin, or outside the cache) gets its layout worked out
at install time, exactly as it would have been stored.
"""

from __future__ import annotations

import contextlib
import marshal
from dataclasses import fields
from typing import TYPE_CHECKING

from puffin._values import value_type
from puffin.errors import PuffinError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "INSTALLER_FILES",
    "SCHEME_KEYS",
    "WheelLayout",
    "layout_path",
    "load_layout",
    "read_layout",
    "remember_layout",
    "store_layout",
    "unsafe_path",
]

SCHEME_KEYS = frozenset({"purelib", "platlib", "scripts", "headers", "data"})
"""The ``.data`` subdirectories a wheel may have, one per install-scheme path."""
INSTALLER_FILES = frozenset(
    {"RECORD", "RECORD.jws", "RECORD.p7s", "INSTALLER", "REQUESTED", "direct_url.json"}
)
"""Dist-info files the installer writes itself; copies shipped in a wheel are dropped
(RECORD signatures would not match the new RECORD anyway)."""

_SUFFIX = ".layout-v1"
_FORMAT = 1


@value_type
class WheelLayout:
    """Where the files of one unpacked wheel go, independent of the environment."""

    dist_info: str
    """The ``name-version.dist-info`` directory."""
    root_is_purelib: bool
    """The WHEEL file's ``Root-Is-Purelib``: the root goes to purelib, else platlib."""
    root_files: tuple[str, ...]
    """Files that go to the same path under the root, ``/``-separated, in RECORD order."""
    record_rows: tuple[str, ...]
    """RECORD's line (CSV, no newline) for each of :attr:`root_files`, in the same order."""
    directories: tuple[str, ...]
    """Every directory under the root that :attr:`root_files` need, parents first."""
    data_files: tuple[tuple[str, str, str, str], ...]
    """``.data`` files as (archive path, scheme key, RECORD hash, RECORD size)."""
    has_entry_points: bool
    """The dist-info has an ``entry_points.txt`` (read at install time)."""


def layout_path(unpacked: Path) -> Path:
    """Where the layout of the wheel unpacked at ``unpacked`` is stored."""
    return unpacked.with_name(unpacked.name + _SUFFIX)


def load_layout(unpacked: Path) -> WheelLayout | None:
    """The stored layout of ``unpacked``; None when there is none or it does not read."""
    try:
        data = layout_path(unpacked).read_bytes()
    except OSError:
        return None
    try:
        stored = marshal.loads(data)  # noqa: S302 - written by store_layout, in our cache
        if stored[0] != _FORMAT:
            return None
        dist_info, purelib, root_files, rows, directories, data_files, entry_points = stored[1]
        return WheelLayout(
            dist_info,
            purelib,
            root_files,
            rows,
            directories,
            tuple(tuple(entry) for entry in data_files),
            entry_points,
        )
    except (ValueError, EOFError, TypeError, IndexError):
        return None


def store_layout(unpacked: Path, layout: WheelLayout) -> None:
    """Write ``layout`` beside ``unpacked`` (atomically: a temporary file, then a rename)."""
    from puffin.cache.writes import write_atomically

    # The fields are strings, booleans and tuples of them: marshal takes them as they are
    # (dataclasses.astuple would deep-copy every string first: 50 ms for the web set).
    values = tuple(getattr(layout, field.name) for field in fields(layout))
    write_atomically(layout_path(unpacked), marshal.dumps((_FORMAT, values)))


def remember_layout(unpacked: Path, *, source: str) -> None:
    """Store the layout of a cache entry that has none yet (unpacked by an older puffin).

    Best effort: a wheel whose layout cannot be worked out, or a cache that cannot be
    written, is left as it is; its install reports the problem, or works it out again.
    """
    if layout_path(unpacked).is_file():
        return
    with contextlib.suppress(PuffinError, OSError):
        store_layout(unpacked, read_layout(unpacked, source=source))


def read_layout(unpacked: Path, *, source: str) -> WheelLayout:
    """Work out the layout of the wheel unpacked at ``unpacked`` from its files.

    :param source: names the wheel in errors (e.g. ``"numpy 2.1.0"``).
    :raises PuffinError: the wheel is malformed: no single ``.dist-info``, an unreadable or
        too new WHEEL file, an unreadable RECORD, a path that leaves its directory, or a
        ``.data`` file outside the scheme's directories.
    """
    import csv
    import io

    from puffin.install.unpack import find_dist_info, parse_record

    try:
        top = [child.name for child in unpacked.iterdir()]
    except OSError as error:
        raise PuffinError(f"{source}: cannot read the unpacked wheel: {error}") from error
    dist_info = find_dist_info(top, source=source)
    purelib = _root_is_purelib(unpacked / dist_info, source=source)
    try:
        record_text = (unpacked / dist_info / "RECORD").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PuffinError(f"{source}: cannot read {dist_info}/RECORD: {error}") from error
    record = parse_record(record_text, source=f"{source}: {dist_info}/RECORD")

    data_name = dist_info[: -len(".dist-info")] + ".data"
    data_prefix = data_name + "/"
    dist_info_prefix = dist_info + "/"
    root_files: list[str] = []
    rows: list[tuple[str, str, str]] = []
    heads: set[str] = set()
    data_files: list[tuple[str, str, str, str]] = []
    for archive_path, entry in record.items():
        if archive_path.endswith("/"):
            continue
        if (
            archive_path.startswith(dist_info_prefix)
            and archive_path[len(dist_info_prefix) :] in INSTALLER_FILES
        ):
            continue
        if unsafe_path(archive_path):
            raise PuffinError(f"{source}: RECORD names an unsafe path: {archive_path!r}")
        size = "" if entry.size is None else str(entry.size)
        if not archive_path.startswith(data_prefix):
            root_files.append(archive_path)
            rows.append((archive_path, entry.hash, size))
            heads.add(archive_path.rpartition("/")[0])
            continue
        parts = archive_path.split("/")
        if len(parts) < 3 or parts[1] not in SCHEME_KEYS:
            raise PuffinError(
                f"{source}: {archive_path} is not under one of "
                f"{data_name}/{{{','.join(sorted(SCHEME_KEYS))}}}/"
            )
        data_files.append((archive_path, parts[1], entry.hash, size))

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    record_rows = tuple(buffer.getvalue().split("\n")[:-1])
    return WheelLayout(
        dist_info=dist_info,
        root_is_purelib=purelib,
        root_files=tuple(root_files),
        record_rows=record_rows,
        directories=_closure(heads),
        data_files=tuple(data_files),
        has_entry_points=(unpacked / dist_info / "entry_points.txt").is_file(),
    )


def unsafe_path(archive_path: str) -> bool:
    """True for a RECORD path that could leave the directory it is placed under."""
    return (
        archive_path.startswith(("/", "../", "./"))
        or "/../" in archive_path
        or "/./" in archive_path
        or archive_path.endswith(("/..", "/."))
        or archive_path in ("..", ".")
        or "\\" in archive_path
    )


def _closure(heads: set[str]) -> tuple[str, ...]:
    """``heads`` and all their parents (``/``-separated, relative), parents first."""
    needed: set[str] = set()
    for leaf in heads:
        directory = leaf
        while directory and directory not in needed:
            needed.add(directory)
            directory = directory.rpartition("/")[0]
    # Sorted, a parent comes before its children, and each subtree is created in one go.
    return tuple(sorted(needed))


def _root_is_purelib(dist_info: Path, *, source: str) -> bool:
    """Check the WHEEL file's version and return its ``Root-Is-Purelib``."""
    from email.parser import HeaderParser

    try:
        text = (dist_info / "WHEEL").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PuffinError(f"{source}: cannot read {dist_info.name}/WHEEL: {error}") from error
    headers = HeaderParser().parsestr(text)
    version = (headers.get("Wheel-Version") or "").strip()
    major = version.split(".", 1)[0]
    if not major.isdigit():
        raise PuffinError(f"{source}: WHEEL has no valid Wheel-Version ({version!r})")
    if int(major) > 1:
        # The spec: an installer must refuse a wheel of a newer major version.
        raise PuffinError(
            f"{source} has Wheel-Version {version}; puffin installs Wheel-Version 1.x"
        )
    return (headers.get("Root-Is-Purelib") or "").strip().lower() == "true"
