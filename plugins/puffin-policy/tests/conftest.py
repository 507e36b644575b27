"""Fixtures for puffin-policy's tests: a venv, a project whose pyproject.toml holds the
policy, and what an environment has installed.

Every test runs real ``python -m puffin`` subprocesses (``run_puffin``, with ``tmp_path``
as the working directory, so ``tmp_path / "pyproject.toml"`` is the project's) against
local indexes on 127.0.0.1. The plugin must be installed as users install it
(``pip install plugins/puffin-policy``).
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

NOW = datetime.now(timezone.utc)
YESTERDAY = NOW - timedelta(days=1)
A_YEAR_AGO = NOW - timedelta(days=365)


class Project:
    """The project directory puffin runs in; its pyproject.toml carries the policy."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.pyproject = root / "pyproject.toml"

    def policy(self, body: str) -> Path:
        """Write ``[tool.puffin.policy]`` with ``body`` (TOML lines); return the file."""
        self.pyproject.write_text(
            '[project]\nname = "consumer"\nversion = "0"\n\n'
            f"[tool.puffin.policy]\n{body.strip()}\n",
            encoding="utf-8",
        )
        return self.pyproject


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


@pytest.fixture
def venv(run_puffin, tmp_path_factory) -> Path:
    """A fresh, empty virtual environment (outside the project directory)."""
    path = tmp_path_factory.mktemp("env") / "venv"
    run_puffin("venv", str(path), "-p", sys.executable).assert_ok()
    return path


def _installed(venv: Path) -> dict[str, str]:
    found = {}
    for dist_info in venv.glob("lib/python*/site-packages/*.dist-info"):
        name, _, version = dist_info.name.removesuffix(".dist-info").partition("-")
        found[name.replace("_", "-").lower()] = version
    return found


@pytest.fixture
def installed():
    """``installed(venv)``: name -> version of every distribution in its site-packages."""
    return _installed


@pytest.fixture
def install(run_puffin):
    """``install(venv, index_url, *requirements, env=None)``: ``puffin pip install -p VENV
    -i INDEX REQ...``; returns the result."""

    def run(venv: Path, index_url: str, *requirements: str, env=None):
        return run_puffin(
            "pip", "install", "-p", str(venv), "-i", index_url, *requirements, env=env
        )

    return run


@pytest.fixture
def times():
    """``times(new=[wheel...], old=[wheel...])``: ``upload_times`` for ``local_index``,
    new ones uploaded yesterday, old ones a year ago."""

    def build(*, new=(), old=()):
        return {
            **{path.name: YESTERDAY for path in new},
            **{path.name: A_YEAR_AGO for path in old},
        }

    return build
