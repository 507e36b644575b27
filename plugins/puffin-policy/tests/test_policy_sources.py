"""Where the policy comes from and how the sources merge.

Lowest precedence first: ``[policy]`` in the user's ``puffin.toml``, ``[tool.puffin.policy]``
in the project's ``pyproject.toml``, then the file or URL named by ``PUFFIN_POLICY``. A
later source wins per key; deny rules of every source accumulate. ``puffin policy show
--format json`` prints the merged result with the origin of each rule.
"""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def user_config(puffin_config_dir):
    """The user's puffin.toml (``XDG_CONFIG_HOME/puffin/puffin.toml``)."""
    path = puffin_config_dir / "puffin" / "puffin.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def leftpads(make_wheel):
    return [make_wheel("leftpad", "1.0"), make_wheel("leftpad", "2.0")]


def show(run_puffin, env=None) -> dict:
    result = run_puffin("policy", "show", "--format", "json", env=env)
    result.assert_ok()
    return json.loads(result.stdout)


# -- PUFFIN_POLICY ---------------------------------------------------------------------


def test_policy_from_a_file_named_by_puffin_policy(
    venv, local_index, leftpads, install, installed, tmp_path_factory
) -> None:
    policy = tmp_path_factory.mktemp("org") / "policy.toml"
    policy.write_text('deny = [{ package = "leftpad>=2", reason = "org: CVE-2023-1234" }]\n')
    index = local_index(leftpads)
    env = {"PUFFIN_POLICY": str(policy)}
    install(venv, index.simple_url, "leftpad", env=env).assert_ok()
    assert installed(venv) == {"leftpad": "1.0"}
    result = install(venv, index.simple_url, "leftpad==2.0", env=env)
    result.assert_failed(1)
    assert f"denied by policy deny (org: CVE-2023-1234) from {policy}" in result.stderr


def test_policy_file_may_hold_a_policy_table(run_puffin, tmp_path) -> None:
    (tmp_path / "org.toml").write_text("[policy]\nrequire-hashes = true\n")
    merged = show(run_puffin, env={"PUFFIN_POLICY": "org.toml"})  # relative to the cwd
    assert merged["settings"] == {
        "require-hashes": {"value": True, "origin": str(tmp_path / "org.toml")}
    }


def test_policy_from_a_url_named_by_puffin_policy(
    venv, local_index, leftpads, install, installed
) -> None:
    index = local_index(leftpads)
    (index.root / "policy.toml").write_text(
        '[policy]\ndeny = [{ package = "leftpad>=2", reason = "published by the org" }]\n'
    )
    url = f"{index.url}/policy.toml"
    env = {"PUFFIN_POLICY": url}
    install(venv, index.simple_url, "leftpad", env=env).assert_ok()
    assert installed(venv) == {"leftpad": "1.0"}
    # Fetched once per command, however many projects and versions were judged.
    assert index.count("/policy.toml", method="GET") == 1

    result = install(venv, index.simple_url, "leftpad==2.0", env=env)
    result.assert_failed(1)
    assert f"denied by policy deny (published by the org) from {url}" in result.stderr


def test_policy_url_that_cannot_be_fetched_stops_the_command(
    venv, local_index, leftpads, install, installed
) -> None:
    index = local_index(leftpads)
    result = install(
        venv, index.simple_url, "leftpad", env={"PUFFIN_POLICY": f"{index.url}/missing.toml"}
    )
    result.assert_failed(1)
    assert f"cannot fetch the policy {index.url}/missing.toml: HTTP 404" in result.stderr
    assert "Traceback" not in result.stderr
    assert installed(venv) == {}


def test_policy_url_with_credentials(
    venv, local_index, leftpads, install, installed, tmp_path_factory
) -> None:
    # The policy lives on a server that needs basic auth; the packages come from another.
    packages = local_index(leftpads)
    private = local_index(auth=("alice", "s3cr3t-tok3n"))
    (private.root / "policy.toml").write_text('deny = [{ package = "leftpad>=2" }]\n')
    url = f"http://alice:s3cr3t-tok3n@127.0.0.1:{private.port}/policy.toml"
    result = install(venv, packages.simple_url, "leftpad==2.0", env={"PUFFIN_POLICY": url})
    result.assert_failed(1)
    shown = f"http://***@127.0.0.1:{private.port}/policy.toml"
    assert f"denied by policy deny (leftpad>=2 is on the deny list) from {shown}" in (result.stderr)
    assert "s3cr3t-tok3n" not in result.stderr
    assert private.count("/policy.toml", status=200) == 1


def test_policy_url_hides_credentials(run_puffin, local_index, leftpads) -> None:
    index = local_index(leftpads)
    url = f"http://alice:s3cr3t-tok3n@127.0.0.1:{index.port}/missing.toml"
    result = run_puffin("policy", "show", env={"PUFFIN_POLICY": url})
    result.assert_failed(1)
    assert "s3cr3t-tok3n" not in result.stderr
    assert f"http://***@127.0.0.1:{index.port}/missing.toml" in result.stderr


def test_policy_is_not_read_by_commands_that_do_not_use_it(
    run_puffin, local_index, leftpads
) -> None:
    index = local_index(leftpads)
    env = {"PUFFIN_POLICY": f"{index.url}/policy.toml"}
    run_puffin("plugins", "list", env=env).assert_ok()
    run_puffin("cache", "dir", env=env).assert_ok()
    assert index.count("/policy.toml") == 0


# -- merging -------------------------------------------------------------------------------


def test_policy_sources_merge_user_then_project_then_puffin_policy(
    run_puffin, project, user_config, tmp_path_factory
) -> None:
    user_config.write_text(
        "[policy]\n"
        'deny = [{ package = "user-denied", reason = "user" }]\n'
        "min-release-age-days = 30\n"
        "require-hashes = true\n"
        'allowed-licenses = ["MIT"]\n'
    )
    pyproject = project.policy(
        'deny = [{ package = "project-denied", reason = "project" }]\n'
        "min-release-age-days = 7\n"
        'allowed-licenses = ["MIT", "Apache-2.0"]\n'
    )
    org = tmp_path_factory.mktemp("org") / "policy.toml"
    org.write_text(
        'deny = [{ package = "org-denied<2", reason = "org" }]\nmin-release-age-days = 14\n'
    )
    merged = show(run_puffin, env={"PUFFIN_POLICY": str(org)})
    assert merged["sources"] == [str(user_config), str(pyproject), str(org)]
    assert merged["deny"] == [
        {"package": "user-denied", "reason": "user", "origin": str(user_config)},
        {"package": "project-denied", "reason": "project", "origin": str(pyproject)},
        {"package": "org-denied<2", "reason": "org", "origin": str(org)},
    ]
    assert merged["settings"] == {
        "min-release-age-days": {"value": 14, "origin": str(org)},
        "require-hashes": {"value": True, "origin": str(user_config)},
        "allowed-licenses": {"value": ["MIT", "Apache-2.0"], "origin": str(pyproject)},
    }
    # Without PUFFIN_POLICY the project wins over the user's file.
    merged = show(run_puffin)
    assert merged["settings"]["min-release-age-days"] == {"value": 7, "origin": str(pyproject)}


def test_policy_from_the_user_file_is_enforced(
    user_config, venv, local_index, leftpads, install
) -> None:
    user_config.write_text('[policy]\ndeny = [{ package = "leftpad", reason = "mine" }]\n')
    index = local_index(leftpads)
    result = install(venv, index.simple_url, "leftpad")
    result.assert_failed(1)
    assert f"denied by policy deny (mine) from {user_config}" in result.stderr


def test_policy_show_text(run_puffin, project) -> None:
    pyproject = project.policy(
        'deny = [{ package = "leftpad", reason = "no" }]\nrequire-hashes = true'
    )
    result = run_puffin("policy", "show")
    result.assert_ok()
    assert result.stdout.splitlines() == [
        "# sources, lowest precedence first:",
        f"#   {pyproject}",
        "deny = [",
        f'    {{ package = "leftpad", reason = "no" }},  # {pyproject}',
        "]",
        f"require-hashes = true  # {pyproject}",
    ]


# -- malformed policies --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("denny = []", "unknown policy key 'denny' (did you mean 'deny'?)"),
        ('min-release-age-days = "seven"', "min-release-age-days: expected a number of days"),
        ("min-release-age-days = -1", "min-release-age-days: expected a number of days"),
        ("require-hashes = 1", "require-hashes: expected true or false, got 1"),
        ('deny = "leftpad"', "deny: expected a list"),
        ('deny = [{ package = "leftpad>>2" }]', "deny[0].package: 'leftpad>>2' is not a project"),
        ('deny = [{ name = "leftpad" }]', "deny[0]: unknown key 'name'"),
        ('deny = [{ reason = "x" }]', "deny[0].package: expected a string"),
        ('deny = [{ package = "x @ https://e/x.whl" }]', "only a name and version specifiers"),
        ('allow-only = ["ok", "not a name"]', "allow-only: 'not a name' is not a project name"),
        ('allowed-index-hosts = ["https://pypi.org/simple"]', "is a URL; give the host only"),
        ("allowed-licenses = [1]", "allowed-licenses: expected a list of SPDX license"),
    ],
)
def test_policy_malformed_is_a_usage_error_naming_file_and_key(
    run_puffin, project, body, message
) -> None:
    pyproject = project.policy(body)
    result = run_puffin("policy", "check")
    result.assert_failed(2)
    assert result.stderr.startswith(f"error: {pyproject} [tool.puffin.policy]: ")
    assert message in result.stderr.splitlines()[0]
    assert "Traceback" not in result.stderr


def test_policy_malformed_stops_an_install(
    run_puffin, project, venv, local_index, leftpads, install, installed
) -> None:
    pyproject = project.policy("require-hashes = 'yes'")
    index = local_index(leftpads)
    result = install(venv, index.simple_url, "leftpad")
    result.assert_failed(2)
    assert f"{pyproject} [tool.puffin.policy]: require-hashes: expected true" in result.stderr
    assert installed(venv) == {}


def test_policy_invalid_toml_in_puffin_policy(run_puffin, tmp_path) -> None:
    (tmp_path / "org.toml").write_text("deny = [\n")
    result = run_puffin("policy", "show", env={"PUFFIN_POLICY": str(tmp_path / "org.toml")})
    result.assert_failed(2)
    assert f"error: {tmp_path / 'org.toml'}: invalid TOML" in result.stderr


def test_policy_missing_puffin_policy_file(run_puffin, tmp_path) -> None:
    result = run_puffin("policy", "show", env={"PUFFIN_POLICY": "nowhere.toml"})
    result.assert_failed(2)
    assert f"PUFFIN_POLICY=nowhere.toml: cannot read {tmp_path / 'nowhere.toml'}" in (result.stderr)


def test_policy_table_must_be_a_table(run_puffin, user_config) -> None:
    user_config.write_text('policy = "strict"\n')
    result = run_puffin("policy", "show")
    result.assert_failed(2)
    assert f"error: {user_config} [policy]: must be a table" in result.stderr
