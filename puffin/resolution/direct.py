"""Requirements that name their own source: URLs, paths, git, editables.

Each is read before the resolution starts, into a :class:`DirectDist`: its name, version
and metadata (from a wheel, a static ``PKG-INFO``, or a metadata build), and the URL
recorded for it (a git URL pinned to the resolved commit, a ``file:`` URL, an archive
URL). The resolver then treats the project as having exactly that one version.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from puffin._values import value_type
from puffin.errors import PuffinError

if TYPE_CHECKING:
    from packaging.utils import NormalizedName
    from packaging.version import Version

    from puffin.context import Context
    from puffin.distribution.core_metadata import CoreMetadata
    from puffin.requirements.manifest import RequirementEntry
    from puffin.types import DistFile


@value_type
class DirectDist:
    """A project whose only candidate is the source its requirement names."""

    name: NormalizedName
    version: Version
    metadata: CoreMetadata
    url: str
    """What ``pip compile`` writes after ``name @`` and ``direct_url.json`` records."""
    file: DistFile | None
    """The archive or wheel, for file sources; None for source trees."""
    editable: bool = False
    requested: str = ""
    """The URL as the requirement gave it (a path made a ``file:`` URL): for a git
    source, with the branch or tag asked for rather than the commit it resolved to."""

    def serves(self, url: str) -> bool:
        """True when a dependency's ``name @ url`` names this same source.

        URLs agree after normalization (scheme and host case, a trailing slash, fragments
        other than ``subdirectory``); for git, the repository and subdirectory must agree
        and a revision, when the dependency names one, must be the one asked for or the
        commit it resolved to; local paths agree when they are the same file.
        """
        requested = self.requested or self.url
        if url.startswith("git+") or requested.startswith("git+"):
            return _same_git_source(url, requested, self.url)
        from puffin.distribution.fetch import local_path

        mine, theirs = local_path(requested), local_path(url)
        if mine is not None or theirs is not None:
            return mine is not None and theirs is not None and _same_file(mine, theirs)
        return _normalized(url) in (_normalized(requested), _normalized(self.url))


def _normalized(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    kept = "&".join(item for item in parts.fragment.split("&") if item.startswith("subdirectory="))
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, kept))


def _same_git_source(url: str, requested: str, resolved: str) -> bool:
    from puffin.vcs.git import GitError, GitUrl

    try:
        wanted, mine, precise = GitUrl.parse(url), GitUrl.parse(requested), GitUrl.parse(resolved)
    except GitError:
        return False
    if _normalized(wanted.repository) != _normalized(mine.repository):
        return False
    if (wanted.subdirectory or "") != (mine.subdirectory or ""):
        return False
    if wanted.rev is None or wanted.rev == mine.rev:
        return True
    return precise.rev is not None and len(wanted.rev) >= 7 and precise.rev.startswith(wanted.rev)


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve()
    except OSError:
        return False


async def load_direct(ctx: Context, entry: RequirementEntry) -> DirectDist:
    """Read the source ``entry`` names; raise :class:`PuffinError` naming the entry."""
    assert entry.url_or_path is not None
    location = entry.url_or_path
    url = location if "://" in location or location.startswith("file:") else _file_uri(location)
    try:
        if url.startswith("git+"):
            dist = await _from_git(ctx, url, entry)
        elif _is_directory(url):
            dist = await _from_directory(ctx, url, entry)
        else:
            dist = await _from_archive(ctx, url, entry)
    except PuffinError as error:
        raise PuffinError(f"{entry.origin}: {entry.text!r}: {error}", hint=error.hint) from None
    if entry.name is not None and entry.name != dist.name:
        raise PuffinError(
            f"{entry.origin}: {entry.text!r} names {entry.name}, but the source is "
            f"{dist.metadata.name} {dist.version}"
        )
    import dataclasses

    return dataclasses.replace(dist, requested=url)


def _file_uri(path: str) -> str:
    return Path(path).absolute().as_uri()


def _is_directory(url: str) -> bool:
    from puffin.distribution.fetch import local_path

    local = local_path(url)
    return local is not None and local.is_dir()


async def _from_git(ctx: Context, url: str, entry: RequirementEntry) -> DirectDist:
    from puffin.build.git_source import checkout_for_url
    from puffin.build.source import BuildSource

    checkout = await checkout_for_url(ctx, url)
    precise = checkout.url.precise(checkout.commit)
    source = BuildSource.for_directory(checkout.project_dir, origin=precise, name=entry.name)
    metadata = await _tree_metadata(ctx, source, editable=entry.editable)
    return DirectDist(
        metadata.normalized_name, metadata.version, metadata, precise, None, entry.editable
    )


async def _from_directory(ctx: Context, url: str, entry: RequirementEntry) -> DirectDist:
    from puffin.build.source import BuildSource
    from puffin.distribution.fetch import local_path

    directory = local_path(url)
    assert directory is not None
    if not (directory / "pyproject.toml").is_file() and not (directory / "setup.py").is_file():
        raise PuffinError(
            f"{directory} is not a Python project (it has neither pyproject.toml nor setup.py)"
        )
    source = BuildSource.for_directory(directory, name=entry.name)
    metadata = await _tree_metadata(ctx, source, editable=entry.editable)
    return DirectDist(
        metadata.normalized_name,
        metadata.version,
        metadata,
        directory.as_uri(),
        None,
        entry.editable,
    )


async def _tree_metadata(ctx: Context, source: object, *, editable: bool) -> CoreMetadata:
    from puffin.build.dispatch import build_metadata
    from puffin.build.source import BuildSource
    from puffin.distribution.core_metadata import parse_core_metadata

    assert isinstance(source, BuildSource)
    if source.directory is not None:
        from puffin.build.static_metadata import static_metadata

        static = static_metadata(source.directory)
        if static is not None:
            ctx.reporter.debug(f"{source.label}: metadata from [project], no build needed")
            return static
    data = await build_metadata(ctx, source, editable=editable)
    return parse_core_metadata(data, source=source.label)


async def _from_archive(ctx: Context, url: str, entry: RequirementEntry) -> DirectDist:
    from puffin.distribution.core_metadata import parse_core_metadata
    from puffin.distribution.fetch import fetch_core_metadata
    from puffin.index.filenames import has_dist_suffix
    from puffin.resolution.metadata import sdist_metadata, sdist_pkg_info
    from puffin.types import DistFile, Found, IndexKind, IndexSpec

    parts = urlsplit(url)
    filename = unquote(parts.path.rsplit("/", 1)[-1])
    if parts.scheme not in ("http", "https", "file") or not has_dist_suffix(filename):
        raise PuffinError(
            "is neither a project directory, a git URL (git+https://...), nor a wheel or "
            "source distribution file"
        )
    if entry.editable:
        raise PuffinError("an archive cannot be installed in editable mode")
    hashes: tuple[tuple[str, str], ...] = ()
    if parts.fragment.startswith("sha256="):
        hashes = (("sha256", parts.fragment.removeprefix("sha256=").lower()),)
    clean = url.partition("#")[0]
    file = DistFile(filename, clean, IndexSpec(clean, IndexKind.FLAT), hashes=hashes)
    if file.is_wheel:
        answer = await fetch_core_metadata(
            file, client=ctx.client, cache=ctx.cache, writes=ctx.writes
        )
        if not isinstance(answer, Found):
            reason = getattr(answer, "reason", None) or "not in the cache (offline)"
            raise PuffinError(f"cannot read the wheel's metadata ({reason})")
        metadata = parse_core_metadata(answer.value, source=filename)
    else:
        pkg_info = await sdist_pkg_info(ctx, file)
        metadata = await sdist_metadata(
            ctx, file, pkg_info, parse=lambda data: parse_core_metadata(data, source=filename)
        )
    return DirectDist(metadata.normalized_name, metadata.version, metadata, clean, file)
