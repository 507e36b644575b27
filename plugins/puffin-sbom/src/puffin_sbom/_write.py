"""Read the environment through the plugin API, build the SBOM and write it atomically."""

from __future__ import annotations

import contextlib
import errno
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from puffin_sbom import __version__
from puffin_sbom._bom import Environment, Package, Tool, build_bom

if TYPE_CHECKING:
    from collections.abc import Mapping

    from puffin.plugin import Context

__all__ = ["Interpreter", "TargetEnvironment", "write_environment_sbom", "write_json_atomically"]

PLUGIN = "puffin-sbom"
HOOK = "puffin_post_install"
WHO = f"'sbom' ({PLUGIN} {__version__})"
"""How messages name the plugin, as puffin names a plugin (entry point and distribution)."""


class Interpreter(Protocol):
    """The part of the environment's interpreter this plugin reads."""

    @property
    def executable(self) -> Path: ...

    @property
    def prefix(self) -> Path: ...


class TargetEnvironment(Protocol):
    """The part of the ``env`` argument of ``puffin_post_install`` this plugin reads.

    A protocol of just the fields used (``puffin.plugin.TargetEnvironment`` has them), so
    the plugin keeps working with any puffin whose environments offer these.
    """

    @property
    def interpreter(self) -> Interpreter: ...

    @property
    def markers(self) -> Mapping[str, str]: ...


def write_environment_sbom(option: object, env: TargetEnvironment, ctx: Context) -> Path:
    """Write the SBOM of ``env`` to the path ``option`` names; return that path.

    A relative path is relative to the command's working directory (puffin has already
    made one from ``[tool.puffin]`` relative to its file). Missing parent directories are
    created.

    :raises puffin.plugin.PluginError: the environment cannot be read or the file cannot
        be written; the message names the plugin and the path.
    """
    from puffin.plugin import (
        PluginError,
        PuffinError,
        installed_distributions,
        installed_metadata,
    )

    path = Path(str(option)).expanduser()
    if not path.is_absolute():
        path = ctx.cwd / path
    try:
        dists = installed_distributions(ctx, str(env.interpreter.executable))
    except PuffinError as error:
        raise PluginError(
            f"plugin {WHO} cannot read the environment for the SBOM {path}: {error}",
            plugin="sbom",
            hook=HOOK,
        ) from error
    packages = []
    for dist in dists:
        try:
            metadata = installed_metadata(dist)
        except PuffinError as error:
            ctx.reporter.warning(
                f"{PLUGIN}: {error}; {dist} is in the SBOM without license, description "
                "and dependencies"
            )
            metadata = None
        packages.append(Package(dist, metadata))
    document = build_bom(
        packages,
        Environment(prefix=env.interpreter.prefix, markers=env.markers),
        tools=[Tool("puffin", _version_of("puffin")), Tool(PLUGIN, __version__)],
    )
    try:
        write_json_atomically(path, document)
    except OSError as error:
        reason = error.strerror or str(error)
        culprit = os.fspath(error.filename) if error.filename else ""
        if culprit and culprit != str(path) and not culprit.endswith(".tmp"):
            reason += f": {culprit}"  # e.g. the file that stands where a directory should
        raise PluginError(
            f"plugin {WHO} cannot write the SBOM to {path}: {reason}",
            plugin="sbom",
            hook=HOOK,
            hint="the packages are installed; choose a writable path with --sbom or "
            "PUFFIN_SBOM, then run the command again to write the SBOM",
        ) from error
    count = len(packages)
    ctx.reporter.summary(f"Wrote the SBOM of {count} package{'' if count == 1 else 's'} to {path}")
    return path


def write_json_atomically(path: Path, document: Mapping[str, Any]) -> None:
    """Write ``document`` as JSON to ``path`` through a temporary file in the same
    directory and :func:`os.replace`, so a reader never sees a partial file.

    The file gets the usual permissions (``0o666`` less the umask), not a temporary
    file's ``0o600``.
    """
    import secrets

    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as error:  # a file where a directory should be
        raise NotADirectoryError(errno.ENOTDIR, "Not a directory", error.filename) from None
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise


def _version_of(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None
