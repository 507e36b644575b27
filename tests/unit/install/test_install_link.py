"""place_file: every link mode, atomic replacement, concurrent writers of one path."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from puffin.install.link import LinkMode, place_file, write_file


def _source(tmp_path: Path, content: bytes = b"print('hi')\n", mode: int = 0o644) -> Path:
    source = tmp_path / "cache" / "file.py"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(content)
    source.chmod(mode)
    return source


def test_hardlink_shares_the_inode(tmp_path: Path) -> None:
    source = _source(tmp_path)
    target = tmp_path / "env" / "deep" / "dir" / "file.py"
    place_file(source, target, LinkMode.HARDLINK)
    assert target.read_bytes() == source.read_bytes()
    assert target.stat().st_ino == source.stat().st_ino
    # Placing the same link again (same inode on both names) leaves no temporary behind.
    place_file(source, target, LinkMode.HARDLINK)
    assert sorted(os.listdir(target.parent)) == ["file.py"]


def test_copy_is_independent_and_keeps_the_mode(tmp_path: Path) -> None:
    source = _source(tmp_path, mode=0o755)
    target = tmp_path / "env" / "file.py"
    place_file(source, target, LinkMode.COPY)
    assert target.stat().st_ino != source.stat().st_ino
    assert target.read_bytes() == source.read_bytes()
    assert target.stat().st_mode & 0o777 == 0o755
    assert not target.is_symlink()


def test_symlink_points_at_the_cache(tmp_path: Path) -> None:
    source = _source(tmp_path)
    target = tmp_path / "env" / "file.py"
    place_file(source, target, LinkMode.SYMLINK)
    assert target.is_symlink()
    assert Path(os.readlink(target)) == source.absolute()
    assert target.read_bytes() == source.read_bytes()


def test_clone_gives_an_independent_file(tmp_path: Path) -> None:
    # On ext4/tmpfs FICLONE is unsupported and the copy fallback runs; on btrfs/XFS a
    # reflink. Either way: same content, own inode.
    source = _source(tmp_path, content=b"x" * 100_000, mode=0o755)
    target = tmp_path / "env" / "file.py"
    place_file(source, target, LinkMode.CLONE)
    assert target.stat().st_ino != source.stat().st_ino
    assert target.read_bytes() == source.read_bytes()
    assert target.stat().st_mode & 0o777 == 0o755


def test_hardlink_across_file_systems_falls_back_to_copy(tmp_path: Path) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs a second file system at /dev/shm")
    source = _source(tmp_path)
    target_dir = shm / f"puffin-link-test-{os.getpid()}"
    try:
        target = target_dir / "file.py"
        place_file(source, target, LinkMode.HARDLINK)
        assert target.read_bytes() == source.read_bytes()
        assert target.stat().st_ino != source.stat().st_ino
    finally:
        import shutil

        shutil.rmtree(target_dir, ignore_errors=True)


def test_replaces_an_existing_file_and_missing_source_fails_cleanly(tmp_path: Path) -> None:
    source = _source(tmp_path, content=b"new\n")
    target = tmp_path / "env" / "file.py"
    target.parent.mkdir()
    target.write_bytes(b"old\n")
    place_file(source, target, LinkMode.COPY)
    assert target.read_bytes() == b"new\n"
    with pytest.raises(FileNotFoundError):
        place_file(tmp_path / "nope", target, LinkMode.HARDLINK)
    assert target.read_bytes() == b"new\n"
    assert sorted(os.listdir(target.parent)) == ["file.py"]


def test_write_file_modes(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "tool"
    write_file(target, b"#!/bin/sh\n", executable=True)
    assert target.stat().st_mode & 0o111
    write_file(target, b"data")
    assert target.read_bytes() == b"data"
    assert not target.stat().st_mode & 0o111


@pytest.mark.parametrize("mode", list(LinkMode))
def test_concurrent_writers_of_one_path_leave_one_whole_file(
    tmp_path: Path, mode: LinkMode
) -> None:
    # Large, distinct contents so that a torn or truncated file would be visible.
    contents = [bytes([65 + i]) * (200_000 + i) for i in range(8)]
    sources = []
    for i, content in enumerate(contents):
        source = tmp_path / "cache" / str(i) / "shared.py"
        source.parent.mkdir(parents=True)
        source.write_bytes(content)
        sources.append(source)
    target = tmp_path / "env" / "pkg" / "shared.py"
    barrier = threading.Barrier(len(sources))

    def place(source: Path) -> None:
        barrier.wait()
        place_file(source, target, mode)

    for _ in range(10):
        with ThreadPoolExecutor(len(sources)) as pool:
            list(pool.map(place, sources))
        assert target.read_bytes() in contents
        assert os.listdir(target.parent) == ["shared.py"]
