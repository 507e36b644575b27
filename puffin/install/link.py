"""Put one file from the unpacked-wheel cache into an environment.

Every file lands by *create at a temporary sibling, then rename over the target*. A rename
is atomic within a directory, so a reader (or a concurrent install of another wheel that
ships the same path, like every ``nvidia-*`` wheel's ``nvidia/__init__.py``) sees either
the old whole file or the new whole file, never a missing or half-written one, and two
writers never fail because the other created the target first. Delete-then-create would
have both problems.

A hard or symbolic link to a path that does not exist yet is made in place: ``link(2)`` and
``symlink(2)`` create a whole entry or fail with ``EEXIST``, so the common case of a new
environment costs one system call a file, and only an existing target (or a concurrent
creator) takes the temporary-sibling path.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import functools
import itertools
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["LinkMode", "place_file", "place_files", "write_file"]

# Linux's FICLONE ioctl (_IOW(0x94, 9, int)): share the source's extents (btrfs, XFS,
# bcachefs). The fcntl module does not name it.
_FICLONE = 0x40049409

# A temporary name must stay within NAME_MAX (255) with the prefix and suffix added.
_MAX_STEM = 200

# Link failures that mean "this file system cannot do it here", where a copy is correct:
# across file systems, link count limit, links not permitted (some FUSE, SMB, protected
# hardlinks), not supported at all.
_FALLBACK_ERRNOS = frozenset(
    {errno.EXDEV, errno.EMLINK, errno.EPERM, errno.EACCES, errno.ENOTSUP, errno.EOPNOTSUPP}
)
# ioctl failures meaning "no reflinks here": not supported, other file system, not a
# regular file system at all.
_CLONE_FALLBACK_ERRNOS = frozenset(
    {errno.EXDEV, errno.EINVAL, errno.ENOTTY, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF}
)


class LinkMode(enum.Enum):
    """How files get from the cache into an environment."""

    HARDLINK = "hardlink"
    """A hard link to the cache's file (no data copied); a copy when linking fails."""
    COPY = "copy"
    """An independent copy."""
    SYMLINK = "symlink"
    """A symbolic link to the cache's file: the environment breaks when the cache is cleaned."""
    CLONE = "clone"
    """A copy-on-write clone (``FICLONE``) where the file system supports it, else a copy."""


# Unique within this process (the pid makes it unique between processes); next() on a
# count is atomic under the GIL, so threads never share a name.
_SERIAL = itertools.count()


def _temporary_sibling(target: Path) -> Path:
    stem = target.name[:_MAX_STEM]
    return target.with_name(f".{stem}.{os.getpid()}.{next(_SERIAL)}.tmp")


def _copy(source: Path, temporary: Path) -> None:
    import shutil

    # copyfile uses sendfile/copy_file_range on Linux; copymode keeps the executable bit.
    shutil.copyfile(source, temporary)
    shutil.copymode(source, temporary)


def _clone(source: Path, temporary: Path) -> None:
    import fcntl

    source_fd = os.open(source, os.O_RDONLY | os.O_CLOEXEC)
    try:
        mode = os.fstat(source_fd).st_mode & 0o777
        target_fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        try:
            fcntl.ioctl(target_fd, _FICLONE, source_fd)
            os.fchmod(target_fd, mode)  # the umask may have cut bits from O_CREAT's mode
        except OSError as error:
            os.close(target_fd)
            target_fd = -1
            temporary.unlink()
            if error.errno not in _CLONE_FALLBACK_ERRNOS:
                raise
            _copy(source, temporary)
        finally:
            if target_fd >= 0:
                os.close(target_fd)
    finally:
        os.close(source_fd)


def _create(source: Path, temporary: Path, mode: LinkMode) -> None:
    if mode is LinkMode.HARDLINK:
        try:
            os.link(source, temporary)
        except OSError as error:
            if error.errno not in _FALLBACK_ERRNOS:
                raise
            _copy(source, temporary)
    elif mode is LinkMode.COPY:
        _copy(source, temporary)
    elif mode is LinkMode.SYMLINK:
        # Absolute, so that the link does not depend on where the environment is.
        temporary.symlink_to(source.absolute())
    else:
        _clone(source, temporary)


def _atomically(target: Path, create: Callable[[Path], None]) -> None:
    """Run ``create(temporary)`` and rename the result over ``target``."""
    temporary = _temporary_sibling(target)
    try:
        try:
            create(temporary)
        except FileNotFoundError:
            # Usually the directory is not there yet; create it (tolerating a concurrent
            # creator) and try once more. A missing source fails again, as it should.
            target.parent.mkdir(parents=True, exist_ok=True)
            create(temporary)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    # rename(2) of two names of one inode "does nothing and succeeds" (POSIX): re-linking
    # a file from the cache over an earlier link to the same file leaves the temporary
    # name behind, which must not stay in the environment.
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()


def place_file(source: Path, target: Path, mode: LinkMode) -> None:
    """Make ``target`` a link to, clone or copy of ``source`` (by ``mode``), atomically.

    Never deletes ``target`` first: the new file is created at a temporary sibling name and
    renamed over it, so concurrent placements of one path always leave one whole file.
    Missing parent directories are created.
    """
    if (mode is LinkMode.HARDLINK or mode is LinkMode.SYMLINK) and _link_in_place(
        source, target, mode
    ):
        return
    _atomically(target, lambda temporary: _create(source, temporary, mode))


def place_files(pairs: Sequence[tuple[str, str]], mode: LinkMode) -> tuple[str, Exception] | None:
    """Place each ``(source, target)`` as :func:`place_file` does; stop at the first
    failure and return its target and error (None when all were placed).

    The common case, a hard link to a path that does not exist yet, is one ``link(2)``
    call on the two strings; anything else takes :func:`place_file`'s path. Once linking
    proves impossible here (another file system, links not permitted), the rest are
    copied without trying to link each.
    """
    direct = mode is LinkMode.HARDLINK
    for source, target in pairs:
        try:
            if direct:
                try:
                    os.link(source, target)
                    continue
                except FileExistsError:
                    # Another wheel's file (mlflow and mlflow-skinny share thousands):
                    # replace it through a temporary sibling, without linking in place again.
                    _atomically(Path(target), functools.partial(_create, Path(source), mode=mode))
                    continue
                except FileNotFoundError:
                    pass  # make the directory (or fail: no source)
                except OSError as error:
                    if error.errno not in _FALLBACK_ERRNOS:
                        raise
                    direct = False
                    mode = LinkMode.COPY
            place_file(Path(source), Path(target), mode)
        except Exception as error:  # handed to the caller, which raises it
            return target, error
    return None


def _link_in_place(source: Path, target: Path, mode: LinkMode) -> bool:
    """Link ``target`` to ``source`` directly when ``target`` does not exist yet; False
    when it exists (or linking is impossible here), for the temporary-sibling path."""

    def link() -> None:
        if mode is LinkMode.HARDLINK:
            os.link(source, target)
        else:
            target.symlink_to(source.absolute())

    try:
        try:
            link()
        except FileNotFoundError:
            if not source.exists():
                raise
            target.parent.mkdir(parents=True, exist_ok=True)
            link()
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno in _FALLBACK_ERRNOS:
            return False  # _create copies instead
        raise
    return True


def write_file(target: Path, data: bytes, *, executable: bool = False) -> None:
    """Write ``data`` to ``target`` atomically (temporary sibling, then rename), with mode
    0o755 when ``executable`` else 0o644 (before the umask)."""

    def create(temporary: Path) -> None:
        mode = 0o755 if executable else 0o644
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)

    _atomically(target, create)
