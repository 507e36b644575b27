"""Registries that plugins fill from ``puffin_add_options`` and ``puffin_add_commands``.

Passing a registry object to a hook, instead of handing plugins argparse itself, keeps the
contract small: puffin decides how an option appears on the command line, in the
environment and in config files, and a plugin only declares it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from puffin.config.definitions import Kind, SettingDef
from puffin.errors import UsageError

if TYPE_CHECKING:
    from puffin.context import Context


_KINDS = {"string": Kind.STRING, "bool": Kind.BOOL, "int": Kind.INT, "path": Kind.PATH}


class OptionRegistry:
    """Collects the settings plugins declare. Passed to ``puffin_add_options``.

    Each option becomes a command-line flag on every command (``--NAME``), a
    ``PUFFIN_NAME`` environment variable and a ``NAME`` key in ``[tool.puffin]``, with the
    usual precedence. Its value is read with ``settings.plugin_option("name")``.
    """

    # A plain class: a registry is a short-lived builder, not a value, and a dataclass
    # would cost start-up time to create.
    __slots__ = ("current_plugin", "definitions", "owners")

    def __init__(self) -> None:
        self.definitions: list[SettingDef] = []
        self.owners: dict[str, str] = {}
        self.current_plugin = ""

    def add_option(
        self,
        name: str,
        *,
        help: str,
        kind: str = "string",
        choices: Sequence[str] = (),
        default: Any = None,
    ) -> None:
        """Declare option ``name`` (snake_case) of ``kind``: string, bool, int, path, choice.

        ``choices`` implies kind ``choice``. Raises :class:`~puffin.errors.UsageError`
        when two plugins declare the same name.
        """
        if not name.isidentifier() or name != name.lower():
            raise UsageError(f"plugin option {name!r} must be a lower-case identifier")
        if name in self.owners:
            raise UsageError(
                f"plugin option {name!r} is declared by both "
                f"{self.owners[name]!r} and {self.current_plugin!r}"
            )
        resolved_kind = Kind.CHOICE if choices else _KINDS.get(kind)
        if resolved_kind is None:
            raise UsageError(f"plugin option {name!r}: unknown kind {kind!r}")
        self.owners[name] = self.current_plugin
        self.definitions.append(SettingDef(name, resolved_kind, help, tuple(choices), default))


CommandRunner = Callable[[argparse.Namespace, "Context"], int]
"""Runs a command: receives the parsed arguments and the context, returns the exit status."""


class Command(NamedTuple):
    """A command on the ``puffin`` command line.

    ``path`` is the words that invoke it, e.g. ``("pip", "install")`` or
    ``("policy", "check")``. ``configure`` adds the command's arguments to its parser.
    """

    path: tuple[str, ...]
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: CommandRunner
    plugin: str = ""


class CommandRegistry:
    """Collects commands. Passed to ``puffin_add_commands``."""

    __slots__ = ("commands", "current_plugin")

    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.current_plugin = ""

    def add_command(
        self,
        path: Sequence[str],
        *,
        help: str,
        configure: Callable[[argparse.ArgumentParser], None],
        run: CommandRunner,
    ) -> None:
        """Add a command invoked as ``puffin <path...>``; a taken path is a usage error."""
        words = tuple(path)
        if not words:
            raise UsageError("a command needs at least one word")
        for existing in self.commands:
            if existing.path == words:
                raise UsageError(
                    f"command {' '.join(words)!r} is declared by both "
                    f"{existing.plugin or 'puffin'!r} and {self.current_plugin or 'puffin'!r}"
                )
        self.commands.append(Command(words, help, configure, run, self.current_plugin))
