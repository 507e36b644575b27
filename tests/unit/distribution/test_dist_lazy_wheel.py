"""puffin.distribution.lazy_wheel: a wheel's METADATA from a few range reads.

Every wheel here is a real ZIP archive: built by ``make_wheel``, rewritten with
:mod:`zipfile` (member order, compression, comments, ZIP64 headers) or, for the ZIP64 fields
zipfile only writes past 4 GiB, patched structure by structure and then checked with
zipfile. Each is read through a RangeReader over the local file and through one over HTTP
(httpx against StaticIndexServer), and the number of range requests is asserted.
"""

from __future__ import annotations

import asyncio
import random
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from puffin.distribution.lazy_wheel import (
    LazyWheelError,
    RangeRequestsUnsupported,
    read_wheel_metadata,
    read_wheel_metadata_from_file,
)
from puffin.errors import PuffinError
from puffin.testing.dists import MakeWheel, metadata_of
from puffin.testing.index import StaticIndexServer

TAIL = 64 * 1024  # the reader's first read is at least this much of the end of the file


# ------------------------------------------------------------------------------ range readers


@dataclass
class FileRangeReader:
    """Ranges of a local file; records every read."""

    path: Path
    reads: list[tuple[int, int]] = field(default_factory=list)

    async def size(self) -> int | None:
        return self.path.stat().st_size

    async def read(self, start: int, end: int) -> bytes:
        assert 0 <= start < end <= self.path.stat().st_size, (start, end)
        self.reads.append((start, end))
        with self.path.open("rb") as handle:
            handle.seek(start)
            return handle.read(end - start)

    @property
    def bytes_read(self) -> int:
        return sum(end - start for start, end in self.reads)


class HttpRangeReader:
    """Ranges over HTTP: HEAD for the size, then one ``Range`` GET per read."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self.client = client
        self.url = url

    async def size(self) -> int | None:
        response = await self.client.head(self.url)
        response.raise_for_status()
        if response.headers.get("accept-ranges") != "bytes":
            return None
        return int(response.headers["content-length"])

    async def read(self, start: int, end: int) -> bytes:
        response = await self.client.get(self.url, headers={"Range": f"bytes={start}-{end - 1}"})
        assert response.status_code == 206, response.status_code
        assert response.headers["content-range"].startswith(f"bytes {start}-{end - 1}/")
        return response.content


class NoRangesReader:
    async def size(self) -> int | None:
        return None

    async def read(self, start: int, end: int) -> bytes:
        raise AssertionError("read() after size() said ranges are unsupported")


def read_local(path: Path, filename: str | None = None) -> tuple[bytes, FileRangeReader]:
    reader = FileRangeReader(path)
    return asyncio.run(read_wheel_metadata(reader, filename or path.name)), reader


def read_over_http(root: Path, path: Path, filename: str | None = None) -> tuple[bytes, int, int]:
    """(METADATA, HEAD requests, range requests) for ``path`` served from ``root``."""
    files = root / "files"
    files.mkdir(parents=True, exist_ok=True)
    served = files / path.name
    served.write_bytes(path.read_bytes())

    async def fetch(url: str) -> bytes:
        async with httpx.AsyncClient() as client:
            return await read_wheel_metadata(HttpRangeReader(client, url), filename or path.name)

    with StaticIndexServer(root) as server:
        data = asyncio.run(fetch(f"{server.url}/files/{path.name}"))
        log = [r for r in server.requests if r.path == f"/files/{path.name}"]
    assert all(r.status in (200, 206) for r in log), log
    heads = sum(1 for r in log if r.method == "HEAD")
    ranges = sum(1 for r in log if r.method == "GET" and r.range is not None)
    assert len(log) == heads + ranges, "only HEAD and range GETs are expected"
    return data, heads, ranges


# ----------------------------------------------------------------------- wheels, reshaped


def noise(size: int, seed: int = 0) -> bytes:
    """Incompressible bytes: deflate cannot shrink them, so the archive is really this big."""
    return random.Random(seed).randbytes(size)


def rezip(
    source: Path,
    target: Path,
    *,
    order: list[str] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
    force_zip64: bool = False,
    comment: bytes = b"",
    extra_members: dict[str, bytes] | None = None,
) -> Path:
    """Rewrite the wheel ``source`` with zipfile, changing only what is asked."""
    with zipfile.ZipFile(source) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members.update(extra_members or {})
    names = order or list(members)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            with archive.open(info, "w", force_zip64=force_zip64) as handle:
                handle.write(members[name])
        archive.comment = comment
    return target


def metadata_name(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return next(n for n in archive.namelist() if n.count("/") == 1 and "METADATA" in n)


_EOCD = struct.Struct("<4s4H2LH")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")


def to_zip64(data: bytes) -> bytes:
    """Rewrite the end of a (comment-less) ZIP archive as a ZIP64 one, as a writer does for
    archives over 4 GiB: every central entry gets its sizes and offset from a ZIP64 extra
    field, and the end record defers to a ZIP64 end record found through its locator."""
    end_record = _EOCD.unpack_from(data, len(data) - 22)
    count, cd_offset, comment_length = end_record[4], end_record[6], end_record[7]
    assert comment_length == 0
    entries = []
    position = cd_offset
    for _ in range(count):
        fields = list(_CENTRAL.unpack_from(data, position))
        name_length, extra_length, comment_length = fields[12:15]
        variable = position + _CENTRAL.size
        name = data[variable : variable + name_length]
        extra = data[variable + name_length : variable + name_length + extra_length]
        comment = data[
            variable + name_length + extra_length : variable
            + name_length
            + extra_length
            + comment_length
        ]
        position = variable + name_length + extra_length + comment_length
        compressed, size, offset = fields[10], fields[11], fields[18]
        extra += struct.pack("<2H3Q", 0x0001, 24, size, compressed, offset)
        fields[3] = 45  # version needed to extract: 4.5, ZIP64
        fields[10] = fields[11] = fields[18] = 0xFFFFFFFF
        fields[13] = len(extra)
        entries.append(_CENTRAL.pack(*fields) + name + extra + comment)
    directory = b"".join(entries)
    record_offset = cd_offset + len(directory)
    record = struct.pack(
        "<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, len(directory), cd_offset
    )
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, record_offset, 1)
    end = _EOCD.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:cd_offset] + directory + record + locator + end


# ----------------------------------------------------------------------------------- tests


def test_small_wheel_is_one_read(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("Demo.Pkg", "1.0", requires_dist=["httpx>=0.27"], extras={"cli": ["click"]})
    assert wheel.stat().st_size < TAIL
    expected = metadata_of(wheel).encode()

    data, reader = read_local(wheel)
    assert data == expected
    assert reader.reads == [(0, wheel.stat().st_size)]

    data, heads, ranges = read_over_http(tmp_path / "site", wheel)
    assert (data, heads, ranges) == (expected, 1, 1)
    assert read_wheel_metadata_from_file(wheel) == expected


def test_big_wheel_with_dist_info_last_is_one_read(make_wheel: MakeWheel, tmp_path: Path) -> None:
    # The spec's order (and make_wheel's): the payload first, .dist-info last, beside the
    # central directory, so the tail read has METADATA too.
    wheel = make_wheel(
        "big",
        "2.0",
        files={"big/__init__.py": "", "big/blob.bin": noise(2 * 1024 * 1024)},
    )
    assert wheel.stat().st_size > 2 * 1024 * 1024
    expected = metadata_of(wheel).encode()

    data, reader = read_local(wheel)
    assert data == expected
    assert len(reader.reads) == 1
    assert reader.bytes_read < TAIL + 1024

    assert read_over_http(tmp_path / "site", wheel) == (expected, 1, 1)


def test_metadata_far_from_the_central_directory_is_two_reads(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    # A big license file after METADATA (PEP 639 puts licenses in .dist-info/licenses/)
    # pushes METADATA out of the tail read.
    wheel = make_wheel(
        "licensed",
        "1.0",
        metadata_version="2.4",
        metadata_extra={"License-Expression": "MIT", "License-File": "LICENSE"},
        files={
            "licensed/__init__.py": "",
            "licensed-1.0.dist-info/licenses/LICENSE": noise(512 * 1024, seed=1),
        },
    )
    expected = metadata_of(wheel).encode()

    data, reader = read_local(wheel)
    assert data == expected
    assert len(reader.reads) == 2
    # The second read is METADATA's local header and data only: up to the next member.
    start, end = reader.reads[1]
    with zipfile.ZipFile(wheel) as archive:
        infos = sorted(archive.infolist(), key=lambda info: info.header_offset)
        index = next(i for i, info in enumerate(infos) if info.filename.endswith("/METADATA"))
        assert (start, end) == (infos[index].header_offset, infos[index + 1].header_offset)

    assert read_over_http(tmp_path / "site", wheel) == (expected, 1, 2)


def test_dist_info_first_in_a_big_wheel(make_wheel: MakeWheel, tmp_path: Path) -> None:
    # Some builders write .dist-info first; METADATA is then megabytes from the end.
    built = make_wheel(
        "early", "3.1", files={"early/__init__.py": "", "early/blob.bin": noise(1024 * 1024)}
    )
    with zipfile.ZipFile(built) as archive:
        names = sorted(archive.namelist(), key=lambda name: ".dist-info/" not in name)
    wheel = rezip(built, tmp_path / "out" / built.name, order=names)
    with zipfile.ZipFile(wheel) as archive:
        assert archive.getinfo(metadata_name(wheel)).header_offset < 1024
    expected = metadata_of(built).encode()

    data, reader = read_local(wheel)
    assert data == expected
    assert len(reader.reads) == 2
    assert reader.bytes_read < TAIL + 4096

    assert read_over_http(tmp_path / "site", wheel) == (expected, 1, 2)


def test_central_directory_bigger_than_the_tail(make_wheel: MakeWheel, tmp_path: Path) -> None:
    # 2000 members with long names: the central directory alone exceeds the first read, so
    # its start is read next (only the part not read yet), then METADATA.
    files: dict[str, bytes | str] = {"many/__init__.py": ""}
    files.update({f"many/{'deeply/' * 8}module_{i:05}.py": f"X = {i}\n" for i in range(2000)})
    wheel = make_wheel("many", "1.0", files=files)
    expected = metadata_of(wheel).encode()

    data, reader = read_local(wheel)
    assert data == expected
    size = wheel.stat().st_size
    tail_start = reader.reads[0][0]
    assert reader.reads[0] == (tail_start, size)
    assert reader.reads[1][1] == tail_start  # no byte is read twice
    assert len(reader.reads) == 3

    assert read_over_http(tmp_path / "site", wheel) == (expected, 1, 3)


@pytest.mark.parametrize(
    "comment",
    [
        b"made by a tool that comments its archives",
        # A comment holding an end-record signature must not be mistaken for the record.
        b"PK\x05\x06" + b"\x00" * 30,
        # The longest comment ZIP allows: the end record is 64 KiB + 22 bytes from the end.
        b"c" * 0xFFFF,
    ],
    ids=["short", "fake-signature", "maximal"],
)
def test_zip_comment(make_wheel: MakeWheel, tmp_path: Path, comment: bytes) -> None:
    built = make_wheel(
        "commented", "1.0", files={"commented/__init__.py": "", "commented/b": noise(200_000)}
    )
    wheel = rezip(built, tmp_path / "out" / built.name, comment=comment)
    assert wheel.read_bytes().endswith(comment)
    expected = metadata_of(built).encode()

    data, reader = read_local(wheel)
    assert data == expected
    # The maximal comment fills the tail read: the central directory and METADATA are
    # read after it.
    assert len(reader.reads) == (3 if len(comment) == 0xFFFF else 1)

    assert read_over_http(tmp_path / "site", wheel) == (expected, 1, len(reader.reads))


def test_zip64_from_member_count(make_wheel: MakeWheel, tmp_path: Path) -> None:
    # zipfile writes the ZIP64 end record and locator once there are 65535 members or more.
    built = make_wheel("huge", "1.0")
    extra = {f"huge/data/{i:05}": b"" for i in range(65_536)}
    wheel = rezip(built, tmp_path / "out" / built.name, extra_members=extra)
    tail = wheel.read_bytes()[-98:]
    assert tail[:4] == b"PK\x06\x06" and tail[56:60] == b"PK\x06\x07"
    expected = metadata_of(built).encode()

    data, reader = read_local(wheel)
    assert data == expected
    assert len(reader.reads) == 3  # tail, the rest of a 5 MB central directory, METADATA
    assert read_wheel_metadata_from_file(wheel) == expected


def test_zip64_extra_fields(make_wheel: MakeWheel, tmp_path: Path) -> None:
    # Sizes and offsets in ZIP64 extra fields (as past 4 GiB), and local headers carrying a
    # ZIP64 field the central directory does not (zipfile's force_zip64): the local header
    # is longer than the central entry predicts.
    built = make_wheel("sixtyfour", "1.0", requires_dist=["a>=1"])
    forced = rezip(built, tmp_path / "forced" / built.name, force_zip64=True)
    wheel = tmp_path / "out" / built.name
    wheel.parent.mkdir(exist_ok=True)
    wheel.write_bytes(to_zip64(forced.read_bytes()))
    with zipfile.ZipFile(wheel) as archive:  # the patched archive is valid for zipfile too
        assert archive.testzip() is None
        assert archive.getinfo(metadata_name(wheel)).file_size == len(metadata_of(built))
    expected = metadata_of(built).encode()

    data, reader = read_local(wheel)
    assert data == expected
    assert len(reader.reads) == 1
    assert read_over_http(tmp_path / "site", wheel) == (expected, 1, 1)
    assert read_wheel_metadata_from_file(wheel) == expected


def test_stored_members(make_wheel: MakeWheel, tmp_path: Path) -> None:
    built = make_wheel("flat", "1.0", files={"flat/__init__.py": "", "flat/b": noise(300_000)})
    with zipfile.ZipFile(built) as archive:
        names = sorted(archive.namelist(), key=lambda name: ".dist-info/" not in name)
    wheel = rezip(built, tmp_path / "out" / built.name, order=names, compression=zipfile.ZIP_STORED)
    expected = metadata_of(built).encode()
    data, reader = read_local(wheel)
    assert data == expected
    assert len(reader.reads) == 2


def test_prepended_bytes(make_wheel: MakeWheel, tmp_path: Path) -> None:
    # Bytes before the archive (a self-extracting stub) shift every recorded offset;
    # zipfile allows for that, and so does the lazy reader.
    built = make_wheel("stub", "1.0", files={"stub/__init__.py": "", "stub/b": noise(100_000)})
    with zipfile.ZipFile(built) as archive:
        names = sorted(archive.namelist(), key=lambda name: ".dist-info/" not in name)
    plain = rezip(built, tmp_path / "plain" / built.name, order=names)
    wheel = tmp_path / "out" / built.name
    wheel.parent.mkdir(exist_ok=True)
    wheel.write_bytes(b"#!/bin/sh\necho stub\nexit 0\n" + noise(5000) + plain.read_bytes())
    expected = metadata_of(built).encode()
    assert read_local(wheel)[0] == expected
    assert read_wheel_metadata_from_file(wheel) == expected


def test_vendored_and_second_dist_info(make_wheel: MakeWheel, tmp_path: Path) -> None:
    # A vendored project's .dist-info deeper in the tree, and a second top-level one that
    # comes first in the archive: the wheel's own is chosen by name and version.
    other = "Metadata-Version: 2.1\nName: other\nVersion: 9.0\n"
    wheel = make_wheel(
        "host",
        "1.0",
        files={
            "host/__init__.py": "",
            "host/_vendor/vend-2.0.dist-info/METADATA": other,
            "aaa-9.0.dist-info/METADATA": other,
            "host-0.9.dist-info/METADATA": other,
        },
    )
    with zipfile.ZipFile(wheel) as archive:
        dist_infos = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    assert dist_infos[:2] == ["aaa-9.0.dist-info/METADATA", "host-0.9.dist-info/METADATA"]
    with zipfile.ZipFile(wheel) as archive:
        expected = archive.read("host-1.0.dist-info/METADATA")
    assert b"Name: host" in expected

    assert read_local(wheel)[0] == expected
    assert read_wheel_metadata_from_file(wheel) == expected
    assert read_over_http(tmp_path / "site", wheel) == (expected, 1, 1)


def test_unnormalized_dist_info_name(make_wheel: MakeWheel, tmp_path: Path) -> None:
    # Older tools wrote the project name and version as given: Foo.Bar-01.0.dist-info.
    built = make_wheel("Foo.Bar", "1.0")
    with zipfile.ZipFile(built) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    old = "Foo.Bar-01.0.dist-info"
    renamed = {n.replace("foo_bar-1.0.dist-info", old): c for n, c in members.items()}
    wheel = tmp_path / built.name
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in renamed.items():
            archive.writestr(name, content)
    expected = members["foo_bar-1.0.dist-info/METADATA"]
    assert read_local(wheel)[0] == expected
    assert read_wheel_metadata_from_file(wheel) == expected


def test_no_matching_dist_info(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("real", "1.0")
    for filename in ("other-1.0-py3-none-any.whl", "real-2.0-py3-none-any.whl"):
        with pytest.raises(LazyWheelError, match=r"has no .*METADATA; it has real-1\.0\.dist-info"):
            read_local(wheel, filename)
        with pytest.raises(LazyWheelError, match=r"has no .*METADATA"):
            read_wheel_metadata_from_file(wheel, filename)
    with pytest.raises(LazyWheelError, match="not a valid wheel file name"):
        read_local(wheel, "real-1.0.tar.gz")


def test_filename_argument_names_the_project(make_wheel: MakeWheel, tmp_path: Path) -> None:
    # A cached copy stored under another name is read with its original file name.
    wheel = make_wheel("cached", "1.0")
    copy = tmp_path / "0123abcd.bin"
    copy.write_bytes(wheel.read_bytes())
    assert read_wheel_metadata_from_file(copy, wheel.name) == metadata_of(wheel).encode()
    assert read_local(copy, wheel.name)[0] == metadata_of(wheel).encode()


def test_not_a_zip(tmp_path: Path) -> None:
    for content in (b"", b"hello", b"<html>not found</html>" * 100, noise(200_000)):
        path = tmp_path / "junk-1.0-py3-none-any.whl"
        path.write_bytes(content)
        with pytest.raises(LazyWheelError) as caught:
            read_local(path)
        assert isinstance(caught.value, PuffinError)
        with pytest.raises(LazyWheelError):
            read_wheel_metadata_from_file(path)


def test_damaged_metadata_is_detected(make_wheel: MakeWheel, tmp_path: Path) -> None:
    built = make_wheel("broken", "1.0")
    wheel = rezip(built, tmp_path / "out" / built.name, compression=zipfile.ZIP_STORED)
    data = bytearray(wheel.read_bytes())
    index = data.index(b"Name: broken")
    data[index : index + 4] = b"NAME"  # same length, different CRC
    wheel.write_bytes(bytes(data))
    with pytest.raises(LazyWheelError, match="CRC"):
        read_local(wheel)
    with pytest.raises(LazyWheelError):
        read_wheel_metadata_from_file(wheel)


def test_truncated_download(make_wheel: MakeWheel, tmp_path: Path) -> None:
    built = make_wheel("cut", "1.0", files={"cut/__init__.py": "", "cut/b": noise(200_000)})
    wheel = tmp_path / built.name
    wheel.write_bytes(built.read_bytes()[:150_000])
    with pytest.raises(LazyWheelError):
        read_local(wheel)


def test_unsupported_compression(make_wheel: MakeWheel, tmp_path: Path) -> None:
    built = make_wheel("bz", "1.0")
    wheel = rezip(built, tmp_path / "out" / built.name, compression=zipfile.ZIP_BZIP2)
    with pytest.raises(LazyWheelError, match="compression method 12"):
        read_local(wheel)
    # zipfile reads bzip2; the local reader is not limited to what wheels should use.
    assert read_wheel_metadata_from_file(wheel) == metadata_of(built).encode()


def test_ranges_unsupported() -> None:
    with pytest.raises(RangeRequestsUnsupported):
        asyncio.run(read_wheel_metadata(NoRangesReader(), "a-1.0-py3-none-any.whl"))


def test_reader_errors_propagate(make_wheel: MakeWheel) -> None:
    wheel = make_wheel("net", "1.0")

    class Failing(FileRangeReader):
        async def read(self, start: int, end: int) -> bytes:
            raise ConnectionResetError("peer went away")

    with pytest.raises(ConnectionResetError):
        asyncio.run(read_wheel_metadata(Failing(wheel), wheel.name))


def test_short_reads_are_errors(make_wheel: MakeWheel) -> None:
    wheel = make_wheel("short", "1.0")

    class Short(FileRangeReader):
        async def read(self, start: int, end: int) -> bytes:
            return (await super().read(start, end))[:-1]

    with pytest.raises(LazyWheelError, match="returned"):
        asyncio.run(read_wheel_metadata(Short(wheel), wheel.name))


@pytest.mark.network
def test_real_wheel_from_pypi() -> None:
    # A wheel as PyPI serves it (redirects, CDN ranges), compared with the whole download.
    import io
    from urllib.parse import urljoin

    async def run() -> tuple[bytes, bytes, str]:
        async with httpx.AsyncClient(timeout=60, follow_redirects=True) as client:
            page_url = "https://pypi.org/simple/packaging/"
            page = await client.get(
                page_url, headers={"Accept": "application/vnd.pypi.simple.v1+json"}
            )
            page.raise_for_status()
            wheels = [f for f in page.json()["files"] if f["filename"].endswith("-none-any.whl")]
            newest = wheels[-1]
            url = urljoin(page_url, newest["url"])
            lazy = await read_wheel_metadata(HttpRangeReader(client, url), newest["filename"])
            whole = (await client.get(url)).content
            return lazy, whole, newest["filename"]

    lazy, whole, filename = asyncio.run(run())
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        version = filename.split("-")[1]
        assert lazy == archive.read(f"packaging-{version}.dist-info/METADATA")
