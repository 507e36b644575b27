"""The resolved settings of one puffin command, as an immutable value."""

from __future__ import annotations

import enum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


class ColorChoice(enum.Enum):
    """When to colour terminal output."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


_EMPTY: Mapping[str, Any] = MappingProxyType({})


class Settings(NamedTuple):
    """Every global setting, after precedence has been applied (immutable).

    ``sources`` records where each non-default value came from (``"--cache-dir"``,
    ``"PUFFIN_CACHE_DIR"``, ``"pyproject.toml [tool.puffin]"``...), for messages and for
    ``puffin plugins list``. ``plugin_options`` holds the values of options that plugins
    registered through ``puffin_add_options``, keyed by the option's name.
    """

    verbosity: int = 0
    """0 is the default (one summary line per phase); -1 quiet; 1 and 2 for -v and -vv."""
    color: ColorChoice = ColorChoice.AUTO
    cache_dir: Path | None = None
    """None means the platform's user cache directory (platformdirs)."""
    no_cache: bool = False
    plugins: tuple[str, ...] = ()
    """Modules to load as plugins (``-p MODULE``, ``[tool.puffin] plugins``)."""
    blocked_plugins: tuple[str, ...] = ()
    """Plugin names blocked with ``-p no:NAME``."""
    autoload_plugins: bool = True
    """False when ``PUFFIN_DISABLE_PLUGIN_AUTOLOAD`` is set: entry points are not loaded."""
    trace_hooks: bool = False
    project_root: Path | None = None
    """The directory of the pyproject.toml whose ``[tool.puffin]`` was read, if any."""
    plugin_options: Mapping[str, Any] = _EMPTY
    sources: Mapping[str, str] = _EMPTY
    warnings: tuple[str, ...] = ()
    """Problems found while reading settings that do not stop the command."""

    def plugin_option(self, name: str, default: Any = None) -> Any:
        """The value of a plugin-registered option, or ``default`` when unset."""
        return self.plugin_options.get(name, default)
