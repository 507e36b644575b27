"""``puffin cache dir`` and ``puffin cache clean``."""

from __future__ import annotations

import time
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from puffin.context import Context


def _dir(args: argparse.Namespace, ctx: Context) -> int:
    ctx.reporter.result(str(ctx.cache.root))
    return 0


def _clean(args: argparse.Namespace, ctx: Context) -> int:
    started = time.perf_counter()
    files, size = ctx.cache.clear()
    elapsed = time.perf_counter() - started
    if files == 0:
        ctx.reporter.summary(f"Cache is empty ({ctx.cache.root})")
    else:
        ctx.reporter.summary(
            f"Removed {files} files ({_human_size(size)}) from {ctx.cache.root} in {elapsed:.2f}s"
        )
    return 0


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


COMMANDS = MappingProxyType(
    {
        "dir": (_no_arguments, _dir),
        "clean": (_no_arguments, _clean),
    }
)
"""Leaf word -> (configure, run); named in :data:`puffin.cli.commands.CORE_COMMANDS`."""
