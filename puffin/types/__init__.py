"""Immutable value types shared by every layer of puffin.

These are the nouns of the plugin API: hooks receive and return them. They are frozen
dataclasses (``slots=True``), hold tuples instead of lists, and carry normalized names
(:data:`packaging.utils.NormalizedName`) wherever a name is used as a key.
"""

from __future__ import annotations

from puffin.types.answer import Answer, Failed, Found, NotFound, Offline
from puffin.types.build import BuildKind, BuildRequest
from puffin.types.credentials import Credentials
from puffin.types.dist import Candidate, DistFile, InstalledDist
from puffin.types.index import IndexKind, IndexSpec
from puffin.types.manifest_adjustment import ManifestAdjustment
from puffin.types.plan import Plan, PlanAction, PlanItem
from puffin.types.resolution import Resolution, ResolvedDist
from puffin.types.verdict import Problem, Rejection

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
