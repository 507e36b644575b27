"""The objects hooks return: they do the work, with async methods for I/O.

Hooks are synchronous (pluggy has no async); a hook that starts I/O returns one of these
objects, and puffin awaits its methods on the command's event loop. Each protocol is
structural: a plugin needs no base class, only the methods.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from packaging.utils import NormalizedName

    from puffin.types.answer import Answer
    from puffin.types.dist import DistFile
    from puffin.types.index import IndexSpec


@runtime_checkable
class IndexSource(Protocol):
    """Serves one configured index or find-links location (from ``puffin_index_source``).

    Every method returns an :data:`~puffin.types.Answer`: ``Found``, ``NotFound``,
    ``Offline`` or ``Failed``; it raises only for bugs. Implementations must be safe to
    call concurrently from one event loop.
    """

    @property
    def spec(self) -> IndexSpec:
        """The location this source serves."""
        ...

    async def list_files(self, name: NormalizedName) -> Answer[Sequence[DistFile]]:
        """Every file of project ``name`` (wheels and sdists, all versions)."""
        ...

    async def fetch_metadata(self, file: DistFile) -> Answer[bytes]:
        """The core metadata (METADATA file contents) of ``file``, as cheaply as possible."""
        ...

    async def fetch_file(self, file: DistFile, dest: Path) -> Answer[Path]:
        """Download ``file`` to ``dest`` (a full path); return that path."""
        ...


@runtime_checkable
class AnonymousFiles(Protocol):
    """Optional for an :class:`IndexSource`: files that a bare HTTP GET can fetch.

    puffin fetches a large wheel of such a source in one of the worker processes that
    unpack wheels, so that the download's CPU (TLS, hashing, writing) stays off the
    command's process, with the command's TLS trust settings, timeout and user agent, and
    no credentials. The file's hashes are checked there as ``fetch_file`` would check
    them. When that fails for any reason (an error status, a hash mismatch, a lost
    connection), puffin calls the source's ``fetch_file`` instead, which reports errors.
    """

    def anonymous_url(self, file: DistFile) -> str | None:
        """An ``http``/``https`` URL that serves ``file`` to a GET with no credentials and
        nothing of the source's own transport, or None (fetch it with ``fetch_file``)."""
        ...


@runtime_checkable
class BuildEnvironment(Protocol):
    """Where a build runs (from ``puffin_build_env``): compatible with ``build``'s IsolatedEnv.

    ``python_executable`` and ``make_extra_environ`` are the two members of
    :class:`build.env.IsolatedEnv`, so any IsolatedEnv plus an ``install`` method works.
    """

    @property
    def python_executable(self) -> str:
        """The interpreter the build backend runs in."""
        ...

    def make_extra_environ(self) -> Mapping[str, str] | None:
        """Environment variables to set for the backend's subprocess (e.g. PATH)."""
        ...

    async def install(self, requirements: Sequence[str]) -> None:
        """Make ``requirements`` importable in this environment (resolve and install)."""
        ...


@runtime_checkable
class Builder(Protocol):
    """Builds one :class:`~puffin.types.BuildRequest` (from ``puffin_build``).

    puffin drives it in phases: install :meth:`build_system_requires` into the
    environment, then :meth:`get_requires`, then call :meth:`build`.
    """

    def build_system_requires(self) -> Sequence[str]:
        """The static ``[build-system] requires`` of the source."""
        ...

    async def get_requires(self) -> Sequence[str]:
        """The dynamic requirements (``get_requires_for_build_*``) for the request's kind."""
        ...

    async def build(self, output_dir: Path) -> Path:
        """Produce the requested artefact in ``output_dir`` and return its path.

        For ``BuildKind.METADATA`` the path of a ``.dist-info`` directory, otherwise of a
        ``.whl`` file. Failure raises :class:`puffin.errors.PuffinError` naming the phase.
        """
        ...


@runtime_checkable
class Reporter(Protocol):
    """Everything puffin tells the user goes through the reporter (``puffin_make_reporter``).

    Quiet by default: one :meth:`summary` line per phase; :meth:`info` appears with
    ``-v`` and :meth:`debug` with ``-vv``. :meth:`result` is the command's own output
    (``freeze`` lines, ``cache dir``) and goes to stdout; everything else goes to stderr.
    """

    def result(self, text: str) -> None:
        """Print a line of the command's output to stdout, even with ``-q``."""
        ...

    def summary(self, text: str) -> None:
        """One line per phase, e.g. ``Resolved 12 packages in 0.31s``; hidden by ``-q``."""
        ...

    def change(self, sign: str, text: str) -> None:
        """One changed item: ``sign`` is ``+`` (added), ``-`` (removed) or ``~``."""
        ...

    def info(self, text: str) -> None:
        """Detail shown with ``-v``."""
        ...

    def debug(self, text: str) -> None:
        """Detail shown with ``-vv``."""
        ...

    def warning(self, text: str) -> None:
        """Something the user should know that does not stop the command (not with -q)."""
        ...

    def error(self, text: str, *, hint: str | None = None) -> None:
        """The reason a command failed, always shown."""
        ...
