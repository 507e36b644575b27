"""``puffin venv``: create a virtual environment without running ensurepip."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from puffin.context import Context


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=Path(".venv"), metavar="PATH")
    parser.add_argument(
        "-p",
        "--python",
        metavar="PYTHON",
        help="the base interpreter: a path, or a version such as 3.12 [env: PUFFIN_PYTHON]",
    )
    parser.add_argument("--seed", action="store_true", help="install pip into the environment")
    parser.add_argument("--prompt", help="the prompt shown while activated (default: dir name)")
    parser.add_argument(
        "--system-site-packages",
        action="store_true",
        help="give the environment access to the base interpreter's site-packages",
    )
    parser.add_argument(
        "--clear", action="store_true", help="remove an existing environment at PATH first"
    )


def _run(args: argparse.Namespace, ctx: Context) -> int:
    from puffin.venv.command import create_from_args

    return create_from_args(args, ctx)


COMMANDS = MappingProxyType({"venv": (_configure, _run)})
"""Leaf word -> (configure, run); named in :data:`puffin.cli.commands.CORE_COMMANDS`."""
