"""The files of one pinned version, found in a PEP 691 page's bytes without decoding it all.

A pinned install (``pip sync requirements.txt``, ``pip install -r`` of ``pip compile``
output) needs one version of each project, yet a project page lists every file ever
published: pydantic-core's page is 6.9 MB with 15,000 files, the web benchmark set's 58
pages 22.5 MB. Decoding such a page (orjson: 19 ms for pydantic-core) and grouping its
files by version (:func:`~puffin.index.listing.group_filenames`) cost a cold install of the
web set 100 ms of its command's thread. Finding the pinned version's files in the bytes
costs 5 ms for pydantic-core's page. The page is never decoded as a whole: decoding it into
one string cost as much again as the search (a fresh 7 MB string is 1,700 new pages of
memory).

The search is a superset filter made exact afterwards:

1. A regular expression finds every place where the version's release could be written
   (leading zeros, a ``v`` prefix, an epoch, trailing ``.0`` components and local labels
   are all allowed), so no file of the version can be missed.
2. A match counts only inside a ``"filename"`` value; those file names are grouped by
   :func:`~puffin.index.listing.group_filenames`, the same rule as a full reading, and only
   the versions that ``wanted`` accepts are kept.
3. Each kept file's entry is the JSON object around its name, decoded alone.

Whatever the scan cannot be sure of (an escaped character in a file name, an entry it
cannot delimit, bytes that are not UTF-8) makes it answer None, and the caller reads the
whole page.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from packaging.utils import NormalizedName
    from packaging.version import Version

__all__ = ["ScannedFile", "release_pattern", "scan_version_files"]

ScannedFile = tuple[int, "Version", dict[str, Any]]
"""A file found by the scan: its entry's offset in the page (listing order), its version,
and its decoded ``files`` entry."""

_FILENAME_KEY = re.compile(rb'"filename"\s*:\s*\Z')
_KEY_WINDOW = 64
"""How far before a string its key is looked for (``"filename"`` and the whitespace a
pretty-printing server puts around the colon)."""
_NESTED_LIMIT = 16
"""How many ``{`` before a file name may open objects nested in its entry (``hashes``,
``core-metadata``, ...) before the scan gives up on finding the entry's own."""
_ENTRY_WINDOW = 4096
"""How many bytes from an entry's ``{`` are decoded to read it (twice as many, and so on,
for a longer entry): a registry's entries take 400 to 600."""
_ENTRY_LIMIT = 1 << 20
"""The longest entry the scan reads; past that it gives up (and the page is read)."""
_BACKSLASH = ord("\\")


def release_pattern(release: tuple[int, ...]) -> re.Pattern[bytes]:
    """Where a version with ``release`` may be written, in any spelling PEP 440 reads.

    With two or more significant components the pattern starts with a literal (``2.``),
    which the regular-expression engine finds by fast search; leading zeros of the first
    component precede the match and do not hide it. A single component (``2``, ``2.0``)
    is too common a literal, so that pattern starts at the dash before a version.
    """
    significant = list(release)
    while len(significant) > 1 and significant[-1] == 0:
        significant.pop()
    # Any further component must be a zero (2.41.5.0 is 2.41.5); a digit or ".digit"
    # right after the release makes another release, which cannot be wanted.
    tail = r"(?:\.0+)*(?![0-9]|\.[0-9])"
    if len(significant) == 1:
        pattern = rf"-[vV]?(?:[0-9]+!)?0*{significant[0]}{tail}"
    else:
        first, *rest = significant
        pattern = rf"{first}\." + r"\.".join(f"0*{part}" for part in rest) + tail
    return re.compile(pattern.encode("ascii"))


def scan_version_files(
    content: bytes,
    *,
    project: NormalizedName,
    version: Version,
    wanted: Callable[[Version], bool],
) -> list[ScannedFile] | None:
    """The ``files`` entries of a PEP 691 page (``content``, its UTF-8 bytes) whose file
    names offer a version of ``project`` that ``wanted`` accepts, in listing order.

    :param version: where to look: every wanted version must have this one's release
        (``==2.41.5`` wants ``2.41.5``, ``2.41.5.0`` and ``2.41.5+local``).
    :returns: the files found (an empty list: none), or None when the text cannot be
        scanned with certainty (read the whole page then).
    """
    from puffin.index.listing import group_filenames

    names: list[str] = []
    starts: list[int] = []
    seen = -1
    for match in release_pattern(version.release).finditer(content):
        position = match.start()
        opening = content.rfind(b'"', 0, position)
        if opening <= seen:
            continue  # another match in a string already looked at
        closing = content.find(b'"', position)
        if opening < 0 or closing < 0:
            continue
        if content[opening - 1] == _BACKSLASH:
            # Inside a string with an escaped quote, or between strings: a file name of
            # the project has no quote (its name and version fields cannot hold one).
            continue
        seen = opening
        if not _FILENAME_KEY.search(content, max(0, opening - _KEY_WINDOW), opening):
            continue  # a URL, a hash, the "versions" list
        raw = content[opening + 1 : closing]
        if b"\\" in raw:
            return None
        try:
            names.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return None
        starts.append(opening)
    if not names:
        return []
    decoder = json.JSONDecoder()
    found: list[ScannedFile] = []
    for found_version, positions in group_filenames(names, project=project).by_version.items():
        if not wanted(found_version):
            continue
        for position in positions:
            entry = _entry_around(content, starts[position], names[position], decoder)
            if entry is None:
                return None
            found.append((entry[0], found_version, entry[1]))
    found.sort(key=_offset)
    return found


def _entry_around(
    content: bytes, name_at: int, name: str, decoder: json.JSONDecoder
) -> tuple[int, dict[str, Any]] | None:
    """The object whose ``"filename"`` is the string at ``name_at``: the nearest ``{``
    before it that decodes to an object with that file name (objects nested in the
    entry before its file name decode to objects without one)."""
    end = name_at
    for _ in range(_NESTED_LIMIT):
        start = content.rfind(b"{", 0, end)
        if start < 0:
            return None
        entry = _object_at(content, start, decoder)
        if entry is not None and entry[1] > name_at and entry[0].get("filename") == name:
            return start, entry[0]
        end = start
    return None


def _object_at(
    content: bytes, start: int, decoder: json.JSONDecoder
) -> tuple[dict[str, Any], int] | None:
    """The JSON object that starts at byte ``start``, and the byte after it; None when
    none does (or not within :data:`_ENTRY_LIMIT` bytes)."""
    window = _ENTRY_WINDOW
    while True:
        chunk = content[start : start + window]
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(chunk) - 3:
                return None  # not UTF-8 (not a character cut at the window's end)
            text = chunk[: error.start].decode("utf-8")
        try:
            value, after = decoder.raw_decode(text)
        except json.JSONDecodeError as error:
            cut_short = error.pos >= len(text) - 1 or error.msg.startswith("Unterminated")
            if not cut_short or start + window >= len(content) or window >= _ENTRY_LIMIT:
                return None  # no object starts here (a brace in a string, say)
            window *= 2  # an entry longer than the window
            continue
        if not isinstance(value, dict):
            return None
        return value, start + len(text[:after].encode("utf-8"))


def _offset(file: ScannedFile) -> int:
    return file[0]
