"""``puffin pip install`` and ``puffin pip sync``: argument declarations."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from puffin.cli.options import (
    add_build_options,
    add_index_options,
    add_python_options,
    add_requirement_inputs,
    add_resolver_options,
)

if TYPE_CHECKING:
    import argparse

    from puffin.context import Context


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would change and change nothing"
    )
    parser.add_argument(
        "--reinstall", action="store_true", help="reinstall every package, even if satisfied"
    )
    parser.add_argument(
        "--reinstall-package",
        dest="reinstall_packages",
        action="append",
        default=[],
        metavar="NAME",
        help="reinstall this package even if satisfied",
    )
    parser.add_argument(
        "--require-hashes",
        action="store_true",
        help="every package must be pinned with == and --hash, and its file must match",
    )
    parser.add_argument(
        "--link-mode",
        choices=("hardlink", "copy", "symlink", "clone"),
        default="hardlink",
        help="how files get from the cache into the environment (default: hardlink, "
        "falling back to copy across file systems)",
    )
    add_resolver_options(parser)
    add_build_options(parser)
    add_index_options(parser)
    add_python_options(parser)


def _install(parser: argparse.ArgumentParser) -> None:
    add_requirement_inputs(parser, positional="PACKAGE")
    parser.add_argument(
        "-e", "--editable", dest="editables", action="append", default=[], metavar="PATH"
    )
    _common(parser)


def _sync(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src_files", nargs="+", type=Path, metavar="SRC_FILE")
    _common(parser)


def _run_install(args: argparse.Namespace, ctx: Context) -> int:
    from puffin.commands.install import run_install

    return run_install(args, ctx)


def _run_sync(args: argparse.Namespace, ctx: Context) -> int:
    from puffin.commands.install import run_sync

    return run_sync(args, ctx)


COMMANDS = MappingProxyType({"install": (_install, _run_install), "sync": (_sync, _run_sync)})
"""Leaf word -> (configure, run); named in :data:`puffin.cli.commands.CORE_COMMANDS`."""
