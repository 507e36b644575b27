"""The context object: everything a command shares, passed explicitly, never global.

One :class:`Context` is made per command. Settings, hooks, reporter and cache travel in it
to every layer and to every hook that takes ``ctx``. Later layers (HTTP client, in-flight
map) join it for the duration of a command's event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from puffin.cache.dirs import Cache
    from puffin.config.load import ConfigLayers
    from puffin.config.settings import Settings
    from puffin.plugin.hooks import Hooks
    from puffin.plugin.protocols import Reporter


class Context(NamedTuple):
    """What one command runs with. Immutable; derive a changed one with ``ctx._replace(...)``.

    A NamedTuple rather than a dataclass: it is made on every run, and a frozen dataclass
    costs measurably more start-up time to define.
    """

    settings: Settings
    hooks: Hooks
    reporter: Reporter
    cache: Cache
    config: ConfigLayers
    """The config files read, so commands can resolve their own settings the same way."""
    environ: Mapping[str, str]
    """A snapshot of the process environment taken when the command started."""
    cwd: Path
