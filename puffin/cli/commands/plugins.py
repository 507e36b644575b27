"""``puffin plugins list``: every registered plugin, where it came from, its hooks."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from puffin.context import Context


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=("columns", "json"), default="columns", help="output format"
    )


def _list(args: argparse.Namespace, ctx: Context) -> int:
    from puffin.plugin.inventory import describe_plugins

    rows = describe_plugins(ctx.hooks.manager)
    if args.format == "json":
        import json

        ctx.reporter.result(json.dumps([row.as_dict() for row in rows], indent=2))
        return 0
    header = ("name", "distribution", "origin", "hooks")
    table = [header] + [
        (row.name, row.distribution_label, row.origin, ", ".join(row.hooks) or "-") for row in rows
    ]
    widths = [max(len(line[column]) for line in table) for column in range(3)]
    for line in table:
        cells = [line[column].ljust(widths[column]) for column in range(3)]
        ctx.reporter.result("  ".join([*cells, line[3]]).rstrip())
    if ctx.settings.verbosity >= 1:
        for row in rows:
            ctx.reporter.info(f"{row.name}: {row.location}")
    return 0


COMMANDS = MappingProxyType({"list": (_configure, _list)})
"""Leaf word -> (configure, run); named in :data:`puffin.cli.commands.CORE_COMMANDS`."""
