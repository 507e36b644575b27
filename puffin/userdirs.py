"""The user's cache and config directories for puffin.

On Linux and other XDG platforms these follow the XDG base-directory rules exactly as
platformdirs applies them, computed here because importing platformdirs costs more than
the rest of a ``puffin venv``; elsewhere (macOS, Windows) platformdirs decides.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

APP_NAME = "puffin"


def _is_xdg_platform() -> bool:
    return os.name == "posix" and sys.platform != "darwin"


def user_cache_dir(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/puffin``, else ``~/.cache/puffin`` (platformdirs elsewhere)."""
    if _is_xdg_platform():
        return _xdg(environ, "XDG_CACHE_HOME", "~/.cache")
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def user_config_dir(environ: Mapping[str, str]) -> Path:
    """``$XDG_CONFIG_HOME/puffin``, else ``~/.config/puffin`` (platformdirs elsewhere)."""
    if _is_xdg_platform():
        return _xdg(environ, "XDG_CONFIG_HOME", "~/.config")
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def _xdg(environ: Mapping[str, str], variable: str, fallback: str) -> Path:
    # platformdirs treats an unset, empty or blank variable alike.
    base = environ.get(variable, "").strip() or os.path.expanduser(fallback)  # noqa: PTH111
    return Path(base) / APP_NAME
