"""``puffin pip install`` and ``puffin pip sync``: resolve, plan, fetch, unpack, link.

The environment is changed only after the whole plan is known, every plugin accepted it
and every wheel is fetched, verified and unpacked into the cache: a missing package, a
hash mismatch or a veto leaves the environment exactly as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import time
from typing import TYPE_CHECKING, NamedTuple

from puffin.errors import PuffinError

if TYPE_CHECKING:
    import argparse
    import ssl
    from collections.abc import AsyncIterator, Sequence
    from pathlib import Path

    from puffin.context import Context
    from puffin.environment.query import Interpreter
    from puffin.environment.target import TargetEnvironment
    from puffin.install.plan import Reinstall
    from puffin.install.prefetch import WheelPrefetch
    from puffin.install.unpack_workers import UnpackWorkers
    from puffin.requirements.manifest import Manifest
    from puffin.resolution.options import ResolverOptions
    from puffin.sources import SourceOptions
    from puffin.types import InstalledDist, Plan, ResolvedDist


class PlanVetoed(PuffinError):
    """A ``puffin_check_plan`` plugin objected; nothing was changed."""


def run_install(args: argparse.Namespace, ctx: Context) -> int:
    """``pip install``: add what the requirements need, keep everything else."""
    from puffin.requirements.sources import build_manifest

    manifest = build_manifest(
        args=list(args.packages),
        requirement_files=[_absolute(path, ctx) for path in args.requirements],
        constraint_files=[_absolute(path, ctx) for path in args.constraints],
        override_files=[_absolute(path, ctx) for path in args.overrides],
        editables=list(args.editables),
        base_dir=ctx.cwd,
        environ=ctx.environ,
    )
    if not manifest.requirements:
        raise PuffinError("nothing to install: name packages or pass -r FILE")
    return _install(args, ctx, manifest, sync=False)


def run_sync(args: argparse.Namespace, ctx: Context) -> int:
    """``pip sync``: make the environment match the requirement files exactly."""
    from puffin.requirements.sources import build_manifest

    manifest = build_manifest(
        requirement_files=[_absolute(path, ctx) for path in args.src_files],
        base_dir=ctx.cwd,
        environ=ctx.environ,
    )
    return _install(args, ctx, manifest, sync=True)


def _install(args: argparse.Namespace, ctx: Context, manifest: Manifest, *, sync: bool) -> int:
    from puffin.environment.target import TargetEnvironment
    from puffin.install.installed import scan_environment
    from puffin.sources import source_options
    from puffin.targets import interpreter_for_args, interpreter_while_loading_the_client

    started = time.perf_counter()
    if sync and not args.reinstall and not args.reinstall_packages:
        # A sync may find nothing to do, and then must not pay for the HTTP client.
        interpreter, tls = interpreter_for_args(args, ctx), None
    else:
        finding, tls = interpreter_while_loading_the_client(args, ctx)
        interpreter = finding.result()
    target = TargetEnvironment.from_interpreter(interpreter)
    site_packages = _site_packages(interpreter)
    installed = scan_environment(site_packages)
    if sync and not args.reinstall and not args.reinstall_packages:
        audited = _already_synced(manifest, target, installed)
        if audited is not None:
            elapsed = time.perf_counter() - started
            ctx.reporter.summary(f"Audited {_packages(audited)} in {_seconds(elapsed)}")
            return 0
    sources = source_options(args, ctx, manifest.index)
    options = dataclasses.replace(
        _resolver_options(args, ctx, installed), running_python=interpreter.python_full_version
    )
    from puffin.concurrency import run_command

    plan, changed = run_command(
        _resolve_and_apply(
            args,
            ctx,
            _Job(manifest, target, interpreter, installed, sources, options, sync, tls),
        )
    )
    elapsed = time.perf_counter() - started
    if args.dry_run:
        _report_plan(ctx, plan, dry_run=True)
        return 0
    if changed:
        from puffin.types import PlanAction

        added = sum(
            1
            for item in plan.items
            if item.wanted is not None and item.action is not PlanAction.SATISFIED
        )
        removed = len(plan.by_action(PlanAction.REMOVE))
        parts = [f"Installed {added} package{'s' if added != 1 else ''}"] if added else []
        if removed:
            parts.append(f"{'r' if parts else 'R'}emoved {_packages(removed)}")
        ctx.reporter.summary(f"{', '.join(parts)} in {_seconds(elapsed)}")
    else:
        ctx.reporter.summary(f"Audited {_packages(len(plan.items))} in {_seconds(elapsed)}")
    _report_plan(ctx, plan, dry_run=False)
    return 0


def _already_synced(
    manifest: Manifest, target: TargetEnvironment, installed: Sequence[InstalledDist]
) -> int | None:
    """The number of pins when the environment already is exactly the pinned file.

    A sync file (``pip compile`` output) pins every package with ``==``; when the
    environment holds exactly those versions and nothing else, there is nothing to
    resolve or fetch, so a no-op sync touches neither the network nor the cache.
    Returns None when a resolution is needed.
    """
    from packaging.version import InvalidVersion, Version

    environment = {**target.markers, "extra": ""}
    pins: dict[str, Version] = {}
    for entry in manifest.requirements:
        requirement = entry.requirement
        if requirement is None or requirement.url or entry.editable:
            return None
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        specs = list(requirement.specifier)
        if len(specs) != 1 or specs[0].operator != "==" or specs[0].version.endswith(".*"):
            return None
        try:
            pins[entry.name or ""] = Version(specs[0].version)
        except InvalidVersion:
            return None
    if manifest.constraints or manifest.overrides:
        return None
    present = {dist.name: dist.version for dist in installed}
    if present != pins:
        return None
    return len(pins)


def _resolver_options(
    args: argparse.Namespace, ctx: Context, installed: Sequence[InstalledDist]
) -> ResolverOptions:
    """The command's resolver options; installed versions are preferred unless
    ``--upgrade`` (pip's only-if-needed upgrade strategy)."""

    from puffin.commands.compile import resolver_options
    from puffin.compile.preferences import apply_upgrades

    options = resolver_options(args, ctx)
    preferences = apply_upgrades(
        {dist.name: dist.version for dist in installed},
        upgrade_all=getattr(args, "upgrade", False),
        upgrade_packages=getattr(args, "upgrade_packages", ()),
    )
    return dataclasses.replace(options, preferences=preferences)


class _Job(NamedTuple):
    """Everything one install or sync works from."""

    manifest: Manifest
    target: TargetEnvironment
    interpreter: Interpreter
    installed: Sequence[InstalledDist]
    sources: SourceOptions
    options: ResolverOptions
    sync: bool
    tls: ssl.SSLContext | None
    """The HTTP client's TLS context when already made (None: the client makes it)."""


async def _resolve_and_apply(args: argparse.Namespace, ctx: Context, job: _Job) -> tuple[Plan, int]:
    manifest, target, interpreter, installed, sources, options, sync, tls = job
    from puffin.commands.compile import direct_registry_names
    from puffin.sources import open_sources

    async with open_sources(ctx, sources, ssl_context=tls) as (sources_ctx, index_set):
        # All direct requirements go out together, as soon as the loop next runs, rather
        # than one by one as the resolver first asks for each.
        index_set.prefetch(direct_registry_names(manifest))
        from puffin.build.command import open_builds
        from puffin.install.plan import make_plan
        from puffin.install.prepare import source_action
        from puffin.resolution.resolve import resolve
        from puffin.types import PlanAction

        async with (
            open_builds(
                sources_ctx, args, target, options, link_mode=args.link_mode
            ) as command_ctx,
            _prefetching(args, command_ctx, target, installed) as prefetch,
        ):
            phase = time.perf_counter()
            resolution = await resolve(
                command_ctx, index_set, manifest, target, options, on_pinned=prefetch
            )
            elapsed = _seconds(time.perf_counter() - phase)
            ctx.reporter.summary(f"Resolved {_packages(len(resolution.dists))} in {elapsed}")
            plan = make_plan(
                resolution,
                installed,
                sync=sync,
                reinstall=_reinstall(args),
                source_of=lambda dist: source_action(command_ctx, dist, target),
            )
            problems = command_ctx.hooks.check_plan(plan, command_ctx)
            if problems:
                listed = "\n".join(f"  - {problem}" for problem in problems)
                raise PlanVetoed(f"the install plan was rejected; nothing was changed:\n{listed}")
            if args.dry_run:
                return plan, 0
            to_install = [
                item.wanted
                for item in plan.items
                if item.action is not PlanAction.SATISFIED and item.wanted is not None
            ]
            hashes = _required_hashes(
                args, manifest, [item.wanted for item in plan.items if item.wanted]
            )
            phase = time.perf_counter()
            unpacked = await _fetch_and_unpack(
                command_ctx,
                target,
                to_install,
                hashes,
                workers=prefetch.workers if prefetch is not None else None,
            )
            if to_install:
                elapsed = _seconds(time.perf_counter() - phase)
                ctx.reporter.summary(f"Prepared {_packages(len(to_install))} in {elapsed}")
        # Linked before the sources close: closing waits for the cache writes still
        # running behind the resolution, and those now run beside the linking.
        requested = {entry.name for entry in manifest.requirements if entry.name is not None}
        from puffin.install.apply import apply_plan

        changed, done = apply_plan(
            plan, unpacked, interpreter, requested=requested, link_mode=args.link_mode
        )
    ctx.hooks.post_install(done, target, ctx)
    return plan, changed


def _required_hashes(
    args: argparse.Namespace, manifest: Manifest, resolved: Sequence[ResolvedDist]
) -> dict[str, tuple[str, ...]] | None:
    """The user's ``--hash`` values per project in hash-checking mode, else None.

    As pip: ``--require-hashes`` (command line or requirements file), or any ``--hash``
    at all, turns the mode on, and then every package to install, dependencies included,
    must be pinned with ``==`` and carry hashes.
    """
    from packaging.utils import canonicalize_name

    entries = [entry for entry in manifest.requirements if entry.requirement is not None]
    mode = (
        getattr(args, "require_hashes", False)
        or manifest.require_hashes
        or any(entry.hashes for entry in entries)
    )
    if not mode:
        return None
    hashes: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        assert entry.requirement is not None
        name = canonicalize_name(entry.requirement.name)
        pinned = any(spec.operator in ("==", "===") for spec in entry.requirement.specifier)
        if entry.hashes and pinned:
            hashes[name] = hashes.get(name, ()) + entry.hashes
    missing = [str(dist) for dist in resolved if dist.name not in hashes]
    if missing:
        raise PuffinError(
            "hash-checking mode: every package must be pinned with == and --hash; "
            f"these are not: {', '.join(missing)}",
            hint="pin them with hashes (puffin pip compile --generate-hashes writes them)",
        )
    return hashes


def _check_user_hashes(path: Path, name: str, expected: tuple[str, ...]) -> None:
    """The downloaded file matches one of the user's ``--hash`` values, else stop."""
    by_algorithm: dict[str, set[str]] = {}
    for item in expected:
        algorithm, _, digest = item.partition(":")
        by_algorithm.setdefault(algorithm, set()).add(digest.lower())
    actual = {}
    for algorithm, digests in by_algorithm.items():
        actual[algorithm] = hashlib.new(algorithm, path.read_bytes()).hexdigest()
        if actual[algorithm] in digests:
            return
    shown = ", ".join(f"{algorithm}:{digest}" for algorithm, digest in actual.items())
    raise PuffinError(
        f"hash mismatch for {path.name} ({name}): expected {', '.join(expected)}, got {shown}; "
        "nothing was installed"
    )


@contextlib.asynccontextmanager
async def _prefetching(
    args: argparse.Namespace,
    ctx: Context,
    target: TargetEnvironment,
    installed: Sequence[InstalledDist],
) -> AsyncIterator[WheelPrefetch | None]:
    """The wheels of exact pins fetched and unpacked during the resolution
    (:mod:`puffin.install.prefetch`); None for a dry run, which fetches nothing."""
    if args.dry_run:
        yield None
        return
    from puffin.install.plan import keeps
    from puffin.install.prefetch import WheelPrefetch

    by_name = {dist.name: dist for dist in installed}
    reinstall = _reinstall(args)

    def satisfied(wanted: ResolvedDist) -> bool:
        # The plan's own rule, so that nothing the plan keeps is fetched.
        present = by_name.get(wanted.name)
        return present is not None and keeps(present, wanted, reinstall)

    prefetch = WheelPrefetch(ctx, target, satisfied=satisfied)
    try:
        yield prefetch
    finally:
        await prefetch.close()


def _reinstall(args: argparse.Namespace) -> Reinstall:
    """The command's ``--reinstall`` and ``--reinstall-package`` (``pip install`` and
    ``pip sync`` both have them)."""
    from puffin.install.plan import Reinstall

    return Reinstall.asked(everything=args.reinstall, names=args.reinstall_packages)


async def _fetch_and_unpack(
    ctx: Context,
    target: TargetEnvironment,
    dists: list[ResolvedDist],
    required: dict[str, tuple[str, ...]] | None,
    *,
    workers: UnpackWorkers | None = None,
) -> dict[str, Path]:
    """Fetch or build every wheel (hash-checked) and unpack each into the cache,
    concurrently; the first failure stops the rest, before anything is installed.

    :param workers: worker processes started already (by the prefetch, which stops
        them); else they are started here when the downloads are large enough.
    """
    from puffin.concurrency import gather_all_or_cancel
    from puffin.install.prepare import unpacked_wheel, wheel_to_download
    from puffin.install.unpack_workers import UnpackWorkers, worth_processes

    # Judged by what will be unpacked: a warm cache starts no processes.
    downloads = {dist.name: wheel_to_download(ctx, dist, target) for dist in dists}
    owned = (
        UnpackWorkers(ctx.cache)
        if workers is None
        and worth_processes(wheel for wheel in downloads.values() if wheel is not None)
        else None
    )
    workers = workers or owned

    # Largest downloads first: requests wait for a connection slot in the order they are
    # made, and unpacking cannot start before a wheel's last byte, so a large wheel that
    # started last would keep every other core waiting at the end.
    def download_size(dist: ResolvedDist) -> int:
        wheel = downloads[dist.name]
        return (wheel.size or 0) if wheel is not None else 0

    dists = sorted(dists, key=download_size, reverse=True)
    if workers is not None:
        ctx = ctx._replace(unpackers=workers)

    async def one(dist: ResolvedDist) -> tuple[str, Path]:
        if required is None:
            return dist.name, await unpacked_wheel(ctx, dist, target)
        expected = required[dist.name]

        def verify(path: Path) -> None:
            _check_user_hashes(path, dist.name, expected)

        return dist.name, await unpacked_wheel(ctx, dist, target, verify=verify)

    try:
        return dict(await gather_all_or_cancel(*(one(dist) for dist in dists)))
    finally:
        if owned is not None:
            owned.close()


def _report_plan(ctx: Context, plan: Plan, *, dry_run: bool) -> None:
    from puffin.types import PlanAction

    prefix = "Would " if dry_run else ""
    if dry_run:
        count = sum(1 for item in plan.items if item.action is not PlanAction.SATISFIED)
        ctx.reporter.summary(f"{prefix}change {count} packages (dry run: nothing changed)")
    lines: list[tuple[str, str, str]] = []
    for item in plan.items:
        if item.action is PlanAction.SATISFIED:
            continue
        if item.installed is not None and item.action in (PlanAction.REINSTALL, PlanAction.REMOVE):
            lines.append(
                (item.installed.name, "-", f"{item.installed.name}=={item.installed.version}")
            )
        if item.wanted is not None:
            text = f"{item.wanted.name}=={item.wanted.version}"
            if dry_run and item.action.value in _SOURCES:
                text += f" ({_SOURCES[item.action.value]})"
            lines.append((item.wanted.name, "+", text))
    for _, sign, text in sorted(lines):
        ctx.reporter.change(sign, text)


_SOURCES = {"link": "from the cache", "download": "to download", "build": "to build"}
"""How ``--dry-run`` says where a new distribution comes from."""


def _site_packages(interpreter: Interpreter) -> list[Path]:
    paths = [interpreter.paths["purelib"], interpreter.paths["platlib"]]
    return list(dict.fromkeys(paths))


def _absolute(path: Path, ctx: Context) -> Path:
    return path if path.is_absolute() else ctx.cwd / path


def _packages(count: int) -> str:
    return f"{count} package{'' if count == 1 else 's'}"


def _seconds(elapsed: float) -> str:
    return f"{elapsed * 1000:.0f}ms" if elapsed < 0.9995 else f"{elapsed:.2f}s"
