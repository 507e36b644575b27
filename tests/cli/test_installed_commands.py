"""``puffin pip freeze/list/show/check/uninstall`` beside the environment's own pip.

One venv per module (made by ``python -m venv``, so its pip is real) holds distributions
installed by pip (with a dependency, an extra, an entry point, a conflict, a missing
dependency, a direct-URL wheel), one by uv and, when a setuptools wheel is at hand, a
PEP 660 editable. Every read-only command's output is compared with pip's own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from puffin.testing.dists import make_wheel

# A setuptools wheel new enough for PEP 660 editables, from the machine's local mirror.
SETUPTOOLS_WHEELS = sorted(Path("/opt/pypi/files").glob("setuptools-8*-py3-none-any.whl"))


def clean_environ() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PIP_", "UV_", "PUFFIN_")) and k not in ("VIRTUAL_ENV",)
    } | {"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONDONTWRITEBYTECODE": ""}


def run(*args: object, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=check, env=clean_environ()
    )


def uv() -> str:
    found = Path(sys.executable).with_name("uv")
    return str(found) if found.exists() else (shutil.which("uv") or "uv")


@dataclass(frozen=True)
class Env:
    root: Path
    python: Path
    wheels: Path
    editable: Path | None

    def pip(self, *args: object, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run(self.python, "-m", "pip", *args, check=check)


def make_wheels(wheels: Path) -> None:
    make_wheel(
        wheels,
        "Alpha_Pkg",
        "1.0",
        requires_dist=["beta>=1.0"],
        extras={"fast": ["gamma"]},
        entry_points={"console_scripts": {"alpha-tool": "alpha_pkg:main"}},
        metadata_extra={
            "Summary": "The first letter",
            "Home-page": "https://example.org/alpha",
            "Author": "A. Author",
            "Author-email": "a@example.org",
            "License": "MIT",
        },
    )
    make_wheel(wheels, "beta", "1.0")
    make_wheel(
        wheels,
        "gamma",
        "2.0",
        requires_dist=["beta>=2", "missing-dep", 'never-needed; python_version < "3"'],
    )
    make_wheel(wheels, "delta", "0.5", requires_dist=["beta"])
    make_wheel(wheels, "epsilon", "3.0", data_files={"scripts/eps-script": "#!/bin/sh\necho\n"})


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Env:
    root = tmp_path_factory.mktemp("installed-env")
    wheels = root / "wheels"
    wheels.mkdir()
    make_wheels(wheels)
    venv = root / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    find = ["--no-index", "--find-links", wheels]
    run(python, "-m", "pip", "install", *find, "alpha-pkg")
    run(python, "-m", "pip", "install", *find, "--no-deps", "gamma")
    run(python, "-m", "pip", "install", *find, next(wheels.glob("epsilon-*.whl")))
    run(uv(), "pip", "install", "--python", python, *find, "--cache-dir", root / "uv", "delta")
    editable = None
    if SETUPTOOLS_WHEELS:
        editable = root / "zeta-project"
        (editable / "zeta").mkdir(parents=True)
        (editable / "zeta" / "__init__.py").write_text("")
        (editable / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["setuptools>=64"]\n'
            'build-backend = "setuptools.build_meta"\n\n'
            '[project]\nname = "Zeta"\nversion = "0.1"\ndependencies = ["beta"]\n'
            "\n[tool.setuptools]\npackages = ['zeta']\n"
        )
        run(python, "-m", "pip", "install", "--no-index", SETUPTOOLS_WHEELS[-1])
        run(python, "-m", "pip", "install", "--no-index", "--no-build-isolation", "-e", editable)
    return Env(root, python, wheels, editable)


def puffin(run_puffin, env: Env, *args: str):
    return run_puffin("pip", *args, "-p", str(env.python))


def test_freeze_matches_pip(run_puffin, env: Env) -> None:
    ours = puffin(run_puffin, env, "freeze").assert_ok().stdout
    assert ours == env.pip("freeze").stdout
    assert "alpha-tool" not in ours
    assert "epsilon @ file://" in ours
    if env.editable is not None:
        assert f"-e {env.editable}" in ours.splitlines()


def test_freeze_exclude_editable_matches_pip(run_puffin, env: Env) -> None:
    ours = puffin(run_puffin, env, "freeze", "--exclude-editable").assert_ok().stdout
    assert ours == env.pip("freeze", "--exclude-editable").stdout


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--format", "freeze"],
        ["--editable"],
        ["--exclude-editable"],
        ["--format", "freeze", "--exclude-editable"],
    ],
)
def test_list_matches_pip(run_puffin, env: Env, options: list[str]) -> None:
    ours = puffin(run_puffin, env, "list", *options).assert_ok().stdout
    assert ours == env.pip("list", *options).stdout


def test_list_json_matches_pip(run_puffin, env: Env) -> None:
    ours = json.loads(puffin(run_puffin, env, "list", "--format", "json").assert_ok().stdout)
    assert ours == json.loads(env.pip("list", "--format=json").stdout)
    names = {row["name"] for row in ours}
    assert {"Alpha_Pkg", "beta", "gamma", "delta", "epsilon", "pip"} <= names


@pytest.mark.parametrize(
    "names", [["alpha-pkg"], ["beta"], ["Alpha_Pkg", "delta", "zeta"], ["gamma", "epsilon"]]
)
def test_show_matches_pip(run_puffin, env: Env, names: list[str]) -> None:
    if "zeta" in names and env.editable is None:
        names = names[:-1]
    ours = puffin(run_puffin, env, "show", *names).assert_ok().stdout
    assert ours == env.pip("show", *names).stdout


def test_show_files_matches_pip(run_puffin, env: Env) -> None:
    ours = puffin(run_puffin, env, "show", "--files", "alpha-pkg", "delta").assert_ok().stdout
    assert ours == env.pip("show", "--files", "alpha-pkg", "delta").stdout
    assert "  ../../../bin/alpha-tool" in ours.splitlines()


def test_show_missing_names(run_puffin, env: Env) -> None:
    nothing = puffin(run_puffin, env, "show", "nope")
    assert nothing.returncode == 1 == env.pip("show", "nope", check=False).returncode
    assert "Package(s) not found: nope" in nothing.stderr
    partial = puffin(run_puffin, env, "show", "beta", "nope", "also-nope")
    assert partial.returncode == 0
    assert "Package(s) not found: also-nope, nope" in partial.stderr
    assert partial.stdout == env.pip("show", "beta").stdout


def test_check_matches_pip(run_puffin, env: Env) -> None:
    ours = puffin(run_puffin, env, "check")
    theirs = env.pip("check", check=False)
    assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout)
    assert "gamma 2.0 requires missing-dep, which is not installed." in ours.stdout
    assert "gamma 2.0 has requirement beta>=2, but you have beta 1.0." in ours.stdout
    assert "never-needed" not in ours.stdout


def test_check_clean_environment(run_puffin, tmp_path: Path) -> None:
    run(sys.executable, "-m", "venv", "--without-pip", tmp_path / "v")
    result = run_puffin("pip", "check", "-p", str(tmp_path / "v" / "bin" / "python"))
    result.assert_ok()
    assert result.stdout == "No broken requirements found.\n"


def test_no_environment_is_a_clear_error(run_puffin) -> None:
    result = run_puffin("pip", "freeze")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "error:" in result.stderr


def tree(root: Path) -> set[str]:
    # pip's own bytecode appears as pip imports more of itself, and uv leaves its lock
    # file in the venv: neither is the installed packages' doing.
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if "/site-packages/pip/" not in str(p)
        and "/site-packages/pip-" not in str(p)
        and p != root / ".lock"
    }


def test_uninstall_pip_and_uv_installs_leave_nothing(run_puffin, env: Env, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    before = tree(venv)
    find = ["--no-index", "--find-links", env.wheels]
    run(python, "-m", "pip", "install", *find, "alpha-pkg", "epsilon")
    run(uv(), "pip", "install", "--python", python, *find, "--cache-dir", tmp_path / "uv", "delta")
    # Bytecode written by imports after installation must go too.
    run(python, "-c", "import alpha_pkg, beta, delta, epsilon")
    assert (venv / "bin" / "alpha-tool").exists()

    result = run_puffin(
        "pip", "uninstall", "-y", "Alpha-Pkg", "beta", "delta", "epsilon", "nope", "-p", str(python)
    )
    result.assert_ok()
    assert "Skipping nope as it is not installed." in result.stderr
    assert "Uninstalled 4 packages in " in result.stderr
    for line in ("- alpha-pkg==1.0", "- beta==1.0", "- delta==0.5", "- epsilon==3.0"):
        assert line in result.stderr
    assert tree(venv) == before
    listed = run(python, "-m", "pip", "list", "--format=freeze").stdout
    assert "alpha" not in listed.lower()
    assert "delta" not in listed


def test_uninstall_from_requirements_file(run_puffin, env: Env, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "--no-index", "--find-links", env.wheels, "alpha-pkg")
    (tmp_path / "req.txt").write_text("alpha-pkg==1.0\n# a comment\nbeta\n")
    run_puffin("pip", "uninstall", "-r", "req.txt", "-p", str(python)).assert_ok()
    assert run(python, "-m", "pip", "freeze", "--all").stdout.startswith("pip==")


def test_uninstall_editable(run_puffin, env: Env, tmp_path: Path) -> None:
    if env.editable is None:
        pytest.skip("no setuptools wheel for PEP 660 editables on this machine")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "--no-index", SETUPTOOLS_WHEELS[-1])
    before = tree(venv)
    run(
        python,
        "-m",
        "pip",
        "install",
        "--no-index",
        "--find-links",
        env.wheels,
        "--no-build-isolation",
        "-e",
        env.editable,
    )
    run(python, "-c", "import zeta")
    run_puffin("pip", "uninstall", "zeta", "beta", "-p", str(python)).assert_ok()
    assert tree(venv) == before
    assert (env.editable / "zeta" / "__init__.py").exists()  # the project itself stays
    assert run(python, "-c", "import zeta", check=False).returncode == 1


def test_a_plan_plugin_can_veto_an_uninstall(run_puffin, tmp_path, local_index, make_wheel) -> None:
    import sys
    import textwrap

    index = local_index([make_wheel("guarded", "1.0")])
    venv = tmp_path / "env"
    run_puffin("venv", str(venv), "-p", sys.executable).assert_ok()
    run_puffin("pip", "install", "-p", venv, "-i", index.simple_url, "guarded").assert_ok()
    (tmp_path / "guard.py").write_text(
        textwrap.dedent(
            """
            from puffin.plugin import Problem, hookimpl

            @hookimpl
            def puffin_check_plan(plan, ctx):
                return [
                    Problem(item.name, "is protected")
                    for item in plan.items
                    if item.name == "guarded"
                ]
            """
        )
    )
    result = run_puffin(
        "-p", "guard", "pip", "uninstall", "-p", venv, "guarded", env={"PYTHONPATH": str(tmp_path)}
    )
    result.assert_failed()
    assert "guarded: is protected [guard]" in result.stderr
    assert "nothing was changed" in result.stderr
    freeze = run_puffin("pip", "freeze", "-p", venv)
    assert "guarded==1.0" in freeze.stdout
