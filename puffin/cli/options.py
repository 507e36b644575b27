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
        group.add_argument(
            "--python-platform",
            metavar="PLATFORM",
            help="resolve for another platform: linux, windows, macos, "
            "x86_64-manylinux_2_28, aarch64-apple-darwin, x86_64-pc-windows-msvc, ...",
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
    add_constraint_options(parser)


def add_constraint_options(parser: argparse.ArgumentParser) -> None:
    """``-c FILE`` and ``--override FILE``."""
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
        help="replace every declared requirement on the packages this file names",
    )


def add_index_options(parser: argparse.ArgumentParser) -> None:
    """Where packages come from: indexes, find-links, strategy, refresh and offline mode."""
    group = parser.add_argument_group("index options")
    group.add_argument(
        "-i",
        "--index-url",
        metavar="URL",
        help="the main package index (default: PyPI's simple API) [env: PUFFIN_INDEX_URL]",
    )
    group.add_argument(
        "--extra-index-url",
        dest="extra_index_urls",
        action="append",
        default=None,
        metavar="URL",
        help="another index, consulted after the main one [env: PUFFIN_EXTRA_INDEX_URL]",
    )
    group.add_argument(
        "--no-index",
        action="store_true",
        default=None,
        help="ignore every index; only --find-links locations are used",
    )
    group.add_argument(
        "-f",
        "--find-links",
        dest="find_links",
        action="append",
        default=None,
        metavar="PATH|URL",
        help="a directory of distributions, or an HTML page of links [env: PUFFIN_FIND_LINKS]",
    )
    group.add_argument(
        "--index-strategy",
        choices=("first-index", "unsafe-best-match"),
        default=None,
        help="first-index (default): a project found on one index is not looked for on "
        "later ones; unsafe-best-match: merge all indexes [env: PUFFIN_INDEX_STRATEGY]",
    )
    group.add_argument(
        "--refresh",
        action="store_true",
        default=None,
        help="revalidate every cached response with the server",
    )
    group.add_argument(
        "--refresh-package",
        dest="refresh_packages",
        action="append",
        default=None,
        metavar="NAME",
        help="revalidate cached responses for this package",
    )
    group.add_argument(
        "--offline",
        action="store_true",
        default=None,
        help="use only the cache; never touch the network [env: PUFFIN_OFFLINE]",
    )


def add_resolver_options(parser: argparse.ArgumentParser) -> None:
    """How versions are chosen: strategy, pre-releases, cut-off date, dependencies."""
    group = parser.add_argument_group("resolver options")
    group.add_argument(
        "--resolution",
        choices=("highest", "lowest", "lowest-direct"),
        default="highest",
        help="prefer the highest versions (default), the lowest, or the lowest of direct "
        "requirements only",
    )
    group.add_argument(
        "--prerelease",
        choices=("disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit"),
        default=None,
        help="when pre-releases may be chosen (default: if-necessary-or-explicit)",
    )
    group.add_argument("--pre", action="store_true", help="allow pre-releases (--prerelease allow)")
    group.add_argument(
        "--exclude-newer",
        metavar="DATE",
        help="ignore files uploaded after DATE (YYYY-MM-DD or an RFC 3339 time stamp)",
    )
    group.add_argument(
        "--no-deps", action="store_true", help="ignore the dependencies of every package"
    )
    group.add_argument(
        "-U", "--upgrade", action="store_true", help="ignore the pins of an existing output file"
    )
    group.add_argument(
        "-P",
        "--upgrade-package",
        dest="upgrade_packages",
        action="append",
        default=[],
        metavar="NAME",
        help="ignore the existing pin of this package only",
    )


def add_build_options(parser: argparse.ArgumentParser) -> None:
    """How source distributions and source trees are built (pip's and uv's flags)."""
    group = parser.add_argument_group("build options")
    group.add_argument(
        "--no-build",
        action="store_true",
        help="never build: use wheels only (--only-binary :all:)",
    )
    group.add_argument(
        "--no-binary",
        action="append",
        default=[],
        metavar="NAME",
        help="build this package from source instead of using wheels (:all: for every "
        "package; comma-separated names allowed)",
    )
    group.add_argument(
        "--only-binary",
        action="append",
        default=[],
        metavar="NAME",
        help="never build this package from source (:all: for every package)",
    )
    group.add_argument(
        "-C",
        "--config-settings",
        "--config-setting",
        dest="config_settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting passed to every build backend (PEP 517 config_settings)",
    )
    group.add_argument(
        "-b",
        "--build-constraint",
        "--build-constraints",
        dest="build_constraints",
        action="append",
        default=[],
        type=Path,
        metavar="FILE",
        help="constrain the versions installed into build environments (not the result)",
    )
    group.add_argument(
        "--no-build-isolation",
        action="store_true",
        help="build in the target environment, which must already have the build "
        "requirements, instead of an isolated one",
    )
    group.add_argument(
        "--build-jobs",
        type=int,
        default=None,
        metavar="N",
        help="how many builds may run at once (default: the number of CPUs)",
    )
