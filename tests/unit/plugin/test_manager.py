"""The plugin manager and the typed facade, in process."""

from __future__ import annotations

import types

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.config.load import PluginSelection
from puffin.errors import UsageError
from puffin.plugin import Candidate, PluginError, Problem, Rejection, hookimpl
from puffin.plugin.hooks import Hooks
from puffin.plugin.manager import PluginInfo, PuffinPluginManager, load_plugins
from puffin.types import Plan


def _selection(*modules: str, blocked: tuple[str, ...] = ()) -> PluginSelection:
    return PluginSelection(
        modules=modules, blocked=blocked, origins=types.MappingProxyType({}), autoload=False
    )


def _manager_with(*plugins: tuple[str, object]) -> PuffinPluginManager:
    manager = PuffinPluginManager()
    for name, plugin in plugins:
        manager.add_plugin(plugin, PluginInfo(name, "test", name))
    manager.check_unknown_hooks()
    return manager


def _candidates(name: str, *versions: str) -> list[Candidate]:
    return [Candidate(canonicalize_name(name), Version(v)) for v in versions]


def test_builtins_are_registered_and_trylast() -> None:
    manager = load_plugins(_selection())
    assert manager.get_plugin("reporter") is not None
    impl = manager.hook.puffin_make_reporter.get_hookimpls()[0]
    assert impl.plugin_name == "reporter"
    assert impl.trylast


def test_blocking_an_essential_builtin_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="'reporter' plugin cannot be blocked"):
        load_plugins(_selection(blocked=("reporter",)))


def test_unmarked_function_with_hook_prefix_is_an_implementation() -> None:
    class Plugin:
        def puffin_check_plan(self, plan: Plan) -> list[Problem]:
            return [Problem("x==1", "not allowed")]

    manager = _manager_with(("unmarked", Plugin()))
    assert [impl.plugin_name for impl in manager.hook.puffin_check_plan.get_hookimpls()] == [
        "unmarked"
    ]


def test_unknown_hook_is_one_line_error_naming_plugin_and_hook() -> None:
    class Plugin:
        def puffin_filter_candidate(self, name: str) -> None:  # typo: missing "s"
            return None

    with pytest.raises(PluginError) as caught:
        _manager_with(("typo", Plugin()))
    message = str(caught.value)
    assert "\n" not in message
    assert "'typo'" in message
    assert "'puffin_filter_candidate'" in message
    assert "did you mean 'puffin_filter_candidates'" in message


def test_misspelled_argument_is_one_line_error() -> None:
    class Plugin:
        def puffin_filter_candidates(self, name: str, cands: list[Candidate]) -> None:
            return None

    with pytest.raises(PluginError) as caught:
        _manager_with(("badarg", Plugin()))
    message = str(caught.value)
    assert "\n" not in message
    assert "'badarg'" in message and "puffin_filter_candidates" in message
    assert "'cands'" in message
    assert "candidates" in message  # what the hook offers


def test_optional_hook_of_another_plugin_is_allowed() -> None:
    class Plugin:
        @hookimpl(optionalhook=True)
        def puffin_other_plugins_hook(self) -> None:
            return None

    _manager_with(("optional", Plugin()))


def test_addhooks_lets_a_plugin_add_specs_others_implement() -> None:
    spec_module = types.ModuleType("extra_spec")
    from puffin.plugin import hookspec

    @hookspec
    def puffin_extra_thing(value: int) -> int:  # pragma: no cover - a spec
        """An extra hook."""
        raise NotImplementedError

    spec_module.puffin_extra_thing = puffin_extra_thing  # type: ignore[attr-defined]

    class Provider:
        def puffin_addhooks(self, pluginmanager: PuffinPluginManager) -> None:
            pluginmanager.add_hookspecs(spec_module)

    class Implementer:
        def puffin_extra_thing(self, value: int) -> int:
            return value * 2

    manager = PuffinPluginManager()
    manager.add_plugin(Implementer(), PluginInfo("impl", "test", "impl"))
    manager.add_plugin(Provider(), PluginInfo("provider", "test", "provider"))
    manager.hook.puffin_addhooks.call_historic(kwargs={"pluginmanager": manager})
    manager.check_unknown_hooks()
    assert manager.hook.puffin_extra_thing(value=21) == [42]


def test_verdicts_are_stamped_with_their_plugin() -> None:
    class DenyOld:
        def puffin_filter_candidates(
            self, name: str, candidates: list[Candidate]
        ) -> list[Rejection]:
            return [Rejection(c, "is too old") for c in candidates if c.version < Version("2")]

    class DenyAll:
        def puffin_filter_candidates(self, candidates: list[Candidate]) -> list[Rejection]:
            return [Rejection(c, "is denied", plugin="explicit-name") for c in candidates]

    hooks = Hooks(_manager_with(("deny-old", DenyOld()), ("deny-all", DenyAll())), trace=None)
    rejections = hooks.filter_candidates(
        canonicalize_name("Foo"),
        _candidates("foo", "1.0", "2.0"),
        ctx=None,  # type: ignore[arg-type]
    )
    by_plugin = sorted((r.plugin, str(r.candidate)) for r in rejections)
    assert by_plugin == [
        ("deny-old", "foo==1.0"),
        ("explicit-name", "foo==1.0"),
        ("explicit-name", "foo==2.0"),
    ]


def test_exception_in_collect_hook_names_the_plugin() -> None:
    class Broken:
        def puffin_check_plan(self, plan: Plan) -> None:
            raise RuntimeError("policy server unreachable")

    hooks = Hooks(_manager_with(("broken", Broken())), trace=None)
    with pytest.raises(PluginError) as caught:
        hooks.check_plan(Plan(()), ctx=None)  # type: ignore[arg-type]
    assert caught.value.plugin == "broken"
    assert caught.value.hook == "puffin_check_plan"
    assert "plugin 'broken' failed in puffin_check_plan: RuntimeError: policy server" in str(
        caught.value
    )
    assert isinstance(caught.value.__cause__, RuntimeError)


def test_exception_in_firstresult_hook_names_the_plugin() -> None:
    def helper() -> None:
        raise KeyError("deep inside")

    class Broken:
        def puffin_get_credentials(self, url: str) -> None:
            helper()

    class Fine:
        def puffin_get_credentials(self, url: str) -> None:
            return None

    hooks = Hooks(_manager_with(("fine", Fine()), ("broken", Broken())), trace=None)
    with pytest.raises(PluginError, match="plugin 'broken' failed in puffin_get_credentials"):
        hooks.get_credentials("https://example.invalid/simple/", ctx=None)  # type: ignore[arg-type]


def test_firstresult_asks_plugins_before_trylast_builtins() -> None:
    class MyReporter:
        def puffin_make_reporter(self) -> str:
            return "mine"

    manager = load_plugins(_selection())
    manager.add_plugin(MyReporter(), PluginInfo("mine", "test", "mine"))
    hooks = Hooks(manager, trace=None)
    from puffin.config.settings import Settings

    assert hooks.make_reporter(Settings()) == "mine"


def test_tracing_writes_hook_calls() -> None:
    lines: list[str] = []

    class Plugin:
        def puffin_check_plan(self, plan: Plan) -> None:
            return None

        def puffin_get_credentials(self, url: str) -> None:
            return None

    hooks = Hooks(_manager_with(("traced", Plugin())), trace=lines.append)
    hooks.check_plan(Plan(()), ctx=None)  # type: ignore[arg-type]
    hooks.get_credentials("https://x.invalid/", ctx=None)  # type: ignore[arg-type]
    text = "".join(lines)
    assert "puffin_check_plan [traced]" in text
    assert "puffin_get_credentials" in text
