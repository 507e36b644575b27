"""The per-version rules, through the resolver: deny, allow-only, the cooldown, upload
times, hashes, hosts and local files.

A version a rule forbids is skipped (``puffin_filter_candidates``): the resolver picks an
older allowed version, or explains with the rule, its reason and the policy's file why
none will do. Real ``python -m puffin`` runs against local indexes on 127.0.0.1.
"""

from __future__ import annotations

import os

import pytest

# -- deny ---------------------------------------------------------------------------------


@pytest.fixture
def leftpads(make_wheel):
    """app 1.0 needs leftpad; leftpad 1.0 and 2.0 exist."""
    return [
        make_wheel("app", "1.0", requires_dist=["leftpad"]),
        make_wheel("leftpad", "1.0"),
        make_wheel("leftpad", "2.0"),
    ]


def test_policy_deny_picks_the_older_allowed_version(
    project, venv, local_index, leftpads, install, installed
) -> None:
    project.policy('deny = [{ package = "leftpad>=2", reason = "CVE-2023-1234" }]')
    index = local_index(leftpads)
    install(venv, index.simple_url, "app").assert_ok()
    assert installed(venv) == {"app": "1.0", "leftpad": "1.0"}


def test_policy_deny_explains_when_no_version_is_allowed(
    project, venv, local_index, leftpads, install, installed
) -> None:
    pyproject = project.policy('deny = [{ package = "leftpad", reason = "CVE-2023-1234" }]')
    index = local_index(leftpads)
    result = install(venv, index.simple_url, "app")
    result.assert_failed(1)
    expected = f"denied by policy deny (CVE-2023-1234) from {pyproject}"
    assert f"leftpad==2.0 was rejected by plugin 'policy': {expected}" in result.stderr
    assert f"leftpad==1.0 was rejected by plugin 'policy': {expected}" in result.stderr
    assert "unsatisfiable" in result.stderr
    assert "Traceback" not in result.stderr
    assert installed(venv) == {}


def test_policy_deny_an_exact_pin_explains(project, venv, local_index, leftpads, install) -> None:
    pyproject = project.policy('deny = ["leftpad==2.0"]')  # a string: no reason given
    index = local_index(leftpads)
    result = install(venv, index.simple_url, "leftpad==2.0")
    result.assert_failed(1)
    assert (
        "leftpad==2.0 was rejected by plugin 'policy': denied by policy deny "
        f"(leftpad==2.0 is on the deny list) from {pyproject}"
    ) in result.stderr
    install(venv, index.simple_url, "leftpad").assert_ok()  # 1.0 is fine


def test_policy_deny_names_are_normalized(
    project, venv, local_index, make_wheel, install, installed
) -> None:
    project.policy('deny = [{ package = "Left_Pad", reason = "banned" }]')
    index = local_index([make_wheel("left-pad", "1.0")])
    result = install(venv, index.simple_url, "LEFT.PAD")
    result.assert_failed(1)
    assert "denied by policy deny (banned)" in result.stderr


# -- allow-only -------------------------------------------------------------------------


def test_policy_allow_only_denies_everything_else(
    project, venv, local_index, leftpads, install, installed
) -> None:
    pyproject = project.policy('allow-only = ["app"]')
    index = local_index(leftpads)
    result = install(venv, index.simple_url, "app")
    result.assert_failed(1)
    assert (
        "was rejected by plugin 'policy': denied by policy allow-only "
        f"(leftpad is not on the list) from {pyproject}"
    ) in result.stderr
    assert installed(venv) == {}

    project.policy('allow-only = ["app", "LeftPad"]')
    install(venv, index.simple_url, "app").assert_ok()
    assert installed(venv) == {"app": "1.0", "leftpad": "2.0"}


# -- cooldown ---------------------------------------------------------------------------


def test_policy_cooldown_chooses_the_release_old_enough(
    project, venv, local_index, make_wheel, times, install, installed
) -> None:
    old, new = make_wheel("lib", "1.0"), make_wheel("lib", "2.0")
    project.policy("min-release-age-days = 7")
    index = local_index([old, new], upload_times=times(new=[new], old=[old]))
    result = install(venv, index.simple_url, "lib")
    result.assert_ok()
    assert installed(venv) == {"lib": "1.0"}


def test_policy_cooldown_explains_a_release_too_new(
    project, venv, local_index, make_wheel, times, install, installed
) -> None:
    new = make_wheel("lib", "2.0")
    pyproject = project.policy("min-release-age-days = 7")
    index = local_index([new], upload_times=times(new=[new]))
    result = install(venv, index.simple_url, "lib")
    result.assert_failed(1)
    assert (
        "lib==2.0 was rejected by plugin 'policy': denied by policy min-release-age-days "
        "(lib-2.0-py3-none-any.whl was uploaded 1 day ago"
    ) in result.stderr
    assert f"the minimum age is 7 days) from {pyproject}" in result.stderr
    assert installed(venv) == {}


def test_policy_cooldown_allows_files_without_upload_time(
    project, venv, local_index, make_wheel, install, installed
) -> None:
    project.policy("min-release-age-days = 7")
    index = local_index([make_wheel("lib", "2.0")])  # no upload times at all
    install(venv, index.simple_url, "lib").assert_ok()
    assert installed(venv) == {"lib": "2.0"}


def test_policy_require_upload_time(
    project, venv, local_index, make_wheel, times, install, installed
) -> None:
    old, untimed = make_wheel("lib", "1.0"), make_wheel("lib", "2.0")
    pyproject = project.policy("min-release-age-days = 7\nrequire-upload-time = true")
    index = local_index([old, untimed], upload_times=times(old=[old]))
    result = install(venv, index.simple_url, "lib")
    result.assert_ok()
    assert installed(venv) == {"lib": "1.0"}
    result = install(venv, index.simple_url, "lib==2.0")
    result.assert_failed(1)
    assert (
        "denied by policy require-upload-time (lib-2.0-py3-none-any.whl has no upload time "
        f"from {index.simple_url}) from {pyproject}"
    ) in result.stderr


# -- hashes -----------------------------------------------------------------------------


def test_policy_require_hashes(project, venv, local_index, make_wheel, install, installed) -> None:
    wheel = make_wheel("lib", "1.0")
    pyproject = project.policy("require-hashes = true")
    unhashed = local_index([wheel], hashes=False)
    result = install(venv, unhashed.simple_url, "lib")
    result.assert_failed(1)
    assert (
        "lib==1.0 was rejected by plugin 'policy': denied by policy require-hashes "
        f"(lib-1.0-py3-none-any.whl has no sha256 hash from {unhashed.simple_url}) "
        f"from {pyproject}"
    ) in result.stderr
    assert installed(venv) == {}

    hashed = local_index([wheel])
    install(venv, hashed.simple_url, "lib").assert_ok()
    assert installed(venv) == {"lib": "1.0"}


# -- hosts and local files ---------------------------------------------------------------


def test_policy_allowed_index_hosts(
    project, venv, local_index, make_wheel, install, installed
) -> None:
    index = local_index([make_wheel("lib", "1.0")])
    pyproject = project.policy('allowed-index-hosts = ["pypi.org", "files.pythonhosted.org"]')
    result = install(venv, index.simple_url, "lib")
    result.assert_failed(1)
    assert (
        "denied by policy allowed-index-hosts (lib-1.0-py3-none-any.whl is served from "
        f"127.0.0.1:{index.port}, which is not in allowed-index-hosts) from {pyproject}"
    ) in result.stderr

    project.policy('allowed-index-hosts = ["127.0.0.1:1"]')  # the host, another port
    install(venv, index.simple_url, "lib").assert_failed(1)

    project.policy('allowed-index-hosts = ["pypi.org", "127.0.0.1"]')  # any port
    install(venv, index.simple_url, "lib").assert_ok()
    assert installed(venv) == {"lib": "1.0"}


def test_policy_local_files_are_allowed_unless_forbidden(
    project, venv, run_puffin, make_wheel, find_links_dir, installed
) -> None:
    find_links_dir.add(make_wheel("lib", "1.0"))
    command = (
        "pip",
        "install",
        "-p",
        str(venv),
        "--no-index",
        "-f",
        os.fspath(find_links_dir),
        "lib",
    )

    project.policy('allowed-index-hosts = ["pypi.org"]')  # hosts do not limit file: URLs
    run_puffin(*command).assert_ok()
    assert installed(venv) == {"lib": "1.0"}

    pyproject = project.policy("allow-file-urls = false")
    result = run_puffin(*command, "--reinstall")
    result.assert_failed(1)
    assert (
        "denied by policy allow-file-urls (lib-1.0-py3-none-any.whl is a local file "
        f"(file://{os.fspath(find_links_dir)}/lib-1.0-py3-none-any.whl)) from {pyproject}"
    ) in result.stderr


def test_policy_applies_to_build_requirements_too(
    project, venv, local_index, make_sdist, backend_wheels, install, installed
) -> None:
    # A denied build backend is skipped by the resolution of the build environment like
    # any other project, with the same explanation.
    pyproject = project.policy('deny = [{ package = "setuptools", reason = "use hatchling" }]')
    index = local_index([*backend_wheels, make_sdist("lib", "1.0", backend="setuptools")])
    result = install(venv, index.simple_url, "lib")
    result.assert_failed(1)
    assert (
        f"was rejected by plugin 'policy': denied by policy deny (use hatchling) from {pyproject}"
    ) in result.stderr
    assert installed(venv) == {}


def test_policy_without_a_policy_changes_nothing(
    venv, local_index, leftpads, install, installed
) -> None:
    index = local_index(leftpads)
    install(venv, index.simple_url, "app").assert_ok()
    assert installed(venv) == {"app": "1.0", "leftpad": "2.0"}
