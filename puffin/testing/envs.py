"""Looking into a virtual environment the way its own interpreter sees it."""

from __future__ import annotations

import json
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

_LIST_DISTRIBUTIONS = (
    "import importlib.metadata as m, json;"
    "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
)


def installed_versions(env: Path) -> dict[str, str]:
    """``{name: version}`` of every distribution the environment at ``env`` can import,
    as its own interpreter reports them (``importlib.metadata``, names as written)."""
    out = subprocess.run(
        [str(env / "bin" / "python"), "-I", "-c", _LIST_DISTRIBUTIONS],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    versions: dict[str, str] = json.loads(out)
    return versions
