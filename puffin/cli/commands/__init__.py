"""The core commands, declared in one table and imported only when used.

The table holds what the top-level help needs (words and one-line help); a command's
module, with its arguments and its code, is imported only when that command is parsed or
run, so ``puffin venv`` does not pay for loading ``pip``'s argument declarations.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from puffin.context import Context
    from puffin.plugin.registries import CommandRegistry, CommandRunner

CORE_COMMANDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("pip", "compile"), "resolve requirements into a pinned requirements.txt", "pip"),
    (("pip", "sync"), "make an environment match a requirements file exactly", "pip_install"),
    (("pip", "install"), "install packages into an environment", "pip_install"),
    (("pip", "uninstall"), "remove packages from an environment", "pip"),
    (("pip", "freeze"), "list installed packages in requirements format", "pip"),
    (("pip", "list"), "list installed packages", "pip"),
    (("pip", "show"), "show information about installed packages", "pip"),
    (("pip", "check"), "verify installed packages have compatible dependencies", "pip"),
    (
        ("pip", "index", "versions"),
        "list the versions of a package that the configured sources offer",
        "pip_index",
    ),
    (("venv",), "create a virtual environment", "venv"),
    (("cache", "dir"), "print the cache directory", "cache"),
    (("cache", "clean"), "remove everything in the cache", "cache"),
    (("plugins", "list"), "list plugins with their distribution, origin and hooks", "plugins"),
)
"""(words, help, module in puffin.cli.commands) for every core command."""


def _entry(module: str, leaf: str) -> tuple[Any, Any]:
    loaded = importlib.import_module(f"puffin.cli.commands.{module}")
    entry: tuple[Any, Any] = loaded.COMMANDS[leaf]
    return entry


def _deferred_configure(module: str, leaf: str) -> Callable[[argparse.ArgumentParser], None]:
    """The command's configure function, imported when first called."""

    def configure(parser: argparse.ArgumentParser) -> None:
        _entry(module, leaf)[0](parser)

    return configure


def _deferred_run(module: str, leaf: str) -> CommandRunner:
    """The command's run function, imported when first called."""

    def run(args: argparse.Namespace, ctx: Context) -> int:
        status: int = _entry(module, leaf)[1](args, ctx)
        return status

    return run


def register_core_commands(registry: CommandRegistry) -> None:
    """Add every built-in command to ``registry``."""
    for path, help_text, module in CORE_COMMANDS:
        leaf = path[-1]
        registry.add_command(
            path,
            help=help_text,
            configure=_deferred_configure(module, leaf),
            run=_deferred_run(module, leaf),
        )
