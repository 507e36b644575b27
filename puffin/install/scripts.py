"""Scripts: shebangs for the target interpreter, and launchers for entry points.

A launcher is what pip (through distlib) writes for ``console_scripts`` and
``gui_scripts`` on POSIX: a small Python file whose first line names the target's
interpreter. ``.data/scripts`` files whose first line is ``#!python`` (or ``#!pythonw``)
get that line rewritten to the same interpreter, as the binary distribution format says.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "EntryPoint",
    "launcher",
    "parse_entry_points",
    "rewrite_shebang",
    "shebang",
]

# Linux's BINPRM_BUF_SIZE was 128 bytes (256 since 5.1): longer interpreter lines are cut.
_MAX_SHEBANG = 127
_PYTHON_SHEBANG = re.compile(rb"^#!pythonw?(?P<args>[ \t][^\r\n]*)?(?P<end>\r?\n|$)")
_ENTRY_POINT = re.compile(
    r"^(?P<module>[\w.]+)\s*(?::\s*(?P<attr>[\w.]+))?\s*(?:\[(?P<extras>[^\]]*)\])?\s*$"
)
_SCRIPT_NAME = re.compile(r"^[^/\\\x00]+$")


class EntryPoint(NamedTuple):
    """One ``console_scripts``/``gui_scripts`` entry: ``name = module:attr [extras]``."""

    name: str
    module: str
    attr: str
    gui: bool


def shebang(interpreter: Path) -> bytes:
    """The first line(s) that make a script run with ``interpreter`` (absolute).

    A path with spaces or too long for the kernel's shebang buffer gets pip's ``/bin/sh``
    trampoline: the file is valid shell that ``exec``s the interpreter on itself, and
    valid Python in which those lines are a string.
    """
    path = str(interpreter).encode()
    if b" " not in path and b"\t" not in path and len(path) + 2 <= _MAX_SHEBANG:
        return b"#!" + path + b"\n"
    quoted = path.replace(b"'", b"'\\''")
    return b"#!/bin/sh\n'''exec' '" + quoted + b"' \"$0\" \"$@\"\n' '''\n"


def rewrite_shebang(content: bytes, interpreter: Path) -> bytes | None:
    """``content`` with a ``#!python``/``#!pythonw`` first line pointed at
    ``interpreter``, or None when the first line is something else."""
    match = _PYTHON_SHEBANG.match(content)
    if match is None:
        return None
    args = match.group("args") or b""
    line = shebang(interpreter)
    if args and line.startswith(b"#!/bin/sh"):
        # Arguments cannot ride on the trampoline; they are rare (``-E``) and not
        # worth a second form.
        args = b""
    return line[:-1] + args + b"\n" + content[match.end() :]


def parse_entry_points(text: str, *, source: str) -> tuple[EntryPoint, ...]:
    """The console and GUI scripts declared in ``entry_points.txt`` text.

    :raises PuffinError: a script entry is malformed, has no callable (``module`` alone),
        or has a name that is not a plain file name.
    """
    import configparser

    parser = configparser.ConfigParser(
        delimiters=("=",), interpolation=None, strict=False, comment_prefixes=("#", ";")
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # names keep case
    try:
        parser.read_string(text, source=source)
    except configparser.Error as error:
        raise PuffinError(f"{source} cannot be parsed: {error}") from error
    entries = []
    for group, gui in (("console_scripts", False), ("gui_scripts", True)):
        if not parser.has_section(group):
            continue
        for name, value in parser.items(group):
            match = _ENTRY_POINT.match(value.strip())
            if match is None:
                raise PuffinError(f"{source}: invalid entry point {name} = {value}")
            if not match.group("attr"):
                raise PuffinError(
                    f"{source}: entry point {name} = {value} names no callable "
                    "(expected module:function)"
                )
            if not _SCRIPT_NAME.match(name) or name in (".", ".."):
                raise PuffinError(f"{source}: {name!r} is not a valid script name")
            entries.append(EntryPoint(name, match.group("module"), match.group("attr"), gui))
    return tuple(entries)


def launcher(entry: EntryPoint, interpreter: Path) -> bytes:
    """The launcher script of ``entry`` for ``interpreter``, as pip writes it."""
    head, _, rest = entry.attr.partition(".")
    call = f"{head}.{rest}" if rest else head
    body = (
        "# -*- coding: utf-8 -*-\n"
        "import re\n"
        "import sys\n"
        f"from {entry.module} import {head}\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
        f"    sys.exit({call}())\n"
    )
    return shebang(interpreter) + body.encode("utf-8")
