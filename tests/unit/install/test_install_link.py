"""place_file: every link mode, atomic replacement, concurrent writers of one path."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from puffin.install.link import LinkMode, place_file, place_files, write_file


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


def test_place_files_links_replaces_and_reports_the_first_failure(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in ("a.py", "b.py", "c.py"):
        (cache / name).write_bytes(name.encode())
    env = tmp_path / "env"
    env.mkdir()
    (env / "b.py").write_bytes(b"old b")  # an existing file is replaced, not deleted first
    pairs = [(str(cache / name), str(env / "pkg" / name)) for name in ("a.py",)]
    pairs += [(str(cache / name), str(env / name)) for name in ("b.py", "c.py")]
    assert place_files(pairs, LinkMode.HARDLINK) is None, "a missing directory is made"
    assert (env / "pkg" / "a.py").stat().st_ino == (cache / "a.py").stat().st_ino
    assert (env / "b.py").read_bytes() == b"b.py"
    assert sorted(os.listdir(env)) == ["b.py", "c.py", "pkg"], "no temporary file left"
    failed = place_files(
        [(str(cache / "missing.py"), str(env / "m.py")), (str(cache / "a.py"), str(env / "z.py"))],
        LinkMode.HARDLINK,
    )
    assert failed is not None
    target, error = failed
    assert target == str(env / "m.py") and isinstance(error, FileNotFoundError)
    assert not (env / "z.py").exists(), "placing stops at the first failure"


def test_place_files_across_file_systems_copies(tmp_path: Path) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs a second file system at /dev/shm")
    source = _source(tmp_path)
    target_dir = shm / f"puffin-place-files-{os.getpid()}"
    target_dir.mkdir()
    try:
        pairs = [(str(source), str(target_dir / f"f{n}.py")) for n in range(3)]
        assert place_files(pairs, LinkMode.HARDLINK) is None
        for n in range(3):
            copy = target_dir / f"f{n}.py"
            assert copy.read_bytes() == source.read_bytes()
            assert copy.stat().st_ino != source.stat().st_ino
    finally:
        import shutil

        shutil.rmtree(target_dir, ignore_errors=True)
