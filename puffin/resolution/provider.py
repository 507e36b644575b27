"""The dependency provider: versions, dependencies and preferences for the solver.

Everything the solver asks is answered from the command's shared
:class:`~puffin.index.strategy.IndexSet` and index sources, for one target environment.
Listings and metadata are memoized per resolution in futures, so concurrent questions
about the same project share one fetch, and every answer prefetches what the solver is
likely to ask next (the listings of a version's dependencies and the metadata of their
likely versions) so the network stays busy while the solver thinks.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin._values import value_type
from puffin.resolution.options import PrereleaseMode, ResolutionStrategy
from puffin.resolver.package import PYTHON, Package
from puffin.resolver.provider import Unavailable
from puffin.resolver.version_set import VersionSet

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from packaging.requirements import Requirement
    from packaging.utils import NormalizedName

    from puffin.context import Context
    from puffin.distribution.core_metadata import CoreMetadata
    from puffin.environment.target import TargetEnvironment
    from puffin.index.strategy import IndexSet
    from puffin.resolution.candidates import ProjectCandidates, VersionCandidate
    from puffin.resolution.direct import DirectDist
    from puffin.resolution.options import ResolverOptions
    from puffin.types import DistFile


class MetadataUnavailable(Exception):
    """Metadata could not be had; ``reason`` reads after ``name==version``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@value_type
class ExactPin:
    """A project that every solution takes at an ``==`` pin of the user's.

    Only the versions in ``allowed`` can be chosen, so the provider looks at no other: a
    registry's page is then scanned for their files instead of read whole
    (:meth:`~puffin.index.unread_page.UnreadPage.files_of`).
    """

    version: Version
    """The pin's version: every allowed version has its release."""
    allowed: VersionSet
    """What the user's requirements and constraints on the project allow together."""


class PuffinProvider:
    """Answers the solver for one resolution."""

    def __init__(
        self,
        ctx: Context,
        index_set: IndexSet,
        target: TargetEnvironment,
        options: ResolverOptions,
        *,
        direct: Iterable[NormalizedName],
        explicit_prereleases: Iterable[NormalizedName],
        pinned: Mapping[NormalizedName, Version],
        overrides: Mapping[NormalizedName, Sequence[Requirement]],
        exact: Mapping[NormalizedName, ExactPin] | None = None,
        on_pinned: Callable[[NormalizedName, VersionCandidate], DistFile | None] | None = None,
    ) -> None:
        """:param exact: the projects every solution takes at an exact pin; only their
            allowed versions become candidates.
        :param on_pinned: called once the version of an exact pin (``==`` in a
            requirement or constraint) is chosen, with its candidate: the version any
            solution that includes the project has (an install fetches it meanwhile).
            It returns the wheel it fetches whole right away, if any: the version's
            metadata is then read from that file
            (:func:`~puffin.resolution.metadata.load_metadata`'s ``whole``)."""

        self._ctx = ctx
        self._index_set = index_set
        self._target = target
        self._options = options
        self._priority = target.priority
        self._markers = dict(target.markers)
        self._python = Version(target.python_full_version)
        self._direct = frozenset(direct)
        self._explicit = frozenset(explicit_prereleases)
        self._pinned = dict(pinned)
        self._overrides = dict(overrides)
        self._exact = dict(exact or {})
        self._candidates: dict[NormalizedName, asyncio.Task[ProjectCandidates]] = {}
        self._metadata: dict[tuple[NormalizedName, Version], asyncio.Future[CoreMetadata]] = {}
        self._requirements: dict[tuple[NormalizedName, Version], tuple[Requirement, ...]] = {}
        self._discovered: dict[Package, int] = {}
        """The order in which packages were first required: earlier is decided first."""
        self._prefetching: set[NormalizedName] = set()
        self._background: list[asyncio.Future[None]] = []
        self._direct_dists: dict[NormalizedName, DirectDist] = {}
        """URL, path, git and editable requirements: each project's only candidate."""
        self._conflicts: dict[Package, int] = {}
        self._early: set[Package] = set()
        self._late: set[Package] = set()
        self._reordered: set[tuple[Package, Package]] = set()
        self._on_pinned = on_pinned
        self._announced: set[NormalizedName] = set()

    # -- what the solver asks -------------------------------------------------------------

    def prioritize(self, package: Package, allowed: VersionSet) -> Any:
        """Python first, then exact pins, then packages that kept running into conflicts,
        then the rest in the order they were first required (breadth first from the
        user's requirements, as uv decides them), then the packages that caused those
        conflicts."""
        if package == PYTHON:
            return (0, 0)
        if _is_singleton(allowed):
            tier = 1
        elif package in self._early:
            tier = 2
        elif package in self._late:
            tier = 4
        else:
            tier = 3
        return (tier, self._discovered.get(package, len(self._discovered)))

    def conflict(self, affected: Package, culprit: Package) -> bool:
        """A version of ``affected`` could not be used because of ``culprit``'s decision.

        After five such conflicts (uv's threshold), ``affected`` is decided before
        ``culprit`` from then on, and the solver is asked to re-decide the culprit: the
        newest ``affected`` that fits the culprit's other constraints usually beats
        walking down ``affected``'s versions one by one. Each pair is reordered once.
        """
        count = self._conflicts.get(affected, 0) + 1
        self._conflicts[affected] = count
        if count < 5 or (affected, culprit) in self._reordered:
            return False
        self._reordered.add((affected, culprit))
        self._conflicts[affected] = 0
        self._early.add(affected)
        self._late.add(culprit)
        self._early.discard(culprit)
        self._late.discard(affected)
        return True

    async def choose_version(self, package: Package, allowed: VersionSet) -> Version | None:
        """The preferred acceptable version in ``allowed``, or None."""
        if package == PYTHON:
            return self._python if allowed.contains(self._python) else None
        name = _name(package)
        candidates = await self.candidates(name)
        pinned = self._pinned.get(name)

        def usable(version: Version) -> VersionCandidate | None:
            candidate = candidates.get(version)
            if candidate is None or (candidate.yanked is not None and pinned != version):
                return None
            return candidate

        prereleases = self._prereleases_allowed(name, necessary=False)
        chosen: VersionCandidate | None = None
        preferred = self._options.preferences.get(name)
        if (
            preferred is not None
            and allowed.contains(preferred)
            and (prereleases or not preferred.is_prerelease)
        ):
            chosen = usable(preferred)
        first_prerelease: VersionCandidate | None = None
        order = candidates.versions[::-1] if self._lowest(name) else candidates.versions
        for version in order if chosen is None else ():
            if not allowed.contains(version):
                continue
            if version.is_prerelease and not prereleases:
                if first_prerelease is None:
                    first_prerelease = usable(version)
                continue
            chosen = usable(version)
            if chosen is not None:
                break
        if (
            chosen is None
            and first_prerelease is not None
            and self._prereleases_allowed(name, necessary=True)
        ):
            chosen = first_prerelease
        if chosen is None:
            return None
        whole = None
        if (
            self._on_pinned is not None
            and pinned == chosen.version
            and name not in self._direct_dists
            and name not in self._announced
        ):
            self._announced.add(name)
            whole = self._on_pinned(name, chosen)
        self._prefetch_metadata(name, chosen, whole=whole)
        return chosen.version

    async def get_dependencies(
        self, package: Package, version: Version
    ) -> Mapping[Package, VersionSet] | Unavailable:
        """The dependencies of ``package==version`` for the target."""
        if package == PYTHON:
            return {}
        if package.extra is not None:
            base = Package(_name(package), None)
            dependencies: dict[Package, VersionSet] = {base: VersionSet.singleton(version)}
        else:
            dependencies = {}
        try:
            metadata = await self._metadata_of(_name(package), version)
        except MetadataUnavailable as error:
            return Unavailable(error.reason)
        if metadata.requires_python is not None and package.extra is None:
            dependencies[PYTHON] = VersionSet.from_specifier(metadata.requires_python)
        if self._options.no_deps:
            return dependencies
        requirements = self._applicable(metadata.requires_dist, package.extra)
        self._requirements[(_name(package), version)] = requirements
        for requirement in requirements:
            if requirement.url:
                direct = self._direct_dists.get(canonicalize_name(requirement.name))
                if direct is None:
                    return Unavailable(
                        f"depends on {requirement} (a direct URL), which only your own "
                        f"requirements may use"
                    )
                if not direct.serves(requirement.url):
                    from puffin.client.redact import redact_url

                    return Unavailable(
                        f"depends on {requirement}, but your requirements take "
                        f"{direct.name} from {redact_url(direct.requested or direct.url)}"
                    )
            self._add(dependencies, requirement)
        self._prefetch(dependencies)
        return dependencies

    def unavailable_versions(
        self, package: Package, allowed: VersionSet
    ) -> Sequence[tuple[VersionSet, str]]:
        """Why versions in ``allowed`` were refused, for the explanation of a conflict."""
        task = self._candidates.get(_name(package))
        if task is None or not task.done() or task.cancelled() or task.exception():
            return ()
        candidates = task.result()
        reasons = [
            (VersionSet.singleton(version), reason)
            for version, reason in candidates.rejected(allowed.contains)
        ]
        for version in candidates.versions:
            if not allowed.contains(version):
                continue
            candidate = candidates.get(version)
            if candidate is not None and candidate.yanked is not None:
                why = f": {candidate.yanked}" if candidate.yanked else ""
                reasons.append((VersionSet.singleton(version), f"was yanked{why}"))
        return reasons

    # -- requirements as solver terms ---------------------------------------------------

    def root_dependencies(self, requirements: Iterable[Requirement]) -> dict[Package, VersionSet]:
        """The root's dependencies from the user's (already marker-free) requirements."""
        dependencies: dict[Package, VersionSet] = {}
        for requirement in requirements:
            if requirement.marker is not None and not requirement.marker.evaluate(
                {**self._markers, "extra": ""}
            ):
                continue
            self._add(dependencies, requirement, root=True)
        self._prefetch(dependencies)
        return dependencies

    def _add(
        self, dependencies: dict[Package, VersionSet], requirement: Requirement, root: bool = False
    ) -> None:
        name = canonicalize_name(requirement.name)
        replaced = self._overrides.get(name)
        if replaced is None:
            specs = [requirement]
        else:
            # An override replaces the declared requirement; one whose marker is false for
            # the target replaces it with nothing (uv's semantics for --override).
            environment = {**self._markers, "extra": ""}
            specs = [
                spec
                for spec in replaced
                if spec.marker is None or spec.marker.evaluate(environment)
            ]
            if not specs:
                return
        allowed = VersionSet.full()
        extras: set[str] = set()
        for spec in specs:
            allowed = allowed.intersection(VersionSet.from_specifier(spec.specifier))
            extras.update(canonicalize_name(extra) for extra in spec.extras)
        for package in (Package(name, None), *(Package(name, extra) for extra in sorted(extras))):
            self._discovered.setdefault(package, len(self._discovered))
            previous = dependencies.get(package)
            dependencies[package] = allowed if previous is None else previous.intersection(allowed)

    def _applicable(
        self, requirements: Sequence[Requirement], extra: str | None
    ) -> tuple[Requirement, ...]:
        """Requirements whose markers hold for the target (and for ``extra``)."""
        environment = {**self._markers, "extra": extra or ""}
        chosen = []
        for requirement in requirements:
            if requirement.marker is None:
                if extra is None:
                    chosen.append(requirement)
                continue
            if not requirement.marker.evaluate(environment):
                continue
            # Under an extra, keep only what the extra adds; the base package has the rest.
            if extra is not None and requirement.marker.evaluate({**self._markers, "extra": ""}):
                continue
            chosen.append(requirement)
        return tuple(chosen)

    def requirements_of(self, name: NormalizedName, version: Version) -> tuple[Requirement, ...]:
        """The requirements of a resolved package (after markers), for ``# via`` lines."""
        return self._requirements.get((name, version), ())

    # -- choosing -------------------------------------------------------------------------

    def _prereleases_allowed(self, name: NormalizedName, *, necessary: bool) -> bool:
        mode = self._options.prerelease
        if mode is PrereleaseMode.ALLOW:
            return True
        explicit = name in self._explicit
        if mode is PrereleaseMode.EXPLICIT:
            return explicit
        if mode is PrereleaseMode.IF_NECESSARY:
            return necessary
        if mode is PrereleaseMode.IF_NECESSARY_OR_EXPLICIT:
            return necessary or explicit
        return False

    def _lowest(self, name: NormalizedName) -> bool:
        """Whether the strategy prefers the lowest version of ``name``."""
        strategy = self._options.strategy
        return strategy is ResolutionStrategy.LOWEST or (
            strategy is ResolutionStrategy.LOWEST_DIRECT and name in self._direct
        )

    # -- fetching, memoized and prefetched ------------------------------------------------

    async def candidates(self, name: NormalizedName) -> ProjectCandidates:
        """The usable versions of ``name`` (listing fetched once per resolution)."""
        return await self._candidates_task(name)

    def _candidates_task(self, name: NormalizedName) -> asyncio.Task[ProjectCandidates]:
        task = self._candidates.get(name)
        if task is None:
            task = asyncio.ensure_future(self._load_candidates(name))
            self._candidates[name] = task
        return task

    def _prefetch(self, dependencies: Mapping[Package, VersionSet]) -> None:
        """Start fetching what the solver will ask about these dependencies next: each
        project's listing, then the metadata of the version it will most likely choose.
        The solver decides one package at a time; without this, every decision would
        wait for its own round trip."""
        for dependency, allowed in dependencies.items():
            if dependency == PYTHON or dependency.extra is not None:
                continue
            name = _name(dependency)
            self._candidates_task(name)
            if name not in self._prefetching:
                self._prefetching.add(name)
                self._background.append(
                    asyncio.ensure_future(self._prefetch_likely(dependency, allowed))
                )

    async def _prefetch_likely(self, package: Package, allowed: VersionSet) -> None:
        try:
            await self.choose_version(package, allowed)  # prefetches the chosen metadata
        except Exception:
            return

    def add_direct(self, dist: DirectDist) -> None:
        """Serve ``dist.name`` from ``dist`` alone (a URL, path, git or editable
        requirement), with its metadata already read."""
        self._direct_dists[dist.name] = dist
        future: asyncio.Future[CoreMetadata] = asyncio.get_running_loop().create_future()
        future.set_result(dist.metadata)
        self._metadata[(dist.name, dist.version)] = future

    def direct(self, name: NormalizedName) -> DirectDist | None:
        """The direct source of ``name``, if its requirement names one."""
        return self._direct_dists.get(name)

    async def _load_candidates(self, name: NormalizedName) -> ProjectCandidates:
        from puffin.errors import PuffinError
        from puffin.resolution.candidates import (
            OfferedCandidates,
            ProjectCandidates,
            VersionCandidate,
            build_candidates,
        )
        from puffin.types import Found, NotFound

        direct = self._direct_dists.get(name)
        if direct is not None:
            files: tuple[DistFile, ...] = (direct.file,) if direct.file is not None else ()
            only = VersionCandidate(direct.version, files, files, direct.file)
            return ProjectCandidates.single(name, only)

        answer = await self._index_set.project_files(name)
        if isinstance(answer, NotFound):
            return ProjectCandidates.empty(name)
        if not isinstance(answer, Found):
            reason = getattr(answer, "reason", None) or "not in the cache (offline)"
            raise PuffinError(f"cannot list {name}: {answer.what}: {reason}")
        # Grouped once: plugins see the versions, and the candidates are judged per version.
        by_version = await self._versions(name, answer.value)
        rejections = []
        if self._ctx.hooks.manager.hook.puffin_filter_candidates.get_hookimpls():
            offered = OfferedCandidates(name, by_version)
            rejections = self._ctx.hooks.filter_candidates(name, offered, self._ctx)
        return build_candidates(
            name,
            by_version,
            priority=self._priority,
            exclude_newer=self._options.exclude_newer,
            running_python=self._options.running_python,
            rejections=rejections,
            builds_allowed=self._options.binary.builds_allowed(name),
            target_python=self._target.python_full_version,
        )

    async def _versions(
        self, name: NormalizedName, files: Sequence[DistFile]
    ) -> Mapping[Version, tuple[DistFile, ...]]:
        """``files`` by version, newest first: for an exact pin only the versions it
        allows, or all of them when it allows none that is offered (the explanation then
        names what is)."""
        from puffin.index.listing import versions_of
        from puffin.index.unread_page import UnreadPage

        pin = self._exact.get(name)
        if pin is not None:
            allowed = await _allowed_versions(files, name, pin)
            if allowed:
                return allowed
        if isinstance(files, UnreadPage):
            files = await files.listing()
        return versions_of(files, project=name)

    def _prefetch_metadata(
        self, name: NormalizedName, candidate: VersionCandidate, *, whole: DistFile | None = None
    ) -> None:
        key = (name, candidate.version)
        if key not in self._metadata:
            self._metadata[key] = asyncio.ensure_future(self._load_metadata(name, candidate, whole))

    async def _metadata_of(self, name: NormalizedName, version: Version) -> CoreMetadata:
        key = (name, version)
        task = self._metadata.get(key)
        if task is None:
            candidates = await self.candidates(name)
            candidate = candidates.get(version)
            if candidate is None:
                raise MetadataUnavailable("is not offered by any source")
            self._prefetch_metadata(name, candidate)
            task = self._metadata[key]
        return await task

    async def _load_metadata(
        self, name: NormalizedName, candidate: VersionCandidate, whole: DistFile | None
    ) -> CoreMetadata:
        from puffin.resolution.metadata import load_metadata

        return await load_metadata(self._ctx, self._index_set, name, candidate, whole=whole)

    def candidate_for(self, name: NormalizedName, version: Version) -> VersionCandidate | None:
        """The resolved candidate (its files), once the resolution is done."""
        task = self._candidates.get(name)
        if task is None or not task.done():
            return None
        return task.result().get(version)

    def metadata_for(self, name: NormalizedName, version: Version) -> CoreMetadata | None:
        """The metadata read for ``name==version``, once the resolution is done."""
        future = self._metadata.get((name, version))
        if future is None or not future.done() or future.cancelled() or future.exception():
            return None
        return future.result()

    def close(self) -> None:
        """Cancel prefetches still running when the solver is done."""
        tasks: list[asyncio.Future[Any]] = [
            *self._candidates.values(),
            *self._metadata.values(),
            *self._background,
        ]
        for task in tasks:
            if not task.done():
                task.cancel()


async def _allowed_versions(
    files: Sequence[DistFile], name: NormalizedName, pin: ExactPin
) -> Mapping[Version, tuple[DistFile, ...]]:
    """The files of the versions ``pin`` allows; a registry's page is scanned for them
    rather than read whole, when its text allows."""
    from puffin.index.listing import versions_of
    from puffin.index.unread_page import UnreadPage

    if isinstance(files, UnreadPage):
        found = files.files_of(pin.version, pin.allowed.contains)
        if found is not None:
            return found.by_version
        files = await files.listing()
    every = versions_of(files, project=name)
    return {version: every[version] for version in every if pin.allowed.contains(version)}


def _name(package: Package) -> NormalizedName:
    """A solver package's project name; the solver keeps names normalized."""
    return cast("NormalizedName", package.name)


def _is_singleton(allowed: VersionSet) -> bool:
    return allowed.singleton_version() is not None
