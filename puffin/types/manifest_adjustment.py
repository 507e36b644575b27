"""What a plugin adds to the user's requirements before resolution."""

from __future__ import annotations

from puffin._values import value_type


@value_type
class ManifestAdjustment:
    """Extra constraints and overrides a plugin injects (e.g. an organization's pins).

    Entries are PEP 508 requirement strings. ``reason`` is shown when a resolution fails
    because of them, so the user learns where the pin came from.
    """

    constraints: tuple[str, ...] = ()
    overrides: tuple[str, ...] = ()
    reason: str = ""
