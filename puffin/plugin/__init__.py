"""The plugin API: the only part of puffin a plugin needs to import.

A plugin is a module (or any object) with functions named after hooks in
:mod:`puffin.plugin.spec`::

    from puffin.plugin import hookimpl, Rejection

    @hookimpl
    def puffin_filter_candidates(name, candidates, ctx):
        return [Rejection(c, "is banned here") for c in candidates if name == "leftpad"]

and an entry point in its ``pyproject.toml``::

    [project.entry-points.puffin]
    no-leftpad = "no_leftpad"

Everything importable from this module is covered by the stability promise: hooks only
gain arguments, value types only gain fields with defaults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin._lazy import lazy_exports

if TYPE_CHECKING:
    from puffin.config.settings import ColorChoice, Settings
    from puffin.context import Context
    from puffin.distribution.core_metadata import CoreMetadata
    from puffin.environment.query import Interpreter
    from puffin.environment.target import TargetEnvironment
    from puffin.errors import PuffinError, UsageError
    from puffin.plugin.environments import (
        installed_distributions,
        installed_metadata,
        site_packages,
    )
    from puffin.plugin.errors import PluginError
    from puffin.plugin.markers import hookimpl, hookspec
    from puffin.plugin.protocols import (
        AnonymousFiles,
        BuildEnvironment,
        Builder,
        IndexSource,
        Reporter,
    )
    from puffin.plugin.registries import Command, CommandRegistry, OptionRegistry
    from puffin.plugin.spec import PROVISIONAL_HOOKS
    from puffin.types import (
        Answer,
        BuildKind,
        BuildRequest,
        Candidate,
        Credentials,
        DistFile,
        Failed,
        Found,
        IndexKind,
        IndexSpec,
        InstalledDist,
        ManifestAdjustment,
        NotFound,
        Offline,
        Plan,
        PlanAction,
        PlanItem,
        Problem,
        Rejection,
        Resolution,
        ResolvedDist,
    )

# Imported on first use, so that loading one part of the API does not load all of it.
_LAZY = {
    "AnonymousFiles": "puffin.plugin.protocols",
    "Answer": "puffin.types",
    "BuildEnvironment": "puffin.plugin.protocols",
    "BuildKind": "puffin.types",
    "BuildRequest": "puffin.types",
    "Builder": "puffin.plugin.protocols",
    "Candidate": "puffin.types",
    "ColorChoice": "puffin.config.settings",
    "Command": "puffin.plugin.registries",
    "CommandRegistry": "puffin.plugin.registries",
    "Context": "puffin.context",
    "CoreMetadata": "puffin.distribution.core_metadata",
    "Credentials": "puffin.types",
    "DistFile": "puffin.types",
    "Failed": "puffin.types",
    "Found": "puffin.types",
    "IndexKind": "puffin.types",
    "IndexSource": "puffin.plugin.protocols",
    "IndexSpec": "puffin.types",
    "InstalledDist": "puffin.types",
    "Interpreter": "puffin.environment.query",
    "ManifestAdjustment": "puffin.types",
    "NotFound": "puffin.types",
    "Offline": "puffin.types",
    "OptionRegistry": "puffin.plugin.registries",
    "PROVISIONAL_HOOKS": "puffin.plugin.spec",
    "Plan": "puffin.types",
    "PlanAction": "puffin.types",
    "PlanItem": "puffin.types",
    "PluginError": "puffin.plugin.errors",
    "Problem": "puffin.types",
    "PuffinError": "puffin.errors",
    "Rejection": "puffin.types",
    "Reporter": "puffin.plugin.protocols",
    "Resolution": "puffin.types",
    "ResolvedDist": "puffin.types",
    "Settings": "puffin.config.settings",
    "TargetEnvironment": "puffin.environment.target",
    "UsageError": "puffin.errors",
    "hookimpl": "puffin.plugin.markers",
    "hookspec": "puffin.plugin.markers",
    "installed_distributions": "puffin.plugin.environments",
    "installed_metadata": "puffin.plugin.environments",
    "site_packages": "puffin.plugin.environments",
}

__getattr__ = lazy_exports(__name__, _LAZY)


__all__ = [
    "PROVISIONAL_HOOKS",
    "AnonymousFiles",
    "Answer",
    "BuildEnvironment",
    "BuildKind",
    "BuildRequest",
    "Builder",
    "Candidate",
    "ColorChoice",
    "Command",
    "CommandRegistry",
    "Context",
    "CoreMetadata",
    "Credentials",
    "DistFile",
    "Failed",
    "Found",
    "IndexKind",
    "IndexSource",
    "IndexSpec",
    "InstalledDist",
    "Interpreter",
    "ManifestAdjustment",
    "NotFound",
    "Offline",
    "OptionRegistry",
    "Plan",
    "PlanAction",
    "PlanItem",
    "PluginError",
    "Problem",
    "PuffinError",
    "Rejection",
    "Reporter",
    "Resolution",
    "ResolvedDist",
    "Settings",
    "TargetEnvironment",
    "UsageError",
    "hookimpl",
    "hookspec",
    "installed_distributions",
    "installed_metadata",
    "site_packages",
]
