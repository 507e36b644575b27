"""Which environment a command resolves for or acts on, from its options."""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin.config.definitions import Kind, SettingDef
from puffin.config.load import resolve
from puffin.errors import PuffinError

if TYPE_CHECKING:
    import argparse
    import ssl
    from concurrent.futures import Future

    from puffin.context import Context
    from puffin.environment.query import Interpreter
    from puffin.environment.target import TargetEnvironment

PYTHON = SettingDef("python", Kind.STRING, "the interpreter or environment to use")
PYTHON_VERSION = SettingDef("python_version", Kind.STRING, "the Python version to resolve for")


def interpreter_for_args(
    args: argparse.Namespace, ctx: Context, *, fall_back_to_system: bool = False
) -> Interpreter:
    """The interpreter of ``--python`` / ``PUFFIN_PYTHON``, else the active environment.

    With ``fall_back_to_system`` (read-only commands such as ``pip index versions``),
    no virtual environment is not an error: the first ``python3`` on PATH is used.
    """
    from puffin.environment.discovery import find_interpreter
    from puffin.environment.query import CACHE_BUCKET

    request, _ = resolve(PYTHON, {"python": getattr(args, "python", None)}, ctx.environ, ctx.config)
    system = bool(getattr(args, "system", False))
    ctx.cache.bucket(CACHE_BUCKET)
    common = {"environ": ctx.environ, "cwd": ctx.cwd, "cache_dir": ctx.cache.root}
    try:
        return find_interpreter(request, system=system, **common)  # type: ignore[arg-type]
    except PuffinError:
        if not fall_back_to_system or request or system:
            raise
        return find_interpreter(None, system=True, **common)  # type: ignore[arg-type]


def interpreter_while_loading_the_client(
    args: argparse.Namespace, ctx: Context, *, fall_back_to_system: bool = False
) -> tuple[Future[Interpreter], ssl.SSLContext]:
    """:func:`interpreter_for_args` (still running, as a future) and the HTTP client's TLS
    context, made on two threads while this one imports the HTTP client.

    Asking a new environment's interpreter about itself takes a subprocess (tens of
    milliseconds of waiting; a pyenv shim takes 100 ms), loading the trust store takes tens
    of milliseconds with the GIL released, and importing httpx and its stack takes about as
    long as either; a command that resolves needs all three, so they overlap. A command
    that can fetch before it knows the interpreter (compile's first index pages) waits for
    the future later. Started on a thread only once the event loop ran, beside the reading
    of those pages, the question took 140 to 170 ms instead of 100 ms (a cold web-set
    compile): its thread waited for the GIL.
    """
    from concurrent.futures import ThreadPoolExecutor

    from puffin.client.tls import make_ssl_context

    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="puffin-prepare")
    try:
        finding = pool.submit(
            interpreter_for_args, args, ctx, fall_back_to_system=fall_back_to_system
        )
        tls = pool.submit(make_ssl_context, ctx.environ)
        import puffin.client.http  # noqa: F401 - loaded now, used by the sources next

        return finding, tls.result()
    finally:
        pool.shutdown(wait=False)  # the question may still run; its future answers it


def target_for_args(
    args: argparse.Namespace, ctx: Context, *, fall_back_to_system: bool = True
) -> TargetEnvironment:
    """The target environment: the interpreter's, or ``--python-version``'s projection."""
    interpreter = interpreter_for_args(args, ctx, fall_back_to_system=fall_back_to_system)
    return target_for_interpreter(args, ctx, interpreter)


def target_for_interpreter(
    args: argparse.Namespace, ctx: Context, interpreter: Interpreter
) -> TargetEnvironment:
    """``interpreter``'s environment, or its projection by ``--python-version`` and
    ``--python-platform``."""
    from puffin.environment.target import TargetEnvironment

    version, _ = resolve(
        PYTHON_VERSION,
        {"python_version": getattr(args, "python_version", None)},
        ctx.environ,
        ctx.config,
    )
    target = (
        TargetEnvironment.for_python_version(interpreter, version)
        if version
        else TargetEnvironment.from_interpreter(interpreter)
    )
    platform = getattr(args, "python_platform", None)
    if platform:
        from puffin.environment.target import for_platform

        target = for_platform(target, platform)
    return target
