"""The layout of an unpacked wheel: stored beside its cache entry, used by every install."""

from __future__ import annotations

from pathlib import Path

import pytest

import puffin
from puffin.cache.dirs import Cache
from puffin.environment.query import Interpreter
from puffin.errors import PuffinError
from puffin.install.layout import layout_path, load_layout, read_layout, remember_layout
from puffin.install.link import LinkMode
from puffin.install.unpack import unpack_wheel
from puffin.install.wheel import install_wheel
from puffin.testing.dists import MakeWheel
from puffin.venv.create import create_venv


def _wheel(make_wheel: MakeWheel) -> Path:
    return make_wheel(
        "Lay.Out",
        "2.0",
        files={
            "lay_out/__init__.py": "X = 1\n",
            "lay_out/deep/er/mod.py": "Y = 2\n",
            "lay_out/odd,name.txt": "comma in the name\n",
        },
        data_files={"scripts/lay-tool": "#!python\nprint('tool')\n", "data/share/lay.txt": "d\n"},
        entry_points={"console_scripts": {"lay": "lay_out:main"}},
    )


def _install(unpacked: Path, root: Path, base: Interpreter) -> tuple[str, list[str]]:
    """Install into a new venv at ``root``; RECORD's text and the files under site."""
    create_venv(
        root,
        base,
        prompt=None,
        system_site_packages=False,
        clear=False,
        puffin_version=puffin.__version__,
    )
    paths = base.venv_paths(root)
    scheme = {key: paths[key] for key in ("purelib", "platlib", "scripts", "data")}
    scheme["headers"] = root / "include" / "lay-out"
    result = install_wheel(
        unpacked,
        name="lay-out",
        version="2.0",
        scheme=scheme,
        interpreter_path=root / "bin" / "python",
        link_mode=LinkMode.HARDLINK,
        requested=True,
        direct_url=None,
    )
    site = paths["purelib"]
    files = sorted(str(path.relative_to(site)) for path in site.rglob("*") if path.is_file())
    # Scripts name the venv's interpreter, so their hashes differ from venv to venv.
    lines = [
        line.split(",")[0] if line.startswith("../../../bin/") else line
        for line in result.record.read_text(encoding="utf-8").splitlines()
    ]
    return "\n".join(lines), files


def test_unpacking_stores_the_layout_beside_the_entry(
    make_wheel: MakeWheel, tmp_path: Path
) -> None:
    unpacked = unpack_wheel(_wheel(make_wheel), Cache(tmp_path / "cache"))

    stored = load_layout(unpacked)

    assert layout_path(unpacked) == unpacked.parent / f"{unpacked.name}.layout-v1"
    assert stored == read_layout(unpacked, source="lay-out 2.0")
    assert stored is not None
    assert stored.dist_info == "lay_out-2.0.dist-info"
    assert "lay_out/deep/er/mod.py" in stored.root_files
    assert stored.directories[:3] == ("lay_out", "lay_out-2.0.dist-info", "lay_out/deep")
    assert {entry[1] for entry in stored.data_files} == {"scripts", "data"}
    # RECORD's own line for the file with a comma in its name, quoted as CSV quotes it.
    assert any(row.startswith('"lay_out/odd,name.txt",sha256=') for row in stored.record_rows)


def test_an_install_with_or_without_a_stored_layout_is_the_same(
    make_wheel: MakeWheel, tmp_path: Path, base: Interpreter
) -> None:
    unpacked = unpack_wheel(_wheel(make_wheel), Cache(tmp_path / "cache"))
    with_layout = _install(unpacked, tmp_path / "a", base)

    layout_path(unpacked).unlink()
    without = _install(unpacked, tmp_path / "b", base)
    layout_path(unpacked).write_bytes(b"not marshal data")  # unreadable: worked out again
    unreadable = _install(unpacked, tmp_path / "c", base)

    assert with_layout == without == unreadable
    record, files = with_layout
    assert "lay_out/deep/er/mod.py" in files and "lay_out/odd,name.txt" in files
    lines = record.splitlines()
    assert lines[-1] == "lay_out-2.0.dist-info/RECORD,,"
    assert "../../../bin/lay" in lines and "../../../bin/lay-tool" in lines


def test_a_cache_entry_without_a_layout_gets_one(make_wheel: MakeWheel, tmp_path: Path) -> None:
    unpacked = unpack_wheel(_wheel(make_wheel), Cache(tmp_path / "cache"))
    stored = load_layout(unpacked)
    layout_path(unpacked).unlink()

    remember_layout(unpacked, source="lay-out 2.0")

    assert load_layout(unpacked) == stored


def test_a_malformed_wheel_has_no_stored_layout_and_its_install_says_why(
    make_wheel: MakeWheel, tmp_path: Path, base: Interpreter
) -> None:
    wheel = make_wheel(
        "future",
        "1.0",
        files={
            "future/__init__.py": "",
            "future-1.0.dist-info/WHEEL": "Wheel-Version: 2.0\nRoot-Is-Purelib: true\n",
        },
    )
    unpacked = unpack_wheel(wheel, Cache(tmp_path / "cache"))
    assert load_layout(unpacked) is None
    remember_layout(unpacked, source="future 1.0")
    assert not layout_path(unpacked).exists()

    with pytest.raises(PuffinError, match=r"future 1\.0 has Wheel-Version 2\.0"):
        read_layout(unpacked, source="future 1.0")
