"""Find the entry points of one group on ``sys.path``, without importlib.metadata.

importlib.metadata parses every distribution's metadata through the email package and
costs more than puffin's whole start-up budget; finding plugins needs only a directory
listing per path entry and a read of the ``entry_points.txt`` files that exist. The rules
are importlib.metadata's: ``.dist-info`` and ``.egg-info`` directories, path entries in
order, the first distribution of a (normalized) name wins.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

_SUFFIXES = (".dist-info", ".egg-info")
_NORMALIZE = re.compile(r"[-_.]+")


class FoundEntryPoint(NamedTuple):
    """One entry point: ``name = value`` in ``group`` of distribution ``dist_name``."""

    name: str
    value: str
    """``module`` or ``module:attribute``."""
    dist_name: str
    dist_version: str | None
    metadata_dir: str

    @property
    def module(self) -> str:
        """The module part of :attr:`value`."""
        return self.value.partition(":")[0].strip()

    @property
    def attribute(self) -> str | None:
        """The attribute part of :attr:`value`, if any (``module:attr.sub``)."""
        attribute = self.value.partition(":")[2].strip()
        return attribute or None


def find_entry_points(group: str, path: Sequence[str]) -> list[FoundEntryPoint]:
    """Every entry point of ``group`` among the distributions importable from ``path``."""
    found: list[FoundEntryPoint] = []
    seen: set[str] = set()
    for metadata_dir, dir_name in _metadata_dirs(path):
        stem = dir_name.rsplit(".", 1)[0]
        raw_name, _, raw_version = stem.partition("-")
        key = _NORMALIZE.sub("-", raw_name).lower()
        if key in seen:
            continue
        seen.add(key)
        try:
            with open(os.path.join(metadata_dir, "entry_points.txt"), encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            continue
        entries = list(_parse_group(text, group))
        if not entries:
            continue
        name, version = _read_name_version(metadata_dir, raw_name, raw_version)
        found.extend(
            FoundEntryPoint(entry_name, value, name, version, metadata_dir)
            for entry_name, value in entries
        )
    return found


def _metadata_dirs(path: Sequence[str]) -> Iterator[tuple[str, str]]:
    for entry in path:
        directory = entry or "."
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue  # a zip file, or a path entry that does not exist
        for name in names:
            if name.endswith(_SUFFIXES):
                full = os.path.join(directory, name)
                if os.path.isdir(full):
                    yield full, name


def _parse_group(text: str, group: str) -> Iterator[tuple[str, str]]:
    """``name = value`` lines of section ``[group]`` of an entry_points.txt file."""
    in_group = False
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            in_group = line[1:-1].strip() == group
            continue
        if in_group and "=" in line:
            name, _, value = line.partition("=")
            yield name.strip(), value.strip()


def _read_name_version(
    metadata_dir: str, raw_name: str, raw_version: str
) -> tuple[str, str | None]:
    """The distribution's own spelling of its name, and its version, from its metadata."""
    name, version = raw_name, raw_version or None
    for file_name in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(metadata_dir, file_name), encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        break  # the headers end at the first blank line
                    key, _, value = line.partition(":")
                    if key == "Name":
                        name = value.strip()
                    elif key == "Version":
                        version = value.strip()
        except OSError:
            continue
        break
    return name, version
