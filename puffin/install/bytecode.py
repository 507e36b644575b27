"""``--compile-bytecode``: compile installed ``.py`` files with the target's own Python.

Bytecode depends on the interpreter's version (magic number, cache tag), so it is the
target interpreter that must compile, in a subprocess; ``compileall -j 0`` uses every
CPU. The ``.pyc`` files are not added to RECORD: uninstallers (pip's and puffin's)
remove the ``__pycache__`` entries of every recorded ``.py`` file.
"""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

__all__ = ["compile_bytecode"]


def compile_bytecode(files: Iterable[Path], interpreter: Path) -> None:
    """Compile the ``.py`` files among ``files`` with ``interpreter``.

    Files that do not compile (Python 2 leftovers, templates named ``.py``) are skipped
    with compileall's message, as pip does: an install does not fail over them.

    :raises PuffinError: the interpreter could not be run at all.
    """
    sources = sorted({str(path) for path in files if path.suffix == ".py"})
    if not sources:
        return
    # File names go through stdin ("-i -"): a long list would overflow the argument limit.
    try:
        subprocess.run(
            [str(interpreter), "-m", "compileall", "-q", "-j", "0", "-i", "-"],
            input="\n".join(sources) + "\n",
            text=True,
            capture_output=True,
            check=False,
        )
    except OSError as error:
        raise PuffinError(f"cannot run {interpreter} to compile bytecode: {error}") from error
