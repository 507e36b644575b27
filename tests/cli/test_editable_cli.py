"""Editable installs (PEP 660) of the example projects in scripts/editable-installs/,
built in isolated environments whose backends (setuptools, maturin) a local index serves."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "scripts" / "editable-installs"


@pytest.fixture
def index(local_index, backend_wheels):
    return local_index(backend_wheels)


def copy_example(name: str, tmp_path: Path) -> Path:
    """A private copy of an example, so the test can edit it."""
    target = tmp_path / name
    shutil.copytree(
        EXAMPLES / name, target, ignore=shutil.ignore_patterns("target", "*.egg-info", "build")
    )
    return target


def run(venv: Path, *argv: str) -> str:
    return subprocess.run(
        [str(venv / "bin" / argv[0]), *argv[1:]], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_setuptools_editable_sees_edits_and_reinstalls(run_puffin, venv, index, tmp_path):
    project = copy_example("setuptools_editable", tmp_path)
    install = ("pip", "install", "-p", venv, "-i", index.simple_url, "-e", project, "-v")
    result = run_puffin(*install)
    result.assert_ok()
    assert " + setuptools-editable==0.1.0" in result.stderr
    code = "import setuptools_editable as m; print(m.greet())"
    before = run(venv, "python", "-c", code)
    assert before == run(venv, "setuptools-editable-greet")
    messages = project / "setuptools_editable" / "messages.py"
    messages.write_text(messages.read_text().replace(before, "edited greeting"))
    assert run(venv, "python", "-c", code) == "edited greeting", "no reinstall needed"
    location = run(venv, "python", "-c", "import setuptools_editable as m; print(m.__file__)")
    assert Path(location).parent.parent == project

    again = run_puffin(*install, "--reinstall")
    again.assert_ok()
    assert " - setuptools-editable==0.1.0" in again.stderr
    assert " + setuptools-editable==0.1.0" in again.stderr
    assert "Built setuptools-editable" not in again.stderr, "unchanged project: cached build"
    assert run(venv, "python", "-c", code) == "edited greeting"
    freeze = run_puffin("pip", "freeze", "-p", venv)
    assert f"-e {project}" in freeze.stdout


def test_setuptools_editable_compat_mode_reaches_the_backend(run_puffin, venv, index, tmp_path):
    project = copy_example("setuptools_editable", tmp_path)
    run_puffin(
        "pip", "install", "-p", venv, "-i", index.simple_url, "-e", project,
        "--config-settings", "editable_mode=compat",
    ).assert_ok()  # fmt: skip
    site = next((venv / "lib").glob("python*/site-packages"))
    pth = [path.read_text() for path in site.glob("*.pth") if "setuptools_editable" in path.name]
    # compat mode writes the project directory itself onto sys.path; the default (lenient)
    # mode installs an import hook instead.
    assert pth and pth[0].strip() == str(project), pth


def test_maturin_editable_rebuilds_after_a_rust_edit(run_puffin, venv, index, tmp_path):
    if shutil.which("cargo") is None:
        pytest.fail("cargo is required for the maturin example (install a Rust toolchain)")
    project = copy_example("maturin_editable", tmp_path)
    install = ("pip", "install", "-p", venv, "-i", index.simple_url, "-e", project, "-v")
    first = run_puffin(*install)
    first.assert_ok()
    code = "from maturin_editable import lib; print(lib.answer(), lib.add(2, 3))"
    assert run(venv, "python", "-c", code) == "42 5"

    unchanged = run_puffin(*install)
    unchanged.assert_ok()
    assert "Built maturin-editable" not in unchanged.stderr, "nothing changed: no rebuild"

    source = project / "src" / "lib.rs"
    source.write_text(source.read_text().replace("    42\n", "    43\n"))
    edited = run_puffin(*install)
    edited.assert_ok()
    assert "Built maturin-editable" in edited.stderr, "an edit to a cache key rebuilds"
    assert run(venv, "python", "-c", code) == "43 5"
