"""``puffin pip compile``: resolve requirement inputs into a pinned requirements file."""

from __future__ import annotations

import asyncio
import dataclasses
import platform
import shlex
import sys
import time
from typing import TYPE_CHECKING

from puffin.errors import UsageError

if TYPE_CHECKING:
    import argparse
    import ssl
    from concurrent.futures import Future
    from datetime import datetime
    from pathlib import Path

    from puffin.context import Context
    from puffin.environment.query import Interpreter
    from puffin.requirements.manifest import Manifest
    from puffin.resolution.options import ResolverOptions
    from puffin.sources import SourceOptions
    from puffin.types import Resolution


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Resolve, then write the pins to ``-o FILE`` or stdout."""
    from puffin.compile.output import CompileOutputOptions, format_resolution
    from puffin.requirements.sources import build_manifest
    from puffin.sources import source_options

    started = time.perf_counter()
    manifest = build_manifest(
        requirement_files=[_absolute(path, ctx) for path in args.src_files],
        constraint_files=[_absolute(path, ctx) for path in args.constraints],
        override_files=[_absolute(path, ctx) for path in args.overrides],
        extras=args.extras or (),
        all_extras=args.all_extras,
        base_dir=ctx.cwd,
        environ=ctx.environ,
    )
    manifest = _with_upgrade_constraints(manifest, args.upgrade_packages, ctx.cwd)
    sources = source_options(args, ctx, manifest.index)
    from puffin.concurrency import run_command
    from puffin.targets import interpreter_while_loading_the_client

    finding, tls = interpreter_while_loading_the_client(args, ctx, fall_back_to_system=True)
    resolution = run_command(_resolve(ctx, args, sources, manifest, finding=finding, tls=tls))
    elapsed = time.perf_counter() - started
    text = format_resolution(
        resolution,
        CompileOutputOptions(
            header=not args.no_header,
            command=_command_line(args),
            annotate=not args.no_annotate,
            annotation_style=args.annotation_style,
            generate_hashes=args.generate_hashes,
            emit_index_url=args.emit_index_url,
            index_urls=() if sources.no_index else (sources.index_url, *sources.extra_index_urls),
            emit_find_links=args.emit_find_links,
            find_links=sources.find_links,
            strip_extras=not args.no_strip_extras,
        ),
    )
    if args.output_file is not None:
        _write_atomically(_absolute(args.output_file, ctx), text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    count = len(resolution)
    noun = "package" if count == 1 else "packages"
    ctx.reporter.summary(f"Resolved {count} {noun} in {_seconds(elapsed)}")
    return 0


async def _resolve(
    ctx: Context,
    args: argparse.Namespace,
    sources: SourceOptions,
    manifest: Manifest,
    *,
    finding: Future[Interpreter],
    tls: ssl.SSLContext,
) -> Resolution:
    """Open the sources, fetch the direct requirements' listings while the interpreter is
    still being asked about itself (``finding``; they need no interpreter), resolve."""
    from puffin.build.command import open_builds
    from puffin.resolution.resolve import resolve
    from puffin.sources import open_sources
    from puffin.targets import target_for_interpreter

    async with open_sources(ctx, sources, ssl_context=tls) as (command_ctx, index_set):
        index_set.prefetch(direct_registry_names(manifest))
        # The interpreter runs builds; the target (maybe a --python-version projection of
        # it) is what the resolution is for.
        interpreter = await asyncio.wrap_future(finding)
        target = target_for_interpreter(args, ctx, interpreter)
        options = dataclasses.replace(
            resolver_options(args, ctx), running_python=interpreter.python_full_version
        )
        async with open_builds(command_ctx, args, target, options) as build_ctx:
            return await resolve(build_ctx, index_set, manifest, target, options)


def direct_registry_names(manifest: Manifest) -> list[str]:
    """The requirements named without a URL or path: the first projects to list."""
    return [
        entry.name
        for entry in manifest.requirements
        if entry.name is not None and entry.url_or_path is None
    ]


def resolver_options(args: argparse.Namespace, ctx: Context) -> ResolverOptions:
    """The resolver options of ``args`` (shared by compile, install and sync)."""
    from puffin.resolution.options import PrereleaseMode, ResolutionStrategy, ResolverOptions

    preferences = {}
    output = getattr(args, "output_file", None)
    if output is not None and not getattr(args, "upgrade", False):
        path = _absolute(output, ctx)
        if path.is_file():  # a pipe or /dev/null holds no pins to keep
            from puffin.compile.preferences import apply_upgrades, read_preferences

            preferences = apply_upgrades(
                read_preferences(path),
                upgrade_all=False,
                upgrade_packages=getattr(args, "upgrade_packages", None) or (),
            )
    prerelease = PrereleaseMode(args.prerelease) if args.prerelease else None
    if args.pre:
        prerelease = PrereleaseMode.ALLOW
    from puffin.build.command import binary_policy

    return ResolverOptions(
        strategy=ResolutionStrategy(args.resolution),
        prerelease=prerelease or PrereleaseMode.IF_NECESSARY_OR_EXPLICIT,
        exclude_newer=parse_exclude_newer(args.exclude_newer) if args.exclude_newer else None,
        no_deps=args.no_deps,
        preferences=preferences,
        running_python=platform.python_version(),
        binary=binary_policy(args),
    )


def _with_upgrade_constraints(manifest: Manifest, upgrades: list[str], cwd: Path) -> Manifest:
    """``--upgrade-package 'b<2.0'`` upgrades b only within ``<2.0``: a constraint (as uv)."""
    import dataclasses

    from puffin.requirements.manifest import Origin
    from puffin.requirements.sources import parse_requirement_string

    extra = []
    for text in upgrades:
        entry = parse_requirement_string(text, origin=Origin(None, None), base_dir=cwd)
        if entry.requirement is not None and str(entry.requirement.specifier):
            extra.append(entry)
    if not extra:
        return manifest
    return dataclasses.replace(manifest, constraints=(*manifest.constraints, *extra))


def parse_exclude_newer(text: str) -> datetime:
    """``2024-03-25`` (the end of that day, UTC) or an RFC 3339 time stamp."""
    from datetime import datetime, time, timedelta, timezone

    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
            return datetime.combine(day.date() + timedelta(days=1), time(), timezone.utc)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--exclude-newer: invalid date {text!r} (use YYYY-MM-DD or an RFC 3339 time)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _absolute(path: Path, ctx: Context) -> Path:
    return path if path.is_absolute() else ctx.cwd / path


def _command_line(args: argparse.Namespace) -> str:
    """The command as the header shows it: what the user typed, secrets left out."""
    from puffin.client.redact import redact_url

    given = getattr(args, "argv", None) or sys.argv[1:]
    words = [redact_url(word) if "://" in word else word for word in given]
    return "puffin " + " ".join(shlex.quote(word) for word in words)


def _write_atomically(path: Path, text: str) -> None:
    """Replace a regular file through a temporary sibling; write anything else in place.

    ``-o /dev/null`` or a pipe must be written to, never renamed over: a rename would put
    a regular file where the device was.
    """
    import os

    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8") as handle:
            handle.write(text)
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _seconds(elapsed: float) -> str:
    return f"{elapsed * 1000:.0f}ms" if elapsed < 0.9995 else f"{elapsed:.2f}s"
