"""Errors that reach the user as a message, never as a traceback.

Every error that the CLI prints as ``puffin: error: ...`` derives from :class:`PuffinError`.
Anything else that escapes a command is a bug and is shown with its traceback.
"""

from __future__ import annotations


class PuffinError(Exception):
    """A user-facing failure: bad input, missing package, conflicting pins, failed build.

    ``str(error)`` is the complete message; it names the input and the cause. ``hint`` is an
    optional second line telling the user what to do about it.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(PuffinError):
    """The command line or a setting is malformed (exit status 2, as argparse uses)."""

    exit_code = 2


class NotImplementedYet(UsageError):
    """A command or option that a later release fills in; exits 2 rather than pretending."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is not implemented yet")
