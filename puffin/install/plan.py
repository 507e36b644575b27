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

from puffin._values import value_type
from puffin.types.plan import Plan, PlanAction, PlanItem

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from puffin.types import InstalledDist, Resolution, ResolvedDist


@value_type
class Reinstall:
    """What ``--reinstall`` and ``--reinstall-package`` replace even at the wanted version.

    Build it with :meth:`asked`, which normalizes the names.
    """

    everything: bool = False
    """``--reinstall``: every distribution the resolution names."""
    names: frozenset[str] = frozenset()
    """``--reinstall-package`` names, normalized."""

    @classmethod
    def asked(cls, *, everything: bool = False, names: Iterable[str] = ()) -> Reinstall:
        """The rule for ``--reinstall`` (``everything``) and ``--reinstall-package``
        (``names``, as the user spelled them)."""
        return cls(everything, frozenset(canonicalize_name(name) for name in names))

    def covers(self, name: str) -> bool:
        """Whether the distribution ``name`` (normalized) is to be reinstalled."""
        return self.everything or name in self.names


NO_REINSTALL = Reinstall()
"""Neither ``--reinstall`` nor ``--reinstall-package``."""


def make_plan(
    resolution: Resolution,
    installed: Sequence[InstalledDist],
    *,
    sync: bool = False,
    reinstall: Reinstall = NO_REINSTALL,
    source_of: Callable[[ResolvedDist], PlanAction] | None = None,
) -> Plan:
    """The plan that turns ``installed`` into ``resolution`` (and nothing else if ``sync``).

    ``source_of`` tells where a distribution to install comes from: ``LINK`` (unpacked in
    the cache already), ``DOWNLOAD`` or ``BUILD``; without it, every one is ``DOWNLOAD``.
    Replaced distributions are ``REINSTALL`` whatever their source.
    """
    by_name = {dist.name: dist for dist in installed}
    items: list[PlanItem] = []
    for wanted in resolution:
        present = by_name.get(wanted.name)
        if present is None:
            action = source_of(wanted) if source_of is not None else PlanAction.DOWNLOAD
            items.append(PlanItem(action, wanted, None))
        elif keeps(present, wanted, reinstall):
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


def keeps(present: InstalledDist, wanted: ResolvedDist, reinstall: Reinstall) -> bool:
    """Whether the installed ``present`` stays as it is for ``wanted``: the same version
    from the same source, and not one that ``reinstall`` covers."""
    return not (
        present.version != wanted.version
        or reinstall.covers(wanted.name)
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
