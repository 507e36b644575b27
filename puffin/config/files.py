"""Reading ``[tool.puffin]`` from pyproject.toml and the user's ``puffin.toml``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from puffin.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping


class ConfigFile(NamedTuple):
    """The puffin table of one config file, with where it came from."""

    path: Path
    label: str
    """How messages name it: ``pyproject.toml [tool.puffin]`` or ``puffin.toml``."""
    values: Mapping[str, Any]

    @property
    def base_dir(self) -> Path:
        """Relative paths in the file are relative to its directory."""
        return self.path.parent


def load_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a syntax error is a usage error naming the file."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: invalid TOML: {error}") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot read: {error.strerror}") from None


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml in ``start`` or its parents, as uv finds its project."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_project_config(start: Path) -> ConfigFile | None:
    """``[tool.puffin]`` of the nearest pyproject.toml, or None when there is none."""
    path = find_pyproject(start)
    if path is None:
        return None
    # Only pay for a TOML parse when the file can mention us at all.
    if b"tool.puffin" not in path.read_bytes():
        return None
    table = load_toml(path).get("tool", {}).get("puffin")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.puffin] must be a table")
    return ConfigFile(path, f"{path.name} [tool.puffin]", table)


def user_config_path(environ: Mapping[str, str]) -> Path:
    """The user's ``puffin.toml`` in the platform config directory (or PUFFIN_CONFIG_FILE)."""
    explicit = environ.get("PUFFIN_CONFIG_FILE")
    if explicit:
        return Path(explicit).expanduser()
    from puffin.userdirs import user_config_dir

    return user_config_dir(environ) / "puffin.toml"


def read_user_config(environ: Mapping[str, str]) -> ConfigFile | None:
    """The user's ``puffin.toml``, or None when it does not exist."""
    path = user_config_path(environ)
    if not path.is_file():
        return None
    return ConfigFile(path, str(path), load_toml(path))
