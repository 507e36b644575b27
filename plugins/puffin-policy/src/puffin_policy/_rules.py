"""Judging candidates, resolved distributions and installed ones against a policy.

Two kinds of rules:

* **package rules** (``deny``, ``allow-only``) look at a name and version;
* **file rules** (``min-release-age-days``, ``require-upload-time``, ``require-hashes``,
  ``allowed-index-hosts``, ``allow-file-urls``) look at every file of a version: a
  version is refused when *any* of its files breaks one, because the hook that filters
  candidates rejects whole versions, and the file an install picks depends on the target;
* the **license rule** (``allowed-licenses``, ``allow-unknown-license``) looks at core
  metadata, which the resolver reads only for the versions it chooses.

Editable requirements are the user's own projects in development: they are exempt from
``allow-only`` and the license rule (``deny`` and the URL rules still apply).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime, timedelta

    from packaging.version import Version
    from puffin.plugin import CoreMetadata, DistFile

    from puffin_policy._config import Policy

__all__ = [
    "Violation",
    "file_violations",
    "license_violations",
    "package_violations",
    "url_violations",
]


@dataclass(frozen=True, slots=True)
class Violation:
    """One rule broken: the rule (its policy key), why, and where the rule was written."""

    rule: str
    detail: str
    origin: str

    @property
    def rejection(self) -> str:
        """The clause a resolver explanation shows after ``name==version was rejected``."""
        return f"denied by policy {self.rule} ({self.detail}) from {self.origin}"

    @property
    def problem(self) -> str:
        """The message of a problem that stops the command."""
        return f"violates policy {self.rule} ({self.detail}) from {self.origin}"


def package_violations(
    policy: Policy, name: str, version: Version, *, editable: bool = False
) -> list[Violation]:
    """``deny`` rules matching ``name==version``, and ``allow-only`` when it is not listed."""
    found = [
        Violation("deny", rule.reason or f"{rule.text} is on the deny list", rule.origin)
        for rule in policy.deny
        if rule.matches(name, version)
    ]
    allow_only = policy.allow_only
    if allow_only is not None and not editable and name not in allow_only.value:
        found.append(Violation("allow-only", f"{name} is not on the list", allow_only.origin))
    return found


def file_violations(policy: Policy, files: Sequence[DistFile], now: datetime) -> list[Violation]:
    """The file rules ``files`` break, at most one violation per rule."""
    found: list[Violation] = []
    cooldown = policy.min_release_age
    if cooldown is not None and cooldown.value.total_seconds() > 0:
        too_new = [
            file
            for file in files
            if file.upload_time is not None and now - _aware(file.upload_time, now) < cooldown.value
        ]
        if too_new:
            newest = max(too_new, key=lambda file: _aware(file.upload_time, now))
            uploaded = _aware(newest.upload_time, now)
            found.append(
                Violation(
                    "min-release-age-days",
                    f"{newest.filename} was uploaded {_ago(now - uploaded)}, on "
                    f"{uploaded:%Y-%m-%d %H:%M} UTC; the minimum age is "
                    f"{_days(cooldown.value)}",
                    cooldown.origin,
                )
            )
    required = policy.flag("require_upload_time")
    if required is not None:
        untimed = [file for file in files if file.upload_time is None]
        if untimed:
            found.append(
                Violation(
                    "require-upload-time",
                    f"{_files(untimed)} no upload time from {untimed[0].source.url}",
                    required.origin,
                )
            )
    hashes = policy.flag("require_hashes")
    if hashes is not None:
        unhashed = [file for file in files if not file.hash("sha256")]
        if unhashed:
            found.append(
                Violation(
                    "require-hashes",
                    f"{_files(unhashed)} no sha256 hash from {unhashed[0].source.url}",
                    hashes.origin,
                )
            )
    seen: set[str] = set()
    for file in files:
        for violation in url_violations(policy, file.url, what=file.filename):
            if violation.rule not in seen:
                seen.add(violation.rule)
                found.append(violation)
    return found


def url_violations(policy: Policy, url: str, *, what: str | None = None) -> list[Violation]:
    """``allowed-index-hosts`` and ``allow-file-urls`` for one URL (a file, a direct
    requirement, a VCS URL); ``what`` names it in messages (default: the URL)."""
    from urllib.parse import urlsplit

    subject = what or url
    head, separator, _ = url.partition("://")
    scheme = head.lower() if separator else "file"
    if scheme == "file" or scheme.endswith("+file"):
        allow_files = policy.allow_file_urls
        if allow_files is not None and not allow_files.value:
            detail = f"{subject} is a local file" + (f" ({url})" if what else "")
            return [Violation("allow-file-urls", detail, allow_files.origin)]
        return []
    hosts = policy.allowed_index_hosts
    if hosts is None:
        return []
    default_port = _DEFAULT_PORTS.get(scheme.rpartition("+")[2])  # git+https: https
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or default_port
    except ValueError:
        host, port = "", None
    if any(_host_matches(pattern, host, port) for pattern in hosts.value):
        return []
    where = f"{host}:{port}" if port and port != default_port else host
    detail = f"{subject} is served from {where or 'an unknown host'}"
    detail += ", which is not in allowed-index-hosts"
    return [Violation("allowed-index-hosts", detail, hosts.origin)]


def license_violations(
    policy: Policy, metadata: CoreMetadata | None, *, unreadable: str = ""
) -> list[Violation]:
    """The license rule for one distribution's metadata (None: not known)."""
    allowed = policy.allowed_licenses
    if allowed is None:
        return []
    from puffin_policy._licenses import LicenseVerdict, judge_license

    if metadata is None:
        verdict = LicenseVerdict(None, "the license is unknown", unreadable or "no metadata")
    else:
        verdict = judge_license(
            metadata.license_expression, metadata.classifiers, metadata.license, allowed.value
        )
    if verdict.allowed:
        return []
    if verdict.allowed is None:
        unknown_ok = policy.allow_unknown_license
        if unknown_ok is not None and unknown_ok.value:
            return []
        detail = f"{verdict.describe()}; allow-unknown-license is not set"
        return [Violation("allowed-licenses", detail, allowed.origin)]
    return [Violation("allowed-licenses", verdict.describe(), allowed.origin)]


_DEFAULT_PORTS = {"http": 80, "https": 443, "ssh": 22}


def _host_matches(pattern: str, host: str, port: int | None) -> bool:
    """``pypi.org`` (any port), ``127.0.0.1:8080`` (that port), ``*.example.com``
    (any subdomain), ``[::1]:8080``."""
    wanted_port: int | None = None
    if pattern.startswith("["):
        name, _, rest = pattern[1:].partition("]")
        if rest.startswith(":") and rest[1:].isdigit():
            wanted_port = int(rest[1:])
    elif pattern.count(":") == 1:
        name, _, port_text = pattern.partition(":")
        if not port_text.isdigit():
            return False
        wanted_port = int(port_text)
    else:
        name = pattern
    if wanted_port is not None and wanted_port != port:
        return False
    if name.startswith("*."):
        return host.endswith(name[1:]) and len(host) > len(name) - 1
    return host == name


def _files(files: Sequence[DistFile]) -> str:
    """``x.whl has`` or ``x.whl and 3 more files have``."""
    if len(files) == 1:
        return f"{files[0].filename} has"
    others = len(files) - 1
    return f"{files[0].filename} and {others} more file{'s' if others > 1 else ''} have"


def _aware(moment: datetime | None, now: datetime) -> datetime:
    """``moment`` in UTC (a naive time is taken as UTC, as PEP 700 times are)."""
    assert moment is not None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=now.tzinfo)
    return moment.astimezone(now.tzinfo)


def _ago(age: timedelta) -> str:
    if age.total_seconds() < 0:
        return "in the future (check the clock)"
    days = age.days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''} ago"
    hours = age.seconds // 3600
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    return "less than an hour ago"


def _days(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    shown = f"{days:g}"
    return f"{shown} day{'' if shown == '1' else 's'}"
