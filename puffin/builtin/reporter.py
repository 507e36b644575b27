"""Built-in plugin ``reporter``: plain terminal output, coloured when wanted.

No third-party terminal library: importing one costs more than puffin's whole start-up
budget, and a few ANSI sequences are all we need.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from puffin.config.settings import ColorChoice, Settings
from puffin.plugin.markers import hookimpl

_STYLES = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "cyan": "36",
}


def wants_color(choice: ColorChoice, stream: TextIO) -> bool:
    """Colour for ``always``; for ``auto`` only on a terminal that is not ``dumb``."""
    if choice is ColorChoice.ALWAYS:
        return True
    if choice is ColorChoice.NEVER:
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


class TerminalReporter:
    """Writes results to stdout and everything else to stderr, by verbosity."""

    def __init__(self, verbosity: int, color: bool, out: TextIO, err: TextIO) -> None:
        self.verbosity = verbosity
        self.color = color
        self.out = out
        self.err = err

    def _style(self, text: str, *styles: str) -> str:
        if not self.color:
            return text
        codes = ";".join(_STYLES[style] for style in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def _write(self, stream: TextIO, text: str) -> None:
        stream.write(text + "\n")
        stream.flush()

    def result(self, text: str) -> None:
        """Command output, always printed, on stdout."""
        self._write(self.out, text)

    def summary(self, text: str) -> None:
        """One line per phase, hidden by ``-q``."""
        if self.verbosity >= 0:
            self._write(self.err, self._style(text, "dim"))

    def change(self, sign: str, text: str) -> None:
        """``+ name==1.0`` / ``- name==0.9``, hidden by ``-q``."""
        if self.verbosity >= 0:
            color = {"+": "green", "-": "red"}.get(sign, "yellow")
            self._write(self.err, f" {self._style(sign, color, 'bold')} {text}")

    def info(self, text: str) -> None:
        """Detail for ``-v``."""
        if self.verbosity >= 1:
            self._write(self.err, text)

    def debug(self, text: str) -> None:
        """Detail for ``-vv``."""
        if self.verbosity >= 2:
            self._write(self.err, self._style(text, "dim"))

    def warning(self, text: str) -> None:
        """A warning, hidden by ``-q``."""
        if self.verbosity >= 0:
            self._write(self.err, f"{self._style('warning', 'yellow', 'bold')}: {text}")

    def error(self, text: str, *, hint: str | None = None) -> None:
        """An error, always shown, with an optional hint line."""
        self._write(self.err, f"{self._style('error', 'red', 'bold')}: {text}")
        if hint:
            self._write(self.err, f"  {self._style('hint', 'cyan', 'bold')}: {hint}")


@hookimpl(trylast=True)
def puffin_make_reporter(settings: Settings) -> TerminalReporter:
    """The default reporter; any plugin that returns one first replaces it."""
    return TerminalReporter(
        verbosity=settings.verbosity,
        color=wants_color(settings.color, sys.stderr),
        out=sys.stdout,
        err=sys.stderr,
    )
