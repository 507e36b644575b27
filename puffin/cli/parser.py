"""The argparse tree: global options on every command, commands from the registry.

Global options are accepted before and after the command words (``puffin -v pip list``
and ``puffin pip list -v``). They default to ``SUPPRESS`` so that only what the user typed
reaches the namespace; defaults come from the settings precedence, not from argparse.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from puffin.config.definitions import Kind, SettingDef

if TYPE_CHECKING:
    from collections.abc import Sequence

    from puffin.plugin.registries import Command

PROG = "puffin"
_INTERNAL = frozenset({"command", "argv"})


def _help_width() -> int:
    """The help width argparse would pick, without its import of shutil (start-up time)."""
    import os

    try:
        columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(2).columns
    except (ValueError, OSError):
        columns = 80
    return max(columns - 2, 40)


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter with the width computed once and cheaply."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_help_width())


def add_global_options(
    parser: argparse.ArgumentParser, plugin_settings: Sequence[SettingDef], *, top: bool
) -> None:
    """Add the options every command accepts (and the plugins' options) to ``parser``."""
    group = parser.add_argument_group("global options")
    suppress = argparse.SUPPRESS
    group.add_argument(
        "-v", "--verbose", action="count", default=suppress, help="more output (-vv for debug)"
    )
    group.add_argument("-q", "--quiet", action="count", default=suppress, help="less output")
    group.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default=suppress,
        help="colour output: auto (default, on terminals unless NO_COLOR), always, never",
    )
    group.add_argument(
        "--cache-dir",
        type=Path,
        default=suppress,
        metavar="DIR",
        help="cache directory [env: PUFFIN_CACHE_DIR]",
    )
    group.add_argument(
        "--no-cache",
        action="store_true",
        default=suppress,
        help="use a temporary cache for this command only [env: PUFFIN_NO_CACHE]",
    )
    plugin_flags = ["--plugin"]
    if top:
        # After the command word, -p is --python (as in uv); before it, a plugin.
        plugin_flags.insert(0, "-p")
    group.add_argument(
        *plugin_flags,
        dest="plugin_args",
        action="append",
        default=suppress,
        metavar="MODULE|no:NAME",
        help="load plugin MODULE, or block plugin NAME with no:NAME",
    )
    if plugin_settings:
        plugin_group = parser.add_argument_group("plugin options")
        for definition in plugin_settings:
            _add_plugin_option(plugin_group, definition)


def _add_plugin_option(group: argparse._ArgumentGroup, definition: SettingDef) -> None:
    help_text = f"{definition.help} [env: {definition.env_var}]"
    kwargs: dict[str, Any] = {"dest": definition.name, "default": argparse.SUPPRESS}
    if definition.kind is Kind.BOOL:
        group.add_argument(
            definition.flag, action=argparse.BooleanOptionalAction, help=help_text, **kwargs
        )
        return
    if definition.kind is Kind.CHOICE:
        kwargs["choices"] = definition.choices
    elif definition.kind is Kind.INT:
        kwargs["type"] = int
    elif definition.kind is Kind.PATH:
        kwargs["type"] = Path
    elif definition.kind is Kind.LIST:
        kwargs["action"] = "append"
    group.add_argument(definition.flag, help=help_text, **kwargs)


def build_parser(
    commands: Sequence[Command],
    plugin_settings: Sequence[SettingDef] = (),
    *,
    argv: Sequence[str] | None = None,
) -> argparse.ArgumentParser:
    """The parser for ``commands``, each leaf carrying its Command as ``command``.

    With ``argv`` (and no ``-h``), only the commands it can name are built in full; the
    other top-level words are registered as bare choices so that "invalid choice" errors
    still list them. Declaring every command's arguments on every run costs more than
    the rest of a ``puffin venv``.
    """
    words_given = None if argv is None else set(argv)
    if words_given is not None and words_given & {"-h", "--help"}:
        words_given = None
    from puffin import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A fast, pluggable Python package resolver and installer.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("-V", "--version", action="version", version=f"puffin {__version__}")
    add_global_options(parser, plugin_settings, top=True)

    groups: dict[tuple[str, ...], argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    groups[()] = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    unbuilt = argparse.ArgumentParser(prog=PROG, add_help=False)
    for command in sorted(commands, key=lambda item: item.path):
        if words_given is not None and command.path[0] not in words_given:
            # Never parsed in this run: a name for the choice list is all it needs.
            groups[()].choices[command.path[0]] = unbuilt
            continue
        for depth in range(1, len(command.path)):
            prefix = command.path[:depth]
            if prefix not in groups:
                group_parser = groups[prefix[:-1]].add_parser(
                    prefix[-1],
                    help=_group_help(prefix),
                    description=_group_help(prefix),
                    formatter_class=HelpFormatter,
                )
                groups[prefix] = group_parser.add_subparsers(
                    title="commands", metavar="COMMAND", required=True
                )
        leaf = groups[command.path[:-1]].add_parser(
            command.path[-1],
            help=command.help,
            description=command.help,
            formatter_class=HelpFormatter,
        )
        if words_given is None or words_given.issuperset(command.path):
            command.configure(leaf)
            add_global_options(leaf, plugin_settings, top=False)
        leaf.set_defaults(command=command)
    return parser


def _group_help(prefix: tuple[str, ...]) -> str:
    if prefix == ("pip",):
        return "pip-compatible commands: compile, sync, install, uninstall, freeze, list, ..."
    if prefix == ("pip", "index"):
        return "inspect package indexes"
    return f"{' '.join(prefix)} commands"


def given_values(namespace: argparse.Namespace) -> dict[str, Any]:
    """The options the user actually gave (defaults are suppressed), minus internals."""
    return {key: value for key, value in vars(namespace).items() if key not in _INTERNAL}
