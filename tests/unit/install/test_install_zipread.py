"""puffin.install.zipread against archives written by Python's zipfile."""

from __future__ import annotations

import os
import random
import struct
import zipfile
from pathlib import Path

import pytest

from puffin.install.zipread import BadArchive, ZipArchive


def _blob(size: int, seed: int) -> bytes:
    # Half random, half repetitive: deflate has work to do both ways.
    rng = random.Random(seed)
    noise = rng.randbytes(size // 2)
    return (noise + b"puffin " * (size // 14 + 1))[:size]


def _write(path: Path, members: dict[str, tuple[bytes, int]], **options: object) -> Path:
    with zipfile.ZipFile(path, "w", **options) as archive:  # type: ignore[arg-type]
        for name, (data, method) in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            info.external_attr = 0o755 << 16 if name.endswith(".sh") else 0o644 << 16
            archive.writestr(info, data)
    return path


def test_every_member_reads_as_zipfile_reads_it(tmp_path: Path) -> None:
    members = {
        "pkg/__init__.py": (b"x = 1\n", zipfile.ZIP_DEFLATED),
        "pkg/stored.bin": (_blob(3_000_000, 1), zipfile.ZIP_STORED),
        "pkg/large.bin": (_blob(9 * 1024 * 1024 + 7, 2), zipfile.ZIP_DEFLATED),  # in chunks
        "pkg/empty.txt": (b"", zipfile.ZIP_DEFLATED),
        "pkg/tool.sh": (b"#!/bin/sh\n", zipfile.ZIP_STORED),
        "pkg/ünïcode.txt": ("naïve".encode(), zipfile.ZIP_DEFLATED),
    }
    path = _write(tmp_path / "a.whl", members)

    with ZipArchive(path) as archive:
        read = {member.name: archive.read(member) for member in archive.members}
        sizes = {member.name: member.size for member in archive.members}
        modes = {member.name: member.external_attr >> 16 for member in archive.members}
        pieces = [
            len(piece)
            for member in archive.members
            if member.name == "pkg/large.bin"
            for piece in archive.chunks(member)
        ]

    assert read == {name: data for name, (data, _) in members.items()}
    assert sizes == {name: len(data) for name, (data, _) in members.items()}
    assert modes["pkg/tool.sh"] == 0o755 and modes["pkg/__init__.py"] == 0o644
    assert len(pieces) > 1 and max(pieces) <= 1 << 20


def test_zip64_sizes_and_offsets(tmp_path: Path) -> None:
    path = tmp_path / "z64.whl"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(3):
            with archive.open(f"f{index}.txt", "w", force_zip64=True) as member:
                member.write(b"data %d\n" % index)
    with ZipArchive(path) as archive:
        assert [archive.read(member) for member in archive.members] == [
            b"data 0\n",
            b"data 1\n",
            b"data 2\n",
        ]


def test_not_a_zip_and_a_cut_short_archive(tmp_path: Path) -> None:
    empty = tmp_path / "empty.whl"
    empty.write_bytes(b"")
    text = tmp_path / "text.whl"
    text.write_bytes(b"hello, not a zip" * 100)
    for path in (empty, text):
        with pytest.raises(BadArchive):
            ZipArchive(path)

    path = _write(tmp_path / "a.whl", {"a.bin": (_blob(200_000, 3), zipfile.ZIP_DEFLATED)})
    data = bytearray(path.read_bytes())
    cut = tmp_path / "cut.whl"
    cut.write_bytes(bytes(data[: len(data) // 2]))  # the central directory is gone
    with pytest.raises(BadArchive):
        ZipArchive(cut)
    # The directory says the deflate stream is half as long as it is.
    central = data.rfind(b"PK\x01\x02")
    (compressed,) = struct.unpack_from("<L", data, central + 20)
    struct.pack_into("<L", data, central + 20, compressed // 2)
    path.write_bytes(bytes(data))
    with ZipArchive(path) as archive, pytest.raises(BadArchive, match="cut short"):
        archive.read(archive.members[0])
    # The same for a member large enough to be inflated in chunks.
    path = _write(tmp_path / "b.whl", {"b.bin": (_blob(9_000_000, 4), zipfile.ZIP_DEFLATED)})
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    (compressed,) = struct.unpack_from("<L", data, central + 20)
    struct.pack_into("<L", data, central + 20, compressed // 2)
    path.write_bytes(bytes(data))
    with ZipArchive(path) as archive, pytest.raises(BadArchive, match="cut short"):
        for _ in archive.chunks(archive.members[0]):
            pass


def test_a_local_header_naming_another_file_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.whl", {"good.py": (b"ok\n", zipfile.ZIP_STORED)})
    data = bytearray(path.read_bytes())
    local = data.index(b"good.py")  # the local header's copy comes first
    data[local : local + 7] = b"evil.py"
    path.write_bytes(bytes(data))
    with ZipArchive(path) as archive, pytest.raises(BadArchive, match="another file"):
        archive.read(archive.members[0])


def test_unsupported_methods_encryption_and_crc(tmp_path: Path) -> None:
    path = _write(tmp_path / "bz.whl", {"a.txt": (b"bzip2 data\n", zipfile.ZIP_BZIP2)})
    with ZipArchive(path) as archive, pytest.raises(BadArchive, match="method 12"):
        archive.read(archive.members[0])

    path = _write(tmp_path / "enc.whl", {"a.txt": (b"secret\n", zipfile.ZIP_STORED)})
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    (flags,) = struct.unpack_from("<H", data, central + 8)
    struct.pack_into("<H", data, central + 8, flags | 0x1)
    path.write_bytes(bytes(data))
    with ZipArchive(path) as archive, pytest.raises(BadArchive, match="encrypted"):
        archive.read(archive.members[0])

    path = _write(tmp_path / "crc.whl", {"RECORD": (b"a,b,c\n", zipfile.ZIP_STORED)})
    data = bytearray(path.read_bytes())
    data[data.index(b"a,b,c")] = ord("x")
    path.write_bytes(bytes(data))
    with ZipArchive(path) as archive:
        member = archive.members[0]
        assert b"".join(archive.chunks(member)) == b"x,b,c\n"  # unchecked when not asked
        with pytest.raises(BadArchive, match="CRC-32"):
            archive.read(member)


def test_a_member_that_inflates_past_its_stated_size_stops_there(tmp_path: Path) -> None:
    big = b"\0" * 5_000_000
    path = _write(tmp_path / "bomb.whl", {"a.bin": (big, zipfile.ZIP_DEFLATED)})
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<L", data, central + 24, 1000)  # claims 1,000 bytes uncompressed
    path.write_bytes(bytes(data))
    with ZipArchive(path) as archive:
        produced = sum(len(piece) for piece in archive.chunks(archive.members[0]))
    assert produced == 1001  # one past the claim, for the caller's size check to refuse
    assert os.path.getsize(path) < 100_000


def test_without_zlib_ng_the_standard_zlib_inflates(tmp_path: Path) -> None:
    """Where zlib-ng has no wheels it is not installed; the reader falls back to zlib."""
    import subprocess
    import sys

    members = {
        "small.txt": (b"small member\n" * 10, zipfile.ZIP_DEFLATED),
        "large.bin": (_blob(9 * 1024 * 1024, 5), zipfile.ZIP_DEFLATED),
    }
    path = _write(tmp_path / "a.whl", members)
    data = bytearray(path.read_bytes())
    cut = tmp_path / "cut.whl"
    central = data.rfind(b"PK\x01\x02")  # the last entry of the directory: large.bin
    (compressed,) = struct.unpack_from("<L", data, central + 20)
    struct.pack_into("<L", data, central + 20, compressed // 2)
    cut.write_bytes(bytes(data))
    script = f"""
import sys, hashlib
sys.modules["zlib_ng"] = None  # as if not installed
from pathlib import Path
from puffin.install import zipread
assert zipread._decompressobj.__module__ == "zlib", zipread._decompressobj
with zipread.ZipArchive(Path({str(path)!r})) as archive:
    for member in archive.members:
        print(member.name, hashlib.sha256(archive.read(member)).hexdigest())
try:
    with zipread.ZipArchive(Path({str(cut)!r})) as archive:
        archive.read(archive.members[-1])
except zipread.BadArchive as error:
    print("refused:", error)
"""
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    import hashlib

    expected = [
        f"{name} {hashlib.sha256(content).hexdigest()}" for name, (content, _) in members.items()
    ]
    lines = run.stdout.splitlines()
    assert lines[:2] == expected
    assert lines[2].startswith("refused: 'large.bin' is cut short")
