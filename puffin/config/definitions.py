"""Declarations of settings: one name, read from the CLI, the environment and config files.

A :class:`SettingDef` names a setting once; the loader derives its environment variable
(``PUFFIN_CACHE_DIR``) and config-file key (``cache-dir``) from that name, so the three
spellings can never drift apart. Plugins declare their own settings the same way through
``puffin_add_options``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from puffin.errors import UsageError


class Kind(enum.Enum):
    """How a setting's text is turned into a value."""

    STRING = "string"
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    PATH = "path"
    CHOICE = "choice"
    LIST = "list"


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class SettingDef(NamedTuple):
    """One setting: its name (``cache_dir``), kind, help text and allowed choices."""

    name: str
    kind: Kind
    help: str = ""
    choices: tuple[str, ...] = ()
    default: Any = None
    env: bool = True
    """False for settings that have no ``PUFFIN_*`` variable (e.g. verbosity)."""
    config: bool = True
    """False for settings that config files may not set."""

    @property
    def env_var(self) -> str:
        """``PUFFIN_`` followed by the upper-case name."""
        return "PUFFIN_" + self.name.upper()

    @property
    def config_key(self) -> str:
        """The kebab-case key in ``[tool.puffin]`` and ``puffin.toml``."""
        return self.name.replace("_", "-")

    @property
    def flag(self) -> str:
        """The long command-line flag."""
        return "--" + self.name.replace("_", "-")

    def parse_text(self, text: str, *, where: str, base_dir: Path | None = None) -> Any:
        """Turn an environment variable's text into a value; ``where`` names the source."""
        if self.kind is Kind.BOOL:
            lowered = text.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise UsageError(f"{where}: invalid boolean {text!r} (use 1/0, true/false, yes/no)")
        if self.kind is Kind.LIST:
            return tuple(item for item in text.replace(",", " ").split() if item)
        return self.parse_value(text, where=where, base_dir=base_dir)

    def parse_value(self, value: object, *, where: str, base_dir: Path | None = None) -> Any:
        """Validate a value from a config file (already typed by TOML) or the CLI."""
        if self.kind is Kind.BOOL:
            if isinstance(value, bool):
                return value
            raise UsageError(f"{where}: expected true or false, got {value!r}")
        if self.kind is Kind.INT:
            if isinstance(value, bool):
                raise UsageError(f"{where}: expected an integer, got {value!r}")
            try:
                return int(str(value))
            except ValueError:
                raise UsageError(f"{where}: expected an integer, got {value!r}") from None
        if self.kind is Kind.FLOAT:
            if isinstance(value, bool):
                raise UsageError(f"{where}: expected a number, got {value!r}")
            try:
                return float(str(value))
            except ValueError:
                raise UsageError(f"{where}: expected a number, got {value!r}") from None
        if self.kind is Kind.LIST:
            if isinstance(value, str):
                return (value,)
            if isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
                return tuple(value)
            raise UsageError(f"{where}: expected a list of strings, got {value!r}")
        if not isinstance(value, str):
            raise UsageError(f"{where}: expected a string, got {value!r}")
        if self.kind is Kind.CHOICE and value not in self.choices:
            raise UsageError(
                f"{where}: invalid value {value!r} (choose from {', '.join(self.choices)})"
            )
        if self.kind is Kind.PATH:
            path = Path(value).expanduser()
            if base_dir is not None and not path.is_absolute():
                path = base_dir / path
            return path
        return value


CORE_SETTINGS: tuple[SettingDef, ...] = (
    SettingDef("color", Kind.CHOICE, "when to colour output", ("auto", "always", "never"), "auto"),
    SettingDef("cache_dir", Kind.PATH, "the cache directory (default: the user cache dir)"),
    SettingDef("no_cache", Kind.BOOL, "use a temporary cache for this command only", default=False),
    SettingDef("plugins", Kind.LIST, "modules to load as plugins", default=()),
    SettingDef(
        "disable_plugin_autoload",
        Kind.BOOL,
        "do not load plugins from the 'puffin' entry-point group",
        default=False,
        config=False,
    ),
    SettingDef("trace_hooks", Kind.BOOL, "trace every hook call to stderr", default=False),
)
"""The global settings of the core; commands declare their own."""
