"""Run a project's PEP 517 / PEP 660 build backend: metadata, wheels and editable wheels.

:class:`Pep517Builder` is what the built-in ``pep517`` plugin returns from ``puffin_build``.
It reads ``[build-system]`` (:class:`BuildSystem`), and calls the backend's hooks through
:mod:`pyproject_hooks` in a subprocess of the build environment's interpreter.

* Each hook call runs in a worker thread (the hooks are synchronous), so builds of several
  projects proceed in parallel on the command's event loop.
* Everything the backend prints (stdout and stderr, interleaved) goes to one log file per
  build in the ``build-logs-v1`` cache bucket. The user sees it only when the build fails:
  the error quotes the last lines and names the file.
* Cancelling the awaiting coroutine (another build failed, Ctrl-C) stops the backend:
  SIGTERM to its process group, SIGKILL after a grace period, and the coroutine returns
  (with ``CancelledError``) only once the process is gone, so the caller may remove the
  directories the backend was writing to.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyproject_hooks import (
    BackendInvalid,
    BackendUnavailable,
    BuildBackendHookCaller,
    HookMissing,
    UnsupportedOperation,
)

from puffin._values import value_type
from puffin.errors import PuffinError
from puffin.types.build import BuildKind

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from puffin.plugin.protocols import BuildEnvironment
    from puffin.types.build import BuildRequest

__all__ = [
    "DEFAULT_REQUIRES",
    "LEGACY_BACKEND",
    "BuildError",
    "BuildSystem",
    "Pep517Builder",
    "config_settings_dict",
]

LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
"""The backend of projects that name none: setuptools running ``setup.py`` (as pip does)."""

DEFAULT_REQUIRES = ("setuptools>=40.8.0",)
"""The build requirements of projects without a ``[build-system]`` table (as pip and uv)."""

TAIL_LINES = 25
"""How many of the backend's last output lines a build error quotes."""

TERMINATE_GRACE = 2.0
"""Seconds a cancelled backend gets between SIGTERM and SIGKILL."""

_MAX_QUOTED_LINE = 500  # a minified blob on one line must not swamp the error message
_POLL_INTERVAL = 0.02  # how often a cancelled build checks that its backend has exited

# Hooks whose absence means the backend predates PEP 660.
_EDITABLE_HOOKS = frozenset({"build_editable", "prepare_metadata_for_build_editable"})


class BuildError(PuffinError):
    """A build failed: the message names the package (``request.describe()``) and the phase.

    ``phase`` is one of ``get-requires``, ``metadata``, ``wheel``, ``editable`` (None for
    an unreadable ``pyproject.toml``); ``log_path`` is the backend's full output, when the
    backend ran.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        phase: str | None = None,
        log_path: Path | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.phase = phase
        self.log_path = log_path


def _load_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError(f"{path}: cannot be read: {exc}") from exc
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BuildError(f"{path}: invalid TOML: {exc}") from exc
    return data


def _strings(value: object, key: str, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BuildError(f"{path}: [build-system] {key} must be a list of strings")
    return tuple(value)


@value_type
class BuildSystem:
    """The ``[build-system]`` table of a source tree, with pip's defaults filled in."""

    requires: tuple[str, ...]
    backend: str
    """``module:object`` of the backend; :data:`LEGACY_BACKEND` when the project names none."""
    backend_path: tuple[str, ...]
    """In-tree directories (relative to the source tree) the backend is imported from."""

    @classmethod
    def read(cls, source_dir: Path) -> BuildSystem:
        """Read ``source_dir/pyproject.toml`` the way pip, uv and build do.

        No file, or no ``[build-system]`` table: setuptools' legacy backend with
        :data:`DEFAULT_REQUIRES`. ``requires`` without ``build-backend``: those requirements
        with the legacy backend.

        :raises BuildError: the file is not valid TOML, or the table is malformed (the
            message names the file).
        """
        path = source_dir / "pyproject.toml"
        if not path.is_file():
            return cls(DEFAULT_REQUIRES, LEGACY_BACKEND, ())
        table = _load_toml(path).get("build-system")
        if table is None:
            return cls(DEFAULT_REQUIRES, LEGACY_BACKEND, ())
        if not isinstance(table, dict):
            raise BuildError(f"{path}: [build-system] must be a table")
        if "requires" not in table:
            # pip and build refuse this too: PEP 518 makes the key mandatory, and guessing
            # setuptools for a project that names another backend would be wrong.
            raise BuildError(f"{path}: [build-system] has no 'requires' key (PEP 518)")
        requires = _strings(table["requires"], "requires", path)
        backend = table.get("build-backend", LEGACY_BACKEND)
        if not isinstance(backend, str) or not backend.strip():
            raise BuildError(f"{path}: [build-system] build-backend must be a non-empty string")
        backend_path = _strings(table.get("backend-path", []), "backend-path", path)
        return cls(requires, backend.strip(), backend_path)


def config_settings_dict(pairs: Iterable[tuple[str, str]]) -> dict[str, str | list[str]]:
    """``--config-settings`` pairs as the backend receives them.

    A key given once maps to its string; a repeated key maps to the list of its values in
    order, as pip and build pass them.
    """
    settings: dict[str, str | list[str]] = {}
    for key, value in pairs:
        previous = settings.get(key)
        if previous is None:
            settings[key] = value
        elif isinstance(previous, list):
            previous.append(value)
        else:
            settings[key] = [previous, value]
    return settings


class _BackendExited(Exception):
    """The hook subprocess ended with a non-zero status (negative: killed by a signal)."""

    def __init__(self, returncode: int) -> None:
        super().__init__(returncode)
        self.returncode = returncode

    def describe(self) -> str:
        if self.returncode < 0:
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = str(-self.returncode)
            return f"was killed by signal {name}"
        return f"exited with status {self.returncode}"


class _CannotStart(Exception):
    """The interpreter of the build environment could not be started."""

    def __init__(self, python: str, error: OSError) -> None:
        super().__init__(python, error)
        self.python = python
        self.error = error


class _Stopped(Exception):
    """The hook call was cancelled before its subprocess started."""


class _BackendRun:
    """One hook call's subprocess: the pyproject_hooks runner, and the handle to stop it.

    The worker thread calls the runner (``__call__``); the event loop may call
    :meth:`terminate` and :meth:`kill` at any time. The lock makes "start unless stopping"
    and "stop what was started" atomic, so a cancellation that arrives before the process
    starts prevents it instead of missing it.
    """

    def __init__(self, log_path: Path, extra_environ: Mapping[str, str] | None) -> None:
        self._log_path = log_path
        self._extra_environ = dict(extra_environ or {})
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = False

    @property
    def active(self) -> bool:
        """Whether the backend process was started and has not been reaped yet."""
        with self._lock:
            return self._process is not None

    def __call__(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        """Run ``cmd`` (never through a shell) with its output appended to the log."""
        environ = dict(os.environ)
        environ.update(self._extra_environ)
        environ.update(extra_environ or {})
        # Both streams go to one file; without this, Python block-buffers stdout there
        # and the log would show all of stderr before stdout.
        environ["PYTHONUNBUFFERED"] = "1"
        with self._log_path.open("ab") as log:
            with self._lock:
                if self._stopping:
                    raise _Stopped
                try:
                    process = subprocess.Popen(
                        list(cmd),
                        cwd=cwd,
                        env=environ,
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        # Its own process group, so that stopping it also stops what it
                        # started (compilers, nested builds).
                        start_new_session=True,
                    )
                except OSError as exc:
                    raise _CannotStart(cmd[0], exc) from exc
                self._process = process
            try:
                returncode = process.wait()
            finally:
                with self._lock:
                    self._process = None
        if returncode != 0:
            raise _BackendExited(returncode)
        _divert_warnings(Path(cmd[-1]), self._log_path)

    def terminate(self) -> None:
        """Ask the backend to stop (SIGTERM to its group), or keep it from starting."""
        self._signal(kill=False)

    def kill(self) -> None:
        """Stop the backend for good (SIGKILL to its group)."""
        self._signal(kill=True)

    def _signal(self, *, kill: bool) -> None:
        with self._lock:
            self._stopping = True
            process = self._process
            # Signalled under the lock: the runner clears _process only after reaping,
            # so the pid (and group id) cannot have been reused by another process.
            if process is None:
                return
            try:
                if sys.platform == "win32":  # pragma: no cover - POSIX is what we run on
                    if kill:
                        process.kill()
                    else:
                        process.terminate()
                else:
                    os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass  # exited on its own meanwhile


def _divert_warnings(control_dir: Path, log_path: Path) -> None:
    """Move the backend's warnings from pyproject_hooks' answer file into the build log.

    pyproject_hooks re-emits every UserWarning of the backend (setuptools emits many
    deprecation warnings) with ``warnings.warn`` in this process, which would print them
    on the user's terminal past the reporter; ``warnings.catch_warnings`` cannot silence
    them because it is not thread-safe. The answer file (``output.json`` in the control
    directory, the last argument of the hook command) is read right after the runner
    returns, so emptying its list here keeps the warnings in the log, with the rest of
    the backend's output. Anything unexpected leaves the file alone.
    """
    answer = control_dir / "output.json"
    try:
        data = json.loads(answer.read_text(encoding="utf-8"))
        captured = data.get("warnings") if isinstance(data, dict) else None
        if not isinstance(captured, list) or not captured:
            return
        lines = []
        for item in captured:
            if isinstance(item, dict):
                where = f"{item.get('filename')}:{item.get('lineno')}"
                lines.append(f"warning: {item.get('message')} ({where})\n")
        with log_path.open("a", encoding="utf-8") as log:
            log.writelines(lines)
        data["warnings"] = []
        answer.write_text(json.dumps(data), encoding="utf-8")
    except (OSError, ValueError):
        return


def _log_stem(request: BuildRequest) -> str:
    """A file-name-safe prefix for the build log: the project name or the directory name."""
    name = request.name or request.source_dir.name or "build"
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:64]
    return stem or "build"


def _tail(path: Path, offset: int) -> tuple[list[str], int]:
    """The last :data:`TAIL_LINES` lines written to ``path`` after ``offset``, and how many
    lines there were before them."""
    try:
        with path.open("rb") as log:
            log.seek(offset)
            text = log.read().decode("utf-8", errors="replace")
    except OSError:
        return [], 0
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    tail = lines[-TAIL_LINES:]
    quoted = [
        line if len(line) <= _MAX_QUOTED_LINE else line[:_MAX_QUOTED_LINE] + "..." for line in tail
    ]
    return quoted, len(lines) - len(tail)


def _retrieve_exception(future: asyncio.Future[Any]) -> None:
    """Mark a worker's outcome as seen: after a cancellation nobody awaits it any more."""
    if not future.cancelled():
        future.exception()


class Pep517Builder:
    """Builds one :class:`~puffin.types.BuildRequest` with the project's PEP 517 backend.

    Satisfies :class:`puffin.plugin.protocols.Builder`. The caller installs
    :meth:`build_system_requires`, then :meth:`get_requires`, into ``env`` and then calls
    :meth:`build`. Hook calls of one builder must not overlap (the protocol's phases are
    sequential); different builders run in parallel.

    :param request: what to build.
    :param env: where the backend runs (``env.python_executable``, with
        ``env.make_extra_environ()`` added to this process's environment).
    :param log_dir: where the build log goes (``build-logs-v1`` in the cache).
    :raises BuildError: ``pyproject.toml`` is malformed, or its ``backend-path`` leaves the
        source tree.
    """

    def __init__(self, request: BuildRequest, env: BuildEnvironment, *, log_dir: Path) -> None:
        self._request = request
        self._env = env
        self._log_dir = log_dir
        self._log_path: Path | None = None
        # The hook call in progress and its live subprocess: per builder, so that
        # cancelling one build stops its own backend and no other.
        self._running: _BackendRun | None = None
        self._config_settings = config_settings_dict(request.config_settings)
        try:
            self._system = BuildSystem.read(request.source_dir)
        except BuildError as exc:
            if request.describe() == str(request.source_dir):
                raise  # the path in the message already names the project
            raise BuildError(
                f"failed to build {request.describe()}: {exc.message}", hint=exc.hint
            ) from exc
        try:
            # Validates backend-path (relative, inside the source tree) once, up front.
            BuildBackendHookCaller(
                str(request.source_dir),
                self._system.backend,
                backend_path=list(self._system.backend_path) or None,
            )
        except ValueError as exc:
            raise BuildError(
                f"failed to build {request.describe()}: "
                f"{request.source_dir / 'pyproject.toml'}: [build-system] backend-path: {exc}"
            ) from exc

    @property
    def build_system(self) -> BuildSystem:
        """The source's ``[build-system]``, defaults filled in."""
        return self._system

    @property
    def log_path(self) -> Path | None:
        """The build log, once a hook has run; kept after the build (the cache owns it)."""
        return self._log_path

    @property
    def _editable_hooks(self) -> bool:
        request = self._request
        return request.kind is BuildKind.EDITABLE or (
            request.kind is BuildKind.METADATA and request.editable
        )

    def build_system_requires(self) -> Sequence[str]:
        """The static ``[build-system] requires`` (pip's default without the table)."""
        return self._system.requires

    async def get_requires(self) -> Sequence[str]:
        """The backend's ``get_requires_for_build_wheel`` (or ``_editable``) for the kind.

        ``BuildKind.METADATA`` asks the editable hook when ``request.editable``.
        """
        settings = self._config_settings
        if self._editable_hooks:
            hook = "get_requires_for_build_editable"
            value = await self._call(
                "get-requires", hook, lambda c: c.get_requires_for_build_editable(settings)
            )
        else:
            hook = "get_requires_for_build_wheel"
            value = await self._call(
                "get-requires", hook, lambda c: c.get_requires_for_build_wheel(settings)
            )
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise BuildError(
                f"failed to build {self._request.describe()} (get-requires): the backend "
                f"{self._system.backend} answered {hook} with {value!r}, not a list of strings",
                phase="get-requires",
                log_path=self._log_path,
            )
        return tuple(value)

    async def build(self, output_dir: Path) -> Path:
        """Produce the request's artefact in ``output_dir`` (created if missing).

        :return: ``BuildKind.METADATA``: the ``.dist-info`` directory (from
            ``prepare_metadata_for_build_wheel`` / ``_editable``, or extracted from a
            wheel when the backend lacks that hook); ``WHEEL`` and ``EDITABLE``: the
            ``.whl`` file.
        :raises BuildError: the backend failed, or lacks ``build_editable`` (PEP 660).
        """
        output_dir.mkdir(parents=True, exist_ok=True)
        target = str(output_dir)
        settings = self._config_settings
        kind = self._request.kind
        call: Callable[[BuildBackendHookCaller], object]
        if kind is BuildKind.METADATA:
            phase, suffix = "metadata", ".dist-info"
            if self._request.editable:
                hook = "prepare_metadata_for_build_editable"

                def call(caller: BuildBackendHookCaller) -> object:
                    return caller.prepare_metadata_for_build_editable(
                        target, settings, _allow_fallback=True
                    )

            else:
                hook = "prepare_metadata_for_build_wheel"

                def call(caller: BuildBackendHookCaller) -> object:
                    return caller.prepare_metadata_for_build_wheel(
                        target, settings, _allow_fallback=True
                    )

        elif kind is BuildKind.WHEEL:
            phase, suffix, hook = "wheel", ".whl", "build_wheel"

            def call(caller: BuildBackendHookCaller) -> object:
                return caller.build_wheel(target, settings)

        else:
            phase, suffix, hook = "editable", ".whl", "build_editable"

            def call(caller: BuildBackendHookCaller) -> object:
                return caller.build_editable(target, settings)

        name = await self._call(phase, hook, call)
        result = output_dir / name if isinstance(name, str) and name else None
        expected_dir = kind is BuildKind.METADATA
        if (
            result is None
            or result.parent != output_dir
            or not result.name.endswith(suffix)
            or not (result.is_dir() if expected_dir else result.is_file())
        ):
            raise BuildError(
                f"failed to build {self._request.describe()} ({phase}): the backend "
                f"{self._system.backend} answered {hook} with {name!r}, not the name of a "
                f"{suffix} {'directory' if expected_dir else 'file'} it created in {output_dir}",
                phase=phase,
                log_path=self._log_path,
            )
        return result

    # -- running hooks ---------------------------------------------------------------------

    def _open_log(self) -> Path:
        """The build's log file, created on the first hook call (one file per build)."""
        if self._log_path is None:
            self._log_dir.mkdir(parents=True, exist_ok=True)
            # mkstemp gives a unique name without any process-wide counter.
            fd, name = tempfile.mkstemp(
                prefix=f"{_log_stem(self._request)}-", suffix=".log", dir=self._log_dir
            )
            os.close(fd)
            self._log_path = Path(name)
        return self._log_path

    async def _call(
        self, phase: str, hook: str, call: Callable[[BuildBackendHookCaller], object]
    ) -> object:
        """Run one hook in a worker thread; on cancellation, stop the backend first."""
        run = _BackendRun(self._open_log(), self._env.make_extra_environ())
        python = self._env.python_executable
        self._running = run
        worker = asyncio.ensure_future(
            asyncio.to_thread(self._call_in_thread, phase, hook, call, run, python)
        )
        worker.add_done_callback(_retrieve_exception)
        try:
            # Shielded so that cancelling this coroutine leaves the worker running until
            # the backend is gone: its result (a failure by then) is simply dropped.
            return await asyncio.shield(worker)
        except asyncio.CancelledError:
            await self._stop(run)
            raise
        finally:
            self._running = None

    @staticmethod
    async def _stop(run: _BackendRun) -> None:
        """SIGTERM the backend, SIGKILL it after :data:`TERMINATE_GRACE`, wait until reaped."""
        loop = asyncio.get_running_loop()
        run.terminate()
        try:
            deadline = loop.time() + TERMINATE_GRACE
            while run.active and loop.time() < deadline:
                await asyncio.sleep(_POLL_INTERVAL)
        finally:
            # Also when cancelled again while waiting: never leave a backend behind.
            if run.active:
                run.kill()
        deadline = loop.time() + TERMINATE_GRACE
        while run.active and loop.time() < deadline:
            await asyncio.sleep(_POLL_INTERVAL)

    def _call_in_thread(
        self,
        phase: str,
        hook: str,
        call: Callable[[BuildBackendHookCaller], object],
        run: _BackendRun,
        python: str,
    ) -> object:
        """Call the hook (blocking) and turn every way it can fail into a BuildError."""
        log_path = self._open_log()
        with log_path.open("a", encoding="utf-8") as log:
            log.write(f"--- {hook} ({phase}) ---\n")
            offset = log.tell()
        caller = BuildBackendHookCaller(
            str(self._request.source_dir),
            self._system.backend,
            backend_path=list(self._system.backend_path) or None,
            runner=run,
            python_executable=python,
        )
        backend = self._system.backend
        try:
            return call(caller)
        except _BackendExited as exc:
            raise self._failure(phase, f"the backend {backend} {exc.describe()}", offset) from None
        except (BackendUnavailable, BackendInvalid) as exc:
            detail = str(getattr(exc, "traceback", "") or "").strip() or str(exc)
            with log_path.open("a", encoding="utf-8") as log:
                log.write(detail + "\n")
            if self._system.backend_path:
                hint = "check [build-system] backend-path in pyproject.toml"
            else:
                hint = "add the package that provides it to [build-system] requires"
            reason = f"the backend {backend} is not importable in the build environment"
            raise self._failure(phase, reason, offset, hint=hint) from None
        except HookMissing as exc:
            if exc.hook_name in _EDITABLE_HOOKS:
                raise BuildError(
                    f"failed to build {self._request.describe()} ({phase}): the backend "
                    f"{backend} does not support editable installs (PEP 660: it has no "
                    f"build_editable hook)",
                    hint="install the project without --editable, or use a version of the "
                    "backend that implements PEP 660",
                    phase=phase,
                    log_path=log_path,
                ) from None
            raise self._failure(
                phase, f"the backend {backend} has no {exc.hook_name} hook", offset
            ) from None
        except UnsupportedOperation:
            raise self._failure(
                phase, f"the backend {backend} does not support {hook}", offset
            ) from None
        except _CannotStart as exc:
            raise BuildError(
                f"failed to build {self._request.describe()} ({phase}): cannot run the "
                f"build environment's Python {exc.python}: {exc.error.strerror or exc.error}",
                phase=phase,
                log_path=log_path,
            ) from None
        except (OSError, ValueError, KeyError) as exc:
            # pyproject_hooks could not read the hook's answer (the backend exited 0
            # without one, e.g. with os._exit), or the answer was garbled.
            raise self._failure(
                phase, f"the backend {backend} gave no answer to {hook} ({exc})", offset
            ) from None

    def _failure(
        self, phase: str, reason: str, offset: int, *, hint: str | None = None
    ) -> BuildError:
        """The error for a failed hook: the reason, the output's last lines, the log file."""
        log_path = self._open_log()
        lines = [f"failed to build {self._request.describe()} ({phase}): {reason}"]
        tail, earlier = _tail(log_path, offset)
        if earlier:
            lines.append(f"  ... ({earlier} earlier lines in the log)")
        lines.extend(f"  {line}" for line in tail)
        lines.append(f"full log: {log_path}")
        return BuildError("\n".join(lines), hint=hint, phase=phase, log_path=log_path)
