"""UnpackWorkers: wheels unpacked in worker processes, exactly as on a thread."""

from __future__ import annotations

import asyncio
import hashlib
import random
import sys
import types
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.cache.dirs import Cache
from puffin.environment.query import query_interpreter
from puffin.environment.target import TargetEnvironment
from puffin.errors import PuffinError
from puffin.install.layout import load_layout
from puffin.install.prepare import wheel_to_download
from puffin.install.unpack import BUCKET, unpack_wheel
from puffin.install.unpack_workers import (
    PROCESSES_FROM,
    SHARED_FROM,
    UnpackWorkers,
    worth_processes,
)
from puffin.testing.dists import MakeWheel
from puffin.types import DistFile, ResolvedDist
from puffin.types.index import IndexKind, IndexSpec

if TYPE_CHECKING:
    from puffin.context import Context


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(path.relative_to(root)): (path.read_bytes(), path.stat().st_mode & 0o777)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_workers_unpack_what_a_thread_would(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheels = [
        make_wheel(
            f"demo{n}",
            "1.0",
            files={f"demo{n}/__init__.py": f"x = {n}\n", f"demo{n}/data/blob.bin": bytes([n])},
            data_files={"scripts/tool": "#!python\nprint('hi')\n"},
        )
        for n in range(4)
    ]
    cache = Cache(tmp_path / "cache")

    async def unpack_all() -> list[Path]:
        workers = UnpackWorkers(cache)
        try:
            return await asyncio.gather(*(workers.unpack(w, sha256=None) for w in wheels))
        finally:
            workers.close()

    unpacked = asyncio.run(unpack_all())
    for wheel, directory in zip(wheels, unpacked, strict=True):
        assert directory == cache.root / BUCKET / hashlib.sha256(wheel.read_bytes()).hexdigest()
        with zipfile.ZipFile(wheel) as archive:
            expected = {info.filename for info in archive.infolist() if not info.is_dir()}
        tree = _tree(directory)
        assert set(tree) == expected
        script = next(mode for name, (_, mode) in tree.items() if name.endswith("scripts/tool"))
        assert script & 0o111  # executable bits survive the trip
    assert tree[f"{wheels[-1].name.split('-')[0]}/__init__.py"][0] == b"x = 3\n"


def test_a_bad_wheel_fails_with_the_usual_message(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("demo", "1.0", files={"demo/__init__.py": "x = 1\n"})
    with zipfile.ZipFile(wheel) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, b"x = 2\n" if info.filename == "demo/__init__.py" else data)
    cache = Cache(tmp_path / "cache")

    async def unpack() -> Path:
        workers = UnpackWorkers(cache)
        try:
            return await workers.unpack(wheel, sha256=None)
        finally:
            workers.close()

    with pytest.raises(PuffinError, match=r"demo/__init__\.py"):
        asyncio.run(unpack())
    assert [p for p in (cache.root / BUCKET).iterdir() if not p.name.endswith(".lock")] == []


def _large_wheel(make_wheel: MakeWheel, name: str) -> Path:
    # Random bytes do not compress: 70 members of 64 KiB make a wheel above SHARED_FROM.
    files: dict[str, bytes | str] = {
        f"{name}/part{n:02d}.bin": random.Random(n).randbytes(64 * 1024) for n in range(70)
    }
    files[f"{name}/__init__.py"] = "x = 1\n"
    wheel = make_wheel(name, "1.0", files=files, data_files={"scripts/tool": "#!python\n"})
    assert wheel.stat().st_size >= SHARED_FROM
    return wheel


def test_a_large_wheel_is_unpacked_by_all_workers_as_one_would(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    wheel = _large_wheel(make_wheel, "big")
    alone = unpack_wheel(wheel, Cache(tmp_path / "thread-cache"))
    cache = Cache(tmp_path / "cache")

    async def unpack() -> Path:
        workers = UnpackWorkers(cache, processes=3)
        try:
            return await workers.unpack(wheel, sha256=None)
        finally:
            workers.close()

    shared = asyncio.run(unpack())

    assert shared.name == alone.name
    assert _tree(shared) == _tree(alone)
    assert load_layout(shared) == load_layout(alone) is not None
    leftovers = sorted(p.name for p in (cache.root / BUCKET).iterdir())
    assert leftovers == sorted([shared.name, f"{shared.name}.layout-v1", f".{shared.name}.lock"])


def test_a_bad_large_wheel_fails_in_its_share_and_leaves_nothing(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    wheel = _large_wheel(make_wheel, "big")
    with zipfile.ZipFile(wheel) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, b"tampered" if info.filename == "big/part41.bin" else data)
    cache = Cache(tmp_path / "cache")

    async def unpack() -> Path:
        workers = UnpackWorkers(cache, processes=2)
        try:
            return await workers.unpack(wheel, sha256=None)
        finally:
            workers.close()

    with pytest.raises(PuffinError, match=r"big/part41\.bin.*does not match the wheel's RECORD"):
        asyncio.run(unpack())
    assert [p.name for p in (cache.root / BUCKET).iterdir() if not p.name.endswith(".lock")] == []


_SOURCE = IndexSpec("https://a.test/simple/", IndexKind.SIMPLE, 0)


def _wheel(tag: str, size: int | None, sha256: str = "0" * 64) -> DistFile:
    name = f"demo-1.0-{tag}.whl"
    return DistFile(name, f"https://a.test/{name}", _SOURCE, (("sha256", sha256),), size=size)


def test_processes_only_for_many_megabytes() -> None:
    half = PROCESSES_FROM // 2
    assert not worth_processes([_wheel("py3-none-any", half)])
    assert worth_processes([_wheel("py3-none-any", half), _wheel("py2-none-any", half)])
    assert not worth_processes([_wheel("py3-none-any", None)] * 2)  # sizes unknown: threads


def test_only_the_wheel_to_download_counts(tmp_path: Path) -> None:
    interpreter = query_interpreter(Path(sys.executable), cache_dir=tmp_path / "interpreters")
    target = TargetEnvironment.from_interpreter(interpreter)
    cache = Cache(tmp_path / "cache")
    # The duck-typed context holds what choosing a wheel reads: the cache, no build options.
    ctx = cast("Context", types.SimpleNamespace(cache=cache, build=None))
    universal = _wheel("py3-none-any", 1000, sha256="a" * 64)
    foreign = _wheel("cp311-cp311-win_amd64", PROCESSES_FROM, sha256="b" * 64)
    dist = ResolvedDist(canonicalize_name("demo"), Version("1.0"), files=(foreign, universal))
    # The wheel this target installs, not the largest the project publishes.
    assert wheel_to_download(ctx, dist, target) == universal
    assert not worth_processes([universal])
    (cache.root / BUCKET / ("a" * 64)).mkdir(parents=True)
    assert wheel_to_download(ctx, dist, target) is None  # unpacked already: a warm cache
    sdist_only = ResolvedDist(
        canonicalize_name("demo"),
        Version("1.0"),
        files=(DistFile("demo-1.0.tar.gz", "https://a.test/demo-1.0.tar.gz", _SOURCE),),
    )
    assert wheel_to_download(ctx, sdist_only, target) is None  # built, not downloaded


def test_workers_stop_with_close(tmp_path: Path) -> None:
    workers = UnpackWorkers(Cache(tmp_path / "cache"))
    # Started at once (on a thread of their own), to be up early.
    processes = list(workers._starting.result(timeout=120)._processes.values())
    workers.close()
    assert processes and all(not process.is_alive() for process in processes)


def test_shares_of_a_wheel_are_runs_of_consecutive_members_of_about_equal_work() -> None:
    from puffin.install.unpack import share
    from puffin.install.zipread import Member

    sizes = [random.Random(5).randrange(0, 400_000) for _ in range(1_000)]
    members = [
        Member(f"pkg/d{index // 40}/f{index}.py", 8, 0, size, size * 3, 0, 0, 0, b"")
        for index, size in enumerate(sizes)
    ]
    for parts in (1, 2, 3, 4):
        shares = [share(members, part, parts) for part in range(parts)]
        assert [member for run in shares for member in run] == members  # each once, in order
        work = [sum(member.compressed_size + 32 * 1024 for member in run) for run in shares]
        assert max(work) - min(work) <= 2 * (400_000 + 32 * 1024)  # within a member or two
    assert share([], 0, 2) == []
