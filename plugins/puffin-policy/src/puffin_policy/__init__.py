"""puffin-policy: an organization's package rules, enforced by puffin.

A puffin plugin (entry point ``policy`` in the ``puffin`` group, naming :data:`plugin`)
written against the public plugin API (:mod:`puffin.plugin`) only. The policy comes from
``[policy]`` in the user's ``puffin.toml``, ``[tool.puffin.policy]`` in the project's
``pyproject.toml`` and the file or URL named by ``PUFFIN_POLICY``, merged in that order
(see :mod:`puffin_policy._config`). It is enforced in three places:

* ``puffin_filter_candidates``: versions broken by a package rule (``deny``,
  ``allow-only``) or a file rule (cooldown, upload times, hashes, hosts, local files) are
  skipped by the resolver, which then picks another version or explains, quoting the
  rule, why none will do;
* ``puffin_check_resolution`` and ``puffin_check_plan``: what the resolver could not avoid
  (licenses, direct URL requirements, anything in the plan) stops the command before
  anything is written, listing every violation;
* ``puffin policy check`` (and ``puffin policy show``) audit an environment, or print the
  merged policy with where each rule came from.

Importing this module costs next to nothing: the policy is read on first use in a
command (commands that never resolve never read it), then kept for the command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin.plugin import hookimpl

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from packaging.utils import NormalizedName
    from puffin.plugin import (
        Candidate,
        CommandRegistry,
        Context,
        CoreMetadata,
        InstalledDist,
        Plan,
        Problem,
        Rejection,
        Resolution,
        ResolvedDist,
        Settings,
    )

    from puffin_policy._config import Policy

__version__ = "0.1.0"

__all__ = ["PolicyPlugin", "__version__", "plugin"]


class PolicyPlugin:
    """The plugin object: its hooks, and the policy of the command being run.

    The policy is loaded once per command (the first hook that needs it) and kept here,
    keyed by the command's config layers and ``PUFFIN_POLICY``, so a policy URL is
    fetched once per command however many projects the resolver looks at.
    """

    __slots__ = ("_loaded",)

    def __init__(self) -> None:
        self._loaded: tuple[object, str, Policy] | None = None

    def policy(self, ctx: Context) -> Policy:
        """The merged policy of the command ``ctx`` belongs to."""
        from puffin_policy._config import ENVIRONMENT_VARIABLE, load_policy

        named = ctx.environ.get(ENVIRONMENT_VARIABLE, "")
        loaded = self._loaded
        if loaded is not None and loaded[0] is ctx.config and loaded[1] == named:
            return loaded[2]
        policy = load_policy(ctx)
        self._loaded = (ctx.config, named, policy)
        return policy

    # -- hooks ----------------------------------------------------------------------------

    @hookimpl
    def puffin_configure(self, settings: Settings) -> None:
        """A new command starts: forget the previous command's policy."""
        self._loaded = None

    @hookimpl
    def puffin_add_commands(self, commands: CommandRegistry) -> None:
        """``puffin policy check`` and ``puffin policy show``."""
        from puffin_policy._commands import add_commands

        add_commands(commands, self)

    @hookimpl
    def puffin_filter_candidates(
        self, name: NormalizedName, candidates: Sequence[Candidate], ctx: Context
    ) -> list[Rejection] | None:
        """Reject every version that a package rule or a file rule forbids."""
        policy = self.policy(ctx)
        if policy.empty:
            return None
        from puffin.plugin import Rejection

        from puffin_policy._rules import file_violations, package_violations

        now = _now()
        rejections = []
        for candidate in candidates:
            violations = package_violations(policy, name, candidate.version)
            if not violations:
                violations = file_violations(policy, candidate.files, now)
            if violations:
                first = violations[0]
                rejections.append(Rejection(candidate, first.rejection, rule=first.rule))
        return rejections

    @hookimpl
    def puffin_check_resolution(self, resolution: Resolution, ctx: Context) -> list[Problem]:
        """Every violation of every pinned distribution: licenses, and the rules the
        resolver cannot apply to direct URL, path and VCS requirements."""
        policy = self.policy(ctx)
        if policy.empty:
            return []
        now = _now()
        return [problem for dist in resolution for problem in _dist_problems(policy, dist, now)]

    @hookimpl
    def puffin_check_plan(self, plan: Plan, ctx: Context) -> list[Problem]:
        """Every violation of every distribution the plan installs or keeps (not of those
        it removes), with the installed copy's metadata when the resolution had none."""
        policy = self.policy(ctx)
        if policy.empty:
            return []
        from puffin.plugin import PlanAction

        now = _now()
        problems: list[Problem] = []
        for item in plan.items:
            wanted = item.wanted
            if wanted is None or item.action is PlanAction.REMOVE:
                continue
            metadata = wanted.metadata
            unreadable = ""
            if metadata is None and item.installed is not None:
                metadata, unreadable = _installed_metadata(item.installed)
            for problem in _dist_problems(policy, wanted, now, metadata, unreadable):
                if problem not in problems:
                    problems.append(problem)
        return problems


def _dist_problems(
    policy: Policy,
    dist: ResolvedDist,
    now: datetime,
    metadata: CoreMetadata | None = None,
    unreadable: str = "",
) -> list[Problem]:
    from puffin.plugin import Problem

    from puffin_policy._rules import (
        file_violations,
        license_violations,
        package_violations,
        url_violations,
    )

    violations = package_violations(policy, dist.name, dist.version, editable=dist.editable)
    if dist.files:
        violations += file_violations(policy, dist.files, now)
    elif dist.url is not None:
        violations += url_violations(policy, dist.url)
    if not dist.editable:
        known = metadata if metadata is not None else dist.metadata
        why = unreadable or "the resolution did not read its metadata"
        violations += license_violations(policy, known, unreadable=why)
    return [Problem(str(dist), violation.problem, rule=violation.rule) for violation in violations]


def _installed_metadata(dist: InstalledDist) -> tuple[CoreMetadata | None, str]:
    from puffin.plugin import PuffinError, installed_metadata

    try:
        return installed_metadata(dist), ""
    except PuffinError as error:
        return None, str(error)


def _now() -> datetime:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


plugin = PolicyPlugin()
"""The object the ``policy`` entry point registers."""
