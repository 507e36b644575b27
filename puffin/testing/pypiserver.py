"""Run the real third-party ``pypiserver`` in a subprocess, for tests against a dynamic index.

Unlike :class:`puffin.testing.index.StaticIndexServer`, pypiserver renders its pages itself
(from whatever files are in its directory at request time), so it checks puffin against an
index implementation that the project did not write.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from types import TracebackType

    from typing_extensions import Self

__all__ = ["PypiServer", "PypiServerError", "PypiServerFactory", "PypiServerNotInstalled"]


class PypiServerFactory(Protocol):
    """Type of the ``pypiserver`` fixture: start a :class:`PypiServer` over a fresh directory."""

    def __call__(
        self,
        dist_files: Iterable[Path] = (),
        *,
        python: str = ...,
        startup_timeout: float = 30.0,
        extra_args: Sequence[str] = (),
    ) -> PypiServer: ...


class PypiServerError(RuntimeError):
    """pypiserver could not be started or did not answer."""


class PypiServerNotInstalled(PypiServerError):
    """The interpreter meant to run pypiserver cannot import it."""


def _free_port(host: str) -> int:
    # There is a window between closing this socket and pypiserver binding the port; start()
    # retries on a fresh port if another process takes it meanwhile.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _has_pypiserver(python: str) -> bool:
    # Compare unresolved paths: a venv's python is a symlink to the base interpreter, yet it
    # sees other site-packages.
    if os.path.abspath(python) == os.path.abspath(sys.executable):  # noqa: PTH100
        import importlib.util

        return importlib.util.find_spec("pypiserver") is not None
    probe = subprocess.run(
        [
            python,
            "-c",
            "import importlib.util, sys; sys.exit(importlib.util.find_spec('pypiserver') is None)",
        ],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


class PypiServer:
    """A ``pypiserver`` process serving ``packages_dir`` on ``127.0.0.1`` and a free port.

    Use as a context manager or call :meth:`start`/:meth:`stop`. Files copied into
    ``packages_dir`` (see :meth:`add`) are visible on the next request: the server runs with the
    uncached ``simple-dir`` backend. Fallback to PyPI and authentication are disabled.

    :param packages_dir: the directory to serve (created if missing).
    :param dist_files: distributions to copy in before starting.
    :param python: interpreter that has pypiserver installed (default: this one).
    :param startup_timeout: seconds to wait for the server to answer.
    :param extra_args: more ``pypiserver run`` options.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        packages_dir: Path,
        dist_files: Iterable[Path] = (),
        *,
        python: str = sys.executable,
        startup_timeout: float = 30.0,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.packages_dir = Path(packages_dir)
        self.python = python
        self.startup_timeout = startup_timeout
        self.extra_args = tuple(extra_args)
        self._initial = tuple(dist_files)
        self._process: subprocess.Popen[bytes] | None = None
        self._port: int | None = None
        self._log: IO[bytes] | None = None

    @property
    def port(self) -> int:
        """The port it listens on (only while running)."""
        if self._port is None:
            raise RuntimeError("pypiserver is not running")
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    @property
    def simple_url(self) -> str:
        """``http://127.0.0.1:PORT/simple/``, the ``--index-url``."""
        return f"{self.url}/simple/"

    @property
    def running(self) -> bool:
        """Whether the process is up."""
        return self._process is not None and self._process.poll() is None

    def add(self, *dist_files: Path) -> list[Path]:
        """ "Upload" distributions by copying them into :attr:`packages_dir`; return the copies."""
        self.packages_dir.mkdir(parents=True, exist_ok=True)
        copies = []
        for dist in dist_files:
            target = self.packages_dir / Path(dist).name
            if Path(dist).resolve() != target.resolve():
                shutil.copyfile(dist, target)
            copies.append(target)
        return copies

    def _command(self, port: int) -> list[str]:
        return [
            self.python,
            "-m",
            "pypiserver",
            "run",
            "--port",
            str(port),
            "--host",
            self.host,
            "--disable-fallback",
            # "-a . -P ." is pypiserver's spelling of "no authentication at all".
            "--authenticate",
            ".",
            "--passwords",
            ".",
            "--backend",
            "simple-dir",
            *self.extra_args,
            str(self.packages_dir),
        ]

    def start(self) -> Self:
        """Start the process and wait until it answers; return ``self``.

        :raises PypiServerNotInstalled: if ``python`` cannot import pypiserver.
        :raises PypiServerError: if it exits or does not answer within ``startup_timeout``.
        """
        if self._process is not None:
            raise RuntimeError("pypiserver already started")
        if not _has_pypiserver(self.python):
            raise PypiServerNotInstalled(
                f"pypiserver is not installed for {self.python}; "
                "install it with 'pip install pypiserver' (it is in puffin's 'test' extra)"
            )
        self.add(*self._initial)
        # Output goes to a file, not a pipe: nobody reads a pipe while tests run, and a full
        # pipe would block the server. The file is shown if start-up fails.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        last_error = ""
        for _attempt in range(3):
            port = _free_port(self.host)
            self._log.seek(0)
            self._log.truncate()
            process = subprocess.Popen(
                self._command(port),
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
            self._process, self._port = process, port
            if self._wait_until_up(process, port):
                return self
            last_error = self._output()
            self._terminate()
            if "Address already in use" not in last_error:
                break
        self.stop()
        raise PypiServerError(
            f"pypiserver did not start: {' '.join(self._command(0))}\n{last_error}"
        )

    def _wait_until_up(self, process: subprocess.Popen[bytes], port: int) -> bool:
        deadline = time.monotonic() + self.startup_timeout
        url = f"http://{self.host}:{port}/health"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return True
            except urllib.error.HTTPError as error:
                error.close()  # it holds the response's socket
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        return False

    def _output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")[-4000:]

    @property
    def output(self) -> str:
        """The server's combined stdout/stderr so far (last 4000 characters)."""
        return self._output()

    def _terminate(self) -> None:
        process, self._process, self._port = self._process, None, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def stop(self) -> None:
        """Terminate the process (kill it if it lingers); safe to call twice."""
        self._terminate()
        if self._log is not None:
            with contextlib.suppress(OSError):
                self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
