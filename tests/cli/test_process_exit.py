"""How a puffin process ends: exit handlers run, output arrives, work in flight is waited
for, and a reader that goes away is not an error worth a traceback."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def _console(tmp_path: Path, setup: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``console()`` (the ``puffin`` command) after ``setup`` in a fresh interpreter."""
    script = tmp_path / "entry.py"
    script.write_text(
        "import sys\n"
        + textwrap.dedent(setup)
        + f"\nsys.argv = ['puffin', *{list(args)!r}]\n"
        + "from puffin.cli.main import console\nconsole()\n"
    )
    return subprocess.run(
        [sys.executable, str(script)],
        check=False,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )


def test_exit_handlers_run_and_output_is_flushed(tmp_path: Path) -> None:
    marker = tmp_path / "handler-ran"
    setup = f"""
    import atexit, pathlib
    atexit.register(lambda: pathlib.Path({str(marker)!r}).write_text("yes"))
    sys.stdout.write("buffered before the command\\n")
    """
    result = _console(tmp_path, setup, "cache", "dir")
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "yes"
    # stdout is a pipe here, so block-buffered: both lines must still arrive.
    lines = result.stdout.splitlines()
    assert lines[0] == "buffered before the command"
    assert len(lines) == 2 and lines[1].strip()


def test_status_of_a_failed_command_is_kept(tmp_path: Path) -> None:
    result = _console(
        tmp_path, "", "pip", "show", "--python", sys.executable, "surely-not-installed-anywhere"
    )
    assert result.returncode == 1
    assert "surely-not-installed-anywhere" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_running_thread_is_waited_for(tmp_path: Path) -> None:
    marker = tmp_path / "thread-finished"
    setup = f"""
    import pathlib, threading, time
    def work():
        time.sleep(0.5)
        pathlib.Path({str(marker)!r}).write_text("done")
    threading.Thread(target=work).start()
    """
    result = _console(tmp_path, setup, "cache", "dir")
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "done"


def test_reader_that_goes_away_gets_no_traceback(tmp_path: Path) -> None:
    # `puffin pip list | head -0`: the reader is gone before the first line is written.
    command = [sys.executable, "-m", "puffin", "pip", "list", "--python", sys.executable]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        errors = process.stderr.read().decode()
        status = process.wait(timeout=120)
    assert "Traceback" not in errors
    assert errors == ""
    assert status == 141  # what a shell shows for a command SIGPIPE ended
