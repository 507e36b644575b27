"""What an install or sync will do, decided before anything on disk changes.

Every resolved distribution is compared with what the environment has: already
satisfied, to install (its wheel is fetched, unpacked into the cache once, then linked),
or to reinstall (another version, or ``--reinstall``); for ``pip sync`` every installed
distribution the resolution does not name is extraneous and removed. Plugins see the plan
through ``puffin_check_plan`` and may veto it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from puffin.types.plan import Plan, PlanAction, PlanItem

if TYPE_CHECKING:
    from collections.abc import Callable, Container, Iterable, Sequence

    from puffin.types import InstalledDist, Resolution, ResolvedDist


def make_plan(
    resolution: Resolution,
    installed: Sequence[InstalledDist],
    *,
    sync: bool = False,
    reinstall_all: bool = False,
    reinstall: Iterable[str] = (),
    source_of: Callable[[ResolvedDist], PlanAction] | None = None,
) -> Plan:
    """The plan that turns ``installed`` into ``resolution`` (and nothing else if ``sync``).

    ``source_of`` tells where a distribution to install comes from: ``LINK`` (unpacked in
    the cache already), ``DOWNLOAD`` or ``BUILD``; without it, every one is ``DOWNLOAD``.
    Replaced distributions are ``REINSTALL`` whatever their source.
    """
    by_name = {dist.name: dist for dist in installed}
    forced = {canonicalize_name(name) for name in reinstall}
    items: list[PlanItem] = []
    for wanted in resolution:
        present = by_name.get(wanted.name)
        if present is None:
            action = source_of(wanted) if source_of is not None else PlanAction.DOWNLOAD
            items.append(PlanItem(action, wanted, None))
        elif keeps(present, wanted, reinstall_all=reinstall_all, forced=forced):
            items.append(PlanItem(PlanAction.SATISFIED, wanted, present))
        else:
            items.append(PlanItem(PlanAction.REINSTALL, wanted, present))
    if sync:
        wanted_names = {dist.name for dist in resolution}
        items.extend(
            PlanItem(PlanAction.REMOVE, None, dist)
            for dist in installed
            if dist.name not in wanted_names
        )
    return Plan(tuple(items))


def keeps(
    present: InstalledDist, wanted: ResolvedDist, *, reinstall_all: bool, forced: Container[str]
) -> bool:
    """Whether the installed ``present`` stays as it is for ``wanted``: the same version
    from the same source, and neither ``--reinstall`` nor (for a name in ``forced``,
    normalized) ``--reinstall-package``."""
    return not (
        present.version != wanted.version
        or reinstall_all
        or wanted.name in forced
        or _source_changed(present, wanted.url)
    )


def _source_changed(present: InstalledDist, url: str | None) -> bool:
    """A ``name @ url`` requirement whose URL differs from what was installed, or a local
    project directory: its files may have changed under the same version, so it is
    always reinstalled, as pip does (the built-wheel cache makes an unchanged project
    cheap to reinstall)."""
    if url is None:
        return present.direct_url is not None and not present.editable
    from puffin.distribution.fetch import local_path

    local = local_path(url)
    if local is not None and local.is_dir():
        return True
    return present.direct_url != url
