"""puffin's test harness, for puffin's own tests and for authors of puffin plugins.

Build real distributions (:func:`make_wheel`, :func:`make_sdist`), publish them on a real
HTTP index (:class:`LocalIndex`, :class:`StaticIndexServer`, :class:`PypiServer`) or in a
``--find-links`` directory (:class:`FlatDirectory`), and run puffin in a subprocess with an
isolated environment (:func:`run_puffin`). Real build-backend wheels, for isolated builds
without the network, come from a warm cache (:func:`ensure_backend_wheels`). The pytest
fixtures wrapping these live in :mod:`puffin.testing.plugin`, which pytest loads
automatically.

Names are imported lazily on first access: pytest imports this package (through the plugin)
in every session, and most sessions need none of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from puffin.testing.backends import (
        BACKEND_PINS,
        BackendWheelsError,
        backend_wheels_dir,
        ensure_backend_wheels,
    )
    from puffin.testing.dists import (
        MakeSdist,
        MakeWheel,
        make_sdist,
        make_wheel,
        metadata_of,
        normalize_name,
        parse_metadata,
        wheel_filename,
    )
    from puffin.testing.envs import installed_versions
    from puffin.testing.index import (
        Fault,
        FaultQueue,
        FlatDirectory,
        IndexBuilder,
        LocalIndex,
        LocalIndexFactory,
        RequestRecord,
        StaticIndexServer,
        negotiate_content_type,
        write_flat_html,
        write_simple_index,
    )
    from puffin.testing.pypiserver import (
        PypiServer,
        PypiServerError,
        PypiServerFactory,
        PypiServerNotInstalled,
    )
    from puffin.testing.run import PuffinResult, PuffinRunError, PuffinRunner, run_puffin

_EXPORTS = {
    "installed_versions": "envs",
    "BACKEND_PINS": "backends",
    "BackendWheelsError": "backends",
    "backend_wheels_dir": "backends",
    "ensure_backend_wheels": "backends",
    "MakeSdist": "dists",
    "MakeWheel": "dists",
    "make_sdist": "dists",
    "make_wheel": "dists",
    "metadata_of": "dists",
    "normalize_name": "dists",
    "parse_metadata": "dists",
    "wheel_filename": "dists",
    "Fault": "index",
    "FaultQueue": "index",
    "FlatDirectory": "index",
    "IndexBuilder": "index",
    "LocalIndex": "index",
    "LocalIndexFactory": "index",
    "RequestRecord": "index",
    "StaticIndexServer": "index",
    "negotiate_content_type": "index",
    "write_flat_html": "index",
    "write_simple_index": "index",
    "PypiServer": "pypiserver",
    "PypiServerError": "pypiserver",
    "PypiServerFactory": "pypiserver",
    "PypiServerNotInstalled": "pypiserver",
    "PuffinResult": "run",
    "PuffinRunError": "run",
    "PuffinRunner": "run",
    "run_puffin": "run",
}

__all__ = [
    "BACKEND_PINS",
    "BackendWheelsError",
    "Fault",
    "FaultQueue",
    "FlatDirectory",
    "IndexBuilder",
    "LocalIndex",
    "LocalIndexFactory",
    "MakeSdist",
    "MakeWheel",
    "PuffinResult",
    "PuffinRunError",
    "PuffinRunner",
    "PypiServer",
    "PypiServerError",
    "PypiServerFactory",
    "PypiServerNotInstalled",
    "RequestRecord",
    "StaticIndexServer",
    "backend_wheels_dir",
    "ensure_backend_wheels",
    "installed_versions",
    "make_sdist",
    "make_wheel",
    "metadata_of",
    "negotiate_content_type",
    "normalize_name",
    "parse_metadata",
    "run_puffin",
    "wheel_filename",
    "write_flat_html",
    "write_simple_index",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
