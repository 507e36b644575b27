"""The typed facade through which core code calls every hook.

One method per hook, so the type checker sees every call site and its types. The facade
also gives failures a name: an exception raised inside a plugin becomes a
:class:`~puffin.plugin.errors.PluginError` naming the plugin and the hook, and every
verdict a plugin returns is stamped with that plugin's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from puffin.errors import PuffinError
from puffin.plugin.errors import PluginError

if TYPE_CHECKING:
    import types
    from collections.abc import Callable, Iterable, Sequence

    import pluggy
    from packaging.utils import NormalizedName

    from puffin.config.settings import Settings
    from puffin.context import Context
    from puffin.environment.target import TargetEnvironment
    from puffin.plugin.manager import PuffinPluginManager
    from puffin.plugin.protocols import BuildEnvironment, Builder, IndexSource, Reporter
    from puffin.plugin.registries import CommandRegistry, OptionRegistry
    from puffin.requirements.manifest import Manifest
    from puffin.types import (
        BuildRequest,
        Candidate,
        Credentials,
        IndexSpec,
        InstalledDist,
        ManifestAdjustment,
        Plan,
        Problem,
        Rejection,
        Resolution,
    )

T = TypeVar("T")
Verdict = TypeVar("Verdict", "Rejection", "Problem")


class Hooks:
    """Calls hooks on one :class:`~puffin.plugin.manager.PuffinPluginManager`."""

    def __init__(self, manager: PuffinPluginManager, *, trace: Callable[[str], None] | None):
        self.manager = manager
        self._trace = trace
        if trace is not None:
            manager.trace.root.setwriter(trace)
            manager.enable_tracing()

    # -- start-up -----------------------------------------------------------------------

    def add_options(self, registry: OptionRegistry) -> None:
        """Let every plugin declare its settings into ``registry``."""
        for impl in self._impls("puffin_add_options"):
            registry.current_plugin = impl.plugin_name
            self._call_one(impl, "puffin_add_options", {"parser": registry})
        registry.current_plugin = ""

    def add_commands(self, registry: CommandRegistry) -> None:
        """Let every plugin add commands to ``registry``."""
        for impl in self._impls("puffin_add_commands"):
            registry.current_plugin = impl.plugin_name
            self._call_one(impl, "puffin_add_commands", {"commands": registry})
        registry.current_plugin = ""

    def configure(self, settings: Settings) -> None:
        """Hand every plugin the final settings."""
        self._call(
            "puffin_configure",
            lambda: self.manager.hook.puffin_configure.call_historic(kwargs={"settings": settings}),
        )

    def make_reporter(self, settings: Settings) -> Reporter:
        """The reporter of the first plugin that offers one."""
        reporter: Reporter | None = self._call(
            "puffin_make_reporter",
            lambda: self.manager.hook.puffin_make_reporter(settings=settings),
        )
        if reporter is None:
            raise PuffinError("no plugin provides a reporter (puffin_make_reporter)")
        return reporter

    # -- sources ------------------------------------------------------------------------

    def index_source(self, spec: IndexSpec, ctx: Context) -> IndexSource | None:
        """The source that serves ``spec``, or None when no plugin claims it."""
        result: IndexSource | None = self._call(
            "puffin_index_source",
            lambda: self.manager.hook.puffin_index_source(spec=spec, ctx=ctx),
        )
        return result

    def get_credentials(
        self, url: str, ctx: Context, *, username: str | None = None
    ) -> Credentials | None:
        """Credentials for ``url`` (whose userinfo named ``username``, if any) from the
        first plugin that has them."""
        result: Credentials | None = self._call(
            "puffin_get_credentials",
            lambda: self.manager.hook.puffin_get_credentials(url=url, username=username, ctx=ctx),
        )
        return result

    # -- resolution ---------------------------------------------------------------------

    def adjust_manifest(self, manifest: Manifest, ctx: Context) -> list[ManifestAdjustment]:
        """Every plugin's extra constraints and overrides."""
        results: list[ManifestAdjustment] = self._call(
            "puffin_adjust_manifest",
            lambda: self.manager.hook.puffin_adjust_manifest(manifest=manifest, ctx=ctx),
        )
        return results

    def filter_candidates(
        self, name: NormalizedName, candidates: Sequence[Candidate], ctx: Context
    ) -> list[Rejection]:
        """Every plugin's rejections of ``candidates``, each stamped with its plugin."""
        return self._collect_verdicts(
            "puffin_filter_candidates", {"name": name, "candidates": candidates, "ctx": ctx}
        )

    def check_resolution(self, resolution: Resolution, ctx: Context) -> list[Problem]:
        """Every plugin's problems with ``resolution``."""
        return self._collect_verdicts(
            "puffin_check_resolution", {"resolution": resolution, "ctx": ctx}
        )

    # -- builds -------------------------------------------------------------------------

    def build_env(self, request: BuildRequest, ctx: Context) -> BuildEnvironment | None:
        """The environment ``request`` builds in."""
        result: BuildEnvironment | None = self._call(
            "puffin_build_env",
            lambda: self.manager.hook.puffin_build_env(request=request, ctx=ctx),
        )
        return result

    def build(self, request: BuildRequest, env: BuildEnvironment, ctx: Context) -> Builder | None:
        """The builder for ``request``."""
        result: Builder | None = self._call(
            "puffin_build",
            lambda: self.manager.hook.puffin_build(request=request, env=env, ctx=ctx),
        )
        return result

    # -- installing ---------------------------------------------------------------------

    def check_plan(self, plan: Plan, ctx: Context) -> list[Problem]:
        """Every plugin's objections to ``plan``."""
        return self._collect_verdicts("puffin_check_plan", {"plan": plan, "ctx": ctx})

    def post_install(
        self, installed: Sequence[InstalledDist], env: TargetEnvironment, ctx: Context
    ) -> None:
        """Run every plugin's post-install step."""
        self._call(
            "puffin_post_install",
            lambda: self.manager.hook.puffin_post_install(installed=installed, env=env, ctx=ctx),
        )

    # -- machinery ----------------------------------------------------------------------

    def plugin_names_for(self, hook_name: str) -> frozenset[str]:
        """The names of the plugins implementing ``hook_name`` (e.g. to key a cache by
        who answers a hook)."""
        return frozenset(impl.plugin_name for impl in self._impls(hook_name))

    def _impls(self, hook_name: str) -> list[pluggy.HookImpl]:
        """Implementations in pluggy's call order (tryfirst first, trylast last)."""
        caller = getattr(self.manager.hook, hook_name)
        return [impl for impl in reversed(caller.get_hookimpls()) if not _is_wrapper(impl)]

    def _call_one(self, impl: pluggy.HookImpl, hook_name: str, kwargs: dict[str, Any]) -> Any:
        """Call one implementation directly, so its result and failure are attributable."""
        if self._trace is not None:
            self._trace(f"  {hook_name} [{impl.plugin_name}]\n")
        try:
            return impl.function(*(kwargs[name] for name in impl.argnames))
        except PuffinError:
            raise
        except Exception as error:
            raise _plugin_failed(self.manager, impl.plugin_name, hook_name, error) from error

    def _collect_verdicts(self, hook_name: str, kwargs: dict[str, Any]) -> list[Any]:
        """Call a verdict hook plugin by plugin and stamp each verdict with its plugin."""
        verdicts: list[Any] = []
        for impl in self._impls(hook_name):
            result: Iterable[Any] | None = self._call_one(impl, hook_name, kwargs)
            for verdict in result or ():
                stamped = verdict
                if not getattr(verdict, "plugin", ""):
                    import dataclasses  # verdicts are dataclasses; few commands get here

                    stamped = dataclasses.replace(verdict, plugin=impl.plugin_name)
                verdicts.append(stamped)
        return verdicts

    def _call(self, hook_name: str, call: Callable[[], T]) -> T:
        """Run a pluggy hook call, turning a plugin's exception into a PluginError."""
        try:
            return call()
        except PuffinError:
            raise
        except Exception as error:
            plugin = _find_raising_plugin(self.manager, hook_name, error.__traceback__)
            if plugin is None:
                raise
            raise _plugin_failed(self.manager, plugin, hook_name, error) from error


def _is_wrapper(impl: pluggy.HookImpl) -> bool:
    return bool(impl.hookwrapper or impl.wrapper)


def _find_raising_plugin(
    manager: PuffinPluginManager, hook_name: str, traceback: types.TracebackType | None
) -> str | None:
    """The plugin whose implementation of ``hook_name`` is on the failing stack."""
    caller = getattr(manager.hook, hook_name)
    codes = {
        getattr(impl.function, "__code__", None): impl.plugin_name
        for impl in caller.get_hookimpls()
    }
    found: str | None = None
    while traceback is not None:
        plugin = codes.get(traceback.tb_frame.f_code)
        if plugin is not None:
            found = plugin  # the innermost implementation frame is the one that raised
        traceback = traceback.tb_next
    return found


def _plugin_failed(
    manager: PuffinPluginManager, plugin: str, hook_name: str, error: BaseException
) -> PluginError:
    info = manager.infos.get(plugin)
    who = info.describe() if info else repr(plugin)
    message = f"plugin {who} failed in {hook_name}: {type(error).__name__}: {error}"
    return PluginError(message, plugin=plugin, hook=hook_name)
