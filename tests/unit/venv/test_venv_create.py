"""Creating virtual environments by writing their files, checked with real interpreters."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from puffin.environment.query import Interpreter, query_interpreter
from puffin.errors import PuffinError
from puffin.venv.create import create_venv

PYENV = Path("/root/.pyenv/versions")
SNAPSHOT = (
    "import json, sys, importlib.util; print(json.dumps({"
    "'prefix': sys.prefix, 'base_prefix': sys.base_prefix, 'path': sys.path,"
    "'executable': sys.executable, 'pip': importlib.util.find_spec('pip') is not None}))"
)


def pyenv_python(minor: str) -> Path:
    found = sorted(PYENV.glob(f"{minor}.*/bin/python{minor}"))
    if not found:
        pytest.skip(f"Python {minor} is not installed under {PYENV}")
    return found[-1]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module", params=["3.8", "3.11", "3.13"])
def base(request: pytest.FixtureRequest, cache_dir: Path) -> Interpreter:
    return query_interpreter(pyenv_python(request.param), cache_dir=cache_dir)


@pytest.fixture(scope="module")
def base312(cache_dir: Path) -> Interpreter:
    return query_interpreter(pyenv_python("3.12"), cache_dir=cache_dir)


def make(path: Path, base: Interpreter, **options: object) -> Path:
    settings: dict[str, object] = {
        "prompt": None,
        "system_site_packages": False,
        "clear": False,
        "puffin_version": "1.2.3",
    }
    settings.update(options)
    return create_venv(path, base, **settings)  # type: ignore[arg-type]


def snapshot(venv: Path) -> dict[str, object]:
    process = subprocess.run(
        [str(venv / "bin" / "python"), "-c", SNAPSHOT],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    return json.loads(process.stdout)  # type: ignore[no-any-return]


def read_cfg(venv: Path) -> dict[str, str]:
    lines = (venv / "pyvenv.cfg").read_text().splitlines()
    return dict(line.split(" = ", 1) for line in lines)


# --------------------------------------------------------------------------------------
# A working environment
# --------------------------------------------------------------------------------------


def test_venv_works(base: Interpreter, tmp_path: Path) -> None:
    venv = make(tmp_path / "venv", base)
    assert venv == tmp_path / "venv"
    state = snapshot(venv)
    assert state["prefix"] == str(venv)
    assert state["prefix"] != state["base_prefix"]
    assert state["base_prefix"] == str(base.prefix)
    site_packages = venv / "lib" / f"python{base.python_version}" / "site-packages"
    assert site_packages.is_dir()
    assert str(site_packages) in state["path"]  # type: ignore[operator]
    assert str(base.paths["purelib"]) not in state["path"]  # type: ignore[operator]
    assert state["pip"] is False, "no pip: puffin installs, not ensurepip"


def test_layout(base: Interpreter, tmp_path: Path) -> None:
    venv = make(tmp_path / "venv", base)
    major, minor = base.version[:2]
    for name in ("python", f"python{major}", f"python{major}.{minor}"):
        link = venv / "bin" / name
        assert link.is_symlink()
        assert Path(os.readlink(link)) == base.base_executable
    for name in ("activate", "activate.fish", "activate.csh"):
        assert (venv / "bin" / name).is_file()
    assert (venv / ".gitignore").read_text() == "*\n"
    assert (venv / "lib64").is_symlink()
    assert os.readlink(venv / "lib64") == "lib"
    assert not list(venv.rglob("*.tmp")), "no temporary files left behind"


def test_pyvenv_cfg(base: Interpreter, tmp_path: Path) -> None:
    venv = make(tmp_path / "venv", base)
    cfg = read_cfg(venv)
    assert cfg == {
        "home": str(base.base_executable.parent),
        "implementation": "CPython",
        "version_info": base.python_full_version,
        "version": base.python_full_version,
        "include-system-site-packages": "false",
        "executable": str(base.base_executable),
        "puffin": "1.2.3",
    }


def test_querying_the_venv(base: Interpreter, tmp_path: Path) -> None:
    venv = make(tmp_path / "venv", base)
    interpreter = query_interpreter(venv / "bin" / "python", cache_dir=None)
    assert interpreter.is_venv
    assert interpreter.prefix == venv
    assert interpreter.base_prefix == base.prefix
    assert interpreter.base_executable == base.base_executable
    site_packages = venv / "lib" / f"python{base.python_version}" / "site-packages"
    assert interpreter.paths["purelib"] == site_packages
    assert interpreter.paths["platlib"] == site_packages
    assert interpreter.paths["scripts"] == venv / "bin"
    assert interpreter.paths["data"] == venv
    predicted = base.venv_paths(venv)
    for name in ("purelib", "platlib", "scripts", "data"):
        assert predicted[name] == interpreter.paths[name]
    assert interpreter.tags == base.tags


def test_system_site_packages(base: Interpreter, tmp_path: Path) -> None:
    venv = make(tmp_path / "venv", base, system_site_packages=True)
    assert read_cfg(venv)["include-system-site-packages"] == "true"
    path = snapshot(venv)["path"]
    assert str(base.paths["purelib"]) in path  # type: ignore[operator]
    own = str(venv / "lib" / f"python{base.python_version}" / "site-packages")
    assert path.index(own) < path.index(str(base.paths["purelib"]))  # type: ignore[attr-defined]


def test_base_inside_a_venv_uses_its_base(base312: Interpreter, tmp_path: Path) -> None:
    first = make(tmp_path / "first", base312)
    inner = query_interpreter(first / "bin" / "python", cache_dir=None)
    second = make(tmp_path / "second", inner)
    assert Path(os.readlink(second / "bin" / "python")) == base312.base_executable
    assert read_cfg(second)["home"] == str(base312.base_executable.parent)
    assert snapshot(second)["base_prefix"] == str(base312.prefix)


def test_prompt(base312: Interpreter, tmp_path: Path) -> None:
    venv = make(tmp_path / "venv", base312, prompt="my project")
    assert read_cfg(venv)["prompt"] == "my project"
    assert "VIRTUAL_ENV_PROMPT='my project'" in (venv / "bin" / "activate").read_text()
    default = make(tmp_path / "other", base312)
    assert "prompt" not in read_cfg(default)
    assert "VIRTUAL_ENV_PROMPT='other'" in (default / "bin" / "activate").read_text()


def test_relative_path(
    base312: Interpreter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    venv = make(Path("rel"), base312)
    assert venv == tmp_path / "rel"
    assert snapshot(venv)["prefix"] == str(tmp_path / "rel")


def test_empty_existing_directory_is_used(base312: Interpreter, tmp_path: Path) -> None:
    (tmp_path / "venv").mkdir()
    venv = make(tmp_path / "venv", base312)
    assert snapshot(venv)["prefix"] == str(venv)


def test_path_with_special_characters(base312: Interpreter, tmp_path: Path) -> None:
    venv = make(tmp_path / "it's a $HOME `venv` \\ !", base312)
    assert snapshot(venv)["prefix"] == str(venv)


# --------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("clear", [False, True])
def test_non_venv_directory_is_left_alone(
    base312: Interpreter, tmp_path: Path, clear: bool
) -> None:
    target = tmp_path / "project"
    (target / "src").mkdir(parents=True)
    (target / "README").write_text("precious")
    (target / "src" / "main.py").write_text("print('hi')")
    before = sorted(str(p.relative_to(target)) for p in target.rglob("*"))
    with pytest.raises(PuffinError) as caught:
        make(target, base312, clear=clear)
    assert str(target) in str(caught.value)
    assert "not a virtual environment" in str(caught.value)
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == before
    assert (target / "README").read_text() == "precious"


def test_file_is_refused(base312: Interpreter, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("data")
    with pytest.raises(PuffinError, match="it is not a directory"):
        make(target, base312, clear=True)
    assert target.read_text() == "data"


def test_line_break_in_prompt_is_refused(base312: Interpreter, tmp_path: Path) -> None:
    with pytest.raises(PuffinError, match="line break"):
        make(tmp_path / "venv", base312, prompt="two\nlines")
    assert not (tmp_path / "venv").exists()


def test_windows_is_refused(
    base312: Interpreter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "venv"
    monkeypatch.setattr(os, "name", "nt")
    with pytest.raises(PuffinError, match="Windows"):
        make(target, base312)
    monkeypatch.undo()
    assert not target.exists()


# --------------------------------------------------------------------------------------
# An existing environment
# --------------------------------------------------------------------------------------


def test_existing_venv_is_refreshed_in_place(base312: Interpreter, tmp_path: Path) -> None:
    venv = make(tmp_path / "venv", base312)
    site_packages = base312.venv_paths(venv)["purelib"]
    (site_packages / "installed.py").write_text("VALUE = 1")
    (venv / "bin" / "activate").write_text("# edited")
    make(venv, base312, system_site_packages=True, prompt="renamed")
    assert (site_packages / "installed.py").exists(), "packages are kept"
    assert read_cfg(venv)["include-system-site-packages"] == "true"
    assert read_cfg(venv)["prompt"] == "renamed"
    assert "VIRTUAL_ENV_PROMPT='renamed'" in (venv / "bin" / "activate").read_text()
    assert snapshot(venv)["prefix"] == str(venv)


def test_clear_removes_everything_first(base312: Interpreter, tmp_path: Path) -> None:
    venv = make(tmp_path / "venv", base312)
    site_packages = base312.venv_paths(venv)["purelib"]
    (site_packages / "installed.py").write_text("VALUE = 1")
    (venv / "extra").write_text("junk")
    make(venv, base312, clear=True)
    assert not (site_packages / "installed.py").exists()
    assert not (venv / "extra").exists()
    assert site_packages.is_dir()
    assert snapshot(venv)["prefix"] == str(venv)


def test_clear_through_a_symlink_keeps_the_link(base312: Interpreter, tmp_path: Path) -> None:
    real = make(tmp_path / "real", base312)
    (real / "extra").write_text("junk")
    link = tmp_path / "link"
    link.symlink_to(real)
    make(link, base312, clear=True)
    assert link.is_symlink()
    assert not (real / "extra").exists()
    assert (real / "pyvenv.cfg").is_file()


def test_refresh_with_another_python_version(
    base312: Interpreter, cache_dir: Path, tmp_path: Path
) -> None:
    venv = make(tmp_path / "venv", base312)
    base313 = query_interpreter(pyenv_python("3.13"), cache_dir=cache_dir)
    make(venv, base313)
    assert not (venv / "bin" / "python3.12").exists()
    assert (venv / "bin" / "python3.13").is_symlink()
    assert read_cfg(venv)["version_info"] == base313.python_full_version
    state = snapshot(venv)
    assert state["base_prefix"] == str(base313.prefix)
    assert str(venv / "lib" / "python3.13" / "site-packages") in state["path"]  # type: ignore[operator]


@pytest.mark.parametrize("text", [".venv", "my env", "it's", "", "/a/b-c_d.e", "ünï", "a$b", "x;y"])
def test_activation_hint_quotes_like_shlex(text: str) -> None:
    import shlex

    from puffin.venv.command import _shell_quote

    assert _shell_quote(text) == shlex.quote(text)
