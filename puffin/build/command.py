"""From a command's build flags to the :class:`~puffin.build.options.BuildOptions` in its
context, for the duration of its event loop."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from puffin.errors import UsageError

if TYPE_CHECKING:
    import argparse
    from collections.abc import AsyncIterator, Iterable

    from puffin.context import Context
    from puffin.environment.target import TargetEnvironment
    from puffin.requirements.manifest import RequirementEntry
    from puffin.resolution.options import BinaryPolicy, ResolverOptions

SCRATCH = "build-tmp-v1"
"""The bucket of every command's scratch directory (kept in the cache so that wheels
link into build environments)."""


def binary_policy(args: argparse.Namespace) -> BinaryPolicy:
    """``--no-binary``, ``--only-binary`` and ``--no-build`` as one policy."""
    from puffin.resolution.options import BinaryPolicy

    only = _names(getattr(args, "only_binary", None) or ())
    if getattr(args, "no_build", False):
        only.add(":all:")
    return BinaryPolicy(
        no_binary=frozenset(_names(getattr(args, "no_binary", None) or ())),
        only_binary=frozenset(only),
    )


def _names(values: Iterable[str]) -> set[str]:
    """Names as pip takes them: repeated or comma-separated; ``:none:`` clears."""
    from packaging.utils import canonicalize_name

    names: set[str] = set()
    for value in values:
        for raw in value.split(","):
            item = raw.strip()
            if item == ":none:":
                names.clear()
            elif item == ":all:":
                names.add(item)
            elif item:
                names.add(canonicalize_name(item))
    return names


def config_settings(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    """``-C KEY=VALUE`` pairs, in order (a key may repeat)."""
    pairs = []
    for item in getattr(args, "config_settings", None) or ():
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise UsageError(f"--config-settings {item!r}: expected KEY=VALUE")
        pairs.append((key, value))
    return tuple(pairs)


def build_constraints(args: argparse.Namespace, ctx: Context) -> tuple[RequirementEntry, ...]:
    """The entries of every ``--build-constraint`` file."""
    from puffin.requirements.parser import parse_constraints_file

    entries: list[RequirementEntry] = []
    for path in getattr(args, "build_constraints", None) or ():
        parsed = parse_constraints_file(path if path.is_absolute() else ctx.cwd / path)
        entries.extend(parsed.constraints)
    return tuple(entries)


@asynccontextmanager
async def open_builds(
    ctx: Context,
    args: argparse.Namespace,
    target: TargetEnvironment,
    options: ResolverOptions,
    *,
    link_mode: str = "hardlink",
) -> AsyncIterator[Context]:
    """A context that can build, with a scratch directory removed when the block ends.

    Builds run on ``target``'s interpreter, for that interpreter's own environment: a
    ``--python-version`` or ``--python-platform`` projection is replaced by it.
    """
    from puffin.build.options import BuildOptions
    from puffin.environment.target import TargetEnvironment

    if not target.is_exact:
        target = TargetEnvironment.from_interpreter(target.interpreter)

    jobs = getattr(args, "build_jobs", None)
    if jobs is None:
        jobs = os.cpu_count() or 1
    elif jobs < 1:
        raise UsageError(f"--build-jobs {jobs}: must be at least 1")
    build = BuildOptions(
        interpreter=target.interpreter,
        target=target,
        scratch=Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=ctx.cache.bucket(SCRATCH))),
        isolated=not getattr(args, "no_build_isolation", False),
        jobs=jobs,
        config_settings=config_settings(args),
        constraints=build_constraints(args, ctx),
        binary=options.binary,
        exclude_newer=options.exclude_newer,
        link_mode=link_mode,
    )
    try:
        yield ctx._replace(build=build)
    finally:
        if ctx.inflight is not None:
            await ctx.inflight.cancel_all()  # no build may still use the scratch directory
        shutil.rmtree(build.scratch, ignore_errors=True)
