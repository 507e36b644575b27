"""Our XDG directories agree with platformdirs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
import pytest

from puffin.userdirs import user_cache_dir, user_config_dir


@pytest.mark.parametrize("value", [None, "", "   ", "/custom/xdg"])
def test_matches_platformdirs(value: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        if value is None:
            monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(variable, value)
    environ = dict(os.environ)
    assert user_cache_dir(environ) == Path(platformdirs.user_cache_dir("puffin", appauthor=False))
    assert user_config_dir(environ) == Path(platformdirs.user_config_dir("puffin", appauthor=False))
