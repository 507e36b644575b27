"""``puffin policy check`` and ``puffin policy show``.

``check`` audits what is installed in an environment (found as ``puffin pip`` commands
find it: ``--python``, ``PUFFIN_PYTHON``, the active or nearest ``.venv``) against the
package rules, the license rule and, for distributions installed from a URL, the URL
rules. Upload times and hashes are not recorded in an environment, so the cooldown and
``require-hashes`` are enforced when installing only.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from puffin.plugin import CommandRegistry, Context, InstalledDist

    from puffin_policy import PolicyPlugin
    from puffin_policy._config import Policy
    from puffin_policy._rules import Violation

__all__ = ["add_commands", "audit"]

_NO_POLICY = (
    "no policy is configured ([tool.puffin.policy] in pyproject.toml, [policy] in "
    "puffin.toml, or PUFFIN_POLICY)"
)


def add_commands(commands: CommandRegistry, plugin: PolicyPlugin) -> None:
    """Register the ``policy`` commands, bound to ``plugin`` (which holds the policy)."""
    commands.add_command(
        ("policy", "check"),
        help="audit an environment against the policy; exit status 1 if it breaks a rule",
        configure=_configure_check,
        run=functools.partial(_run_check, plugin),
    )
    commands.add_command(
        ("policy", "show"),
        help="print the merged policy and where each rule comes from",
        configure=_configure_show,
        run=functools.partial(_run_show, plugin),
    )


def _configure_check(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-p",
        "--python",
        metavar="PYTHON",
        help="the interpreter or venv to audit: a path, or a version such as 3.12 "
        "[env: PUFFIN_PYTHON] (default: the active or nearest .venv)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def _configure_show(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def audit(
    policy: Policy, dists: tuple[InstalledDist, ...]
) -> list[tuple[InstalledDist, Violation]]:
    """Every violation of every installed distribution, in name order."""
    from puffin_policy import _installed_metadata
    from puffin_policy._rules import license_violations, package_violations, url_violations

    found: list[tuple[InstalledDist, Violation]] = []
    for dist in dists:
        violations = package_violations(policy, dist.name, dist.version, editable=dist.editable)
        if dist.direct_url is not None:
            violations += url_violations(policy, dist.direct_url.partition("#")[0])
        if not dist.editable and policy.allowed_licenses is not None:
            metadata, unreadable = _installed_metadata(dist)
            violations += license_violations(policy, metadata, unreadable=unreadable)
        found.extend((dist, violation) for violation in violations)
    return found


def _run_check(plugin: PolicyPlugin, args: argparse.Namespace, ctx: Context) -> int:
    from puffin.plugin import installed_distributions, site_packages

    policy = plugin.policy(ctx)
    if policy.empty:
        ctx.reporter.warning(f"{_NO_POLICY}: nothing to check")
        return 0
    dists = installed_distributions(ctx, args.python)
    where = str(site_packages(ctx, args.python)[0])
    found = audit(policy, dists)
    if args.format == "json":
        import json

        rows = [
            {
                "package": dist.name,
                "version": str(dist.version),
                "rule": violation.rule,
                "reason": violation.detail,
                "origin": violation.origin,
            }
            for dist, violation in found
        ]
        ctx.reporter.result(json.dumps(rows, indent=2))
    else:
        for dist, violation in found:
            ctx.reporter.result(f"{dist}: {violation.problem}")
    packages = f"{len(dists)} installed package{'s' if len(dists) != 1 else ''}"
    if found:
        count = f"{len(found)} policy violation{'s' if len(found) != 1 else ''}"
        ctx.reporter.error(f"{count} in {packages} ({where})")
        return 1
    ctx.reporter.summary(f"Checked {packages} against the policy: no violations ({where})")
    return 0


def _run_show(plugin: PolicyPlugin, args: argparse.Namespace, ctx: Context) -> int:
    policy = plugin.policy(ctx)
    if args.format == "json":
        import json

        document = {
            "sources": list(policy.sources),
            "deny": [
                {"package": rule.text, "reason": rule.reason, "origin": rule.origin}
                for rule in policy.deny
            ],
            "settings": {
                key: {"value": setting.value, "origin": setting.origin}
                for key, setting in policy.written.items()
            },
        }
        ctx.reporter.result(json.dumps(document, indent=2, default=str))
        return 0
    if policy.empty:
        ctx.reporter.result(f"# {_NO_POLICY}")
        return 0
    import json

    ctx.reporter.result("# sources, lowest precedence first:")
    for source in policy.sources:
        ctx.reporter.result(f"#   {source}")
    if policy.deny:
        ctx.reporter.result("deny = [")
        for rule in policy.deny:
            entry = f"package = {json.dumps(rule.text)}"
            if rule.reason:
                entry += f", reason = {json.dumps(rule.reason)}"
            ctx.reporter.result(f"    {{ {entry} }},  # {rule.origin}")
        ctx.reporter.result("]")
    for key, setting in policy.written.items():
        ctx.reporter.result(f"{key} = {_toml_value(setting.value)}  # {setting.origin}")
    return 0


def _toml_value(value: object) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(value)
