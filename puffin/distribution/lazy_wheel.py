"""Read a wheel's ``METADATA`` without downloading the wheel: a few byte-range reads.

A wheel is a ZIP archive, and a ZIP archive is read from its end: the end of central
directory record (EOCD, with an optional comment after it and, for ZIP64 archives, a ZIP64
EOCD record and locator before it) says where the central directory is; the central
directory lists every member with the offset of its local file header; the local header is
followed by the member's compressed bytes. So :func:`read_wheel_metadata` reads

1. the last 64 KiB and a little more (the whole file if it is smaller): always enough for
   the EOCD, whatever the length of the comment, and usually for the whole central
   directory too;
2. the rest of the central directory, only if it started before those bytes;
3. the local header and compressed data of ``<name>-<version>.dist-info/METADATA``, only if
   they are not among the bytes already read. Wheels put their ``.dist-info`` last, next
   to the central directory, so for small and medium wheels this read is not needed.

That is one or two reads for almost every wheel, a few KiB of them rather than megabytes.
The reads go through a :class:`RangeReader`, so the same code serves HTTP (the client's
range requests) and tests (a local file).

:func:`read_wheel_metadata_from_file` reads a local wheel with :mod:`zipfile` and picks the
``.dist-info`` directory by the same rule.
"""

from __future__ import annotations

import struct
import zlib
from typing import TYPE_CHECKING, Final, Protocol

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from puffin._values import value_type
from puffin.errors import PuffinError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

__all__ = [
    "LazyWheelError",
    "RangeReader",
    "RangeRequestsUnsupported",
    "read_wheel_metadata",
    "read_wheel_metadata_from_file",
]


class LazyWheelError(PuffinError):
    """A wheel's ``METADATA`` could not be read from its bytes.

    The archive is not a ZIP file, is damaged, is a kind of ZIP puffin does not read
    (split over several disks, encrypted, compressed with a method other than deflate), or
    has no ``.dist-info/METADATA`` for the name and version in its file name. Callers that
    can download the whole wheel may do so and let the installer give the definitive error.
    """


class RangeRequestsUnsupported(LazyWheelError):
    """The :class:`RangeReader` cannot read byte ranges (its ``size()`` answered None).

    Not a problem with the wheel: the caller should download it whole instead.
    """


class RangeReader(Protocol):
    """Random access to the bytes of one remote (or local) file."""

    async def size(self) -> int | None:
        """The total size in bytes, or None when ranges cannot be read (no ``Accept-Ranges``)."""
        ...

    async def read(self, start: int, end: int) -> bytes:
        """The bytes ``[start, end)``; ``0 <= start < end <= size()``."""
        ...


# ZIP structures (APPNOTE.TXT 4.3), little-endian, with their signatures.
_EOCD = struct.Struct("<4s4H2LH")
_EOCD_SIGNATURE: Final = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE: Final = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE: Final = b"PK\x06\x06"
_CENTRAL_HEADER = struct.Struct("<4s4B4HL2L5H2L")
_CENTRAL_HEADER_SIGNATURE: Final = b"PK\x01\x02"
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_HEADER_SIGNATURE: Final = b"PK\x03\x04"
_ZIP64_EXTRA_ID: Final = 0x0001
_MAX_COMMENT: Final = 0xFFFF

# The first read: 64 KiB, or exactly enough for the largest possible comment, its EOCD and a
# ZIP64 locator, whichever is more, so that the end records are always in it.
TAIL_SIZE: Final = max(64 * 1024, _EOCD.size + _MAX_COMMENT + _ZIP64_LOCATOR.size)
# The local header's extra field may be longer than the central directory's copy (ZIP64
# sizes, extended timestamps, alignment padding). The read of METADATA stops at the next
# member anyway; this only bounds it when the next member is far away.
_LOCAL_EXTRA_ALLOWANCE: Final = 4096
# METADATA is a few KiB; a member claiming more than this is a damaged or hostile archive,
# and inflating it is not worth the memory.
_MAX_METADATA_SIZE: Final = 64 * 1024 * 1024

_FLAG_ENCRYPTED: Final = 0x1
_FLAG_UTF8: Final = 0x800
_STORED: Final = 0
_DEFLATED: Final = 8


# --------------------------------------------------------------------------------------------
# Choosing the .dist-info directory


def _dist_info_matches(stem: str, name: str, version: Version) -> bool:
    """Whether ``<stem>.dist-info`` belongs to project ``name`` at ``version``.

    The spec writes the stem as ``{escaped name}-{normalized version}``, but older tools
    wrote the name unescaped (possibly with ``-``) or the version unnormalized, so every
    split point is tried and both parts compare in normalized form.
    """
    for index, char in enumerate(stem):
        if char != "-" or canonicalize_name(stem[:index]) != name:
            continue
        version_text = stem[index + 1 :]
        try:
            # Filenames escape "-" in versions as "_"; Version() takes either back.
            if Version(version_text.replace("_", "-")) == version:
                return True
        except InvalidVersion:
            continue
    return False


def _metadata_member(names: Iterable[str], filename: str) -> str:
    """The archive path of the wheel's own ``METADATA`` among ``names``.

    Only top-level ``*.dist-info`` directories count (vendored code may ship its own deeper
    in the tree), and of those only the one named for the wheel's project and version (a
    wheel may carry more than one).
    """
    try:
        name, version, _, _ = parse_wheel_filename(filename)
    except InvalidWheelFilename as error:
        raise LazyWheelError(f"{filename} is not a valid wheel file name: {error}") from error
    found: list[str] = []
    for member in names:
        directory, _, rest = member.partition("/")
        if rest != "METADATA" or not directory.endswith(".dist-info"):
            continue
        if _dist_info_matches(directory.removesuffix(".dist-info"), name, version):
            return member
        found.append(directory)
    expected = f"{name.replace('-', '_')}-{version}.dist-info"
    detail = f"; it has {', '.join(sorted(found))}" if found else ""
    raise LazyWheelError(f"{filename} has no {expected}/METADATA{detail}")


# --------------------------------------------------------------------------------------------
# Reading the archive's structure


@value_type
class _Directory:
    """Where the central directory is, from the end records."""

    start: int
    """Absolute offset of the central directory in the file."""
    size: int
    shift: int
    """Bytes before the archive proper (a self-extracting stub): added to every offset the
    archive records, as :mod:`zipfile` does."""


@value_type
class _Member:
    """One central-directory entry, the facts needed to read its data."""

    name: str
    flags: int
    method: int
    crc: int
    compressed_size: int
    size: int
    header_offset: int
    """Offset of the local header as recorded (add :attr:`_Directory.shift`)."""
    header_length: int
    """Length of the local header if its fields match the central entry's (an estimate)."""


class _Bytes:
    """The file's bytes as far as they have been read: the tail, and reads through it."""

    def __init__(self, reader: RangeReader, filename: str, tail_start: int, tail: bytes) -> None:
        self._reader = reader
        self._filename = filename
        self.tail_start = tail_start
        self.tail = tail

    async def read(self, start: int, end: int) -> bytes:
        """Bytes ``[start, end)``, from the tail where it has them, else from the reader."""
        if start < 0 or end < start or end > self.tail_start + len(self.tail):
            raise LazyWheelError(
                f"{self._filename} is damaged: bytes {start}-{end} are outside the file"
            )
        if start >= self.tail_start:
            return self.tail[start - self.tail_start : end - self.tail_start]
        if end <= self.tail_start:
            return await self._fetch(start, end)
        # Only the part before the tail is missing; the rest is already here.
        head = await self._fetch(start, self.tail_start)
        return head + self.tail[: end - self.tail_start]

    async def _fetch(self, start: int, end: int) -> bytes:
        data = await self._reader.read(start, end)
        if len(data) != end - start:
            raise LazyWheelError(
                f"reading bytes {start}-{end} of {self._filename} returned {len(data)} bytes"
            )
        return data


def _find_eocd(tail: bytes, filename: str) -> int:
    """The offset in ``tail`` of the end of central directory record.

    Searched backwards; the first candidate whose comment length reaches exactly the end of
    the file wins, so that a comment containing the signature cannot mislead. Failing that,
    the last signature found is taken, as :mod:`zipfile` does for archives with bytes after
    their comment.
    """
    lowest = max(0, len(tail) - _EOCD.size - _MAX_COMMENT)
    position = len(tail) - _EOCD.size
    fallback = -1
    while position >= lowest:
        position = tail.rfind(_EOCD_SIGNATURE, lowest, position + len(_EOCD_SIGNATURE))
        if position < 0:
            break
        comment_length = _EOCD.unpack_from(tail, position)[-1]
        if position + _EOCD.size + comment_length == len(tail):
            return position
        if fallback < 0:
            fallback = position
        position -= 1
    if fallback >= 0:
        return fallback
    raise LazyWheelError(f"{filename} is not a ZIP archive (no end of central directory record)")


async def _read_directory_location(data: _Bytes, filename: str) -> _Directory:
    tail = data.tail
    eocd_index = _find_eocd(tail, filename)
    eocd_offset = data.tail_start + eocd_index
    (_, disk, cd_disk, _, _, cd_size, cd_offset, _) = _EOCD.unpack_from(tail, eocd_index)
    end_of_directory = eocd_offset

    locator_index = eocd_index - _ZIP64_LOCATOR.size
    has_locator = (
        locator_index >= 0 and tail[locator_index : locator_index + 4] == _ZIP64_LOCATOR_SIGNATURE
    )
    if has_locator:
        _, zip64_disk, zip64_offset, disks = _ZIP64_LOCATOR.unpack_from(tail, locator_index)
        if zip64_disk != 0 or disks > 1:
            raise LazyWheelError(f"{filename} is a multi-disk ZIP archive, which wheels are not")
        locator_offset = data.tail_start + locator_index
        # The ZIP64 record normally sits right before its locator (and zipfile only looks
        # there); the locator's own offset is the fallback, for records with extra data.
        record = None
        for candidate in dict.fromkeys((locator_offset - _ZIP64_EOCD.size, zip64_offset)):
            if candidate < 0 or candidate + _ZIP64_EOCD.size > locator_offset:
                continue
            raw = await data.read(candidate, candidate + _ZIP64_EOCD.size)
            if raw[:4] == _ZIP64_EOCD_SIGNATURE:
                record = _ZIP64_EOCD.unpack(raw)
                end_of_directory = candidate
                break
        if record is None:
            raise LazyWheelError(f"{filename} is damaged: its ZIP64 end record is missing")
        (_, _, _, _, disk, cd_disk, _, _, cd_size, cd_offset) = record
    elif 0xFFFFFFFF in (cd_size, cd_offset):
        # (The member count may be 0xFFFF legitimately, and is not needed here.)
        raise LazyWheelError(f"{filename} is damaged: ZIP64 values without a ZIP64 end record")
    if disk != 0 or cd_disk != 0:
        raise LazyWheelError(f"{filename} is a multi-disk ZIP archive, which wheels are not")

    # The central directory ends where the end records begin; any difference from the
    # recorded offset is data prepended to the archive.
    start = end_of_directory - cd_size
    shift = start - cd_offset
    if start < 0 or shift < 0:
        raise LazyWheelError(f"{filename} is damaged: bad central directory offset or size")
    return _Directory(start=start, size=cd_size, shift=shift)


def _zip64_extra(
    extra: bytes, size: int, compressed_size: int, header_offset: int
) -> tuple[int, int, int]:
    """Apply a ZIP64 extended-information field: it holds, in this order, each of the three
    values that the fixed header set to 0xFFFFFFFF."""
    position = 0
    while position + 4 <= len(extra):
        field_id, length = struct.unpack_from("<2H", extra, position)
        body = extra[position + 4 : position + 4 + length]
        position += 4 + length
        if field_id != _ZIP64_EXTRA_ID:
            continue
        values = list(struct.unpack_from(f"<{len(body) // 8}Q", body))
        if size == 0xFFFFFFFF and values:
            size = values.pop(0)
        if compressed_size == 0xFFFFFFFF and values:
            compressed_size = values.pop(0)
        if header_offset == 0xFFFFFFFF and values:
            header_offset = values.pop(0)
        break
    return size, compressed_size, header_offset


def _parse_central_directory(directory: bytes, filename: str) -> tuple[list[_Member], list[int]]:
    """Every member whose name ends in ``/METADATA`` and the header offsets of all members
    (METADATA's read ends at the next member; nothing else is needed from the rest).

    Like :mod:`zipfile`, the directory is read to its recorded size, whatever the member
    count in the end record says.
    """
    candidates: list[_Member] = []
    offsets: list[int] = []
    position = 0
    while position < len(directory):
        if position + _CENTRAL_HEADER.size > len(directory):
            raise LazyWheelError(f"{filename} is damaged: its central directory is truncated")
        fields = _CENTRAL_HEADER.unpack_from(directory, position)
        if fields[0] != _CENTRAL_HEADER_SIGNATURE:
            raise LazyWheelError(f"{filename} is damaged: bad central directory entry")
        (flags, method, _, _, crc, compressed_size, size) = fields[5:12]
        name_length, extra_length, comment_length = fields[12:15]
        header_offset = fields[18]
        name_start = position + _CENTRAL_HEADER.size
        raw_name = directory[name_start : name_start + name_length]
        extra = directory[name_start + name_length : name_start + name_length + extra_length]
        position = name_start + name_length + extra_length + comment_length
        if 0xFFFFFFFF in (size, compressed_size, header_offset):
            size, compressed_size, header_offset = _zip64_extra(
                extra, size, compressed_size, header_offset
            )
        offsets.append(header_offset)
        if not raw_name.endswith(b"/METADATA"):
            continue
        # Names are UTF-8 when flagged, else code page 437: the rule zipfile applies, so
        # that both readers of a wheel see the same names.
        name = raw_name.decode("utf-8" if flags & _FLAG_UTF8 else "cp437", "replace")
        candidates.append(
            _Member(
                name=name,
                flags=flags,
                method=method,
                crc=crc,
                compressed_size=compressed_size,
                size=size,
                header_offset=header_offset,
                header_length=_LOCAL_HEADER.size + name_length + extra_length,
            )
        )
    return candidates, offsets


def _inflate(member: _Member, compressed: bytes, filename: str) -> bytes:
    if member.method == _STORED:
        content = compressed
    elif member.method == _DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            # One byte more than expected is enough to notice an oversized member.
            content = inflater.decompress(compressed, member.size + 1)
        except zlib.error as error:
            raise LazyWheelError(f"{filename}: {member.name} is damaged: {error}") from error
    else:
        raise LazyWheelError(
            f"{filename}: {member.name} uses ZIP compression method {member.method}; "
            "wheels use deflate or no compression"
        )
    if len(content) != member.size or zlib.crc32(content) != member.crc:
        raise LazyWheelError(f"{filename}: {member.name} is damaged (size or CRC mismatch)")
    return content


async def read_wheel_metadata(reader: RangeReader, filename: str) -> bytes:
    """Return the bytes of ``<name>-<version>.dist-info/METADATA`` of a wheel, read by range.

    :param reader: random access to the wheel's bytes (for HTTP, one range request a read).
    :param filename: the wheel's file name; its name and version choose the ``.dist-info``
        directory.
    :raises RangeRequestsUnsupported: ``reader.size()`` answered None.
    :raises LazyWheelError: the bytes are not a wheel puffin can read this way, or the wheel
        has no ``.dist-info/METADATA`` matching its file name.

    The reads are: the last ~64 KiB; the start of the central directory if it begins
    before those; the local header and data of ``METADATA`` if they are not in the bytes
    already read. Errors from the reader itself (network errors) propagate unchanged.
    """
    size = await reader.size()
    if size is None:
        raise RangeRequestsUnsupported(f"the server of {filename} does not serve byte ranges")
    if size < _EOCD.size:
        raise LazyWheelError(f"{filename} is not a ZIP archive ({size} bytes)")
    tail_start = max(0, size - TAIL_SIZE)
    tail = await reader.read(tail_start, size)
    if len(tail) != size - tail_start:
        raise LazyWheelError(
            f"reading bytes {tail_start}-{size} of {filename} returned {len(tail)} bytes"
        )
    data = _Bytes(reader, filename, tail_start, tail)

    location = await _read_directory_location(data, filename)
    directory = await data.read(location.start, location.start + location.size)
    candidates, offsets = _parse_central_directory(directory, filename)
    chosen = _metadata_member((member.name for member in candidates), filename)
    member = next(member for member in candidates if member.name == chosen)
    if member.flags & _FLAG_ENCRYPTED:
        raise LazyWheelError(f"{filename}: {member.name} is encrypted")
    if member.size > _MAX_METADATA_SIZE:
        raise LazyWheelError(f"{filename}: {member.name} claims {member.size} bytes")

    start = location.shift + member.header_offset
    # The member's bytes end where the next member (or the central directory) starts.
    following = [offset for offset in offsets if offset > member.header_offset]
    end = min(
        location.shift + min(following) if following else location.start,
        start + member.header_length + member.compressed_size + _LOCAL_EXTRA_ALLOWANCE,
        size,
    )
    if end < start + _LOCAL_HEADER.size:
        raise LazyWheelError(f"{filename} is damaged: {member.name} has no room for its header")
    chunk = await data.read(start, end)
    header = _LOCAL_HEADER.unpack_from(chunk)
    if header[0] != _LOCAL_HEADER_SIGNATURE:
        raise LazyWheelError(f"{filename} is damaged: no local header for {member.name}")
    data_start = _LOCAL_HEADER.size + header[-2] + header[-1]
    data_end = data_start + member.compressed_size
    if data_end > len(chunk):
        # A local extra field longer than the allowance: fetch what is missing.
        chunk += await data.read(start + len(chunk), start + data_end)
    return _inflate(member, chunk[data_start:data_end], filename)


def read_wheel_metadata_from_file(path: Path, filename: str | None = None) -> bytes:
    """Return the bytes of a local wheel's ``<name>-<version>.dist-info/METADATA``.

    :param path: the wheel file.
    :param filename: the name whose project and version choose the ``.dist-info`` directory;
        ``path.name`` by default (pass the original name when the file is stored under
        another, as in a cache).
    :raises LazyWheelError: the file is not a readable ZIP archive, or has no matching
        ``.dist-info/METADATA``. ``OSError`` (a missing file) propagates unchanged.
    """
    import zipfile

    filename = filename if filename is not None else path.name
    try:
        with zipfile.ZipFile(path) as archive:
            member = _metadata_member(archive.namelist(), filename)
            info = archive.getinfo(member)
            if info.file_size > _MAX_METADATA_SIZE:
                raise LazyWheelError(f"{filename}: {member} claims {info.file_size} bytes")
            return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as error:
        # zipfile raises NotImplementedError for unknown compression methods and
        # RuntimeError for encrypted members.
        raise LazyWheelError(f"cannot read {filename}: {error}") from error
