"""Where the cache lives, and its versioned buckets.

Each bucket name carries a version (``interpreter-v1``, ``simple-v1``...): a release that
changes a bucket's format bumps the version and ignores the old bucket instead of
misreading it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by puffin.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def default_cache_dir(environ: Mapping[str, str]) -> Path:
    """The platform's user cache directory for puffin (``~/.cache/puffin`` on Linux)."""
    from puffin.userdirs import user_cache_dir

    return user_cache_dir(environ)


class Cache(NamedTuple):
    """The cache root of one command.

    ``temporary`` is True under ``--no-cache``: the root is a fresh directory removed when
    the command ends, so nothing is read from or left in the user's cache.
    """

    root: Path
    temporary: bool = False

    @classmethod
    def open(cls, root: Path | None, *, no_cache: bool, environ: Mapping[str, str]) -> Cache:
        """The cache at ``root`` (default: the user cache dir), or a temporary one."""
        if no_cache:
            import tempfile

            return cls(Path(tempfile.mkdtemp(prefix="puffin-cache-")), temporary=True)
        return cls((root or default_cache_dir(environ)).absolute())

    def bucket(self, name: str) -> Path:
        """The directory of bucket ``name`` (e.g. ``interpreter-v1``), created on demand."""
        path = self.root / name
        if not path.is_dir():
            self._initialize()
            path.mkdir(parents=True, exist_ok=True)
        return path

    def _initialize(self) -> None:
        """Create the root with a CACHEDIR.TAG so backup tools skip it."""
        self.root.mkdir(parents=True, exist_ok=True)
        tag = self.root / "CACHEDIR.TAG"
        if not tag.exists():
            temporary = tag.with_name(f".CACHEDIR.TAG.{os.getpid()}")
            temporary.write_text(CACHEDIR_TAG)
            os.replace(temporary, tag)

    def close(self) -> None:
        """Remove a temporary cache; a persistent cache is left alone."""
        if self.temporary:
            import shutil

            shutil.rmtree(self.root, ignore_errors=True)

    def size(self) -> tuple[int, int]:
        """The number of files and their total size in bytes."""
        files = 0
        total = 0
        for directory, _, names in os.walk(self.root):
            for name in names:
                try:
                    total += (Path(directory) / name).lstat().st_size
                except OSError:
                    continue
                files += 1
        return files, total

    def clear(self) -> tuple[int, int]:
        """Remove everything; return what was removed (files, bytes)."""
        if not self.root.exists():
            return 0, 0
        removed = self.size()
        # Rename first so that a concurrent puffin never sees a half-deleted cache.
        doomed = self.root.with_name(f".{self.root.name}.removing.{os.getpid()}")
        os.replace(self.root, doomed)
        import shutil

        shutil.rmtree(doomed, ignore_errors=True)
        return removed
