"""Entry point of the ``puffin`` console script.

This module imports nothing beyond the standard library's ``sys`` at import time: the
``--version`` fast path must not pay for argparse, pluggy or anything else. Every other
invocation is handed to :func:`puffin.cli.app.run`.
"""

from __future__ import annotations

import sys

# A command allocates millions of objects that live until it ends (index listings, metadata,
# the plan) and makes few reference cycles. With the default threshold of 700 the collector
# ran 730 times in a data-science compile and took 0.4 s of its 2.8 s; at 200,000 it runs
# twice, for 0.08 s, and peak memory stays the same (mypy made the same choice).
_YOUNG_GENERATION_THRESHOLD = 200_000


# Annotated with list, not Sequence: importing typing for TYPE_CHECKING alone would cost
# the --version fast path several milliseconds.
def main(argv: list[str] | None = None) -> int:
    """Run puffin with ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):
        from puffin import __version__

        sys.stdout.write(f"puffin {__version__}\n")
        return 0
    from puffin.cli.app import run

    return run(args)


def console() -> None:
    """The ``puffin`` command and ``python -m puffin``: :func:`main` in a process of its own.

    Owning the process, it tunes the garbage collector for a short-lived command and ends
    without tearing down the interpreter (see :func:`exit_now`). Code that calls
    :func:`main` in a process of its own (tests, tools) gets neither.
    """
    import gc

    gc.set_threshold(_YOUNG_GENERATION_THRESHOLD, 30, 30)
    exit_now(main())


def exit_now(status: int) -> None:
    """End the process with ``status`` once exit handlers have run and output is flushed.

    A normal exit frees every object the command made, one by one: 0.1 s after a web-stack
    compile. Nothing needs that memory back. When another thread or a child process may
    still be working (a plugin's, say), or a profiler waits to write its results, the
    normal exit runs instead.
    """
    import os

    if _others_running():
        sys.exit(status)
    import atexit

    atexit._run_exitfuncs()  # what a normal exit runs: plugins' handlers, logging's flush
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 - contextlib is one more import for `puffin --version`
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed pipe (`puffin pip freeze | head`): nothing left to tell it
    os._exit(status)


def _others_running() -> bool:
    """Whether a non-daemon thread, a child process, or a profiler or tracer (cProfile,
    coverage: they write their results at a normal exit) is still at work."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    # Looked up, not imported: a command that never used them has none running.
    threading = sys.modules.get("threading")
    if threading is not None:
        main_thread = threading.main_thread()
        for thread in threading.enumerate():
            if thread is not main_thread and not thread.daemon and thread.is_alive():
                return True
    multiprocessing = sys.modules.get("multiprocessing")
    return multiprocessing is not None and bool(multiprocessing.active_children())
