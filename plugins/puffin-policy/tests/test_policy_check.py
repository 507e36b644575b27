"""``puffin policy check``, vetoed plans, and the plugin as installed.

``policy check`` audits an environment that was installed before the policy existed:
every violation on stdout, exit status 1; a clean environment exits 0. A plan with a
violation the resolver could not avoid (a direct URL requirement, a license) stops the
command before anything is installed. The plan hook itself is also called in-process
with a hand-made plan, because puffin's own runs stop at the resolution check first.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from packaging.version import Version
from puffin.plugin import InstalledDist, Plan, PlanAction, PlanItem, ResolvedDist

SOURCE = Path(__file__).parents[1] / "src"
GPL3 = "License :: OSI Approved :: GNU General Public License v3 (GPLv3)"


@pytest.fixture
def wheels(make_wheel):
    return {
        "app": make_wheel(
            "app",
            "1.0",
            requires_dist=["leftpad"],
            metadata_version="2.4",
            metadata_extra={"License-Expression": "MIT"},
        ),
        "leftpad": make_wheel("leftpad", "1.0", metadata_extra={"Classifier": GPL3}),
    }


# -- the plugin as installed ---------------------------------------------------------------


def test_policy_plugin_is_installed_not_run_from_source() -> None:
    spec = importlib.util.find_spec("puffin_policy")
    assert spec is not None and spec.origin is not None, (
        "install the plugin first: python -m pip install ./plugins/puffin-policy"
    )
    assert SOURCE.resolve() not in Path(spec.origin).resolve().parents, (
        "the tests must run against an installed (non-editable) puffin-policy"
    )


def test_policy_plugin_is_listed(run_puffin) -> None:
    result = run_puffin("plugins", "list", "--format", "json")
    result.assert_ok()
    plugins = {entry["name"]: entry for entry in json.loads(result.stdout)}
    entry = plugins["policy"]
    assert entry["distribution"] == "puffin-policy"
    assert entry["origin"] == "entry point"
    assert entry["hooks"] == [
        "puffin_add_commands",
        "puffin_check_plan",
        "puffin_check_resolution",
        "puffin_configure",
        "puffin_filter_candidates",
    ]
    text = run_puffin("plugins", "list").assert_ok().stdout
    assert any(line.split()[:2] == ["policy", "puffin-policy"] for line in text.splitlines())


def test_policy_plugin_import_is_cheap() -> None:
    code = (
        "import sys, puffin_policy; "
        "print(sorted(m for m in ('tomllib', 'tomli', 'urllib.request', "
        "'packaging.requirements', 'puffin_policy._config') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_policy_plugin_can_be_blocked(project, venv, local_index, wheels, run_puffin) -> None:
    project.policy('deny = ["leftpad"]')
    index = local_index(wheels.values())
    run_puffin(
        "-p", "no:policy", "pip", "install", "-p", str(venv), "-i", index.simple_url, "app"
    ).assert_ok()


# -- policy check --------------------------------------------------------------------------


def test_policy_check_lists_violations_and_exits_1(
    project, venv, local_index, wheels, install, run_puffin
) -> None:
    index = local_index(wheels.values())
    install(venv, index.simple_url, "app").assert_ok()  # before the policy existed
    pyproject = project.policy(
        'deny = [{ package = "leftpad", reason = "left-pad incident" }]\n'
        'allowed-licenses = ["MIT"]\n'
    )
    result = run_puffin("policy", "check", "--python", str(venv))
    result.assert_failed(1)
    assert result.stdout.splitlines() == [
        f"leftpad==1.0: violates policy deny (left-pad incident) from {pyproject}",
        "leftpad==1.0: violates policy allowed-licenses (classifier "
        f"'{GPL3}' (GPL-3.0-only): not in allowed-licenses) from {pyproject}",
    ]
    assert "error: 2 policy violations in 2 installed packages" in result.stderr

    result = run_puffin("policy", "check", "-p", str(venv), "--format", "json")
    result.assert_failed(1)
    assert json.loads(result.stdout) == [
        {
            "package": "leftpad",
            "version": "1.0",
            "rule": "deny",
            "reason": "left-pad incident",
            "origin": str(pyproject),
        },
        {
            "package": "leftpad",
            "version": "1.0",
            "rule": "allowed-licenses",
            "reason": f"classifier '{GPL3}' (GPL-3.0-only): not in allowed-licenses",
            "origin": str(pyproject),
        },
    ]


def test_policy_check_clean_environment_exits_0(
    project, venv, local_index, wheels, install, run_puffin
) -> None:
    index = local_index(wheels.values())
    install(venv, index.simple_url, "app").assert_ok()
    project.policy(
        'deny = [{ package = "leftpad<1", reason = "old" }]\n'
        'allow-only = ["app", "leftpad"]\n'
        'allowed-licenses = ["MIT", "GPL-3.0-only"]\n'
        "min-release-age-days = 7\nrequire-hashes = true\n"
    )
    result = run_puffin("policy", "check", "--python", str(venv))
    result.assert_ok()
    assert result.stdout == ""
    assert "Checked 2 installed packages against the policy: no violations" in result.stderr


def test_policy_check_finds_the_nearest_venv(project, local_index, wheels, run_puffin) -> None:
    index = local_index(wheels.values())
    venv = project.root / ".venv"
    run_puffin("venv", str(venv), "-p", sys.executable).assert_ok()
    run_puffin("pip", "install", "-i", index.simple_url, "app").assert_ok()
    project.policy('allow-only = ["app"]')
    result = run_puffin("policy", "check")
    result.assert_failed(1)
    assert result.stdout.startswith("leftpad==1.0: violates policy allow-only (leftpad is not")


def test_policy_check_without_a_policy(venv, run_puffin) -> None:
    result = run_puffin("policy", "check", "--python", str(venv))
    result.assert_ok()
    assert "no policy is configured" in result.stderr


def test_policy_check_of_a_missing_environment(project, run_puffin, tmp_path) -> None:
    project.policy('deny = ["leftpad"]')
    result = run_puffin("policy", "check", "--python", str(tmp_path / "nothing"))
    result.assert_failed()
    assert "Traceback" not in result.stderr


# -- vetoed plans --------------------------------------------------------------------------


def test_policy_direct_url_violations_stop_the_install_and_nothing_is_installed(
    project, venv, local_index, wheels, make_wheel, install, installed
) -> None:
    # A direct requirement is not chosen among candidates: the rules apply to it after
    # the resolution, and every violation of every package is listed at once.
    direct = make_wheel("leftpad", "3.0", metadata_extra={"Classifier": GPL3})
    pyproject = project.policy(
        'deny = [{ package = "leftpad>=3", reason = "CVE-2023-1234" }]\n'
        'allowed-licenses = ["MIT"]\nallow-file-urls = false\n'
    )
    index = local_index(wheels.values())
    result = install(venv, index.simple_url, "app", str(direct))
    result.assert_failed(1)
    problems = [line.strip() for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert problems == [
        f"- leftpad==3.0: violates policy deny (CVE-2023-1234) from {pyproject} [policy]",
        "- leftpad==3.0: violates policy allow-file-urls (leftpad-3.0-py3-none-any.whl is a "
        f"local file ({direct.as_uri()})) from {pyproject} [policy]",
        "- leftpad==3.0: violates policy allowed-licenses (classifier "
        f"'{GPL3}' (GPL-3.0-only): not in allowed-licenses) from {pyproject} [policy]",
    ]
    assert installed(venv) == {}


def _context(policy_file: Path, cwd: Path) -> SimpleNamespace:
    """What the plugin reads of a command's context: config files, environment, cwd."""
    return SimpleNamespace(
        config=SimpleNamespace(files=()), environ={"PUFFIN_POLICY": str(policy_file)}, cwd=cwd
    )


def test_policy_check_plan_vetoes_what_the_plan_keeps_or_installs(tmp_path) -> None:
    from puffin_policy import PolicyPlugin

    policy = tmp_path / "policy.toml"
    policy.write_text(
        'deny = [{ package = "leftpad", reason = "CVE-2023-1234" }]\n'
        'allowed-licenses = ["MIT"]\nallow-unknown-license = false\n'
        'allowed-index-hosts = ["pypi.org"]\n'
    )
    leftpad = ResolvedDist("leftpad", Version("1.0"))
    git = ResolvedDist("tool", Version("2.0"), url="git+https://github.com/o/tool@abc")
    mine = ResolvedDist("mine", Version("0.1"), url=tmp_path.as_uri(), editable=True)
    gone = InstalledDist("old", Version("1.0"), tmp_path / "old-1.0.dist-info")
    plan = Plan(
        (
            PlanItem(PlanAction.DOWNLOAD, leftpad, None),
            PlanItem(PlanAction.LINK, git, None),
            PlanItem(PlanAction.SATISFIED, mine, None),
            PlanItem(PlanAction.REMOVE, None, gone),  # removing is always fine
        )
    )
    problems = PolicyPlugin().puffin_check_plan(plan, _context(policy, tmp_path))
    shown = [(problem.subject, problem.rule) for problem in problems]
    assert shown == [
        ("leftpad==1.0", "deny"),
        ("leftpad==1.0", "allowed-licenses"),
        ("tool==2.0", "allowed-index-hosts"),
        ("tool==2.0", "allowed-licenses"),
    ]
    assert problems[0].message == f"violates policy deny (CVE-2023-1234) from {policy}"
    assert problems[2].message == (
        "violates policy allowed-index-hosts (git+https://github.com/o/tool@abc is served "
        f"from github.com, which is not in allowed-index-hosts) from {policy}"
    )
    # The editable project (the user's own) is exempt from the license rule, and its
    # file: URL is allowed (allow-file-urls is not set).


def test_policy_check_plan_reads_the_installed_metadata(tmp_path) -> None:
    from puffin_policy import PolicyPlugin

    policy = tmp_path / "policy.toml"
    policy.write_text('allowed-licenses = ["MIT"]\n')
    dist_info = tmp_path / "lib-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: lib\nVersion: 1.0\nLicense-Expression: MIT\n"
    )
    kept = PlanItem(
        PlanAction.SATISFIED,
        ResolvedDist("lib", Version("1.0")),  # the resolution read no metadata
        InstalledDist("lib", Version("1.0"), dist_info),
    )
    plugin = PolicyPlugin()
    assert plugin.puffin_check_plan(Plan((kept,)), _context(policy, tmp_path)) == []
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.4\nName: lib\nVersion: 1.0\nLicense-Expression: BUSL-1.1\n"
    )
    plugin = PolicyPlugin()
    [problem] = plugin.puffin_check_plan(Plan((kept,)), _context(policy, tmp_path))
    assert problem.message.startswith(
        "violates policy allowed-licenses (License-Expression 'BUSL-1.1'"
    )


def test_policy_is_loaded_once_per_command(tmp_path) -> None:
    from puffin_policy import PolicyPlugin

    policy = tmp_path / "policy.toml"
    policy.write_text("require-hashes = true\n")
    plugin = PolicyPlugin()
    ctx = _context(policy, tmp_path)
    first = plugin.policy(ctx)
    policy.write_text("require-hashes = false\n")
    assert plugin.policy(ctx) is first  # the same command
    plugin.puffin_configure(settings=None)  # the next command
    assert plugin.policy(ctx).require_hashes.value is False
