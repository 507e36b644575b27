"""The pluggy markers for puffin's hook specifications and implementations."""

from __future__ import annotations

import pluggy

PROJECT_NAME = "puffin"
"""pluggy's project name: every hook is called ``puffin_*``."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks a hook specification (used by :mod:`puffin.plugin.spec` and ``puffin_addhooks``)."""

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a hook implementation; needed only for options (``tryfirst``, ``trylast``...).

A function named ``puffin_*`` in a plugin is an implementation even without the marker,
so that a misspelled hook name is reported instead of silently ignored.
"""
