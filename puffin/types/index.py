"""Where packages come from: one entry per index URL or ``--find-links`` location."""

from __future__ import annotations

import enum

from puffin._values import value_type


class IndexKind(enum.Enum):
    """How a location is read: as a simple-API index or as a flat listing of files."""

    SIMPLE = "simple"
    """A PEP 503 / PEP 691 simple repository API (``--index-url``, ``--extra-index-url``)."""

    FLAT = "flat"
    """A directory or HTML page of distribution files (``--find-links``)."""


@value_type
class IndexSpec:
    """One configured package source, as the user wrote it.

    ``url`` is a URL (``https://...``, ``file://...``, or any scheme a plugin understands,
    e.g. ``s3://bucket/prefix``) or, for flat sources, a local path. ``priority`` is the
    position among the configured sources: 0 is consulted first.
    """

    url: str
    kind: IndexKind
    priority: int = 0
    is_default: bool = False
    """True for the built-in default index (PyPI) when the user configured none."""

    @property
    def scheme(self) -> str:
        """The URL scheme (``https``, ``s3``...), or ``file`` for a bare path."""
        head, sep, _ = self.url.partition("://")
        return head.lower() if sep else "file"
