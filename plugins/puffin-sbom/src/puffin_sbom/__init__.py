"""puffin-sbom: a CycloneDX SBOM of the environment after every install and sync.

A puffin plugin (entry point ``sbom`` in the ``puffin`` group), written against the public
plugin API (:mod:`puffin.plugin`) only, and the reference example of the
``puffin_post_install`` hook::

    puffin pip install --sbom sbom.json -r requirements.txt
    PUFFIN_SBOM=sbom.json puffin pip sync requirements.txt

It implements two hooks:

* ``puffin_add_options`` declares the option ``sbom`` (a path): ``--sbom PATH``,
  ``PUFFIN_SBOM=PATH`` or ``sbom = "PATH"`` in ``[tool.puffin]``;
* ``puffin_post_install`` writes the SBOM, when that option is set, after every file of
  the command is in place. puffin calls it also when nothing changed, so the file always
  describes the environment as it is: every installed distribution, not only those the
  command installed.

This module is what the entry point loads, on every puffin command: it holds the hooks and
nothing heavy. When ``sbom`` is unset the hook returns at once; the document is built by
:mod:`puffin_sbom._bom`, imported only when there is one to write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin.plugin import hookimpl

if TYPE_CHECKING:
    from collections.abc import Sequence

    from puffin.plugin import Context, InstalledDist, OptionRegistry

    from puffin_sbom._write import TargetEnvironment

__version__ = "0.1.0"

__all__ = ["__version__", "puffin_add_options", "puffin_post_install"]


@hookimpl
def puffin_add_options(parser: OptionRegistry) -> None:
    """``--sbom PATH``, ``PUFFIN_SBOM`` and ``[tool.puffin] sbom``."""
    parser.add_option(
        "sbom",
        kind="path",
        help="after install and sync, write a CycloneDX JSON SBOM of the environment to PATH",
    )


@hookimpl
def puffin_post_install(
    installed: Sequence[InstalledDist], env: TargetEnvironment, ctx: Context
) -> None:
    """Write the SBOM of ``env`` to the ``sbom`` path, when one is set.

    ``installed`` (what this command installed) is not used: the SBOM lists the whole
    environment, read again from disk, so that it is right after a command that changed
    nothing, removed packages (``pip sync``) or installed nothing at all.

    :raises puffin.plugin.PluginError: the file cannot be written; puffin reports it and
        the command fails, but the installation stays in place.
    """
    option = ctx.settings.plugin_option("sbom")
    if not option:
        return
    from puffin_sbom._write import write_environment_sbom

    write_environment_sbom(option, env, ctx)
