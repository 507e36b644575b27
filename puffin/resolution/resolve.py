"""One resolution: a manifest and a target in, a :class:`~puffin.types.Resolution` out."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from packaging.utils import canonicalize_name

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from packaging.requirements import Requirement
    from packaging.utils import NormalizedName
    from packaging.version import Version

    from puffin.context import Context
    from puffin.environment.target import TargetEnvironment
    from puffin.index.strategy import IndexSet
    from puffin.requirements.manifest import Manifest, RequirementEntry
    from puffin.resolution.candidates import VersionCandidate
    from puffin.resolution.direct import DirectDist
    from puffin.resolution.options import ResolverOptions
    from puffin.resolution.provider import ExactPin
    from puffin.resolver.package import Package
    from puffin.resolver.version_set import VersionSet
    from puffin.types import DistFile, Resolution


class ResolutionImpossible(PuffinError):
    """The requirements cannot be satisfied; the message is the solver's explanation."""


class ResolutionRejected(PuffinError):
    """A ``puffin_check_resolution`` plugin found problems with the result."""


async def resolve(
    ctx: Context,
    index_set: IndexSet,
    manifest: Manifest,
    target: TargetEnvironment,
    options: ResolverOptions,
    *,
    top_level: bool = True,
    on_pinned: Callable[[NormalizedName, VersionCandidate], DistFile | None] | None = None,
) -> Resolution:
    """Resolve ``manifest`` for ``target`` with the sources of ``index_set``.

    ``top_level`` is False for the resolution of a build environment's requirements:
    plugins then neither adjust the manifest nor check the result (the hooks' contract).
    ``on_pinned`` learns each exact pin's chosen candidate as soon as it is chosen, and
    names the wheel it fetches whole for it, if any, for the metadata to be read from
    (:class:`~puffin.resolution.provider.PuffinProvider`).
    """
    from puffin.resolution.provider import PuffinProvider
    from puffin.resolver.package import Package
    from puffin.resolver.solver import NoSolution, solve

    if top_level:
        manifest = _with_plugin_adjustments(ctx, manifest)
    environment = {**target.markers, "extra": ""}
    direct_dists = await _load_direct(ctx, manifest.requirements, environment)
    direct = _named(manifest.requirements, direct_dists)
    constraints = _named(manifest.constraints, {})
    overrides = _named(manifest.overrides, {})
    # Constraints are facts of their own for the solver (so an explanation can name
    # them), not part of the provider's dependencies.
    constraint_facts = {
        Package(name): allowed
        for name, allowed in _constraint_sets(constraints, environment).items()
    }
    provider = PuffinProvider(
        ctx,
        index_set,
        target,
        options,
        direct={canonicalize_name(r.name) for r, _ in direct},
        explicit_prereleases=_explicit_prereleases(direct, constraints),
        pinned=_exact_pins(r for r, _ in (*direct, *constraints)),
        overrides=_override_map(overrides),
        exact=_exact_projects(direct, constraints, overrides, environment),
        on_pinned=on_pinned,
    )
    for dist in direct_dists.values():
        provider.add_direct(dist)
    root = provider.root_dependencies(r for r, _ in direct)
    try:
        solution = await solve(provider, root, constraints=constraint_facts)
    except NoSolution as error:
        raise ResolutionImpossible(_explain(error, direct, constraints, target, options)) from None
    finally:
        provider.close()
    resolution = _to_resolution(provider, solution, direct, constraints)
    if not top_level:
        return resolution
    problems = ctx.hooks.check_resolution(resolution, ctx)
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise ResolutionRejected(f"the resolution was rejected by plugins:\n{listed}")
    return resolution


def _with_plugin_adjustments(ctx: Context, manifest: Manifest) -> Manifest:
    """Add the constraints and overrides plugins inject (``puffin_adjust_manifest``)."""
    import dataclasses

    from puffin.requirements.manifest import Origin
    from puffin.requirements.sources import parse_requirement_string

    adjustments = ctx.hooks.adjust_manifest(manifest, ctx)
    if not adjustments:
        return manifest
    constraints = list(manifest.constraints)
    overrides = list(manifest.overrides)
    for adjustment in adjustments:
        # Named in explanations, so the user learns where an injected pin came from.
        origin = Origin(None, None, label=f"a plugin: {adjustment.reason or 'no reason given'}")
        for text in adjustment.constraints:
            constraints.append(parse_requirement_string(text, origin=origin, base_dir=ctx.cwd))
        for text in adjustment.overrides:
            overrides.append(parse_requirement_string(text, origin=origin, base_dir=ctx.cwd))
    return dataclasses.replace(manifest, constraints=tuple(constraints), overrides=tuple(overrides))


async def _load_direct(
    ctx: Context, entries: Sequence[RequirementEntry], environment: dict[str, str]
) -> dict[int, DirectDist]:
    """Read every URL, path, git and editable requirement (concurrently), by entry id.

    Entries whose marker is false for the target are not read (nor built).
    """
    from puffin.concurrency import gather_all_or_cancel
    from puffin.resolution.direct import load_direct

    wanted = [
        entry
        for entry in entries
        if entry.url_or_path is not None
        and (entry.marker is None or entry.marker.evaluate(environment))
    ]
    if not wanted:
        return {}
    loaded = await gather_all_or_cancel(*(load_direct(ctx, entry) for entry in wanted))
    return {id(entry): dist for entry, dist in zip(wanted, loaded, strict=True)}


def _named(
    entries: Iterable[RequirementEntry], direct: Mapping[int, DirectDist]
) -> list[tuple[Requirement, RequirementEntry]]:
    """Requirements with their entries; a direct entry becomes a requirement on the
    project it turned out to be (its only candidate is its own source)."""
    from packaging.requirements import Requirement

    named = []
    for entry in entries:
        dist = direct.get(id(entry))
        if dist is not None:
            requirement = Requirement(str(dist.name))
            requirement.extras = set(entry.extras)
            requirement.marker = entry.marker
            named.append((requirement, entry))
            continue
        if entry.url_or_path is not None and entry.requirement is None:
            if entry.marker is not None:
                continue  # an unnamed requirement whose marker is false: not read
            raise PuffinError(
                f"{entry.origin}: {entry.text!r}: a constraint or override must name a "
                "project (name @ url)"
            )
        if entry.requirement is not None:
            named.append((entry.requirement, entry))
    return named


def _exact_pins(requirements: Iterable[Requirement]) -> dict[NormalizedName, Version]:
    """``==`` pins (no wildcard): the only requirements that may choose a yanked version."""
    pins: dict[NormalizedName, Version] = {}
    for requirement in requirements:
        pinned = _pinned_version(requirement, ("==", "==="))
        if pinned is not None:
            pins[canonicalize_name(requirement.name)] = pinned
    return pins


def _pinned_version(requirement: Requirement, operators: tuple[str, ...]) -> Version | None:
    """The version ``requirement`` pins with one of ``operators`` (no wildcard); the last
    such specifier's, and None when none names a valid version."""
    from packaging.version import InvalidVersion, Version

    pinned = None
    for spec in requirement.specifier:
        if spec.operator in operators and not spec.version.endswith(".*"):
            try:
                pinned = Version(spec.version)
            except InvalidVersion:
                continue
    return pinned


def _exact_projects(
    direct: Sequence[tuple[Requirement, RequirementEntry]],
    constraints: Sequence[tuple[Requirement, RequirementEntry]],
    overrides: Sequence[tuple[Requirement, RequirementEntry]],
    environment: dict[str, str],
) -> dict[NormalizedName, ExactPin]:
    """Projects every solution takes at an ``==`` pin (no wildcard) of a requirement or
    constraint whose marker holds, with what all of those allow together.

    A project an override names is left out: the override replaces the requirements.
    """

    from puffin.resolution.provider import ExactPin
    from puffin.resolver.version_set import VersionSet

    overridden = {canonicalize_name(requirement.name) for requirement, _ in overrides}
    pins: dict[NormalizedName, Version] = {}
    allowed: dict[NormalizedName, VersionSet] = {}
    for requirement, _ in (*direct, *constraints):
        name = canonicalize_name(requirement.name)
        if name in overridden or (
            requirement.marker is not None and not requirement.marker.evaluate(environment)
        ):
            continue
        these = VersionSet.from_specifier(requirement.specifier)
        allowed[name] = allowed[name].intersection(these) if name in allowed else these
        pinned = _pinned_version(requirement, ("==",))
        if pinned is not None:
            pins.setdefault(name, pinned)
    return {name: ExactPin(version, allowed[name]) for name, version in pins.items()}


def _explicit_prereleases(
    *groups: Sequence[tuple[Requirement, RequirementEntry]],
) -> set[NormalizedName]:
    """Projects whose direct requirement or constraint names a pre-release version."""
    from packaging.version import InvalidVersion, Version

    names: set[NormalizedName] = set()
    for group in groups:
        for requirement, _ in group:
            for spec in requirement.specifier:
                try:
                    if Version(spec.version.removesuffix(".*")).is_prerelease:
                        names.add(canonicalize_name(requirement.name))
                except InvalidVersion:
                    continue
    return names


def _constraint_sets(
    constraints: Sequence[tuple[Requirement, RequirementEntry]], environment: dict[str, str]
) -> dict[NormalizedName, VersionSet]:
    from puffin.resolver.version_set import VersionSet

    sets: dict[NormalizedName, VersionSet] = {}
    for requirement, _ in constraints:
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        allowed = VersionSet.from_specifier(requirement.specifier)
        sets[name] = sets[name].intersection(allowed) if name in sets else allowed
    return sets


def _override_map(
    overrides: Sequence[tuple[Requirement, RequirementEntry]],
) -> dict[NormalizedName, list[Requirement]]:
    """Overrides by project; markers are evaluated where they are applied (a false one
    removes the requirement it replaces)."""
    mapping: dict[NormalizedName, list[Requirement]] = {}
    for requirement, _ in overrides:
        mapping.setdefault(canonicalize_name(requirement.name), []).append(requirement)
    return mapping


def _origin_label(entry: RequirementEntry) -> str:
    """How ``# via`` names an input: ``-r requirements.in`` or ``-c constraints.txt``."""
    if entry.origin.path is None:
        return "command line"
    return str(entry.origin.path.name)


def _to_resolution(
    provider: object,
    solution: Mapping[Package, Version],
    direct: Sequence[tuple[Requirement, RequirementEntry]],
    constraints: Sequence[tuple[Requirement, RequirementEntry]],
) -> Resolution:
    from puffin.resolution.provider import PuffinProvider
    from puffin.resolver.package import PYTHON
    from puffin.types import Resolution, ResolvedDist

    assert isinstance(provider, PuffinProvider)
    versions: dict[NormalizedName, Version] = {}
    extras: dict[NormalizedName, set[str]] = {}
    for package, version in solution.items():
        if package == PYTHON:
            continue
        name = cast("NormalizedName", package.name)
        versions[name] = version
        if package.extra is not None:
            extras.setdefault(name, set()).add(package.extra)
    required_by: dict[NormalizedName, set[str]] = {name: set() for name in versions}
    for requirement, entry in direct:
        name = canonicalize_name(requirement.name)
        if name in required_by:
            required_by[name].add(f"-r {_origin_label(entry)}")
    for package, version in solution.items():
        if package == PYTHON:
            continue
        for requirement in provider.requirements_of(cast("NormalizedName", package.name), version):
            name = canonicalize_name(requirement.name)
            if name in required_by and name != package.name:
                required_by[name].add(package.name)
    for requirement, entry in constraints:
        name = canonicalize_name(requirement.name)
        if name in required_by:
            required_by[name].add(f"-c {_origin_label(entry)}")
    dists = []
    for name in sorted(versions):
        candidate = provider.candidate_for(name, versions[name])
        direct_dist = provider.direct(name)
        dists.append(
            ResolvedDist(
                name=name,
                version=versions[name],
                url=direct_dist.url if direct_dist is not None else None,
                files=candidate.all_files if candidate is not None else (),
                extras=tuple(sorted(extras.get(name, ()))),
                required_by=tuple(sorted(required_by[name], key=_via_order)),
                editable=direct_dist.editable if direct_dist is not None else False,
                metadata=provider.metadata_for(name, versions[name]),
            )
        )
    return Resolution(tuple(dists))


def _via_order(label: str) -> tuple[int, str]:
    # pip-tools lists requirement files before the packages that pull a package in.
    return (0 if label.startswith(("-r ", "-c ")) else 1, label)


def _explain(
    error: object,
    direct: Sequence[tuple[Requirement, RequirementEntry]],
    constraints: Sequence[tuple[Requirement, RequirementEntry]],
    target: TargetEnvironment,
    options: ResolverOptions,
) -> str:
    """The solver's derivation, in words, with where each of the user's requirements came from."""
    from puffin.resolution.vocabulary import explain_no_solution

    return explain_no_solution(error, direct, constraints, target, options)
