"""Settings precedence: CLI > PUFFIN_* environment > [tool.puffin] > user puffin.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from puffin.config.load import ConfigLayers, PluginSelection, load_settings
from puffin.config.settings import ColorChoice
from puffin.errors import UsageError


def _load(cli: dict[str, object], env: dict[str, str], cwd: Path):  # type: ignore[no-untyped-def]
    layers = ConfigLayers.discover(cwd, env)
    selection = PluginSelection.collect(list(cli.get("plugin_args", []) or []), env, layers)  # type: ignore[call-overload]
    return load_settings(cli, environ=env, layers=layers, selection=selection)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "sub").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.puffin]\ncache-dir = "pcache"\ncolor = "never"\n'
    )
    return root


@pytest.fixture
def user_config(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "user" / "puffin.toml"
    path.parent.mkdir()
    path.write_text('cache-dir = "/from/user"\ncolor = "always"\nno-cache = true\n')
    return {"PUFFIN_CONFIG_FILE": str(path)}


def test_defaults_without_any_source(tmp_path: Path) -> None:
    settings = _load({}, {"PUFFIN_CONFIG_FILE": str(tmp_path / "none.toml")}, tmp_path)
    assert settings.cache_dir is None
    assert settings.color is ColorChoice.AUTO
    assert settings.verbosity == 0
    assert settings.sources == {}


def test_user_file_is_the_lowest_layer(tmp_path: Path, user_config: dict[str, str]) -> None:
    settings = _load({}, user_config, tmp_path)
    assert settings.cache_dir == Path("/from/user")
    assert settings.color is ColorChoice.ALWAYS
    assert settings.no_cache is True


def test_pyproject_beats_user_file_and_is_found_from_subdirectory(
    project: Path, user_config: dict[str, str]
) -> None:
    settings = _load({}, user_config, project / "sub")
    # Relative paths in pyproject.toml are relative to the file, not to the cwd.
    assert settings.cache_dir == project / "pcache"
    assert settings.color is ColorChoice.NEVER
    assert settings.no_cache is True  # not set in pyproject: falls through to the user file
    assert settings.project_root == project
    assert settings.sources["cache_dir"] == "pyproject.toml [tool.puffin]: cache-dir"


def test_environment_beats_pyproject(project: Path, user_config: dict[str, str]) -> None:
    env = {**user_config, "PUFFIN_CACHE_DIR": "/from/env", "PUFFIN_COLOR": "always"}
    settings = _load({}, env, project)
    assert settings.cache_dir == Path("/from/env")
    assert settings.color is ColorChoice.ALWAYS
    assert settings.sources["cache_dir"] == "PUFFIN_CACHE_DIR"


def test_command_line_beats_everything(project: Path, user_config: dict[str, str]) -> None:
    env = {**user_config, "PUFFIN_CACHE_DIR": "/from/env"}
    settings = _load({"cache_dir": Path("/from/cli"), "color": "auto"}, env, project)
    assert settings.cache_dir == Path("/from/cli")
    assert settings.color is ColorChoice.AUTO
    assert settings.sources["cache_dir"] == "--cache-dir"


def test_no_color_lowers_only_the_default(tmp_path: Path) -> None:
    env = {"NO_COLOR": "1", "PUFFIN_CONFIG_FILE": str(tmp_path / "none.toml")}
    assert _load({}, env, tmp_path).color is ColorChoice.NEVER
    assert _load({"color": "always"}, env, tmp_path).color is ColorChoice.ALWAYS


def test_verbosity_counts_v_and_q(tmp_path: Path) -> None:
    env = {"PUFFIN_CONFIG_FILE": str(tmp_path / "none.toml")}
    assert _load({"verbose": 2}, env, tmp_path).verbosity == 2
    assert _load({"quiet": 1}, env, tmp_path).verbosity == -1


def test_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    env = {"PUFFIN_COLOR": "blue", "PUFFIN_CONFIG_FILE": str(tmp_path / "none.toml")}
    with pytest.raises(UsageError, match=r"PUFFIN_COLOR: invalid value 'blue' \(choose from"):
        _load({}, env, tmp_path)
    env = {"PUFFIN_NO_CACHE": "perhaps", "PUFFIN_CONFIG_FILE": str(tmp_path / "none.toml")}
    with pytest.raises(UsageError, match="PUFFIN_NO_CACHE: invalid boolean 'perhaps'"):
        _load({}, env, tmp_path)


def test_bad_config_value_names_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.puffin]\nno-cache = 'yes'\n")
    env = {"PUFFIN_CONFIG_FILE": str(tmp_path / "none.toml")}
    with pytest.raises(
        UsageError, match=r"pyproject.toml \[tool.puffin\]: no-cache: expected true"
    ):
        _load({}, env, tmp_path)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.puffin\n")
    with pytest.raises(UsageError, match=r"pyproject.toml: invalid TOML"):
        _load({}, {"PUFFIN_CONFIG_FILE": str(tmp_path / "none.toml")}, tmp_path)


def test_unknown_config_key_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.puffin]\ncahce-dir = 'x'\n")
    settings = _load({}, {"PUFFIN_CONFIG_FILE": str(tmp_path / "none.toml")}, tmp_path)
    assert settings.warnings == ("pyproject.toml [tool.puffin]: unknown setting 'cahce-dir'",)


def test_plugin_selection_accumulates_sources_and_blocks(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.puffin]\nplugins = ['org_policy']\n")
    env = {
        "PUFFIN_CONFIG_FILE": str(tmp_path / "none.toml"),
        "PUFFIN_PLUGINS": "envplug",
        "PUFFIN_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    layers = ConfigLayers.discover(tmp_path, env)
    selection = PluginSelection.collect(["cliplug", "no:someplugin"], env, layers)
    assert selection.modules == ("org_policy", "envplug", "cliplug")
    assert selection.blocked == ("someplugin",)
    assert selection.origins["org_policy"] == "pyproject.toml [tool.puffin]"
    assert selection.origins["cliplug"] == "-p"
    assert selection.autoload is False
