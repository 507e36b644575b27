"""Run ``python -m puffin`` in a subprocess with an isolated, reproducible environment.

Every run gets its own cache (``PUFFIN_CACHE_DIR``) and user-config directory
(``XDG_CONFIG_HOME``, which platformdirs honours), ``NO_COLOR=1``, and none of the caller's
``PUFFIN_*``/``PIP_*``/``UV_*`` variables nor ``VIRTUAL_ENV``: a developer's shell settings
must not change what a test sees, and a test must never install into the environment that
runs the test suite by accident. Plugin autoloading stays on unless a test turns it off.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["PuffinResult", "PuffinRunError", "PuffinRunner", "isolated_environ", "run_puffin"]

# Variables of the outer shell that would change puffin's (or a tool it runs) behaviour.
_STRIPPED_PREFIXES = ("PUFFIN_", "PIP_", "UV_")
_STRIPPED_NAMES = ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONHOME", "NO_COLOR", "FORCE_COLOR")

#: Default per-run timeout in seconds; generous because CI machines are small.
DEFAULT_TIMEOUT = 600.0


class PuffinRunError(AssertionError):
    """A run did not end as the test expected; the message shows the command and both streams.

    Derives from AssertionError so pytest reports it as a test failure, not an error.
    """


@dataclass(frozen=True)
class PuffinResult:
    """The outcome of one ``python -m puffin`` run."""

    args: tuple[str, ...]
    """The full command line, interpreter first."""
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        """Whether the exit status is 0."""
        return self.returncode == 0

    def describe(self) -> str:
        """The command, exit status and both streams, for failure messages."""
        stdout = (
            self.stdout if self.stdout.endswith("\n") or not self.stdout else self.stdout + "\n"
        )
        return (
            f"command: {' '.join(self.args)}\n"
            f"exit status: {self.returncode}\n"
            f"--- stdout ---\n{stdout}"
            f"--- stderr ---\n{self.stderr}"
        )

    def assert_ok(self) -> PuffinResult:
        """Raise :class:`PuffinRunError` unless the exit status is 0; return ``self``."""
        if self.returncode != 0:
            raise PuffinRunError(f"puffin failed\n{self.describe()}")
        return self

    def assert_failed(self, returncode: int | None = None) -> PuffinResult:
        """Raise unless the run failed (with ``returncode``, if given); return ``self``."""
        if self.returncode == 0 or (returncode is not None and self.returncode != returncode):
            expected = "a failure" if returncode is None else f"exit status {returncode}"
            raise PuffinRunError(f"expected {expected}\n{self.describe()}")
        return self


def isolated_environ(
    *,
    cache_dir: Path,
    config_dir: Path,
    base: Mapping[str, str] | None = None,
    overrides: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """Return the environment :func:`run_puffin` uses: ``base`` (default ``os.environ``)
    without the caller's puffin/pip/uv settings, plus the isolated cache and config dirs and
    ``NO_COLOR=1``, then ``overrides`` (a ``None`` value removes the variable)."""
    environ = {
        key: value
        for key, value in (os.environ if base is None else base).items()
        if not key.startswith(_STRIPPED_PREFIXES) and key not in _STRIPPED_NAMES
    }
    environ.update(
        {
            "PUFFIN_CACHE_DIR": str(cache_dir),
            "XDG_CONFIG_HOME": str(config_dir),
            "NO_COLOR": "1",
            # Output is decoded as UTF-8 below; make the child write it whatever the locale.
            "PYTHONIOENCODING": "utf-8",
        }
    )
    for key, value in (overrides or {}).items():
        if value is None:
            environ.pop(key, None)
        else:
            environ[key] = value
    return environ


def _run(
    command: list[str],
    *,
    cwd: Path | str | None,
    environ: Mapping[str, str],
    input: str | None,
    check: bool | int | None,
    timeout: float | None,
) -> PuffinResult:
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            env=dict(environ),
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:

        def text(stream: str | bytes | None) -> str:
            if isinstance(stream, bytes):
                return stream.decode("utf-8", "replace")
            return stream or ""

        partial = PuffinResult(tuple(command), -1, text(expired.stdout), text(expired.stderr))
        raise PuffinRunError(
            f"puffin timed out after {expired.timeout}s\n{partial.describe()}"
        ) from None
    result = PuffinResult(tuple(command), completed.returncode, completed.stdout, completed.stderr)
    # bool before int: True is an int too, but means "expect success".
    if check is True:
        result.assert_ok()
    elif check is not None and check is not False and result.returncode != check:
        raise PuffinRunError(f"expected exit status {check}\n{result.describe()}")
    return result


def run_puffin(
    *args: str | os.PathLike[str],
    cwd: Path | str | None = None,
    env: Mapping[str, str | None] | None = None,
    input: str | None = None,
    check: bool | int | None = None,
    cache_dir: Path | None = None,
    config_dir: Path | None = None,
    timeout: float | None = None,
    module: str = "puffin",
) -> PuffinResult:
    """Run ``[sys.executable, "-m", "puffin", *args]`` and return its :class:`PuffinResult`.

    :param cwd: working directory (default: the current one).
    :param env: variables to set on top of :func:`isolated_environ`; ``None`` values unset.
    :param input: text fed to stdin (otherwise stdin is empty, so prompts cannot hang a test).
    :param check: ``None``/``False``: return whatever happened; ``True``: raise
        :class:`PuffinRunError` unless the exit status is 0; an ``int``: raise unless the exit
        status is exactly that.
    :param cache_dir: ``PUFFIN_CACHE_DIR``; a fresh temporary directory (removed afterwards)
        when not given. The ``run_puffin`` fixture passes a per-test one.
    :param config_dir: ``XDG_CONFIG_HOME``; like ``cache_dir``.
    :param timeout: seconds before the run is killed and reported (default 600).
    :param module: the module to run with ``-m``; for testing this harness itself.
    """
    command = [sys.executable, "-m", module, *(os.fspath(arg) for arg in args)]
    with tempfile.TemporaryDirectory(prefix="puffin-run-") as scratch:
        environ = isolated_environ(
            cache_dir=cache_dir if cache_dir is not None else Path(scratch, "cache"),
            config_dir=config_dir if config_dir is not None else Path(scratch, "config"),
            overrides=env,
        )
        return _run(command, cwd=cwd, environ=environ, input=input, check=check, timeout=timeout)


class PuffinRunner:
    """:func:`run_puffin` bound to a cache dir, a config dir, a default cwd and extra env.

    This is what the ``run_puffin`` fixture returns. ``runner.env`` is a mutable mapping of
    variables applied to every run (e.g. ``runner.env["PUFFIN_INDEX_URL"] = index.simple_url``);
    the ``env`` argument of a call overrides it.
    """

    def __init__(
        self,
        *,
        cache_dir: Path,
        config_dir: Path,
        cwd: Path,
        env: Mapping[str, str | None] | None = None,
        module: str = "puffin",
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.config_dir = Path(config_dir)
        self.cwd = Path(cwd)
        self.env: dict[str, str | None] = dict(env or {})
        self.module = module

    def __call__(
        self,
        *args: str | os.PathLike[str],
        cwd: Path | str | None = None,
        env: Mapping[str, str | None] | None = None,
        input: str | None = None,
        check: bool | int | None = None,
        timeout: float | None = None,
    ) -> PuffinResult:
        """Run puffin with ``args``; see :func:`run_puffin` for the parameters."""
        return run_puffin(
            *args,
            cwd=self.cwd if cwd is None else cwd,
            env={**self.env, **(env or {})},
            input=input,
            check=check,
            cache_dir=self.cache_dir,
            config_dir=self.config_dir,
            timeout=timeout,
            module=self.module,
        )

    def __repr__(self) -> str:
        return f"PuffinRunner(cache_dir={self.cache_dir!r}, cwd={self.cwd!r})"
