"""``puffin pip index versions NAME``: the versions every configured source offers.

As pip's command of the same name: versions with at least one file the target can use
(a compatible wheel or an sdist, with a matching ``Requires-Python``), yanked files left
out, pre-releases only with ``--pre``; newest first. It reads only index pages, so it
checks sources on their own, before any resolution.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from puffin.errors import PuffinError

if TYPE_CHECKING:
    import argparse

    from packaging.version import Version

    from puffin.context import Context
    from puffin.environment.target import TargetEnvironment
    from puffin.sources import SourceOptions
    from puffin.types.dist import DistFile


class ProjectNotFound(PuffinError):
    """No configured source has the project (or none of its versions suits the target)."""


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Print the project's usable versions; exit 1 when there are none."""
    from packaging.utils import canonicalize_name

    from puffin.sources import source_options
    from puffin.targets import target_for_args

    started = time.perf_counter()
    name = canonicalize_name(args.name)
    target = target_for_args(args, ctx)
    options = source_options(args, ctx)
    from puffin.concurrency import run_command

    versions = run_command(_usable_versions(ctx, options, name, target, pre=args.pre))
    elapsed = time.perf_counter() - started
    if not versions:
        raise ProjectNotFound(
            f"no versions of {args.name!r} found for {target.describe()} in "
            f"{_describe_sources(options)}"
        )
    ctx.reporter.result(f"{args.name} ({versions[0]})")
    ctx.reporter.result("Available versions: " + ", ".join(str(v) for v in versions))
    ctx.reporter.summary(f"Found {len(versions)} versions of {name} in {elapsed:.2f}s")
    return 0


def _describe_sources(options: SourceOptions) -> str:
    from puffin.client.redact import redact_url

    urls = [redact_url(spec.url) for spec in options.specs()]
    return ", ".join(urls) if urls else "no sources (--no-index without --find-links)"


async def _usable_versions(
    ctx: Context, options: SourceOptions, name: str, target: TargetEnvironment, *, pre: bool
) -> list[Version]:
    from packaging.utils import canonicalize_name

    from puffin.index.listing import versions_of
    from puffin.index.selection import rank_files
    from puffin.sources import open_sources
    from puffin.types.answer import Found, NotFound

    project = canonicalize_name(name)
    async with open_sources(ctx, options) as (_, index_set):
        answer = await index_set.project_files(project)
    if isinstance(answer, NotFound):
        return []
    if not isinstance(answer, Found):
        reason = getattr(answer, "reason", None) or "unavailable in offline mode"
        raise PuffinError(f"cannot list {name}: {answer.what}: {reason}")
    priority = target.priority
    python_version = target.python_full_version
    usable: list[Version] = []
    for version, files in versions_of(answer.value, project=project).items():
        if version.is_prerelease and not pre:
            continue
        candidates = [file for file in files if _usable(file, python_version)]
        if rank_files(candidates, priority):
            usable.append(version)
    return sorted(usable, reverse=True)


def _usable(file: DistFile, python_version: str) -> bool:
    """Not yanked, and its Requires-Python (if any) admits the target's Python."""
    if file.yanked is not None:
        return False
    if not file.requires_python:
        return True
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(file.requires_python).contains(python_version, prereleases=True)
    except InvalidSpecifier:
        return True  # as pip: an unreadable Requires-Python does not hide the file
