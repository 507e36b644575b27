"""Built-in plugin ``pep517``: build with the project's PEP 517 / PEP 660 backend.

It answers ``puffin_build`` last (``trylast``), so any installed plugin that builds
differently goes first. The builder itself lives in :mod:`puffin.build.pep517`, imported
only when something is built: every command loads this module at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin.plugin.markers import hookimpl

if TYPE_CHECKING:
    from puffin.context import Context
    from puffin.plugin.protocols import BuildEnvironment, Builder
    from puffin.types.build import BuildRequest

LOG_BUCKET = "build-logs-v1"
"""The cache bucket that keeps the backends' output, one file per build."""


@hookimpl(trylast=True)
def puffin_build(request: BuildRequest, env: BuildEnvironment, ctx: Context) -> Builder:
    """Run the source's ``[build-system]`` backend (setuptools' legacy one when none)."""
    from puffin.build.pep517 import Pep517Builder

    return Pep517Builder(request, env, log_dir=ctx.cache.bucket(LOG_BUCKET))
