"""unpack_wheel: once per wheel into the cache, verified against RECORD, atomically."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from puffin.cache.dirs import Cache
from puffin.errors import PuffinError
from puffin.install.unpack import BUCKET, unpack_wheel
from puffin.testing.dists import MakeWheel


def _rewrite(wheel: Path, replace: dict[str, bytes]) -> None:
    """Replace members' contents inside ``wheel`` without touching its RECORD."""
    with zipfile.ZipFile(wheel) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, replace.get(info.filename, data))


def test_unpack_extracts_verified_files_with_modes(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel(
        "demo",
        "1.0",
        files={"demo/__init__.py": "x = 1\n", "demo/data/blob.bin": b"\x00\x01"},
        data_files={"scripts/tool": "#!python\nprint('hi')\n"},
    )
    cache = Cache(tmp_path / "cache")
    unpacked = unpack_wheel(wheel, cache)
    key = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert unpacked == cache.root / BUCKET / key
    assert (unpacked / "demo/__init__.py").read_text() == "x = 1\n"
    assert (unpacked / "demo/data/blob.bin").read_bytes() == b"\x00\x01"
    assert (unpacked / "demo-1.0.dist-info/RECORD").is_file()
    script = unpacked / "demo-1.0.data/scripts/tool"
    assert script.stat().st_mode & 0o777 == 0o755
    assert (unpacked / "demo/__init__.py").stat().st_mode & 0o111 == 0

    # A second call finds the entry (no re-extraction: the inode stays the same).
    inode = (unpacked / "demo/__init__.py").stat().st_ino
    assert unpack_wheel(wheel, cache) == unpacked
    assert unpack_wheel(wheel, cache, sha256=key.upper()) == unpacked
    assert (unpacked / "demo/__init__.py").stat().st_ino == inode
    # Nothing but the entry, its layout and its lock file in the bucket.
    assert sorted(p.name for p in (cache.root / BUCKET).iterdir()) == sorted(
        [key, f"{key}.layout-v1", f".{key}.lock"]
    )


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_modes_are_kept_whatever_the_umask(
    make_wheel: MakeWheel, tmp_path: Path, umask: int
) -> None:
    wheel = make_wheel(
        "demo",
        "1.0",
        files={"demo/__init__.py": "x = 1\n"},
        data_files={"scripts/tool": "#!python\nprint('hi')\n"},
    )
    # In a process of its own: the umask is process-wide, and other tests run beside.
    script = (
        "import os, sys; from pathlib import Path\n"
        "from puffin.cache.dirs import Cache\n"
        "from puffin.install.unpack import unpack_wheel\n"
        f"os.umask({umask})\n"
        "root = unpack_wheel(Path(sys.argv[1]), Cache(Path(sys.argv[2])))\n"
        "print(oct((root / 'demo/__init__.py').stat().st_mode & 0o777),"
        " oct((root / 'demo-1.0.data/scripts/tool').stat().st_mode & 0o777))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(wheel), str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["0o644", "0o755"]


def test_tampered_wheel_is_refused_and_leaves_no_entry(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    wheel = make_wheel("demo", "1.0", files={"demo/__init__.py": "x = 1\n"})
    _rewrite(wheel, {"demo/__init__.py": b"import os; os.system('evil')\n"})
    cache = Cache(tmp_path / "cache")
    with pytest.raises(PuffinError) as caught:
        unpack_wheel(wheel, cache)
    message = str(caught.value)
    assert wheel.name in message
    assert "demo/__init__.py" in message
    expected = hashlib.sha256(b"x = 1\n").digest()
    import base64

    recorded = base64.urlsafe_b64encode(expected).rstrip(b"=").decode()
    actual = (
        base64.urlsafe_b64encode(hashlib.sha256(b"import os; os.system('evil')\n").digest())
        .rstrip(b"=")
        .decode()
    )
    assert recorded in message
    assert actual in message
    leftovers = [p.name for p in (cache.root / BUCKET).iterdir() if not p.name.endswith(".lock")]
    assert leftovers == []


def test_size_mismatch_missing_and_unlisted_files_are_refused(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    cache = Cache(tmp_path / "cache")
    wheel = make_wheel("unlisted", "1.0")
    with zipfile.ZipFile(wheel, "a") as archive:
        archive.writestr("unlisted/extra.py", "x = 2\n")
    with pytest.raises(PuffinError, match="not listed in the wheel's RECORD"):
        unpack_wheel(wheel, cache)

    wheel = make_wheel("missing", "1.0", files={"missing/a.py": "", "missing/b.py": ""})
    with zipfile.ZipFile(wheel) as archive:
        members = [(i, archive.read(i)) for i in archive.infolist() if i.filename != "missing/b.py"]
    with zipfile.ZipFile(wheel, "w") as archive:
        for info, data in members:
            archive.writestr(info, data)
    with pytest.raises(PuffinError, match="does not contain"):
        unpack_wheel(wheel, cache)
    assert [p for p in (cache.root / BUCKET).iterdir() if not p.name.endswith(".lock")] == []


def test_unsafe_paths_are_refused(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("slip", "1.0")
    with zipfile.ZipFile(wheel, "a") as archive:
        archive.writestr("../../escaped.py", "x = 1\n")
    with pytest.raises(PuffinError, match="unsafe path"):
        unpack_wheel(wheel, Cache(tmp_path / "cache"))
    assert not (tmp_path / "escaped.py").exists()


def test_not_a_zip(tmp_path: Path) -> None:
    wheel = tmp_path / "bad-1.0-py3-none-any.whl"
    wheel.write_bytes(b"not a zip")
    with pytest.raises(PuffinError, match="not a valid wheel"):
        unpack_wheel(wheel, Cache(tmp_path / "cache"))


CONCURRENT = """
import sys
from pathlib import Path
from puffin.cache.dirs import Cache
from puffin.install.unpack import unpack_wheel
print(unpack_wheel(Path(sys.argv[1]), Cache(Path(sys.argv[2]))))
"""


def test_concurrent_processes_unpack_once(make_wheel: MakeWheel, tmp_path: Path) -> None:
    files = {f"big/m{i}.py": f"x = {i}\n" * 2000 for i in range(200)}
    wheel = make_wheel("big", "1.0", files=files)
    cache_root = tmp_path / "cache"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(wheel), str(cache_root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outputs.append(out.strip())
    assert len(set(outputs)) == 1
    entry = Path(outputs[0])
    assert len(list(entry.rglob("*.py"))) == 200
    # No temporary directories left beside the entry.
    assert [p.name for p in entry.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert sorted(os.listdir(entry.parent)) == sorted(
        [entry.name, f"{entry.name}.layout-v1", f".{entry.name}.lock"]
    )
