"""What an install or sync will do to an environment, decided before anything changes."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from puffin._values import value_type

if TYPE_CHECKING:
    from puffin.types.dist import InstalledDist
    from puffin.types.resolution import ResolvedDist


class PlanAction(enum.Enum):
    """The fate of one distribution in a plan."""

    SATISFIED = "satisfied"
    """Already installed at the right version; nothing to do."""
    LINK = "link"
    """Unpacked in the cache; only linked into the environment."""
    DOWNLOAD = "download"
    """A wheel to fetch, unpack into the cache, then link."""
    BUILD = "build"
    """A source to build into a wheel first."""
    REINSTALL = "reinstall"
    """Installed, but replaced (version change, ``--reinstall``, changed source)."""
    REMOVE = "remove"
    """Installed but not wanted (``pip sync`` extraneous, or ``pip uninstall``)."""


@value_type
class PlanItem:
    """One line of a plan: the action, the wanted distribution and the installed one."""

    action: PlanAction
    wanted: ResolvedDist | None
    installed: InstalledDist | None

    @property
    def name(self) -> str:
        """The project name the item is about."""
        if self.wanted is not None:
            return self.wanted.name
        assert self.installed is not None
        return self.installed.name


@value_type
class Plan:
    """The full plan for one environment."""

    items: tuple[PlanItem, ...]

    def by_action(self, action: PlanAction) -> tuple[PlanItem, ...]:
        """The items with ``action``, in plan order."""
        return tuple(item for item in self.items if item.action is action)

    @property
    def changes_anything(self) -> bool:
        """False when every item is already satisfied."""
        return any(item.action is not PlanAction.SATISFIED for item in self.items)
