"""``make_plan``: what an install or sync does with each distribution."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.install.plan import NO_REINSTALL, Reinstall, keeps, make_plan
from puffin.types import InstalledDist, Plan, PlanAction, ResolvedDist
from puffin.types.resolution import Resolution


def present(name: str, version: str, *, direct_url: str | None = None) -> InstalledDist:
    return InstalledDist(
        canonicalize_name(name),
        Version(version),
        Path(f"/site/{name}-{version}.dist-info"),
        direct_url=direct_url,
    )


def wanted(name: str, version: str, *, url: str | None = None) -> ResolvedDist:
    return ResolvedDist(canonicalize_name(name), Version(version), url=url)


def actions(plan: Plan) -> dict[str, PlanAction]:
    return {item.name: item.action for item in plan.items}


def test_each_distribution_gets_its_action() -> None:
    resolution = Resolution((wanted("kept", "1.0"), wanted("new", "1.0"), wanted("moved", "2.0")))
    installed = [present("kept", "1.0"), present("moved", "1.0"), present("stray", "1.0")]
    assert actions(make_plan(resolution, installed)) == {
        "kept": PlanAction.SATISFIED,
        "new": PlanAction.DOWNLOAD,
        "moved": PlanAction.REINSTALL,
    }
    assert actions(make_plan(resolution, installed, sync=True))["stray"] is PlanAction.REMOVE


def test_reinstall_package_names_are_normalized() -> None:
    resolution = Resolution((wanted("typing-extensions", "4.0"), wanted("other", "1.0")))
    installed = [present("typing-extensions", "4.0"), present("other", "1.0")]
    rule = Reinstall.asked(names=["Typing_Extensions"])
    assert rule.names == frozenset({"typing-extensions"})
    assert actions(make_plan(resolution, installed, reinstall=rule)) == {
        "typing-extensions": PlanAction.REINSTALL,
        "other": PlanAction.SATISFIED,
    }
    everything = make_plan(resolution, installed, reinstall=Reinstall.asked(everything=True))
    assert set(actions(everything).values()) == {PlanAction.REINSTALL}


def test_keeps_weighs_version_reinstall_and_source() -> None:
    """``keeps`` is the rule the plan and the install's prefetch share (the prefetch asks
    it whether to fetch a wheel at all)."""
    same = present("lib", "1.0")
    assert keeps(same, wanted("lib", "1.0"), NO_REINSTALL)
    assert not keeps(same, wanted("lib", "2.0"), NO_REINSTALL)
    assert not keeps(same, wanted("lib", "1.0"), Reinstall.asked(names=["LIB"]))
    # A direct URL install replaced by the registry's release of the same version.
    from_url = present("lib", "1.0", direct_url="https://example.org/lib-1.0.tar.gz")
    assert not keeps(from_url, wanted("lib", "1.0"), NO_REINSTALL)
    assert keeps(
        from_url,
        wanted("lib", "1.0", url="https://example.org/lib-1.0.tar.gz"),
        NO_REINSTALL,
    )
