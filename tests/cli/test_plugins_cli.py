"""Plugins from the user's point of view: real subprocesses of ``python -m puffin``.

Third-party plugins are real installed distributions: a module plus a ``.dist-info``
directory with ``entry_points.txt``, on a directory added to PYTHONPATH, which is exactly
what importlib.metadata reads for any installed distribution.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


def install_plugin(site: Path, dist: str, version: str, module: str, source: str) -> None:
    """Install a plugin distribution ``dist`` whose entry point ``module`` has ``source``."""
    site.mkdir(exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[puffin]\n{module} = {module}\n")
    (info / "RECORD").write_text("")


GREETER = """
    from puffin.plugin import hookimpl

    @hookimpl
    def puffin_add_options(parser):
        parser.add_option("greeting", help="what to say", default="hello")

    def _configure(parser):
        parser.add_argument("name")

    def _run(args, ctx):
        word = ctx.settings.plugin_option("greeting")
        ctx.reporter.result(f"{word}, {args.name}")
        return 0

    def puffin_add_commands(commands):
        commands.add_command(("greet",), help="greet someone", configure=_configure, run=_run)
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return tmp_path / "site"


def test_builtin_plugins_are_listed(run_puffin) -> None:
    result = run_puffin("plugins", "list")
    result.assert_ok()
    line = next(line for line in result.stdout.splitlines() if line.startswith("reporter"))
    assert "builtin" in line
    assert "puffin " in line
    assert "puffin_make_reporter" in line


def test_entry_point_plugin_is_loaded_and_listed(run_puffin, site: Path) -> None:
    install_plugin(site, "puffin-greeter", "1.2.3", "greeter", GREETER)
    result = run_puffin("plugins", "list", env={"PYTHONPATH": str(site)})
    result.assert_ok()
    line = next(line for line in result.stdout.splitlines() if line.startswith("greeter"))
    assert "puffin-greeter 1.2.3" in line
    assert "entry point" in line
    assert "puffin_add_commands, puffin_add_options" in line


def test_plugin_adds_a_command_and_an_option_with_precedence(
    run_puffin, site: Path, tmp_path: Path
) -> None:
    install_plugin(site, "puffin-greeter", "1.0", "greeter", GREETER)
    env = {"PYTHONPATH": str(site)}
    assert run_puffin("greet", "ada", env=env).stdout == "hello, ada\n"
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.puffin]\ngreeting = "ahoy"\n')
    assert run_puffin("greet", "ada", env=env, cwd=project).stdout == "ahoy, ada\n"
    env_var = {**env, "PUFFIN_GREETING": "hi"}
    assert run_puffin("greet", "ada", env=env_var, cwd=project).stdout == "hi, ada\n"
    flag = run_puffin("greet", "ada", "--greeting", "yo", env=env_var, cwd=project)
    assert flag.stdout == "yo, ada\n"


def test_autoload_can_be_disabled(run_puffin, site: Path) -> None:
    install_plugin(site, "puffin-greeter", "1.0", "greeter", GREETER)
    env = {"PYTHONPATH": str(site), "PUFFIN_DISABLE_PLUGIN_AUTOLOAD": "1"}
    result = run_puffin("plugins", "list", env=env)
    result.assert_ok()
    assert "greeter" not in result.stdout
    # ... but -p still loads it explicitly.
    explicit = run_puffin("-p", "greeter", "plugins", "list", env=env)
    explicit.assert_ok()
    line = next(line for line in explicit.stdout.splitlines() if line.startswith("greeter"))
    assert " -p " in f" {line} "


def test_p_no_blocks_a_plugin(run_puffin, site: Path) -> None:
    install_plugin(site, "puffin-greeter", "1.0", "greeter", GREETER)
    env = {"PYTHONPATH": str(site)}
    result = run_puffin("-p", "no:greeter", "plugins", "list", env=env)
    result.assert_ok()
    assert "greeter" not in result.stdout
    blocked_command = run_puffin("-p", "no:greeter", "greet", "ada", env=env)
    assert blocked_command.returncode == 2
    assert "invalid choice: 'greet'" in blocked_command.stderr


def test_blocking_the_essential_reporter_is_a_usage_error(run_puffin) -> None:
    result = run_puffin("-p", "no:reporter", "plugins", "list")
    assert result.returncode == 2
    assert "'reporter' plugin cannot be blocked" in result.stderr


def test_local_plugin_from_pyproject_is_loaded_with_its_origin(run_puffin, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "org_rules.py").write_text("def puffin_check_plan(plan):\n    return None\n")
    (project / "pyproject.toml").write_text('[tool.puffin]\nplugins = ["org_rules"]\n')
    result = run_puffin("plugins", "list", "-v", cwd=project)
    result.assert_ok()
    line = next(line for line in result.stdout.splitlines() if line.startswith("org_rules"))
    assert "pyproject.toml [tool.puffin]" in line
    assert "puffin_check_plan" in line
    assert str(project / "org_rules.py") in result.stderr  # -v shows where it came from


def test_unknown_hook_fails_with_one_line_naming_plugin_and_hook(run_puffin, site: Path) -> None:
    install_plugin(
        site, "puffin-typo", "0.1", "typo", "def puffin_get_credential(url):\n    return None\n"
    )
    result = run_puffin("plugins", "list", env={"PYTHONPATH": str(site)})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "error: plugin 'typo' (puffin-typo 0.1) implements unknown hook "
        "'puffin_get_credential' (did you mean 'puffin_get_credentials'?)"
    ]
    assert "Traceback" not in result.stderr


def test_misspelled_argument_fails_with_one_line(run_puffin, site: Path) -> None:
    install_plugin(
        site,
        "puffin-args",
        "0.1",
        "args",
        "def puffin_get_credentials(uri, ctx):\n    return None\n",
    )
    result = run_puffin("plugins", "list", env={"PYTHONPATH": str(site)})
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        "error: plugin 'args' (puffin-args 0.1) implements puffin_get_credentials with unknown "
        "argument(s) 'uri'; the hook offers: url, username, ctx"
    )


def test_plugin_that_raises_is_reported_by_name_without_traceback(run_puffin, site: Path) -> None:
    source = """
        def puffin_configure(settings):
            raise ValueError("missing policy file")
    """
    install_plugin(site, "puffin-broken", "2.0", "broken", source)
    env = {"PYTHONPATH": str(site)}
    result = run_puffin("cache", "dir", env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "error: plugin 'broken' (puffin-broken 2.0) failed in puffin_configure: "
        "ValueError: missing policy file"
    )
    assert "Traceback" not in result.stderr
    verbose = run_puffin("cache", "dir", "-vv", env=env)
    assert "Traceback" in verbose.stderr
    assert 'raise ValueError("missing policy file")' in verbose.stderr


def test_plugin_that_fails_to_import_is_reported_by_name(run_puffin, site: Path) -> None:
    install_plugin(site, "puffin-noimport", "1.0", "noimport", "import does_not_exist_xyz\n")
    result = run_puffin("plugins", "list", env={"PYTHONPATH": str(site)})
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: plugin 'noimport' (puffin-noimport 1.0) failed to load: "
        "ModuleNotFoundError: No module named 'does_not_exist_xyz'"
    )


def test_trace_hooks_traces_to_stderr(run_puffin) -> None:
    result = run_puffin("cache", "dir", env={"PUFFIN_TRACE_HOOKS": "1"})
    result.assert_ok()
    assert "puffin_make_reporter" in result.stderr
    assert "puffin_configure" in result.stderr
    assert result.stdout.strip()  # the command output itself is untouched


def test_plugins_list_json(run_puffin) -> None:
    import json

    result = run_puffin("plugins", "list", "--format", "json")
    result.assert_ok()
    rows = json.loads(result.stdout)
    reporter = next(row for row in rows if row["name"] == "reporter")
    assert reporter["origin"] == "builtin"
    assert reporter["distribution"] == "puffin"
    assert reporter["hooks"] == ["puffin_make_reporter"]
