"""Apply precedence: command line > ``PUFFIN_*`` environment > pyproject > user file."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from puffin.config.definitions import CORE_SETTINGS, SettingDef
from puffin.config.files import ConfigFile, read_project_config, read_user_config
from puffin.config.settings import ColorChoice, Settings

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path


class ConfigLayers(NamedTuple):
    """The config files that apply to a command, highest precedence first."""

    files: tuple[ConfigFile, ...]

    @classmethod
    def discover(cls, cwd: Path, environ: Mapping[str, str]) -> ConfigLayers:
        """pyproject.toml ``[tool.puffin]`` (nearest to ``cwd``), then the user's file."""
        found = (read_project_config(cwd), read_user_config(environ))
        return cls(tuple(layer for layer in found if layer is not None))

    def project_root(self) -> Path | None:
        """The directory of the pyproject.toml that configured puffin, if any."""
        for layer in self.files:
            if layer.path.name == "pyproject.toml":
                return layer.base_dir
        return None

    def raw_list(self, key: str) -> tuple[tuple[str, ConfigFile], ...]:
        """Every string in list setting ``key`` across all files, with its file."""
        found: list[tuple[str, ConfigFile]] = []
        for layer in self.files:
            value = layer.values.get(key, ())
            items = (value,) if isinstance(value, str) else value
            found.extend((item, layer) for item in items if isinstance(item, str))
        return tuple(found)


def resolve(
    definition: SettingDef,
    cli: Mapping[str, Any],
    environ: Mapping[str, str],
    layers: ConfigLayers,
) -> tuple[Any, str | None]:
    """The value of one setting and the name of its source (None for the default)."""
    if definition.name in cli and cli[definition.name] is not None:
        return cli[definition.name], definition.flag
    # An empty variable counts as unset, so `PUFFIN_X= puffin ...` restores the default.
    if definition.env and environ.get(definition.env_var, ""):
        text = environ[definition.env_var]
        return definition.parse_text(text, where=definition.env_var), definition.env_var
    if definition.config:
        for layer in layers.files:
            if definition.config_key in layer.values:
                where = f"{layer.label}: {definition.config_key}"
                raw = layer.values[definition.config_key]
                return definition.parse_value(raw, where=where, base_dir=layer.base_dir), where
    return definition.default, None


class PluginSelection(NamedTuple):
    """Which plugin modules to load and which plugin names to block, and who asked.

    Computed before the command line is fully parsed, because plugins add options to it.
    ``-p`` values accumulate across config files, ``PUFFIN_PLUGINS`` and the command line
    (they are not overridden by precedence: each source may add plugins).
    """

    modules: tuple[str, ...]
    blocked: tuple[str, ...]
    origins: Mapping[str, str]
    """Module name -> where it was requested (``-p``, ``pyproject.toml [tool.puffin]``)."""
    autoload: bool

    @classmethod
    def collect(
        cls, cli_args: Sequence[str], environ: Mapping[str, str], layers: ConfigLayers
    ) -> PluginSelection:
        """Merge the ``plugins`` lists of config files, PUFFIN_PLUGINS and ``-p`` values."""
        requested: list[tuple[str, str]] = [
            (item, layer.label) for item, layer in layers.raw_list("plugins")
        ]
        env_text = environ.get("PUFFIN_PLUGINS", "")
        requested += [(item, "PUFFIN_PLUGINS") for item in env_text.replace(",", " ").split()]
        requested += [(item, "-p") for item in cli_args]
        blocked = tuple(dict.fromkeys(item[3:] for item, _ in requested if item.startswith("no:")))
        origins = {item: origin for item, origin in requested if not item.startswith("no:")}
        autoload_off = environ.get("PUFFIN_DISABLE_PLUGIN_AUTOLOAD", "").strip().lower()
        return cls(
            modules=tuple(origins),
            blocked=blocked,
            origins=MappingProxyType(origins),
            autoload=autoload_off in ("", "0", "false", "no", "off"),
        )


PROJECT_KEYS = frozenset({"cache-keys"})
"""``[tool.puffin]`` keys that describe the project itself rather than a setting: read by
builds of that project (``cache-keys``: the files whose change means a rebuild)."""


def load_settings(
    cli: Mapping[str, Any],
    *,
    environ: Mapping[str, str],
    layers: ConfigLayers,
    selection: PluginSelection,
    plugin_settings: Sequence[SettingDef] = (),
) -> Settings:
    """Build :class:`Settings` from the given CLI values (only those the user typed)."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for definition in (*CORE_SETTINGS, *plugin_settings):
        value, source = resolve(definition, cli, environ, layers)
        values[definition.name] = value
        if source is not None:
            sources[definition.name] = source

    color = ColorChoice(values["color"])
    # NO_COLOR (no-color.org) only lowers the default; an explicit choice still wins.
    if "color" not in sources and environ.get("NO_COLOR"):
        color = ColorChoice.NEVER

    known = {definition.config_key for definition in (*CORE_SETTINGS, *plugin_settings)}
    known |= PROJECT_KEYS
    warnings = tuple(
        f"{layer.label}: unknown setting {key!r}"
        for layer in layers.files
        for key in layer.values
        if key not in known and not isinstance(layer.values[key], dict)
    )

    return Settings(
        verbosity=int(cli.get("verbose") or 0) - int(cli.get("quiet") or 0),
        color=color,
        cache_dir=values["cache_dir"],
        no_cache=bool(values["no_cache"]),
        plugins=selection.modules,
        blocked_plugins=selection.blocked,
        autoload_plugins=not values["disable_plugin_autoload"],
        trace_hooks=bool(values["trace_hooks"]),
        project_root=layers.project_root(),
        plugin_options=MappingProxyType(
            {definition.name: values[definition.name] for definition in plugin_settings}
        ),
        sources=MappingProxyType(sources),
        warnings=warnings,
    )
