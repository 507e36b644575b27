"""Remove an installed distribution: the files its installer recorded, and nothing else.

What was installed is known from the distribution's own records:

* ``*.dist-info/RECORD`` (pip, uv, puffin; PEP 376): paths relative to site-packages,
  which may climb out of it (``../../../bin/tool``) but never out of the environment;
* ``*.egg-info/installed-files.txt`` (``setup.py install`` through pip): paths relative
  to the egg-info directory;
* a legacy editable (``setup.py develop``): its ``.egg-link`` file, its line in
  ``easy-install.pth`` and the console scripts of its entry points; the project itself
  is the user's and stays;
* PEP 660 editables have a RECORD like any wheel (it lists the ``__editable__*.pth``).

Every path is checked against the environment's prefix before anything is removed, so a
RECORD that points elsewhere makes the whole uninstall fail, not half of it. Afterwards
the directories left empty (``__pycache__`` aside) are removed, up to site-packages.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from puffin.types.dist import InstalledDist

__all__ = ["UninstallError", "restore_stash", "uninstall"]


class UninstallError(PuffinError):
    """A distribution cannot be uninstalled safely (no record, or files outside the prefix)."""


def uninstall(
    dist: InstalledDist,
    *,
    site_packages: Path,
    scripts_dir: Path,
    prefix: Path | None = None,
    stash: Path | None = None,
) -> tuple[Path, ...]:
    """Remove ``dist`` from the environment; return the paths removed (files, then dirs).

    With ``stash`` (a directory on the same file system, e.g. inside the prefix), files
    are moved there instead of deleted, so :func:`restore_stash` can put them back if
    what replaces them fails to install: an upgrade never leaves neither version.

    :param site_packages: the directory the distribution is installed in (RECORD paths
        are relative to it).
    :param scripts_dir: the environment's scripts directory (``bin``).
    :param prefix: the root nothing may be removed outside of; by default the deepest
        directory holding both ``site_packages`` and ``scripts_dir`` (a venv's root).
    :raises UninstallError: the distribution records no files, or records a path outside
        the prefix; nothing has been removed then.
    """
    site_packages = Path(os.path.abspath(site_packages))  # noqa: PTH100
    scripts_dir = Path(os.path.abspath(scripts_dir))  # noqa: PTH100
    root = Path(
        os.path.abspath(prefix)  # noqa: PTH100
        if prefix is not None
        else os.path.commonpath([site_packages, scripts_dir])
    )
    if root == Path(root.anchor):
        raise UninstallError(
            f"cannot uninstall {dist}: the environment's prefix would be {root}",
            hint="pass the environment's prefix explicitly",
        )
    info = Path(os.path.abspath(dist.dist_info))  # noqa: PTH100
    if info.name.endswith(".egg-info") and not _is_within(info, site_packages):
        return _uninstall_egg_link(dist, info, site_packages, scripts_dir, root)
    files = _recorded_files(dist, info, site_packages)
    outside = [path for path in files if not _is_within(path, root)]
    if outside:
        raise UninstallError(
            f"cannot uninstall {dist}: its record names {outside[0]}, which is outside "
            f"the environment {root}",
            hint="remove it with the tool that installed it",
        )
    if stash is not None:
        # The metadata directory moves in one piece, after the files listed outside it.
        outside_info = [path for path in files if not path.is_relative_to(info)]
        removed = _stash_files([*outside_info, info], stash)
    else:
        removed = _remove_files(files)
        if info.is_dir():
            removed.extend(_remove_tree(info))
        elif info.exists():
            info.unlink()
            removed.append(info)
    removed.extend(_remove_empty_dirs(removed, stop={site_packages, scripts_dir, root}))
    return tuple(removed)


def _recorded_files(dist: InstalledDist, info: Path, site_packages: Path) -> list[Path]:
    import csv

    record = info / "RECORD"
    legacy = info / "installed-files.txt"
    if info.is_dir() and record.is_file():
        base = site_packages
        with open(record, encoding="utf-8", errors="surrogateescape", newline="") as stream:
            entries = [row[0] for row in csv.reader(stream) if row and row[0]]
    elif info.is_dir() and legacy.is_file():
        base = info
        entries = [line.strip() for line in legacy.read_text().splitlines() if line.strip()]
    else:
        raise UninstallError(
            f"cannot uninstall {dist}: {info.name} has no RECORD or installed-files.txt, "
            "so which files belong to it is unknown",
            hint="it was probably installed by distutils or by hand; remove it by hand",
        )
    files: list[Path] = []
    for entry in entries:
        path = Path(os.path.normpath(base / entry))
        files.append(path)
        if path.suffix == ".py":
            # pip and uv do not record the bytecode that compiling or importing wrote.
            files.extend(_bytecode_of(path))
    return list(dict.fromkeys(files))


def _bytecode_of(source: Path) -> list[Path]:
    cache = source.parent / "__pycache__"
    try:
        names = os.listdir(cache)  # noqa: PTH208
    except OSError:
        return []
    prefix = source.stem + "."
    return [cache / name for name in names if name.startswith(prefix) and name.endswith(".pyc")]


def _is_within(path: Path, root: Path) -> bool:
    """Lexically and after resolving symlinks: ``..`` and links must not escape."""
    if not path.is_relative_to(root):
        return False
    try:
        real_parent = Path(os.path.realpath(path.parent))
        real_root = Path(os.path.realpath(root))
    except OSError:
        return False
    return real_parent.is_relative_to(real_root)


def _remove_files(files: Iterable[Path]) -> list[Path]:
    removed: list[Path] = []
    for path in files:
        try:
            if path.is_dir() and not path.is_symlink():
                continue  # a RECORD lists files; a directory here is left for the sweep
            path.unlink()
        except FileNotFoundError:
            continue  # already gone (a .pyc never written, a file removed by hand)
        removed.append(path)
    return removed


def _stash_files(paths: Iterable[Path], stash: Path) -> list[Path]:
    """Move ``paths`` (files, or the dist-info directory) under ``stash``, each at its
    absolute path, so :func:`restore_stash` knows where it came from."""
    moved: list[Path] = []
    for path in paths:
        if (
            path.is_dir()
            and not path.is_symlink()
            and not path.name.endswith((".dist-info", ".egg-info"))
        ):
            continue  # a RECORD lists files; a directory here is left for the sweep
        target = stash / path.relative_to(path.anchor)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(path, target)  # noqa: PTH104 - same file system: an atomic move
        except FileNotFoundError:
            continue
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            # Another file system than the stash's: removed, and not restorable.
            if path.is_dir() and not path.is_symlink():
                moved.extend(_remove_tree(path))
                continue
            path.unlink()
        moved.append(path)
    return moved


def restore_stash(stash: Path) -> None:
    """Put every file :func:`uninstall` moved into ``stash`` back where it was, replacing
    whatever a failed install left there."""
    import shutil

    for parent, dirnames, filenames in os.walk(stash):
        here = Path(parent)
        original_dir = Path("/") / here.relative_to(stash)
        for name in list(dirnames):
            if name.endswith((".dist-info", ".egg-info")):
                # A whole metadata directory: move it back in one piece.
                target = original_dir / name
                if target.exists():
                    shutil.rmtree(target, ignore_errors=True)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(here / name, target)
                dirnames.remove(name)
        for name in filenames:
            target = original_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(here / name, target)


def _remove_tree(directory: Path) -> list[Path]:
    removed: list[Path] = []
    for parent, dirnames, filenames in os.walk(directory, topdown=False):
        for name in filenames:
            path = Path(parent) / name
            path.unlink()
            removed.append(path)
        for name in dirnames:
            path = Path(parent) / name
            if path.is_symlink():
                path.unlink()
            else:
                path.rmdir()
            removed.append(path)
    directory.rmdir()
    removed.append(directory)
    return removed


def _remove_empty_dirs(removed: Iterable[Path], *, stop: set[Path]) -> list[Path]:
    """Remove directories that removing files left empty (or holding only ``__pycache__``).

    Walks up from each removed path, deepest first, and stops at ``stop`` (site-packages,
    the scripts directory, the prefix) and at the first directory still in use.
    """
    candidates: set[Path] = set()
    for path in removed:
        parent = path.parent
        while parent not in stop and parent != parent.parent and len(parent.parts) > 1:
            candidates.add(parent)
            parent = parent.parent
    swept: list[Path] = []
    for directory in sorted(candidates, key=lambda p: len(p.parts), reverse=True):
        try:
            names = os.listdir(directory)  # noqa: PTH208
        except OSError:
            continue
        if names == ["__pycache__"]:
            # Bytecode of modules that no longer exist: the package is gone.
            swept.extend(_remove_tree(directory / "__pycache__"))
            names = []
        if not names:
            directory.rmdir()
            swept.append(directory)
    return swept


def _uninstall_egg_link(
    dist: InstalledDist, info: Path, site_packages: Path, scripts_dir: Path, root: Path
) -> tuple[Path, ...]:
    """A ``setup.py develop`` install: egg-link, easy-install.pth line, console scripts."""
    from puffin.install.installed import egg_link_for

    link = egg_link_for(dist, [site_packages])
    if link is None:
        raise UninstallError(
            f"cannot uninstall {dist}: its metadata is in {info}, outside {site_packages}, "
            "and no .egg-link points there"
        )
    project = os.path.normpath(info.parent)
    removed: list[Path] = []
    pth = site_packages / "easy-install.pth"
    if pth.is_file():
        lines = pth.read_text().splitlines(keepends=True)
        kept = [line for line in lines if os.path.normpath(line.strip() or ".") != project]
        if len(kept) != len(lines):
            # Rewrite in place: other develop installs keep their lines.
            tmp = pth.with_name(pth.name + ".puffin-tmp")
            tmp.write_text("".join(kept))
            os.replace(tmp, pth)
    for script in _console_scripts(info):
        path = scripts_dir / script
        if _is_within(path, root) and path.is_file():
            path.unlink()
            removed.append(path)
    link.unlink()
    removed.append(link)
    return tuple(removed)


def _console_scripts(info: Path) -> list[str]:
    import configparser

    path = info / "entry_points.txt"
    if not path.is_file():
        return []
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        return []
    names: list[str] = []
    for group in ("console_scripts", "gui_scripts"):
        if parser.has_section(group):
            names.extend(parser.options(group))
    return names
