"""Reading an installed environment, for plugins (audits, SBOMs, policy checks).

Part of the plugin API (exported from :mod:`puffin.plugin`): a plugin command such as
``puffin policy check`` finds the environment the user means exactly as puffin's own
commands do (``--python``, ``PUFFIN_PYTHON``, the active or nearest ``.venv``), and reads
what is installed there without importing anything in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from puffin.context import Context
    from puffin.distribution.core_metadata import CoreMetadata
    from puffin.types import InstalledDist


def site_packages(ctx: Context, python: str | None = None) -> tuple[Path, ...]:
    """The site-packages directories of the environment ``python`` names.

    :param python: an interpreter path, a version request (``3.12``) or an environment
        directory; None finds the environment as ``puffin pip`` commands do.
    :raises puffin.errors.PuffinError: no such environment (a user error).
    """
    import argparse

    from puffin.targets import interpreter_for_args

    interpreter = interpreter_for_args(argparse.Namespace(python=python), ctx)
    return tuple(dict.fromkeys((interpreter.paths["purelib"], interpreter.paths["platlib"])))


def installed_distributions(ctx: Context, python: str | None = None) -> tuple[InstalledDist, ...]:
    """Every distribution installed in the environment ``python`` names, sorted by name
    (see :func:`site_packages` for ``python``)."""
    from puffin.install.installed import scan_environment

    return scan_environment(list(site_packages(ctx, python)))


def installed_metadata(dist: InstalledDist) -> CoreMetadata:
    """The core metadata of an installed distribution (license, classifiers, summary...).

    :raises puffin.errors.PuffinError: the metadata file is missing or unreadable.
    """
    from puffin.distribution.core_metadata import parse_core_metadata
    from puffin.errors import PuffinError
    from puffin.install.installed import metadata_file

    path = metadata_file(dist)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PuffinError(f"cannot read the metadata of {dist}: {error}") from None
    return parse_core_metadata(data, source=str(path))
