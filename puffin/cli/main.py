"""Entry point of the ``puffin`` console script.

This module imports nothing beyond the standard library's ``sys`` at import time: the
``--version`` fast path must not pay for argparse, pluggy or anything else. Every other
invocation is handed to :func:`puffin.cli.app.run`.
"""

from __future__ import annotations

import sys


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
