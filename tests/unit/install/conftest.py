"""Fixtures shared by the install tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from puffin.environment.query import Interpreter, query_interpreter


@pytest.fixture
def base(tmp_path: Path) -> Interpreter:
    """The interpreter running the tests, as puffin sees it (environments are made from it)."""
    return query_interpreter(Path(sys.executable), cache_dir=tmp_path / "interp-cache")
