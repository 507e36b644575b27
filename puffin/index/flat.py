"""``--find-links`` locations: a directory of distributions, or an HTML page of links to them.

Unlike a simple index, a flat location lists every project at once, so it is read whole,
once per command, into a :class:`FlatIndex` that every resolution of the command shares.
Fetching is the caller's job; this module only turns a listing into files by project.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from puffin.index.filenames import has_dist_suffix, parse_dist_filename
from puffin.index.simple import IndexPageError, parse_html_links
from puffin.types.dist import DistFile

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from packaging.utils import NormalizedName

    from puffin.types.index import IndexSpec

__all__ = ["FlatIndex"]

_Files = tuple[DistFile, ...]


def _empty() -> Mapping[NormalizedName, _Files]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class FlatIndex(Mapping["NormalizedName", _Files]):
    """Read-only mapping: normalized project name -> its files (all versions, no repeats).

    Files are grouped by the project their name declares; names that are not wheels or
    sdists, or that do not parse, are left out. Within a project a file name appears once.
    """

    projects: Mapping[NormalizedName, _Files] = field(default_factory=_empty)

    def __post_init__(self) -> None:
        # Copy into a read-only view, so a caller's dict cannot change the index later.
        frozen = MappingProxyType({name: tuple(files) for name, files in self.projects.items()})
        object.__setattr__(self, "projects", frozen)

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_files(cls, files: Iterable[DistFile]) -> FlatIndex:
        """Group ``files`` by project; the first file of a given name wins."""
        projects: dict[NormalizedName, dict[str, DistFile]] = {}
        for file in files:
            parsed = parse_dist_filename(file.filename)
            if parsed is not None:
                projects.setdefault(parsed.name, {}).setdefault(file.filename, file)
        return cls({name: tuple(by_name.values()) for name, by_name in projects.items()})

    @classmethod
    def from_directory(cls, path: Path, source: IndexSpec) -> FlatIndex:
        """The distributions directly inside directory ``path`` (not its subdirectories).

        Each file's ``url`` is its absolute ``file://`` URI; ``size`` is read from the
        directory entry, and there are no hashes (the installer computes what it needs).

        :raises IndexPageError: ``path`` cannot be listed (missing, not a directory, ...).
        """
        root = Path(path).resolve()
        try:
            with os.scandir(root) as entries:
                found = [
                    (entry.name, entry.stat().st_size)
                    for entry in entries
                    if has_dist_suffix(entry.name) and entry.is_file()
                ]
        except OSError as error:
            raise IndexPageError(str(path), error.strerror or str(error)) from None
        found.sort()
        return cls.from_files(
            DistFile(filename=name, url=(root / name).as_uri(), source=source, size=size)
            for name, size in found
        )

    @classmethod
    def from_html(
        cls, content: bytes, *, url: str, source: IndexSpec, content_type: str = "text/html"
    ) -> FlatIndex:
        """The distributions linked from an HTML page (PEP 503 anchor rules).

        ``url`` must be the page's final URL, after redirects: relative links (and a
        ``<base href>``) are resolved against it. ``content_type`` supplies the charset.
        """
        return cls.from_files(
            parse_html_links(content, url=url, source=source, content_type=content_type)
        )

    @classmethod
    def merge(cls, *indexes: FlatIndex) -> FlatIndex:
        """One index holding every file of ``indexes``.

        Pass them in priority order: when two hold a file of the same name for the same
        project, the earlier one's is kept (its URL is the one used to download).
        """
        projects: dict[NormalizedName, dict[str, DistFile]] = {}
        for index in indexes:
            for name, files in index.projects.items():
                by_filename = projects.setdefault(name, {})
                for file in files:
                    by_filename.setdefault(file.filename, file)
        return cls({name: tuple(by_name.values()) for name, by_name in projects.items()})

    # ------------------------------------------------------------------ queries

    def files(self, name: str) -> tuple[DistFile, ...]:
        """The files of project ``name`` (any spelling); empty when there are none."""
        return self.projects.get(canonicalize_name(name), ())

    def names(self) -> tuple[NormalizedName, ...]:
        """Every project with at least one file, sorted."""
        return tuple(sorted(self.projects))

    def __getitem__(self, name: NormalizedName) -> tuple[DistFile, ...]:
        return self.projects[name]

    def __iter__(self) -> Iterator[NormalizedName]:
        return iter(self.projects)

    def __len__(self) -> int:
        return len(self.projects)

    def __repr__(self) -> str:
        count = sum(len(files) for files in self.projects.values())
        return f"FlatIndex({len(self.projects)} projects, {count} files)"
