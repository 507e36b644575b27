"""Fixtures the command-line tests share."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest


@pytest.fixture
def venv(run_puffin, tmp_path: Path) -> Path:
    """A new virtual environment of the interpreter running the tests, made by puffin."""
    run_puffin("venv", str(tmp_path / "env"), "-p", sys.executable).assert_ok()
    return tmp_path / "env"
