"""The core commands. Each module declares its arguments and runs lazily-imported code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin.cli.commands import cache, pip, plugins, venv

if TYPE_CHECKING:
    from puffin.plugin.registries import CommandRegistry


def register_core_commands(registry: CommandRegistry) -> None:
    """Add every built-in command to ``registry``."""
    for module in (pip, venv, cache, plugins):
        module.register(registry)
