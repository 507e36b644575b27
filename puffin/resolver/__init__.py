"""The PubGrub version solver: pure code over a dependency provider protocol.

Nothing here does I/O or imports a layer that does; the provider
(:class:`~puffin.resolver.provider.DependencyProvider`) answers every question about
packages, and :func:`~puffin.resolver.solver.solve` awaits its coroutines so the caller
can fetch concurrently. Names are re-exported lazily: using one loads only its module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin._lazy import lazy_exports

if TYPE_CHECKING:
    from puffin.resolver.incompatibility import Incompatibility, Kind, Term
    from puffin.resolver.package import PYTHON, ROOT, Package
    from puffin.resolver.provider import DependencyProvider, Unavailable
    from puffin.resolver.report import DefaultVocabulary, Vocabulary, explain
    from puffin.resolver.solver import NoSolution, ProviderError, solve
    from puffin.resolver.version_set import VersionSet

_LAZY = {
    "DefaultVocabulary": "puffin.resolver.report",
    "DependencyProvider": "puffin.resolver.provider",
    "Incompatibility": "puffin.resolver.incompatibility",
    "Kind": "puffin.resolver.incompatibility",
    "NoSolution": "puffin.resolver.solver",
    "PYTHON": "puffin.resolver.package",
    "Package": "puffin.resolver.package",
    "ProviderError": "puffin.resolver.solver",
    "ROOT": "puffin.resolver.package",
    "Term": "puffin.resolver.incompatibility",
    "Unavailable": "puffin.resolver.provider",
    "VersionSet": "puffin.resolver.version_set",
    "Vocabulary": "puffin.resolver.report",
    "explain": "puffin.resolver.report",
    "solve": "puffin.resolver.solver",
}

__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "PYTHON",
    "ROOT",
    "DefaultVocabulary",
    "DependencyProvider",
    "Incompatibility",
    "Kind",
    "NoSolution",
    "Package",
    "ProviderError",
    "Term",
    "Unavailable",
    "VersionSet",
    "Vocabulary",
    "explain",
    "solve",
]
