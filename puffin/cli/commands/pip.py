"""``puffin pip ...``: the pip-compatible interface.

Their arguments are declared now so that usage errors and ``--help`` are real; the
commands themselves land with the resolver and installer and until then exit with status 2
and "not implemented yet" rather than pretending.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from puffin.cli.options import (
    add_build_options,
    add_constraint_options,
    add_index_options,
    add_python_options,
    add_requirement_inputs,
    add_resolver_options,
)
from puffin.errors import NotImplementedYet

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from puffin.context import Context


def _not_yet(args: argparse.Namespace, ctx: Context) -> int:
    words = " ".join(args.command.path)
    raise NotImplementedYet(f"puffin {words}")


def _compile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "src_files",
        nargs="+",
        type=Path,
        metavar="SRC_FILE",
        help="requirements.in, pyproject.toml or setup.cfg inputs",
    )
    parser.add_argument(
        "-o", "--output-file", type=Path, metavar="FILE", help="write the pins here (not stdout)"
    )
    add_constraint_options(parser)
    parser.add_argument(
        "--extra",
        dest="extras",
        action="append",
        default=[],
        metavar="EXTRA",
        help="include this optional-dependency group of a pyproject.toml/setup.cfg input",
    )
    parser.add_argument("--all-extras", action="store_true", help="include every extra")
    output = parser.add_argument_group("output options")
    output.add_argument("--no-header", action="store_true", help="omit the header comment")
    output.add_argument("--no-annotate", action="store_true", help="omit the '# via' comments")
    output.add_argument(
        "--annotation-style",
        choices=("split", "line"),
        default="split",
        help="'# via' on lines of their own (split, default) or on the pin's line",
    )
    output.add_argument(
        "--generate-hashes", action="store_true", help="add --hash for every file of each pin"
    )
    output.add_argument("--emit-index-url", action="store_true", help="write the index URLs")
    output.add_argument("--emit-find-links", action="store_true", help="write find-links")
    output.add_argument(
        "--no-strip-extras", action="store_true", help="keep extras on the pins: name[extra]==v"
    )
    add_resolver_options(parser)
    add_build_options(parser)
    add_index_options(parser)
    add_python_options(parser, target_version=True)


def _run_compile(args: argparse.Namespace, ctx: Context) -> int:
    from puffin.commands.compile import run

    return run(args, ctx)


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
    parser.add_argument(
        "-y", "--yes", action="store_true", help="accepted for pip's sake: puffin never asks"
    )
    add_python_options(parser)


def _freeze(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--exclude-editable", action="store_true")
    parser.add_argument(
        "--all", action="store_true", help="do not hide pip, setuptools, wheel and distribute"
    )
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


def _installed_command(name: str) -> Callable[[argparse.Namespace, Context], int]:
    """A runner that imports ``puffin.commands.installed`` only when the command runs."""

    def run(args: argparse.Namespace, ctx: Context) -> int:
        from puffin.commands import installed

        command: Callable[[argparse.Namespace, Context], int] = getattr(installed, name)
        return command(args, ctx)

    return run


COMMANDS = MappingProxyType(
    {
        "compile": (_compile, _run_compile),
        "sync": (_sync, _not_yet),
        "install": (_install, _not_yet),
        "uninstall": (_uninstall, _installed_command("run_uninstall")),
        "freeze": (_freeze, _installed_command("run_freeze")),
        "list": (_list, _installed_command("run_list")),
        "show": (_show, _installed_command("run_show")),
        "check": (_check, _installed_command("run_check")),
    }
)
"""Leaf word -> (configure, run); named in :data:`puffin.cli.commands.CORE_COMMANDS`."""
