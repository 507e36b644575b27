"""Settings and how they are read: CLI > ``PUFFIN_*`` environment > pyproject > user file."""

from __future__ import annotations

from puffin.config.settings import ColorChoice, Settings

__all__ = ["ColorChoice", "Settings"]
