"""scan_environment and read_requires on real pip/uv installs and on legacy layouts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

from puffin.install.installed import (
    declared_files,
    editable_location,
    read_requires,
    scan_environment,
    scan_installed,
)
from puffin.testing.dists import make_wheel


def clean_environ() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "UV_", "PUFFIN_")) and k != "VIRTUAL_ENV"
    } | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def run(*args: object) -> None:
    subprocess.run([str(a) for a in args], capture_output=True, check=True, env=clean_environ())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scan")
    wheels = root / "wheels"
    wheels.mkdir()
    make_wheel(wheels, "Alpha_Pkg", "1.0", requires_dist=["beta>=1"], extras={"fast": ["gamma"]})
    make_wheel(wheels, "beta", "1.0")
    make_wheel(wheels, "delta", "0.5")
    run(sys.executable, "-m", "venv", root / "v")
    python = root / "v" / "bin" / "python"
    run(python, "-m", "pip", "install", "--no-index", "--find-links", wheels, "alpha-pkg")
    uv = Path(sys.executable).with_name("uv")
    run(
        uv,
        "pip",
        "install",
        "--python",
        python,
        "--no-index",
        "--find-links",
        wheels,
        "--cache-dir",
        root / "uv",
        "delta",
    )
    (site_dir,) = (root / "v" / "lib").glob("python*/site-packages")
    return site_dir


def test_scan_real_environment(site: Path) -> None:
    dists = {d.name: d for d in scan_environment([site])}
    assert list(dists) == sorted(dists)
    alpha = dists["alpha-pkg"]
    assert alpha.version == Version("1.0")
    assert alpha.installer == "pip"
    assert alpha.requested
    assert alpha.extras == ("fast",)
    assert not alpha.editable and alpha.direct_url is None
    assert not dists["beta"].requested  # installed as a dependency
    assert dists["delta"].installer == "uv"
    assert {"pip", "alpha-pkg", "beta", "delta"} <= set(dists)


def test_read_requires_keeps_markers(site: Path) -> None:
    (alpha,) = [d for d in scan_environment([site]) if d.name == "alpha-pkg"]
    assert [str(r) for r in read_requires(alpha)] == ["beta>=1", 'gamma; extra == "fast"']


def test_declared_files_from_record(site: Path) -> None:
    (entry,) = [e for e in scan_installed([site]) if e.dist.name == "beta"]
    files = declared_files(entry.dist, entry.location)
    assert files is not None
    assert "beta/__init__.py" in files


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_first_directory_wins_and_duplicates_collapse(tmp_path: Path) -> None:
    write(tmp_path / "a" / "Foo-2.0.dist-info" / "METADATA", "Name: Foo\nVersion: 2.0\n")
    write(tmp_path / "b" / "foo-1.0.dist-info" / "METADATA", "Name: foo\nVersion: 1.0\n")
    write(tmp_path / "b" / "bar-1.0.dist-info" / "METADATA", "Name: Bar\nVersion: 1.0\n\nbody\n")
    entries = scan_installed([tmp_path / "a", tmp_path / "a", tmp_path / "b", tmp_path / "x"])
    assert [(e.dist.name, str(e.dist.version), e.raw_name) for e in entries] == [
        ("bar", "1.0", "Bar"),
        ("foo", "2.0", "Foo"),
    ]


def test_invalid_metadata_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "bad-1.dist-info" / "METADATA", "Name: bad\nVersion: not a version\n")
    write(tmp_path / "none-1.dist-info" / "RECORD", "")
    assert scan_environment([tmp_path]) == ()


def test_legacy_egg_info_dir_file_and_requires_txt(tmp_path: Path) -> None:
    info = tmp_path / "Old_Thing-1.2-py3.11.egg-info"
    write(info / "PKG-INFO", "Metadata-Version: 1.1\nName: Old_Thing\nVersion: 1.2\n")
    write(info / "requires.txt", 'six>=1\n\n[socks]\nPySocks\n\n[:python_version < "3"]\nenum34\n')
    write(tmp_path / "single-0.1.egg-info", "Name: single\nVersion: 0.1\n")
    dists = {d.name: d for d in scan_environment([tmp_path])}
    assert set(dists) == {"old-thing", "single"}
    assert [str(r) for r in read_requires(dists["old-thing"])] == [
        "six>=1",
        'PySocks; extra == "socks"',
        'enum34; python_version < "3"',
    ]


def test_egg_link_editable(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    write(project / "Proj.egg-info" / "PKG-INFO", "Name: Proj\nVersion: 0.3\n")
    site = tmp_path / "site"
    write(site / "Proj.egg-link", f"{project}\n.\n")
    (entry,) = scan_installed([site])
    assert entry.dist.editable and entry.editable_location == project
    assert editable_location(entry.dist) == project


def test_pep610_direct_url_and_editable(tmp_path: Path) -> None:
    info = tmp_path / "e-1.0.dist-info"
    write(info / "METADATA", "Name: e\nVersion: 1.0\n")
    write(info / "direct_url.json", '{"url": "file:///src/e", "dir_info": {"editable": true}}')
    vcs = tmp_path / "v-1.0.dist-info"
    write(vcs / "METADATA", "Name: v\nVersion: 1.0\n")
    write(
        vcs / "direct_url.json",
        '{"url": "https://g/x.git", "vcs_info": {"vcs": "git", "commit_id": "abc"},'
        ' "subdirectory": "sub"}',
    )
    dists = {d.name: d for d in scan_environment([tmp_path])}
    assert dists["e"].editable and editable_location(dists["e"]) == Path("/src/e")
    assert dists["v"].direct_url == "git+https://g/x.git@abc#subdirectory=sub"
    assert not dists["v"].editable
