"""uninstall() on hand-made layouts: RECORD, installed-files.txt, egg-link, the prefix guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from puffin.install.installed import scan_environment
from puffin.install.uninstall import UninstallError, uninstall


def write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def prefix(tmp_path: Path) -> Path:
    (tmp_path / "env" / "bin").mkdir(parents=True)
    (tmp_path / "env" / "lib" / "site-packages").mkdir(parents=True)
    return tmp_path / "env"


def only(site: Path, name: str):
    (dist,) = [d for d in scan_environment([site]) if d.name == name]
    return dist


def test_record_files_bytecode_and_empty_dirs(prefix: Path) -> None:
    site = prefix / "lib" / "site-packages"
    info = site / "pkg-1.0.dist-info"
    write(info / "METADATA", "Name: pkg\nVersion: 1.0\n")
    write(site / "pkg" / "__init__.py")
    write(site / "pkg" / "sub" / "mod.py")
    write(site / "pkg" / "sub" / "__pycache__" / "mod.cpython-311.pyc")
    write(site / "pkg" / "__pycache__" / "__init__.cpython-311.pyc")
    write(site / "shared" / "keep.py")  # another distribution's file in a shared dir
    write(site / "shared" / "pkgfile.py")
    write(prefix / "bin" / "pkg-tool")
    write(info / "REQUESTED")
    write(
        info / "RECORD",
        "pkg/__init__.py,,\npkg/sub/mod.py,,\nshared/pkgfile.py,,\n../../bin/pkg-tool,,\n"
        "pkg-1.0.dist-info/METADATA,,\npkg-1.0.dist-info/RECORD,,\n",
    )
    removed = uninstall(only(site, "pkg"), site_packages=site, scripts_dir=prefix / "bin")
    assert not (site / "pkg").exists() and not info.exists()
    assert not (prefix / "bin" / "pkg-tool").exists()
    assert (site / "shared" / "keep.py").exists() and not (site / "shared" / "pkgfile.py").exists()
    assert site.is_dir() and (prefix / "bin").is_dir()
    assert site / "pkg" in removed and info in removed


def test_record_outside_prefix_is_refused_before_anything_goes(
    prefix: Path, tmp_path: Path
) -> None:
    site = prefix / "lib" / "site-packages"
    info = site / "evil-1.0.dist-info"
    write(info / "METADATA", "Name: evil\nVersion: 1.0\n")
    victim = write(tmp_path / "victim.txt", "keep me")
    write(site / "evil.py")
    write(info / "RECORD", "evil.py,,\n../../../victim.txt,,\n")
    with pytest.raises(UninstallError, match="outside the environment"):
        uninstall(only(site, "evil"), site_packages=site, scripts_dir=prefix / "bin")
    assert victim.exists() and (site / "evil.py").exists() and info.exists()


def test_no_record_is_refused(prefix: Path) -> None:
    site = prefix / "lib" / "site-packages"
    write(site / "bare-1.0.dist-info" / "METADATA", "Name: bare\nVersion: 1.0\n")
    with pytest.raises(UninstallError, match="no RECORD"):
        uninstall(only(site, "bare"), site_packages=site, scripts_dir=prefix / "bin")


def test_egg_info_installed_files(prefix: Path) -> None:
    site = prefix / "lib" / "site-packages"
    info = site / "old-1.0-py3.11.egg-info"
    write(info / "PKG-INFO", "Name: old\nVersion: 1.0\n")
    write(site / "old" / "__init__.py")
    write(prefix / "bin" / "old-script")
    write(info / "installed-files.txt", "../old/__init__.py\nPKG-INFO\n../../../bin/old-script\n")
    uninstall(only(site, "old"), site_packages=site, scripts_dir=prefix / "bin")
    assert sorted(p.name for p in site.iterdir()) == []
    assert not (prefix / "bin" / "old-script").exists()


def test_egg_link_editable(prefix: Path, tmp_path: Path) -> None:
    site = prefix / "lib" / "site-packages"
    project = tmp_path / "proj"
    write(project / "proj.egg-info" / "PKG-INFO", "Name: proj\nVersion: 0.1\n")
    write(
        project / "proj.egg-info" / "entry_points.txt", "[console_scripts]\nproj-cli = proj:main\n"
    )
    write(site / "proj.egg-link", f"{project}\n.\n")
    write(site / "easy-install.pth", f"/somewhere/else\n{project}\n")
    write(prefix / "bin" / "proj-cli")
    removed = uninstall(only(site, "proj"), site_packages=site, scripts_dir=prefix / "bin")
    assert not (site / "proj.egg-link").exists()
    assert (site / "easy-install.pth").read_text() == "/somewhere/else\n"
    assert not (prefix / "bin" / "proj-cli").exists()
    assert (project / "proj.egg-info" / "PKG-INFO").exists()
    assert set(removed) == {site / "proj.egg-link", prefix / "bin" / "proj-cli"}


def test_stash_moves_files_and_restore_puts_them_back(prefix: Path) -> None:
    from puffin.install.uninstall import restore_stash

    site = prefix / "lib" / "site-packages"
    info = site / "pkg-1.0.dist-info"
    write(info / "METADATA", "Name: pkg\nVersion: 1.0\n")
    write(site / "pkg" / "__init__.py", "old")
    write(prefix / "bin" / "pkg-tool", "tool")
    write(
        info / "RECORD",
        "pkg/__init__.py,,\n../../bin/pkg-tool,,\npkg-1.0.dist-info/METADATA,,\n"
        "pkg-1.0.dist-info/RECORD,,\n",
    )
    stash = prefix / ".stash"
    stash.mkdir()
    uninstall(only(site, "pkg"), site_packages=site, scripts_dir=prefix / "bin", stash=stash)
    assert not (site / "pkg").exists() and not info.exists()
    assert not (prefix / "bin" / "pkg-tool").exists()
    # A failed install left a half-written replacement behind.
    write(site / "pkg" / "__init__.py", "new, half written")
    restore_stash(stash)
    assert (site / "pkg" / "__init__.py").read_text() == "old"
    assert (prefix / "bin" / "pkg-tool").read_text() == "tool"
    assert (info / "RECORD").is_file() and only(site, "pkg").version.public == "1.0"
