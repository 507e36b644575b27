"""Built-in plugin ``build_isolation``: the environment every build runs in.

Isolated (the default): a fresh virtual environment of the build interpreter that
puffin fills from its own cache. With ``--no-build-isolation``: the command's own
environment. Registered ``trylast``: a plugin of yours may supply another environment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin.plugin.markers import hookimpl

if TYPE_CHECKING:
    from puffin.context import Context
    from puffin.plugin.protocols import BuildEnvironment
    from puffin.types import BuildRequest


@hookimpl(trylast=True)
def puffin_build_env(request: BuildRequest, ctx: Context) -> BuildEnvironment:
    """An isolated environment, or the command's own when isolation is off."""
    from puffin.build.environment import InPlaceEnvironment, IsolatedEnvironment

    if request.isolated:
        return IsolatedEnvironment(request, ctx)
    return InPlaceEnvironment(request, ctx)
