"""Immutable value types shared by every layer of puffin.

These are the nouns of the plugin API: hooks receive and return them. They are frozen
dataclasses (``slots=True``), hold tuples instead of lists, and carry normalized names
(:data:`packaging.utils.NormalizedName`) wherever a name is used as a key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin._lazy import lazy_exports

if TYPE_CHECKING:
    from puffin.types.answer import Answer, Failed, Found, NotFound, Offline
    from puffin.types.build import BuildKind, BuildRequest
    from puffin.types.credentials import Credentials
    from puffin.types.dist import Candidate, DistFile, InstalledDist
    from puffin.types.index import IndexKind, IndexSpec
    from puffin.types.manifest_adjustment import ManifestAdjustment
    from puffin.types.plan import Plan, PlanAction, PlanItem
    from puffin.types.resolution import Resolution, ResolvedDist
    from puffin.types.verdict import Problem, Rejection

# Imported on first use: loading every value type costs more than some commands take.
_LAZY = {
    "Answer": "puffin.types.answer",
    "BuildKind": "puffin.types.build",
    "BuildRequest": "puffin.types.build",
    "Candidate": "puffin.types.dist",
    "Credentials": "puffin.types.credentials",
    "DistFile": "puffin.types.dist",
    "Failed": "puffin.types.answer",
    "Found": "puffin.types.answer",
    "IndexKind": "puffin.types.index",
    "IndexSpec": "puffin.types.index",
    "InstalledDist": "puffin.types.dist",
    "ManifestAdjustment": "puffin.types.manifest_adjustment",
    "NotFound": "puffin.types.answer",
    "Offline": "puffin.types.answer",
    "Plan": "puffin.types.plan",
    "PlanAction": "puffin.types.plan",
    "PlanItem": "puffin.types.plan",
    "Problem": "puffin.types.verdict",
    "Rejection": "puffin.types.verdict",
    "Resolution": "puffin.types.resolution",
    "ResolvedDist": "puffin.types.resolution",
}

__getattr__ = lazy_exports(__name__, _LAZY)


__all__ = [
    "Answer",
    "BuildKind",
    "BuildRequest",
    "Candidate",
    "Credentials",
    "DistFile",
    "Failed",
    "Found",
    "IndexKind",
    "IndexSpec",
    "InstalledDist",
    "ManifestAdjustment",
    "NotFound",
    "Offline",
    "Plan",
    "PlanAction",
    "PlanItem",
    "Problem",
    "Rejection",
    "Resolution",
    "ResolvedDist",
]
