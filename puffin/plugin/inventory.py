"""What is registered: the data behind ``puffin plugins list``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin._values import value_type

if TYPE_CHECKING:
    from puffin.plugin.manager import PuffinPluginManager


@value_type
class PluginRow:
    """One registered plugin, described for people."""

    name: str
    distribution: str | None
    version: str | None
    origin: str
    location: str
    hooks: tuple[str, ...]

    @property
    def distribution_label(self) -> str:
        """``dist 1.0``, or ``-`` for an unpackaged module."""
        if not self.distribution:
            return "-"
        return f"{self.distribution} {self.version}" if self.version else self.distribution

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready mapping."""
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "origin": self.origin,
            "location": self.location,
            "hooks": list(self.hooks),
        }


def describe_plugins(manager: PuffinPluginManager) -> list[PluginRow]:
    """Every registered plugin in registration order, with the hooks it implements."""
    rows: list[PluginRow] = []
    for name, plugin in manager.list_name_plugin():
        if plugin is None:
            continue  # a name blocked with -p no:NAME
        info = manager.infos.get(name)
        hook_callers = manager.get_hookcallers(plugin) or []
        hooks = tuple(sorted(caller.name for caller in hook_callers))
        distribution = info.distribution if info else None
        version = info.version if info else None
        if info is not None and distribution is None:
            distribution, version = _distribution_of_module(info.module)
        rows.append(
            PluginRow(
                name=name,
                distribution=distribution,
                version=version,
                origin=info.origin if info else "registered at run time",
                location=(info.location or info.module) if info else repr(plugin),
                hooks=hooks,
            )
        )
    return rows


def _distribution_of_module(module: str) -> tuple[str | None, str | None]:
    """The installed distribution that ships top-level module ``module``, if any."""
    from importlib.metadata import packages_distributions, version

    top_level = module.split(".", maxsplit=1)[0]
    names = packages_distributions().get(top_level)
    if not names:
        return None, None
    return names[0], version(names[0])
