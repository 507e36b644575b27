"""``puffin pip ...``: the pip-compatible interface.

Their arguments are declared now so that usage errors and ``--help`` are real; the
commands themselves land with the resolver and installer and until then exit with status 2
and "not implemented yet" rather than pretending.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from puffin.cli.options import add_python_options, add_requirement_inputs
from puffin.errors import NotImplementedYet

if TYPE_CHECKING:
    import argparse

    from puffin.context import Context
    from puffin.plugin.registries import CommandRegistry


def _not_yet(args: argparse.Namespace, ctx: Context) -> int:
    words = " ".join(args.command.path)
    raise NotImplementedYet(f"puffin {words}")


def _compile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src_files", nargs="+", type=Path, metavar="SRC_FILE")
    parser.add_argument("-o", "--output-file", type=Path, metavar="FILE")
    add_python_options(parser, target_version=True)


def _sync(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("src_files", nargs="+", type=Path, metavar="SRC_FILE")
    add_python_options(parser)


def _install(parser: argparse.ArgumentParser) -> None:
    add_requirement_inputs(parser, positional="PACKAGE")
    parser.add_argument(
        "-e", "--editable", dest="editables", action="append", default=[], metavar="PATH"
    )
    add_python_options(parser)


def _uninstall(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("packages", nargs="*", metavar="PACKAGE")
    parser.add_argument(
        "-r", "--requirement", dest="requirements", action="append", type=Path, default=[]
    )
    add_python_options(parser)


def _freeze(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--exclude-editable", action="store_true")
    add_python_options(parser)


def _list(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("columns", "freeze", "json"), default="columns")
    parser.add_argument("-e", "--editable", action="store_true")
    parser.add_argument("--exclude-editable", action="store_true")
    add_python_options(parser)


def _show(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("packages", nargs="+", metavar="PACKAGE")
    parser.add_argument("-f", "--files", action="store_true")
    add_python_options(parser)


def _check(parser: argparse.ArgumentParser) -> None:
    add_python_options(parser)


def register(registry: CommandRegistry) -> None:
    """Add ``pip compile | sync | install | uninstall | freeze | list | show | check``."""
    table = (
        ("compile", "resolve requirements into a pinned requirements.txt", _compile),
        ("sync", "make an environment match a requirements file exactly", _sync),
        ("install", "install packages into an environment", _install),
        ("uninstall", "remove packages from an environment", _uninstall),
        ("freeze", "list installed packages in requirements format", _freeze),
        ("list", "list installed packages", _list),
        ("show", "show information about installed packages", _show),
        ("check", "verify installed packages have compatible dependencies", _check),
    )
    for name, help_text, configure in table:
        registry.add_command(("pip", name), help=help_text, configure=configure, run=_not_yet)
