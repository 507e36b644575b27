"""The activation scripts, sourced for real by bash, zsh, fish and tcsh."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from puffin.environment.query import query_interpreter
from puffin.venv.create import create_venv

PYENV = Path("/root/.pyenv/versions")
BASE_PATH = "/usr/bin:/bin"
ORIGINAL_PYTHONHOME = "/original/python/home"

# Each script sources $ACTIVATE, reports, runs deactivate, reports again; lines are
# KEY=value. They set a prompt of their own first so that its change can be seen.
SH_SCRIPT = r"""
PS1='base$ '
source "$ACTIVATE"
echo "which=$(command -v python)"
echo "VIRTUAL_ENV=$VIRTUAL_ENV"
echo "VIRTUAL_ENV_PROMPT=$VIRTUAL_ENV_PROMPT"
echo "PYTHONHOME=${PYTHONHOME-unset}"
echo "prompt=$PS1"
echo "prefix=$(python -c 'import sys; print(sys.prefix)')"
echo "PATH=$PATH"
if [ -n "${ACTIVATE2-}" ]; then
    source "$ACTIVATE2"
    echo "second.VIRTUAL_ENV=$VIRTUAL_ENV"
    echo "second.PATH=$PATH"
    echo "second.prompt=$PS1"
fi
deactivate
echo "after.VIRTUAL_ENV=${VIRTUAL_ENV-unset}"
echo "after.VIRTUAL_ENV_PROMPT=${VIRTUAL_ENV_PROMPT-unset}"
echo "after.PYTHONHOME=${PYTHONHOME-unset}"
echo "after.prompt=$PS1"
echo "after.PATH=$PATH"
if type deactivate >/dev/null 2>&1; then
    echo "after.deactivate=defined"
else
    echo "after.deactivate=gone"
fi
"""

FISH_SCRIPT = r"""
function show --description "print NAME=value of variable VARIABLE, or NAME=unset"
    if set -q $argv[2]; echo "$argv[1]=$$argv[2]"; else; echo "$argv[1]=unset"; end
end
function fish_prompt
    echo -n "base$status\$ "
end
source $ACTIVATE
echo "which="(command -v python)
echo "VIRTUAL_ENV=$VIRTUAL_ENV"
echo "VIRTUAL_ENV_PROMPT=$VIRTUAL_ENV_PROMPT"
show PYTHONHOME PYTHONHOME
false
echo "prompt="(fish_prompt)
echo "prefix="(python -c 'import sys; print(sys.prefix)')
echo "PATH="(string join : $PATH)
if set -q ACTIVATE2
    source $ACTIVATE2
    echo "second.VIRTUAL_ENV=$VIRTUAL_ENV"
    echo "second.PATH="(string join : $PATH)
    false
    echo "second.prompt="(fish_prompt)
end
deactivate
show after.VIRTUAL_ENV VIRTUAL_ENV
show after.VIRTUAL_ENV_PROMPT VIRTUAL_ENV_PROMPT
show after.PYTHONHOME PYTHONHOME
false
echo "after.prompt="(fish_prompt)
echo "after.PATH="(string join : $PATH)
if functions -q deactivate; echo "after.deactivate=defined"; else; echo "after.deactivate=gone"; end
"""

# csh reads a whole line before running any of it, so an alias defined by `source`
# cannot be used on the same line: this must be a script, not `tcsh -c '...; ...'`.
CSH_SCRIPT = r"""
set prompt="base% "
source "$ACTIVATE"
echo "which=`which python`"
echo "VIRTUAL_ENV=$VIRTUAL_ENV:q"
echo "VIRTUAL_ENV_PROMPT=$VIRTUAL_ENV_PROMPT:q"
if ($?PYTHONHOME) then
    echo "PYTHONHOME=$PYTHONHOME:q"
else
    echo "PYTHONHOME=unset"
endif
echo "prompt=$prompt:q"
set prefix="`python -c 'import sys; print(sys.prefix)'`"
echo "prefix=$prefix:q"
echo "PATH=$PATH:q"
if ($?ACTIVATE2) then
    source "$ACTIVATE2"
    echo "second.VIRTUAL_ENV=$VIRTUAL_ENV:q"
    echo "second.PATH=$PATH:q"
    echo "second.prompt=$prompt:q"
endif
deactivate
if ($?VIRTUAL_ENV) then
    echo "after.VIRTUAL_ENV=$VIRTUAL_ENV:q"
else
    echo "after.VIRTUAL_ENV=unset"
endif
if ($?VIRTUAL_ENV_PROMPT) then
    echo "after.VIRTUAL_ENV_PROMPT=set"
else
    echo "after.VIRTUAL_ENV_PROMPT=unset"
endif
if ($?PYTHONHOME) then
    echo "after.PYTHONHOME=$PYTHONHOME:q"
else
    echo "after.PYTHONHOME=unset"
endif
echo "after.prompt=$prompt:q"
echo "after.PATH=$PATH:q"
if ("`alias deactivate`" == "") then
    echo "after.deactivate=gone"
else
    echo "after.deactivate=defined"
endif
"""

SHELLS = {
    # shell: (activation script, command line, script, the script's own prompt)
    "bash": ("activate", ["bash", "--norc", "--noprofile", "-c"], SH_SCRIPT, "base$ "),
    "zsh": ("activate", ["zsh", "-f", "-c"], SH_SCRIPT, "base$ "),
    # The fish prompt shows the last status (1, from `false`): the wrapper must keep it.
    "fish": ("activate.fish", ["fish", "--no-config", "-c"], FISH_SCRIPT, "base1$ "),
    "tcsh": ("activate.csh", ["tcsh", "-f"], CSH_SCRIPT, "base% "),
}


def pyenv_python(minor: str) -> Path:
    found = sorted(PYENV.glob(f"{minor}.*/bin/python{minor}"))
    if not found:
        pytest.skip(f"Python {minor} is not installed under {PYENV}")
    return found[-1]


@pytest.fixture(scope="module")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two environments; the first's path has a space, a quote and a dollar sign."""
    base = query_interpreter(pyenv_python("3.11"), cache_dir=tmp_path_factory.mktemp("cache"))
    root = tmp_path_factory.mktemp("venvs")
    options = {"system_site_packages": False, "clear": False, "puffin_version": "test"}
    first = create_venv(root / "it's a $venv", base, prompt=None, **options)  # type: ignore[arg-type]
    second = create_venv(root / "second", base, prompt="2nd env", **options)  # type: ignore[arg-type]
    return first, second


def run_shell(
    shell: str, tmp_path: Path, activate: Path, second: Path | None = None, **extra_env: str
) -> dict[str, str]:
    executable = shutil.which(shell)
    if executable is None:
        pytest.fail(f"{shell} is required for the activation tests (apt-get install {shell})")
    _, command, script, _ = SHELLS[shell]
    env = {
        "PATH": BASE_PATH,
        "HOME": str(tmp_path),
        "PYTHONHOME": ORIGINAL_PYTHONHOME,
        "ACTIVATE": str(activate),
        **extra_env,
    }
    if second is not None:
        env["ACTIVATE2"] = str(second)
    if shell == "tcsh":
        script_file = tmp_path / "script.csh"
        script_file.write_text(script)
        arguments = [*command, str(script_file)]
    else:
        arguments = [*command, script]
    process = subprocess.run(
        arguments, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60, check=False
    )
    assert process.returncode == 0, process.stderr
    assert process.stderr == "", process.stderr
    return dict(line.split("=", 1) for line in process.stdout.splitlines() if "=" in line)


@pytest.mark.parametrize("shell", list(SHELLS))
def test_activate_and_deactivate(shell: str, venvs: tuple[Path, Path], tmp_path: Path) -> None:
    venv, _ = venvs
    script_name, _, _, base_prompt = SHELLS[shell]
    report = run_shell(shell, tmp_path, venv / "bin" / script_name)

    assert report["which"] == str(venv / "bin" / "python")
    assert report["VIRTUAL_ENV"] == str(venv)
    assert report["VIRTUAL_ENV_PROMPT"] == venv.name
    assert report["PYTHONHOME"] == "unset"
    assert report["prompt"] == f"({venv.name}) {base_prompt}"
    assert report["prefix"] == str(venv)
    assert report["PATH"] == f"{venv / 'bin'}:{BASE_PATH}"

    assert report["after.VIRTUAL_ENV"] == "unset"
    assert report["after.VIRTUAL_ENV_PROMPT"] == "unset"
    assert report["after.PYTHONHOME"] == ORIGINAL_PYTHONHOME
    assert report["after.prompt"] == base_prompt
    assert report["after.PATH"] == BASE_PATH
    assert report["after.deactivate"] == "gone"


@pytest.mark.parametrize("shell", list(SHELLS))
def test_activating_another_environment_replaces_the_first(
    shell: str, venvs: tuple[Path, Path], tmp_path: Path
) -> None:
    first, second = venvs
    script_name, _, _, base_prompt = SHELLS[shell]
    report = run_shell(
        shell, tmp_path, first / "bin" / script_name, second=second / "bin" / script_name
    )
    assert report["second.VIRTUAL_ENV"] == str(second)
    assert report["second.PATH"] == f"{second / 'bin'}:{BASE_PATH}"
    assert report["second.prompt"] == f"(2nd env) {base_prompt}"
    assert report["after.PATH"] == BASE_PATH
    assert report["after.PYTHONHOME"] == ORIGINAL_PYTHONHOME
    assert report["after.prompt"] == base_prompt


@pytest.mark.parametrize("shell", list(SHELLS))
def test_prompt_can_be_left_alone(shell: str, venvs: tuple[Path, Path], tmp_path: Path) -> None:
    venv, _ = venvs
    script_name, _, _, base_prompt = SHELLS[shell]
    report = run_shell(shell, tmp_path, venv / "bin" / script_name, VIRTUAL_ENV_DISABLE_PROMPT="1")
    assert report["prompt"] == base_prompt
    assert report["VIRTUAL_ENV"] == str(venv)
    assert report["after.prompt"] == base_prompt


def test_pythonhome_unset_stays_unset(venvs: tuple[Path, Path], tmp_path: Path) -> None:
    venv, _ = venvs
    env = {"PATH": BASE_PATH, "ACTIVATE": str(venv / "bin" / "activate")}
    script = 'source "$ACTIVATE"; deactivate; echo "${PYTHONHOME-unset}"'
    process = subprocess.run(
        ["bash", "--norc", "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert process.stdout.strip() == "unset"


def test_the_simple_bash_session(venvs: tuple[Path, Path]) -> None:
    venv, _ = venvs
    activate = venv / "bin" / "activate"
    command = (
        f'source "{activate}" && command -v python && echo $VIRTUAL_ENV && deactivate '
        "&& echo ${VIRTUAL_ENV:-unset}"
    ).replace("$venv", "\\$venv")
    process = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        env={"PATH": BASE_PATH},
        check=True,
    )
    assert process.stdout.splitlines() == [str(venv / "bin" / "python"), str(venv), "unset"]


def test_running_activate_instead_of_sourcing_it(venvs: tuple[Path, Path]) -> None:
    venv, _ = venvs
    process = subprocess.run(
        ["bash", str(venv / "bin" / "activate")],
        capture_output=True,
        text=True,
        env={"PATH": BASE_PATH},
        check=False,
    )
    assert process.returncode != 0
    assert "must be sourced" in process.stderr
