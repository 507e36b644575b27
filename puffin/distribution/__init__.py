"""Distributions' core metadata, read cheaply.

* :mod:`puffin.distribution.lazy_wheel` reads a remote wheel's ``METADATA`` with a few HTTP
  range requests (:func:`~puffin.distribution.lazy_wheel.read_wheel_metadata`) instead of
  downloading the wheel, and a local wheel's with :mod:`zipfile`.
* :mod:`puffin.distribution.core_metadata` parses ``METADATA`` / ``PKG-INFO`` bytes into a
  :class:`~puffin.distribution.core_metadata.CoreMetadata`, as leniently as pip and uv.

Names are re-exported lazily: each costs only its own module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin._lazy import lazy_exports

if TYPE_CHECKING:
    from puffin.distribution.core_metadata import CoreMetadata, MetadataError, parse_core_metadata
    from puffin.distribution.lazy_wheel import (
        LazyWheelError,
        RangeReader,
        RangeRequestsUnsupported,
        read_wheel_metadata,
        read_wheel_metadata_from_file,
    )

_LAZY = {
    "CoreMetadata": "puffin.distribution.core_metadata",
    "MetadataError": "puffin.distribution.core_metadata",
    "parse_core_metadata": "puffin.distribution.core_metadata",
    "LazyWheelError": "puffin.distribution.lazy_wheel",
    "RangeReader": "puffin.distribution.lazy_wheel",
    "RangeRequestsUnsupported": "puffin.distribution.lazy_wheel",
    "read_wheel_metadata": "puffin.distribution.lazy_wheel",
    "read_wheel_metadata_from_file": "puffin.distribution.lazy_wheel",
}

__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "CoreMetadata",
    "LazyWheelError",
    "MetadataError",
    "RangeReader",
    "RangeRequestsUnsupported",
    "parse_core_metadata",
    "read_wheel_metadata",
    "read_wheel_metadata_from_file",
]
