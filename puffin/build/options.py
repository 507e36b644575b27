"""The build options of one command: who builds, where, and with what settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin._values import value_type

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from puffin.environment.query import Interpreter
    from puffin.environment.target import TargetEnvironment
    from puffin.requirements.manifest import RequirementEntry
    from puffin.resolution.options import BinaryPolicy


@value_type
class BuildOptions:
    """Everything that decides how this command builds source distributions and trees.

    Builds run on ``interpreter``: the command's real interpreter (the environment being
    installed into, or the one ``pip compile`` found), never a ``--python-version``
    target, which has no interpreter to run a backend. Build requirements are resolved
    for that interpreter.
    """

    interpreter: Interpreter
    """Runs the backends; build requirements are resolved and installed for it."""
    target: TargetEnvironment
    """``interpreter``'s own environment (markers and tags), computed once per command for
    every build-requirement resolution and build environment."""
    scratch: Path
    """A directory of this command's own for build environments and unpacked sources,
    removed when the command ends. Inside the cache root, so wheels link from the cache."""
    isolated: bool = True
    """False under ``--no-build-isolation``: backends run in ``interpreter``'s own
    environment, which must already have the build requirements."""
    jobs: int = 1
    """How many backends may run at once (``--build-jobs``)."""
    config_settings: tuple[tuple[str, str], ...] = ()
    """``--config-settings KEY=VALUE``, for every backend."""
    constraints: tuple[RequirementEntry, ...] = ()
    """``--build-constraint``: pins for build environments only."""
    binary: BinaryPolicy | None = None
    """``--no-binary``/``--only-binary``/``--no-build``, also for build requirements."""
    exclude_newer: datetime | None = None
    """The command's ``--exclude-newer``, also for build requirements."""
    link_mode: str = "hardlink"
    """How files of build requirements get into build environments."""
