"""``puffin venv``: find the base interpreter, create the environment, report."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from puffin.config.definitions import Kind, SettingDef
from puffin.config.load import resolve
from puffin.errors import NotImplementedYet

if TYPE_CHECKING:
    from puffin.context import Context

PYTHON_SETTING = SettingDef("python", Kind.STRING, "the interpreter to use")


def create_from_args(args: argparse.Namespace, ctx: Context) -> int:
    """Create the virtual environment ``args`` describes; return the exit status."""
    from puffin import __version__
    from puffin.environment.discovery import find_base_interpreter_for_venv
    from puffin.environment.query import CACHE_BUCKET
    from puffin.venv.create import create_venv

    if args.seed:
        raise NotImplementedYet("puffin venv --seed (installing pip into the environment)")
    started = time.perf_counter()
    request, _ = resolve(PYTHON_SETTING, {"python": args.python}, ctx.environ, ctx.config)
    ctx.cache.bucket(CACHE_BUCKET)
    base = find_base_interpreter_for_venv(
        request, environ=ctx.environ, cwd=ctx.cwd, cache_dir=ctx.cache.root
    )
    ctx.reporter.info(f"Using {base.display_name}")
    target = args.path if args.path.is_absolute() else ctx.cwd / args.path
    root = create_venv(
        target,
        base,
        prompt=args.prompt,
        system_site_packages=args.system_site_packages,
        clear=args.clear,
        puffin_version=__version__,
    )
    elapsed = time.perf_counter() - started
    implementation = base.markers.get("platform_python_implementation", "Python")
    shown = args.path if not args.path.is_absolute() else root
    ctx.reporter.summary(
        f"Created virtual environment at {shown} with {implementation} "
        f"{base.python_full_version} in {elapsed * 1000:.0f}ms"
    )
    ctx.reporter.summary(f"Activate with: source {_shell_quote(str(shown))}/bin/activate")
    return 0


def _shell_quote(text: str) -> str:
    """``text`` as one POSIX shell word (what shlex.quote does, without importing shlex)."""
    if text and all(char.isascii() and (char.isalnum() or char in "@%+=:,./-_") for char in text):
        return text
    return "'" + text.replace("'", "'\"'\"'") + "'"
