"""An example package for editable installs: ``greet()`` reads :data:`GREETING`."""

from setuptools_editable import messages

__all__ = ["greet"]


def greet() -> str:
    """The greeting, read from :data:`setuptools_editable.messages.GREETING` at call time.

    Edit that constant and call ``greet()`` again in a new interpreter: an editable
    install shows the new text without reinstalling.
    """
    return messages.GREETING
