"""Loading plugins: built-ins first, then the ``puffin`` entry-point group, then ``-p``.

Every plugin goes through the same path. Built-in plugins are ordinary modules listed in
:data:`puffin.builtin.BUILTIN_PLUGINS`; their implementations are marked ``trylast``, so
any installed plugin is asked first. ``-p no:NAME`` blocks a plugin by name,
``PUFFIN_DISABLE_PLUGIN_AUTOLOAD=1`` skips entry points, and ``-p MODULE`` (or
``[tool.puffin] plugins``) imports a module and registers it.

After loading, every implementation is checked against the specification; a plugin that
implements an unknown hook, or takes an argument its hook does not offer, stops puffin with
a one-line error naming the plugin and the hook.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

import pluggy

from puffin.errors import UsageError
from puffin.plugin import spec
from puffin.plugin.errors import PluginError
from puffin.plugin.markers import PROJECT_NAME

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

    from puffin.config.load import PluginSelection

ENTRY_POINT_GROUP = "puffin"
"""Third-party plugins register in this entry-point group: ``name = "module"``."""

HOOK_PREFIX = "puffin_"


class PluginInfo(NamedTuple):
    """Where a registered plugin came from, for ``puffin plugins list`` and messages."""

    name: str
    origin: str
    """``builtin``, ``entry point``, ``-p``, ``PUFFIN_PLUGINS`` or the config file's label."""
    module: str
    distribution: str | None = None
    version: str | None = None
    location: str = ""
    """The file the plugin was imported from, when it is not a packaged distribution."""

    def describe(self) -> str:
        """``'name' (dist 1.0)`` or ``'name'``: how messages refer to the plugin."""
        if self.distribution:
            return f"{self.name!r} ({self.distribution} {self.version or ''})".replace(" )", ")")
        return repr(self.name)


class PuffinPluginManager(pluggy.PluginManager):
    """pluggy's manager plus the record of where each plugin came from.

    A function named ``puffin_*`` is taken as an implementation even without the
    ``@hookimpl`` marker (as pytest does), so a misspelled hook name cannot be silently
    ignored: it is reported as an unknown hook instead.
    """

    def __init__(self) -> None:
        super().__init__(PROJECT_NAME)
        self.add_hookspecs(spec)
        self.infos: dict[str, PluginInfo] = {}

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        """Accept unmarked ``puffin_*`` routines as implementations with default options."""
        if not name.startswith(HOOK_PREFIX):
            return None
        if not inspect.isroutine(getattr(plugin, name, None)):
            return None
        marked = super().parse_hookimpl_opts(plugin, name)
        if marked is not None:
            return marked
        return pluggy.HookimplOpts(
            wrapper=False,
            hookwrapper=False,
            optionalhook=False,
            tryfirst=False,
            trylast=False,
            specname=None,
        )

    def add_plugin(self, plugin: object, info: PluginInfo) -> None:
        """Check ``plugin`` against the specification, then register it under its name."""
        self._check_arguments(plugin, info)
        try:
            self.register(plugin, name=info.name)
        except pluggy.PluginValidationError as error:
            detail = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
            raise PluginError(
                f"plugin {info.describe()} is invalid: {detail}", plugin=info.name
            ) from None
        except ValueError as error:
            # pluggy refuses a second plugin with the same name or object.
            raise PluginError(
                f"plugin {info.describe()} cannot be registered: {error}", plugin=info.name
            ) from None
        self.infos[info.name] = info

    def _check_arguments(self, plugin: object, info: PluginInfo) -> None:
        """Every argument an implementation takes must be one its hook offers."""
        for attribute in dir(plugin):
            opts = self.parse_hookimpl_opts(plugin, attribute)
            if opts is None:
                continue
            hook_name = opts.get("specname") or attribute
            caller = getattr(self.hook, hook_name, None)
            if caller is None or caller.spec is None:
                continue  # unknown hooks are reported after puffin_addhooks has run
            impl = pluggy.HookImpl(plugin, info.name, getattr(plugin, attribute), opts)
            offered = caller.spec.argnames
            unknown = [name for name in impl.argnames if name not in offered]
            if unknown:
                raise PluginError(
                    f"plugin {info.describe()} implements {hook_name} with unknown "
                    f"argument(s) {', '.join(map(repr, unknown))}; the hook offers: "
                    f"{', '.join(offered)}",
                    plugin=info.name,
                    hook=hook_name,
                )

    def check_unknown_hooks(self) -> None:
        """Fail with a one-line error for an implementation of a hook nobody specified."""
        for hook_name, caller in self._hook_callers():
            if caller.spec is not None:
                continue
            for impl in caller.get_hookimpls():
                if impl.optionalhook:
                    continue
                known = [name for name, other in self._hook_callers() if other.spec is not None]
                import difflib

                close = difflib.get_close_matches(hook_name, known, n=1)
                suggestion = f" (did you mean {close[0]!r}?)" if close else ""
                info = self.infos.get(impl.plugin_name)
                who = info.describe() if info else repr(impl.plugin_name)
                raise PluginError(
                    f"plugin {who} implements unknown hook {hook_name!r}{suggestion}",
                    plugin=impl.plugin_name,
                    hook=hook_name,
                )

    def _hook_callers(self) -> Iterator[tuple[str, pluggy.HookCaller]]:
        for name, value in vars(self.hook).items():
            if isinstance(value, pluggy.HookCaller):
                yield name, value


def load_plugins(
    selection: PluginSelection,
    *,
    project_root: Path | None = None,
    builtins: Mapping[str, str] | None = None,
) -> PuffinPluginManager:
    """Create the plugin manager for one command and load every plugin into it."""
    from puffin.builtin import BUILTIN_PLUGINS, ESSENTIAL_PLUGINS

    manager = PuffinPluginManager()
    for name in selection.blocked:
        if name in ESSENTIAL_PLUGINS:
            raise UsageError(
                f"-p no:{name}: the built-in {name!r} plugin cannot be blocked",
                hint="a plugin replaces it by implementing its hook; built-ins run last",
            )
        manager.set_blocked(name)

    for name, module_name in (builtins if builtins is not None else BUILTIN_PLUGINS).items():
        if manager.is_blocked(name):
            continue
        import puffin

        module = importlib.import_module(module_name)
        manager.add_plugin(
            module, PluginInfo(name, "builtin", module_name, "puffin", puffin.__version__)
        )

    if selection.autoload:
        _load_entry_points(manager)

    for module_name in selection.modules:
        origin = selection.origins.get(module_name, "-p")
        _load_module(manager, module_name, origin, project_root)

    manager.hook.puffin_addhooks.call_historic(kwargs={"pluginmanager": manager})
    manager.check_unknown_hooks()
    return manager


def _load_entry_points(manager: PuffinPluginManager) -> None:
    from puffin.plugin.entry_points import find_entry_points

    for entry_point in find_entry_points(ENTRY_POINT_GROUP, sys.path):
        if manager.is_blocked(entry_point.name) or manager.get_plugin(entry_point.name):
            continue
        info = PluginInfo(
            entry_point.name,
            "entry point",
            entry_point.value,
            entry_point.dist_name,
            entry_point.dist_version,
            location=entry_point.metadata_dir,
        )
        try:
            plugin: Any = importlib.import_module(entry_point.module)
            for part in (entry_point.attribute or "").split("."):
                if part:
                    plugin = getattr(plugin, part)
        except Exception as error:
            raise PluginError(
                f"plugin {info.describe()} failed to load: {type(error).__name__}: {error}",
                plugin=entry_point.name,
            ) from error
        manager.add_plugin(plugin, info)


def _load_module(
    manager: PuffinPluginManager, module_name: str, origin: str, project_root: Path | None
) -> None:
    if manager.is_blocked(module_name):
        return
    # A plugin named in [tool.puffin] may live in the project itself, unpackaged.
    if project_root is not None and str(project_root) not in sys.path:
        sys.path.insert(0, str(project_root))
    try:
        module: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise PluginError(
            f"plugin {module_name!r} (from {origin}) cannot be imported: {error}",
            plugin=module_name,
        ) from None
    except Exception as error:
        raise PluginError(
            f"plugin {module_name!r} (from {origin}) failed to load: "
            f"{type(error).__name__}: {error}",
            plugin=module_name,
        ) from error
    if manager.is_registered(module):
        return  # already loaded, e.g. through its entry point
    path = getattr(module, "__file__", None) or module_name
    manager.add_plugin(module, PluginInfo(module_name, origin, module_name, location=str(path)))
