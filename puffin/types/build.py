"""Requests to turn a source tree or source distribution into metadata or a wheel."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from puffin._values import value_type

if TYPE_CHECKING:
    from pathlib import Path


class BuildKind(enum.Enum):
    """What a build must produce (the PEP 517 / PEP 660 hook that answers it)."""

    METADATA = "metadata"
    """``prepare_metadata_for_build_wheel``, or a wheel build when the backend lacks it."""
    WHEEL = "wheel"
    """``build_wheel``."""
    EDITABLE = "editable"
    """``build_editable`` (PEP 660)."""


@value_type
class BuildRequest:
    """One build: the source, what to produce, and the options the user gave for it.

    ``source_dir`` is an unpacked source tree; ``name``/``version`` are known when the
    source came from an index and None for local paths until metadata is built.
    """

    source_dir: Path
    kind: BuildKind
    name: str | None = None
    version: str | None = None
    config_settings: tuple[tuple[str, str], ...] = ()
    isolated: bool = True
    """False under ``--no-build-isolation``: build in the target environment."""
    build_key: str = ""
    """The identity of the source (archive hash or project-file digest) for caching."""
    editable: bool = False
    """The project is installed in editable mode: ``METADATA`` asks the backend's PEP 660
    hooks (``prepare_metadata_for_build_editable``) rather than the wheel ones."""

    def describe(self) -> str:
        """A short human name for messages: ``foo==1.0`` or the source directory."""
        if self.name and self.version:
            return f"{self.name}=={self.version}"
        return str(self.source_dir)
