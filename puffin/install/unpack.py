"""Unpack a wheel once into the cache, verified against its own RECORD.

An unpacked wheel lives at ``wheels-v1/<sha256 of the wheel file>/``: the archive's files
as they are, with their executable bits. Installs then link (or copy) from there, so a
wheel installed into ten environments is decompressed once.

An entry appears whole or not at all: the wheel is extracted into a temporary directory
beside the entry and renamed into place. A lock file per key (``.<key>.lock``) keeps two
processes from unpacking the same wheel at once; the second waits and uses the first's
result. A lock file may outlive its entry (removing lock files races with waiters).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from puffin.cache.dirs import Cache
    from puffin.install.zipread import Member, ZipArchive

__all__ = [
    "BUCKET",
    "RecordEntry",
    "cache_entry",
    "extract_part",
    "find_dist_info",
    "finish_entry",
    "lock_path",
    "new_temporary",
    "parse_record",
    "remove_temporary",
    "share",
    "unpack_wheel",
]

BUCKET = "wheels-v1"
"""The cache bucket of unpacked wheels."""

_CHUNK = 1 << 20
# The spec forbids these as RECORD hashes: too weak to verify anything.
_WEAK_HASHES = frozenset({"md5", "sha1"})
# Files RECORD lists without a hash: itself, and its signatures (which sign RECORD).
_UNHASHED = frozenset({"RECORD", "RECORD.jws", "RECORD.p7s"})


class RecordEntry(NamedTuple):
    """One row of a RECORD: ``algorithm=urlsafe-b64-digest`` (or empty) and size."""

    hash: str
    size: int | None


def parse_record(text: str, *, source: str) -> dict[str, RecordEntry]:
    """Parse a RECORD file into path -> entry; ``source`` names it in errors."""
    import csv

    entries: dict[str, RecordEntry] = {}
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row:
            continue
        if len(row) != 3:
            raise PuffinError(f"{source}: RECORD line {number} does not have 3 fields: {row!r}")
        path, digest, size = row
        try:
            entries[path] = RecordEntry(digest, int(size) if size else None)
        except ValueError:
            raise PuffinError(
                f"{source}: RECORD line {number} has a size that is not a number: {size!r}"
            ) from None
    return entries


def find_dist_info(names: list[str], *, source: str) -> str:
    """The one top-level ``*.dist-info`` directory among archive or directory ``names``."""
    found = sorted(
        {name.split("/", 1)[0] for name in names if name.split("/", 1)[0].endswith(".dist-info")}
    )
    if len(found) != 1:
        raise PuffinError(
            f"{source} has {len(found)} .dist-info directories at its root"
            f"{': ' + ', '.join(found) if found else ''}; a wheel has exactly one"
        )
    return found[0]


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def unpack_wheel(wheel: Path, cache: Cache, *, sha256: str | None = None) -> Path:
    """Return the directory where ``wheel`` is unpacked in the cache, unpacking it first if
    needed.

    :param sha256: the wheel file's hex sha256 when already known (from the index or the
        download), which saves hashing the file; it is the cache key.
    :raises PuffinError: the wheel is not a valid zip, has unsafe paths, or a file does
        not match its RECORD; nothing is left in the cache then.
    """
    from puffin.cache.lock import FileLock

    entry = cache_entry(wheel, cache, sha256=sha256)
    if entry.is_dir():
        return entry
    with FileLock(lock_path(entry)):
        # Another process may have finished while this one waited for the lock.
        if entry.is_dir():
            return entry
        temporary = new_temporary(entry)
        try:
            _extract(wheel, temporary)
            finish_entry(wheel, temporary, entry)
        except BaseException:
            remove_temporary(temporary)
            raise
    return entry


def cache_entry(wheel: Path, cache: Cache, *, sha256: str | None = None) -> Path:
    """The directory ``wheel`` is (or will be) unpacked at: ``wheels-v1/<sha256>``."""
    key = sha256.lower() if sha256 else _file_sha256(wheel)
    return cache.bucket(BUCKET) / key


def lock_path(entry: Path) -> Path:
    """The lock file that one unpacker of ``entry`` holds."""
    return entry.with_name(f".{entry.name}.lock")


def new_temporary(entry: Path) -> Path:
    """A new, empty directory beside ``entry`` to unpack into."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix=f".{entry.name}.", suffix=".tmp", dir=entry.parent))


def remove_temporary(temporary: Path) -> None:
    """Remove an unpacking that failed."""
    import shutil

    shutil.rmtree(temporary, ignore_errors=True)


def finish_entry(wheel: Path, temporary: Path, entry: Path) -> None:
    """Make the complete unpacking at ``temporary`` the cache entry ``entry``.

    The layout first: an entry that exists has its layout (unless the wheel's is
    malformed, which its install then reports).
    """
    from puffin.install.layout import read_layout, store_layout

    with contextlib.suppress(PuffinError, OSError):
        store_layout(entry, read_layout(temporary, source=wheel.name))
    os.replace(temporary, entry)


def extract_part(wheel: str, destination: str, part: int, parts: int) -> None:
    """Extract share ``part`` of ``parts`` of ``wheel``'s members (see :func:`share`) into
    ``destination``, checked against RECORD: one worker's share of a large wheel (paths
    as strings, for a worker process).

    :raises PuffinError: as :func:`unpack_wheel`.
    """
    _extract(Path(wheel), Path(destination), part=part, parts=parts)


_FILE_WEIGHT = 32 * 1024
"""What creating one file costs, in compressed bytes inflated and written in the same time
(about 60 microseconds here): the unit in which shares of a wheel are weighed."""


def share(members: Sequence[Member], part: int, parts: int) -> list[Member]:
    """Share ``part`` (from 0) of ``parts``: one run of consecutive members, the runs of
    about equal work (compressed bytes, plus :data:`_FILE_WEIGHT` a file).

    Consecutive members sit in the same directories, so the workers seldom create files
    in one directory at the same time, which the kernel serializes (its lock on the
    directory): 8 to 10 per cent faster on the web set's largest wheels than taking every
    ``parts``-th member.
    """
    if parts <= 1:
        return list(members)
    total = sum(member.compressed_size for member in members) + _FILE_WEIGHT * len(members)
    chosen = []
    before = 0
    for member in members:
        # A member belongs to the share in which the work before it ends.
        if before * parts // total == part:
            chosen.append(member)
        before += member.compressed_size + _FILE_WEIGHT
    return chosen


def _safe_member(name: str, *, source: str) -> None:
    from puffin.install.layout import unsafe_path

    if not name or unsafe_path(name):
        # Writing outside the target (zip slip) or ambiguous names: refuse the wheel.
        raise PuffinError(f"{source} contains an unsafe path: {name!r}")


def _extract(wheel: Path, destination: Path, *, part: int = 0, parts: int = 1) -> None:
    """Extract the wheel's files into ``destination``, each checked against RECORD.

    With ``parts`` above 1, only share ``part`` of the members (:func:`share`): several
    processes share a large wheel that way, into one ``destination``. Every part checks
    the whole archive's names and RECORD, so any of them reports a malformed wheel.
    """
    from puffin.install.zipread import BadArchive, ZipArchive

    source = wheel.name
    try:
        archive = ZipArchive(wheel)
    except (OSError, BadArchive) as error:
        raise PuffinError(f"{wheel} is not a valid wheel (zip) file: {error}") from error
    with archive:
        members = [member for member in archive.members if not member.is_dir]
        names = [member.name for member in members]
        if len(set(names)) != len(names):
            raise PuffinError(f"{source} contains the same file name twice")
        dist_info = find_dist_info(names, source=source)
        record_name = f"{dist_info}/RECORD"
        record_member = next((member for member in members if member.name == record_name), None)
        if record_member is None:
            raise PuffinError(f"{source} has no {record_name}")
        try:
            record_text = archive.read(record_member).decode("utf-8")
        except (BadArchive, UnicodeDecodeError) as error:
            raise PuffinError(f"{source}: cannot read {record_name}: {error}") from error
        record = parse_record(record_text, source=f"{source}: {record_name}")
        # Files RECORD promises that are not there mean a broken or truncated wheel.
        missing = sorted(path for path in set(record) - set(names) if not path.endswith("/"))
        if missing:
            raise PuffinError(
                f"{source}: RECORD lists {missing[0]!r}, which the wheel does not contain"
                + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
            )

        root = str(destination)
        directories: set[str] = set()
        # A file created with the mode it should have needs no chmod, unless the umask
        # takes bits away: then each file gets an fchmod (one more inode update each).
        umask = _umask()
        masked = umask is None or umask & 0o755 != 0
        for member in share(members, part, parts):
            _safe_member(member.name, source=source)
            target = f"{root}/{member.name}"
            parent = target.rpartition("/")[0]
            if parent not in directories:
                _make_directory(parent)
                directories.add(parent)
            _extract_member(
                archive, member, target, record, dist_info=dist_info, source=source, chmod=masked
            )


def _make_directory(path: str) -> None:
    """Make ``path`` and its missing parents; one that exists is fine (the other parts of
    a shared wheel make the same directories). One ``mkdir`` when the parent exists, the
    common case, where ``os.makedirs`` would ``stat`` the parent first."""
    try:
        os.mkdir(path)  # noqa: PTH102 - strings, no pathlib parsing
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)  # noqa: PTH103


def _extract_member(
    archive: ZipArchive,
    member: Member,
    target: str,
    record: Mapping[str, RecordEntry],
    *,
    dist_info: str,
    source: str,
    chmod: bool = True,
) -> None:
    from puffin.install.zipread import BadArchive

    name = member.name
    entry = record.get(name)
    unhashed = name.startswith(f"{dist_info}/") and name[len(dist_info) + 1 :] in _UNHASHED
    if entry is None and not unhashed:
        raise PuffinError(f"{source}: {name!r} is not listed in the wheel's RECORD")
    algorithm, expected = "", ""
    if entry is not None and entry.hash:
        algorithm, _, expected = entry.hash.partition("=")
        if algorithm in _WEAK_HASHES or algorithm not in hashlib.algorithms_guaranteed:
            raise PuffinError(
                f"{source}: RECORD hashes {name!r} with {algorithm!r}, which is not allowed"
            )
    elif not unhashed:
        raise PuffinError(f"{source}: RECORD gives no hash for {name!r}")

    digest = hashlib.new(algorithm) if algorithm else None
    size = 0
    # Only the executable bits of the archive's mode matter (as pip does): no setuid,
    # no world-writable files from a downloaded archive.
    unix_mode = member.external_attr >> 16
    mode = 0o755 if unix_mode & 0o111 and not stat.S_ISDIR(unix_mode) else 0o644
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    try:
        # A member RECORD does not hash (RECORD itself, its signatures) gets its CRC-32
        # checked; the others their RECORD hash, a stronger check of the same bytes.
        for chunk in archive.chunks(member, check_crc=digest is None):
            if digest is not None:
                digest.update(chunk)
            size += len(chunk)
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
        if chmod:
            os.fchmod(fd, mode)  # the umask removed bits that the archive sets
    except (OSError, BadArchive) as error:
        raise PuffinError(f"{source}: cannot extract {name!r}: {error}") from error
    finally:
        os.close(fd)

    if digest is not None and entry is not None:
        actual = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")
        if actual != expected.rstrip("="):
            raise PuffinError(
                f"{source}: {name!r} does not match the wheel's RECORD: "
                f"{algorithm}={actual} in the archive, {entry.hash} in RECORD"
            )
    if entry is not None and entry.size is not None and entry.size != size:
        raise PuffinError(
            f"{source}: {name!r} does not match the wheel's RECORD: "
            f"{size} bytes in the archive, {entry.size} in RECORD"
        )


def _umask() -> int | None:
    """This process's umask, read without changing it (``/proc/self/status`` on Linux);
    None where it cannot be read. ``os.umask`` can only be read by setting it, which
    would race with the threads creating files."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None
