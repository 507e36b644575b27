"""Errors that name the plugin responsible."""

from __future__ import annotations

from puffin.errors import PuffinError


class PluginError(PuffinError):
    """A plugin failed to load, does not match the hook specification, or raised.

    The message always names the plugin (and its distribution when known) and the hook,
    on one line; the original exception, if any, is kept as ``__cause__`` and shown only
    with ``-vv``.
    """

    def __init__(
        self,
        message: str,
        *,
        plugin: str,
        hook: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.plugin = plugin
        self.hook = hook


class PluginVerdictError(PuffinError):
    """A plugin vetoed the command (a check hook returned problems); nothing was changed."""
