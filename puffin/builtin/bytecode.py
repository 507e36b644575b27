"""Built-in plugin ``bytecode``: ``--compile-bytecode`` as a post-install step.

After an install or sync, the ``.py`` files of the distributions it installed are
compiled by the *target* interpreter (its ``compileall``, all cores), so the first
import in the environment does not pay for it. A plugin implementing
``puffin_post_install`` the way any third-party plugin would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin.plugin.markers import hookimpl

if TYPE_CHECKING:
    from collections.abc import Sequence

    from puffin.context import Context
    from puffin.environment.target import TargetEnvironment
    from puffin.plugin.registries import OptionRegistry
    from puffin.types import InstalledDist


@hookimpl(trylast=True)
def puffin_add_options(parser: OptionRegistry) -> None:
    """``--compile-bytecode`` / ``PUFFIN_COMPILE_BYTECODE`` / ``compile-bytecode``."""
    parser.add_option(
        "compile_bytecode",
        kind="bool",
        default=False,
        help="compile the installed .py files to bytecode after install and sync",
    )


@hookimpl(trylast=True)
def puffin_post_install(
    installed: Sequence[InstalledDist], env: TargetEnvironment, ctx: Context
) -> None:
    """Compile what this command installed, when asked to."""
    if not installed or not ctx.settings.plugin_option("compile_bytecode", False):
        return
    from puffin.install.bytecode import compile_bytecode

    files = []
    for dist in installed:
        record = dist.dist_info / "RECORD"
        site_packages = dist.dist_info.parent
        for line in record.read_text(encoding="utf-8").splitlines():
            path = line.rsplit(",", 2)[0]
            if path.endswith(".py"):
                files.append((site_packages / path).resolve())
    compile_bytecode(files, env.interpreter.sys_executable)
    ctx.reporter.info(f"Compiled {len(files)} files to bytecode")
