"""``puffin pip index versions NAME``: check the configured sources on their own."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

from puffin.cli.options import add_index_options, add_python_options

if TYPE_CHECKING:
    import argparse

    from puffin.context import Context


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="PACKAGE", help="the project to look up")
    parser.add_argument(
        "--pre", action="store_true", help="include pre-release and development versions"
    )
    add_index_options(parser)
    add_python_options(parser, target_version=True)


def _run(args: argparse.Namespace, ctx: Context) -> int:
    from puffin.commands.index_versions import run

    return run(args, ctx)


COMMANDS = MappingProxyType({"versions": (_configure, _run)})
"""Leaf word -> (configure, run); named in :data:`puffin.cli.commands.CORE_COMMANDS`."""
