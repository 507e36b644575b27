"""The rules themselves, in-process: host patterns, local files, the cooldown's clock.

The end-to-end tests (``test_policy_resolve.py``) show the rules through the resolver;
these cover the corners that need no index.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from packaging.version import Version
from puffin.plugin import DistFile, IndexKind, IndexSpec

from puffin_policy._config import parse_policy
from puffin_policy._rules import file_violations, package_violations, url_violations

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
SOURCE = IndexSpec("https://pypi.org/simple/", IndexKind.SIMPLE)


def hosts_policy(*hosts: str):
    return parse_policy({"allowed-index-hosts": list(hosts)}, "/org/policy.toml")


@pytest.mark.parametrize(
    ("hosts", "url", "allowed"),
    [
        (["pypi.org"], "https://pypi.org/simple/x/", True),
        (["PyPI.org"], "https://PYPI.ORG/x.whl", True),
        (["pypi.org"], "https://files.pythonhosted.org/x.whl", False),
        (["127.0.0.1"], "http://127.0.0.1:8080/x.whl", True),  # any port
        (["127.0.0.1:8080"], "http://127.0.0.1:8080/x.whl", True),
        (["127.0.0.1:8080"], "http://127.0.0.1:9090/x.whl", False),
        (["pkgs.example.com:443"], "https://pkgs.example.com/x.whl", True),  # default port
        (["*.example.com"], "https://pkgs.example.com/x.whl", True),
        (["*.example.com"], "https://example.com/x.whl", False),
        (["*.example.com"], "https://evilexample.com/x.whl", False),
        (["[::1]:8080"], "http://[::1]:8080/x.whl", True),
        (["::1"], "http://[::1]:8080/x.whl", True),
        (["github.com"], "git+https://github.com/o/r@v1", True),
        (["github.com"], "git+ssh://git@github.com/o/r", True),
        (["pypi.org"], "s3://bucket/prefix/x.whl", False),
        (["pypi.org"], "file:///wheels/x.whl", True),  # local files: allow-file-urls
        (["pypi.org"], "/wheels/x.whl", True),
        (["pypi.org"], "git+file:///repos/x", True),
    ],
)
def test_policy_host_patterns(hosts: list[str], url: str, allowed: bool) -> None:
    assert (url_violations(hosts_policy(*hosts), url) == []) is allowed


def test_policy_host_violation_message() -> None:
    [violation] = url_violations(hosts_policy("pypi.org"), "http://127.0.0.1:8080/simple/x/")
    assert violation.rule == "allowed-index-hosts"
    assert violation.rejection == (
        "denied by policy allowed-index-hosts (http://127.0.0.1:8080/simple/x/ is served "
        "from 127.0.0.1:8080, which is not in allowed-index-hosts) from /org/policy.toml"
    )


def test_policy_local_files_forbidden() -> None:
    policy = parse_policy({"allow-file-urls": False}, "/org/policy.toml")
    [violation] = url_violations(policy, "file:///wheels/x.whl")
    assert violation.rule == "allow-file-urls"
    assert url_violations(policy, "https://pypi.org/x.whl") == []


def wheel(name: str, uploaded: datetime | None, **options) -> DistFile:
    return DistFile(name, f"https://files.example/{name}", SOURCE, upload_time=uploaded, **options)


def test_policy_cooldown_any_file_too_new_refuses_the_version() -> None:
    policy = parse_policy({"min-release-age-days": 7}, "/org/policy.toml")
    old = wheel("x-1.0.tar.gz", NOW - timedelta(days=300))
    new = wheel("x-1.0-cp313-cp313-manylinux_2_28_x86_64.whl", NOW - timedelta(hours=5))
    assert file_violations(policy, [old], NOW) == []
    [violation] = file_violations(policy, [old, new], NOW)
    assert violation.detail == (
        "x-1.0-cp313-cp313-manylinux_2_28_x86_64.whl was uploaded 5 hours ago, on "
        "2025-06-01 07:00 UTC; the minimum age is 7 days"
    )


def test_policy_cooldown_fractional_days_and_clock_skew() -> None:
    policy = parse_policy({"min-release-age-days": 0.5}, "/org/policy.toml")
    assert file_violations(policy, [wheel("a.whl", NOW - timedelta(hours=13))], NOW) == []
    [violation] = file_violations(policy, [wheel("a.whl", NOW + timedelta(hours=2))], NOW)
    assert "a.whl was uploaded in the future (check the clock)" in violation.detail
    assert "the minimum age is 0.5 days" in violation.detail


def test_policy_naive_upload_times_are_utc() -> None:
    policy = parse_policy({"min-release-age-days": 1}, "/org/policy.toml")
    naive = (NOW - timedelta(hours=2)).replace(tzinfo=None)
    [violation] = file_violations(policy, [wheel("a.whl", naive)], NOW)
    assert "2 hours ago" in violation.detail


def test_policy_hash_and_upload_time_count_the_files() -> None:
    policy = parse_policy({"require-hashes": True, "require-upload-time": True}, "/org/policy.toml")
    hashed = wheel("a-1.whl", NOW, hashes=(("sha256", "ab" * 32),))
    bare = [wheel("b-1.whl", None), wheel("c-1.whl", None), wheel("d-1.whl", None)]
    assert file_violations(policy, [hashed], NOW) == []
    details = [v.detail for v in file_violations(policy, [hashed, *bare], NOW)]
    assert details == [
        "b-1.whl and 2 more files have no upload time from https://pypi.org/simple/",
        "b-1.whl and 2 more files have no sha256 hash from https://pypi.org/simple/",
    ]


def test_policy_deny_specifiers_include_prereleases() -> None:
    policy = parse_policy({"deny": [{"package": "Requests<2.31"}]}, "/org/policy.toml")
    [violation] = package_violations(policy, "requests", Version("2.30.0"))
    assert violation.detail == "Requests<2.31 is on the deny list"
    # Pre-releases below the bound are denied too (a specifier would normally skip them)...
    assert len(package_violations(policy, "requests", Version("2.30.1rc1"))) == 1
    # ...but, as PEP 440 says, "<2.31" does not mean the pre-releases of 2.31 itself.
    assert package_violations(policy, "requests", Version("2.31.0rc1")) == []
    assert package_violations(policy, "requests", Version("2.31.0")) == []
    assert package_violations(policy, "other", Version("1.0")) == []


def test_policy_editables_are_exempt_from_allow_only_but_not_deny() -> None:
    policy = parse_policy({"allow-only": ["x"], "deny": ["mine==0.1"]}, "/org/policy.toml")
    rules = [v.rule for v in package_violations(policy, "mine", Version("0.1"), editable=True)]
    assert rules == ["deny"]
    assert [v.rule for v in package_violations(policy, "mine", Version("0.2"))] == ["allow-only"]
