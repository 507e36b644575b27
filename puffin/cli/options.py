"""Argument groups shared by several commands, so each flag is spelled once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


def add_python_options(parser: argparse.ArgumentParser, *, target_version: bool = False) -> None:
    """``--python/-p`` and ``--system``: which environment a command acts on."""
    group = parser.add_argument_group("python options")
    group.add_argument(
        "-p",
        "--python",
        metavar="PYTHON",
        help="the interpreter or venv to act on: a path, or a version such as 3.12 "
        "[env: PUFFIN_PYTHON]",
    )
    group.add_argument(
        "--system",
        action="store_true",
        help="act on the first python3 on PATH even though it is not a virtual environment",
    )
    if target_version:
        group.add_argument(
            "--python-version",
            metavar="X.Y[.Z]",
            help="resolve for this Python version (markers, requires-python, wheel tags)",
        )


def add_requirement_inputs(parser: argparse.ArgumentParser, *, positional: str) -> None:
    """Requirement arguments plus ``-r``, ``-c``, ``-e`` and ``--override``."""
    parser.add_argument("packages", nargs="*", metavar=positional)
    parser.add_argument(
        "-r",
        "--requirement",
        dest="requirements",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="install from a requirements file, pyproject.toml or setup.cfg",
    )
    parser.add_argument(
        "-c",
        "--constraint",
        dest="constraints",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="constrain versions with a constraints file",
    )
    parser.add_argument(
        "--override",
        dest="overrides",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="override versions with an overrides file",
    )
