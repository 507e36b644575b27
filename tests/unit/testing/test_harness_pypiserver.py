"""puffin.testing.pypiserver: the real pypiserver, in a subprocess, serving copied-in files."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from puffin.testing.dists import MakeSdist, MakeWheel
from puffin.testing.pypiserver import PypiServer, PypiServerFactory, PypiServerNotInstalled

PIP = [sys.executable, "-m", "pip", "--isolated", "--disable-pip-version-check", "--no-input"]


def is_running(server: PypiServer) -> bool:
    # A call, not the property: mypy would otherwise keep the narrowing from a prior assert.
    return server.running


def pip_download(index_url: str, requirement: str, dest: Path) -> None:
    command = [*PIP, "download", "--no-cache-dir", "--no-deps", "-d", str(dest)]
    result = subprocess.run(
        [*command, "--index-url", index_url, requirement],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"


def test_pip_downloads_uploaded_by_copy_wheel(make_wheel: MakeWheel, tmp_path: Path) -> None:
    wheel = make_wheel("Served.Pkg", "1.2.3")
    with PypiServer(tmp_path / "packages") as server:
        assert server.running
        assert server.simple_url == f"http://127.0.0.1:{server.port}/simple/"
        # Copied after start: the uncached backend sees it on the next request.
        server.add(wheel)
        pip_download(server.simple_url, "served.pkg==1.2.3", tmp_path / "dl")
        port = server.port
    assert not is_running(server)
    assert (tmp_path / "dl" / wheel.name).read_bytes() == wheel.read_bytes()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
    server.stop()  # idempotent


def test_fixture_serves_given_dists(
    pypiserver: PypiServerFactory, make_wheel: MakeWheel, make_sdist: MakeSdist, tmp_path: Path
) -> None:
    server = pypiserver([make_wheel("alpha", "1.0"), make_sdist("alpha", "1.1")])
    with urllib.request.urlopen(server.simple_url + "alpha/", timeout=10) as response:
        page = response.read().decode()
    assert "alpha-1.0-py3-none-any.whl" in page
    assert "alpha-1.1.tar.gz" in page
    assert "#sha256=" in page
    pip_download(server.simple_url, "alpha==1.0", tmp_path / "dl")
    assert [p.name for p in (tmp_path / "dl").iterdir()] == ["alpha-1.0-py3-none-any.whl"]
    # Two servers in one test get separate directories and ports.
    other = pypiserver()
    assert other.port != server.port
    assert other.packages_dir != server.packages_dir
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(other.simple_url + "alpha/", timeout=10)
    caught.value.close()
    assert caught.value.code == 404  # fallback to PyPI is disabled


def test_missing_pypiserver_is_a_clear_error(tmp_path: Path) -> None:
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    server = PypiServer(tmp_path / "packages", python=str(venv / "bin" / "python"))
    with pytest.raises(PypiServerNotInstalled, match="pypiserver is not installed"):
        server.start()
    assert not server.running


def test_startup_failure_shows_output(tmp_path: Path) -> None:
    server = PypiServer(tmp_path / "packages", extra_args=["--no-such-option"], startup_timeout=10)
    with pytest.raises(Exception, match="pypiserver did not start") as caught:
        server.start()
    assert "no-such-option" in str(caught.value)
    assert not server.running
