"""What a build starts from, and its identity for the built-wheel cache.

A :class:`BuildSource` is either a source distribution file (from an index, a URL or a
local path) or a source tree (a local project directory, or a git checkout). Its
:attr:`~BuildSource.key` identifies the source's content:

* an archive: its sha256 (from the index, the URL's ``#sha256=`` or the local file),
  else its URL (hashes are optional in the simple API);
* a git checkout: repository, commit and subdirectory;
* a local directory: its path plus a digest of its project files (``pyproject.toml``,
  ``setup.py``, ``setup.cfg``) and of every file matched by the project's declared
  ``[tool.puffin] cache-keys`` globs (e.g. ``src/**/*.rs`` for maturin), so an edited
  project is rebuilt and an unchanged one is not.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from puffin._values import value_type
from puffin.errors import PuffinError

if TYPE_CHECKING:
    from pathlib import Path

    from puffin.context import Context
    from puffin.types import DistFile

DEFAULT_CACHE_KEYS = ("pyproject.toml", "setup.py", "setup.cfg")
"""The files of a local project that decide whether it is rebuilt (as uv)."""


@value_type
class BuildSource:
    """One thing to build: exactly one of ``archive`` and ``directory`` is set."""

    key: str
    """The identity of the content (see the module docstring)."""
    label: str
    """How messages name it: ``foo==1.0``, ``foo-1.0.tar.gz`` or a path."""
    archive: DistFile | None = None
    directory: Path | None = None
    name: str | None = None
    version: str | None = None
    shared: bool = False
    """The directory is shared and must stay clean (a git checkout in the cache): it is
    built from a copy, since backends write into the tree they build."""

    @classmethod
    def for_archive(
        cls, file: DistFile, *, name: str | None = None, version: str | None = None
    ) -> BuildSource:
        """An sdist (or a local ``.tar.gz``/``.zip`` project archive)."""
        sha256 = file.hash("sha256")
        if sha256 is None:
            local = _local_file(file.url)
            sha256 = _file_sha256(local) if local is not None and local.is_file() else None
        key = f"sha256:{sha256}" if sha256 else f"url:{file.url.partition('#')[0]}"
        label = f"{name}=={version}" if name and version else file.filename
        return cls(key, label, archive=file, name=name, version=version)

    @classmethod
    def for_directory(
        cls, directory: Path, *, origin: str | None = None, name: str | None = None
    ) -> BuildSource:
        """A project directory. ``origin`` replaces the path in the key (a git commit),
        so a checkout's identity does not depend on where the cache is."""
        if not directory.is_dir():
            raise PuffinError(f"{directory} is not a directory")
        if origin is not None:
            key = f"git:{origin}"
        else:
            key = f"dir:{directory}:{project_digest(directory)}"
        return cls(
            key, name or str(directory), directory=directory, name=name, shared=origin is not None
        )

    @property
    def cache_name(self) -> str:
        """A directory name for this source's built artefacts."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:32]


def project_digest(directory: Path) -> str:
    """A digest of the files that decide whether a local project must be rebuilt."""
    digest = hashlib.sha256()
    for pattern in (*DEFAULT_CACHE_KEYS, *declared_cache_keys(directory)):
        for path in sorted(directory.glob(pattern)):
            if not path.is_file():
                continue
            relative = path.relative_to(directory).as_posix()
            digest.update(relative.encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def declared_cache_keys(directory: Path) -> tuple[str, ...]:
    """The glob patterns of ``[tool.puffin] cache-keys`` in the project's pyproject.toml.

    Each item is a pattern string, or a table ``{file = "pattern"}`` as uv writes it.
    """
    pyproject = directory / "pyproject.toml"
    try:
        if b"cache-keys" not in pyproject.read_bytes():
            return ()  # the common case, without parsing TOML
    except OSError:
        return ()
    from puffin.config.files import load_toml

    try:
        data = load_toml(pyproject)
    except PuffinError:
        return ()  # the build reports a malformed pyproject.toml with more context
    tool = data.get("tool")
    table = tool.get("puffin") if isinstance(tool, dict) else None
    items = table.get("cache-keys") if isinstance(table, dict) else None
    if not isinstance(items, list):
        return ()
    patterns = []
    for item in items:
        if isinstance(item, str):
            patterns.append(item)
        elif isinstance(item, dict) and isinstance(item.get("file"), str):
            patterns.append(item["file"])
    return tuple(patterns)


def _local_file(url: str) -> Path | None:
    from puffin.distribution.fetch import local_path

    return local_path(url)


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


async def tree_source(ctx: Context, url: str, *, name: str | None = None) -> BuildSource | None:
    """The source tree a direct URL names (a ``git+`` URL or a ``file:`` directory), or
    None when the URL names a file (an archive or a wheel)."""
    from puffin.build.git_source import checkout_for_url

    if url.startswith("git+"):
        checkout = await checkout_for_url(ctx, url)
        origin = checkout.url.precise(checkout.commit)
        return BuildSource.for_directory(checkout.project_dir, origin=origin, name=name)
    local = _local_file(url)
    if local is not None and local.is_dir():
        return BuildSource.for_directory(local, name=name)
    return None
