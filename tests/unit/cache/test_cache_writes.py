"""Cache files written behind the command, on one background thread."""

from __future__ import annotations

import threading
from pathlib import Path

from puffin.cache.writes import WriteBehind, write_atomically


def test_writes_land_by_close_and_leave_no_temporary_files(tmp_path: Path) -> None:
    writes = WriteBehind()
    threads: set[str] = set()

    def data(n: int) -> bytes:
        threads.add(threading.current_thread().name)
        return f"entry {n}".encode()

    for n in range(50):
        writes.write_file(tmp_path / f"{n}.bin", lambda n=n: data(n), what=f"entry {n}")
    writes.close()
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(f"{n}.bin" for n in range(50))
    assert (tmp_path / "7.bin").read_bytes() == b"entry 7"
    assert threads and all(name.startswith("puffin-cache-writes") for name in threads), (
        "serialized and written off the caller's thread"
    )


def test_a_failed_write_is_reported_not_raised(tmp_path: Path) -> None:
    messages: list[str] = []
    writes = WriteBehind(on_error=messages.append)
    writes.write_file(tmp_path / "missing-dir" / "x.bin", lambda: b"x", what="page x")
    writes.write_file(tmp_path / "y.bin", lambda: b"y", what="page y")
    writes.close()
    assert len(messages) == 1 and "page x" in messages[0]
    assert (tmp_path / "y.bin").read_bytes() == b"y", "one failure stops no other write"
    assert not list((tmp_path).glob(".*.tmp"))


def test_after_close_writes_happen_at_once(tmp_path: Path) -> None:
    writes = WriteBehind()
    writes.close()
    writes.write_file(tmp_path / "late.bin", lambda: b"late", what="late")
    assert (tmp_path / "late.bin").read_bytes() == b"late"


def test_an_atomic_write_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "entry"
    target.write_bytes(b"old contents, longer than the new")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert [path.name for path in tmp_path.iterdir()] == ["entry"]
