"""The PEP 517 / PEP 660 builder and the built-in ``pep517`` plugin, with real backends.

Every build runs the real backend in a subprocess of this interpreter (which has
setuptools and wheel); the odd behaviours are in-tree backends (``backend-path``).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
import time
import types
import zipfile
from pathlib import Path

import pytest

from puffin.build.pep517 import (
    DEFAULT_REQUIRES,
    LEGACY_BACKEND,
    BuildError,
    BuildSystem,
    Pep517Builder,
    config_settings_dict,
)
from puffin.builtin import pep517 as pep517_plugin
from puffin.cache.dirs import Cache
from puffin.plugin.protocols import Builder
from puffin.types.build import BuildKind, BuildRequest


class LocalEnv:
    """A build environment that is this interpreter; ``install`` only records."""

    def __init__(self) -> None:
        self.installed: list[str] = []

    @property
    def python_executable(self) -> str:
        return sys.executable

    def make_extra_environ(self) -> dict[str, str] | None:
        return None

    async def install(self, requirements: object) -> None:
        self.installed.extend(requirements)  # type: ignore[call-overload]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def builder(
    source: Path, kind: BuildKind, tmp_path: Path, **request: object
) -> tuple[Pep517Builder, LocalEnv]:
    env = LocalEnv()
    built = Pep517Builder(
        BuildRequest(source_dir=source, kind=kind, **request),  # type: ignore[arg-type]
        env,
        log_dir=tmp_path / "logs",
    )
    return built, env


def drive(built: Pep517Builder, env: LocalEnv, output: Path) -> Path:
    """What puffin's core does: install both kinds of requirements, then build."""

    async def phases() -> Path:
        await env.install(built.build_system_requires())
        await env.install(await built.get_requires())
        return await built.build(output)

    return asyncio.run(phases())


# ---------------------------------------------------------------------------------------
# projects
# ---------------------------------------------------------------------------------------


@pytest.fixture
def setuptools_project(tmp_path: Path) -> Path:
    source = tmp_path / "demo"
    write(
        source / "pyproject.toml",
        """
        [build-system]
        requires = ["setuptools>=64"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "demo-pkg"
        version = "1.2.3"
        """,
    )
    write(source / "demo_pkg" / "__init__.py", "VALUE = 1\n")
    return source


BACKEND_HELPERS = """
import json, os, sys, time, zipfile

NAME, VERSION = "inplace", "1.0"
DIST_INFO = NAME + "-" + VERSION + ".dist-info"

def _record(hook, config_settings):
    with open("calls.jsonl", "a") as f:
        f.write(json.dumps({"hook": hook, "config_settings": config_settings}) + "\\n")

def _metadata():
    return "Metadata-Version: 2.1\\nName: " + NAME + "\\nVersion: " + VERSION + "\\n"

def _wheel(directory, tag="py3-none-any"):
    name = NAME + "-" + VERSION + "-" + tag + ".whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as z:
        z.writestr(NAME + ".py", "")
        z.writestr(DIST_INFO + "/METADATA", _metadata())
        z.writestr(DIST_INFO + "/WHEEL", "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\n")
        z.writestr(DIST_INFO + "/RECORD", "")
    return name
"""

FULL_BACKEND = """
def get_requires_for_build_wheel(config_settings=None):
    _record("get_requires_for_build_wheel", config_settings)
    return ["wheel-dep>=1"]

def get_requires_for_build_editable(config_settings=None):
    _record("get_requires_for_build_editable", config_settings)
    return ["editable-dep"]

def _prepare(metadata_directory):
    os.makedirs(os.path.join(metadata_directory, DIST_INFO))
    with open(os.path.join(metadata_directory, DIST_INFO, "METADATA"), "w") as f:
        f.write(_metadata())
    return DIST_INFO

def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _record("prepare_metadata_for_build_wheel", config_settings)
    return _prepare(metadata_directory)

def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    _record("prepare_metadata_for_build_editable", config_settings)
    return _prepare(metadata_directory)

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _record("build_wheel", config_settings)
    return _wheel(wheel_directory)

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _record("build_editable", config_settings)
    return _wheel(wheel_directory, "0.editable-py3-none-any")
"""

WHEEL_ONLY_BACKEND = """
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _record("build_wheel", config_settings)
    return _wheel(wheel_directory)
"""

FAILING_BACKEND = """
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    for i in range(100):
        print("output line %03d" % i, file=sys.stdout if i % 2 == 0 else sys.stderr)
    sys.exit(1)
"""

SLEEPING_BACKEND = """
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open("backend.pid.tmp", "w") as f:
        f.write(str(os.getpid()))
    os.replace("backend.pid.tmp", "backend.pid")
    time.sleep(60)
    return _wheel(wheel_directory)
"""

STUBBORN_BACKEND = """
import signal

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with open("backend.pid.tmp", "w") as f:
        f.write(str(os.getpid()))
    os.replace("backend.pid.tmp", "backend.pid")
    time.sleep(60)
    return _wheel(wheel_directory)
"""

WARNING_BACKEND = """
import warnings

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    warnings.warn("this backend is deprecated", UserWarning)
    return _wheel(wheel_directory)
"""


def in_tree_project(tmp_path: Path, module: str, body: str) -> Path:
    """A project whose backend is ``module`` in its own ``backend/`` directory."""
    source = tmp_path / "inplace"
    write(
        source / "pyproject.toml",
        f"""
        [build-system]
        requires = []
        build-backend = "{module}"
        backend-path = ["backend"]
        """,
    )
    (source / "backend").mkdir()
    (source / "backend" / f"{module}.py").write_text(BACKEND_HELPERS + body, encoding="utf-8")
    return source


def calls(source: Path) -> list[dict[str, object]]:
    lines = (source / "calls.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


# ---------------------------------------------------------------------------------------
# [build-system]
# ---------------------------------------------------------------------------------------


def test_build_system_defaults_without_pyproject(tmp_path: Path) -> None:
    assert BuildSystem.read(tmp_path) == BuildSystem(DEFAULT_REQUIRES, LEGACY_BACKEND, ())
    assert DEFAULT_REQUIRES == ("setuptools>=40.8.0",)
    assert LEGACY_BACKEND == "setuptools.build_meta:__legacy__"


def test_build_system_defaults_without_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert BuildSystem.read(tmp_path) == BuildSystem(DEFAULT_REQUIRES, LEGACY_BACKEND, ())


def test_build_system_requires_without_backend(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[build-system]\nrequires = ["setuptools>=64", "cy"]\n')
    assert BuildSystem.read(tmp_path) == BuildSystem(("setuptools>=64", "cy"), LEGACY_BACKEND, ())


def test_build_system_full_table(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
        [build-system]
        requires = ["flit_core>=3.2"]
        build-backend = "flit_core.buildapi"
        backend-path = ["."]
        """,
    )
    assert BuildSystem.read(tmp_path) == BuildSystem(
        ("flit_core>=3.2",), "flit_core.buildapi", (".",)
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[build-system\nrequires = [", "invalid TOML"),
        ('[build-system]\nrequires = "setuptools"\n', "requires must be a list of strings"),
        ("[build-system]\nrequires = [1, 2]\n", "requires must be a list of strings"),
        ('[build-system]\nbuild-backend = "x"\n', "no 'requires' key"),
        ("[build-system]\nrequires = []\nbuild-backend = 3\n", "build-backend must be"),
        ('[build-system]\nrequires = []\nbackend-path = "."\n', "backend-path must be"),
        ('build-system = "setuptools"\n', "must be a table"),
    ],
)
def test_malformed_pyproject_names_the_file(tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path / "pyproject.toml", text)
    with pytest.raises(BuildError) as caught:
        BuildSystem.read(tmp_path)
    assert str(caught.value).startswith(f"{path}: ")
    assert problem in str(caught.value)


def test_builder_refuses_malformed_pyproject(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[build-system\n")
    with pytest.raises(BuildError, match="invalid TOML") as caught:
        builder(tmp_path, BuildKind.WHEEL, tmp_path)
    assert str(path) in str(caught.value)
    with pytest.raises(BuildError, match=r"^failed to build demo==1\.0: .*invalid TOML"):
        builder(tmp_path, BuildKind.WHEEL, tmp_path, name="demo", version="1.0")


def test_builder_refuses_backend_path_outside_the_tree(tmp_path: Path) -> None:
    write(
        tmp_path / "src" / "pyproject.toml",
        '[build-system]\nrequires = []\nbuild-backend = "b"\nbackend-path = [".."]\n',
    )
    with pytest.raises(BuildError, match="backend-path"):
        builder(tmp_path / "src", BuildKind.WHEEL, tmp_path)


def test_config_settings_repeated_keys_become_lists() -> None:
    pairs = [("a", "1"), ("b", "2"), ("a", "3"), ("a", "4")]
    assert config_settings_dict(pairs) == {"a": ["1", "3", "4"], "b": "2"}
    assert config_settings_dict([]) == {}


# ---------------------------------------------------------------------------------------
# setuptools, for real
# ---------------------------------------------------------------------------------------


def test_setuptools_metadata(setuptools_project: Path, tmp_path: Path) -> None:
    built, env = builder(setuptools_project, BuildKind.METADATA, tmp_path)
    dist_info = drive(built, env, tmp_path / "out")
    assert dist_info == tmp_path / "out" / "demo_pkg-1.2.3.dist-info"
    metadata = (dist_info / "METADATA").read_text(encoding="utf-8")
    assert "Name: demo-pkg" in metadata
    assert "Version: 1.2.3" in metadata
    assert env.installed[0] == "setuptools>=64"
    # prepare_metadata_for_build_wheel, not a wheel build
    assert not list((tmp_path / "out").glob("*.whl"))


def test_setuptools_wheel(setuptools_project: Path, tmp_path: Path) -> None:
    built, env = builder(setuptools_project, BuildKind.WHEEL, tmp_path)
    wheel = drive(built, env, tmp_path / "out")
    assert wheel == tmp_path / "out" / "demo_pkg-1.2.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        assert "demo_pkg/__init__.py" in archive.namelist()
    # the backend's chatter went to the log, one file for the build's phases
    assert built.log_path is not None
    assert built.log_path.parent == tmp_path / "logs"
    assert built.log_path.name.startswith("demo-")
    log = built.log_path.read_text(encoding="utf-8")
    assert "get_requires_for_build_wheel" in log
    assert "build_wheel" in log
    assert list((tmp_path / "logs").iterdir()) == [built.log_path]


def test_setuptools_editable(setuptools_project: Path, tmp_path: Path) -> None:
    built, env = builder(setuptools_project, BuildKind.EDITABLE, tmp_path)
    wheel = drive(built, env, tmp_path / "out")
    assert wheel.parent == tmp_path / "out"
    assert wheel.is_file()
    assert wheel.name.startswith("demo_pkg-1.2.3-")
    assert wheel.name.endswith("-py3-none-any.whl")
    assert "editable" in wheel.name
    with zipfile.ZipFile(wheel) as archive:
        assert "demo_pkg-1.2.3.dist-info/METADATA" in archive.namelist()


def test_setuptools_editable_metadata(setuptools_project: Path, tmp_path: Path) -> None:
    built, env = builder(setuptools_project, BuildKind.METADATA, tmp_path, editable=True)
    dist_info = drive(built, env, tmp_path / "out")
    assert dist_info.name == "demo_pkg-1.2.3.dist-info"
    assert dist_info.is_dir()
    assert built.log_path is not None
    log = built.log_path.read_text(encoding="utf-8")
    assert "get_requires_for_build_editable" in log
    assert "prepare_metadata_for_build_editable" in log


def test_setup_py_only_project_uses_the_legacy_backend(tmp_path: Path) -> None:
    source = tmp_path / "legacy"
    write(
        source / "setup.py",
        """
        from setuptools import setup

        setup(name="legacy", version="0.1", py_modules=["legacy"])
        """,
    )
    write(source / "legacy.py", "")
    built, env = builder(source, BuildKind.WHEEL, tmp_path)
    assert built.build_system == BuildSystem(DEFAULT_REQUIRES, LEGACY_BACKEND, ())
    assert list(built.build_system_requires()) == ["setuptools>=40.8.0"]
    wheel = drive(built, env, tmp_path / "out")
    assert wheel.name == "legacy-0.1-py3-none-any.whl"
    assert env.installed[0] == "setuptools>=40.8.0"


def test_build_system_without_backend_builds_with_legacy_backend(tmp_path: Path) -> None:
    source = tmp_path / "nobackend"
    write(
        source / "pyproject.toml",
        """
        [build-system]
        requires = ["setuptools>=64"]

        [project]
        name = "nobackend"
        version = "2.0"
        """,
    )
    write(source / "nobackend.py", "")
    built, env = builder(source, BuildKind.METADATA, tmp_path)
    assert built.build_system.backend == LEGACY_BACKEND
    assert list(built.build_system_requires()) == ["setuptools>=64"]
    assert drive(built, env, tmp_path / "out").name == "nobackend-2.0.dist-info"


# ---------------------------------------------------------------------------------------
# in-tree backends
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "editable", "expected"),
    [
        (BuildKind.WHEEL, False, ("get_requires_for_build_wheel", "wheel-dep>=1")),
        (BuildKind.METADATA, False, ("get_requires_for_build_wheel", "wheel-dep>=1")),
        (BuildKind.METADATA, True, ("get_requires_for_build_editable", "editable-dep")),
        (BuildKind.EDITABLE, False, ("get_requires_for_build_editable", "editable-dep")),
        (BuildKind.EDITABLE, True, ("get_requires_for_build_editable", "editable-dep")),
    ],
)
def test_get_requires_per_kind(
    tmp_path: Path, kind: BuildKind, editable: bool, expected: tuple[str, str]
) -> None:
    source = in_tree_project(tmp_path, "full_backend", FULL_BACKEND)
    built, _ = builder(source, kind, tmp_path, editable=editable)
    assert list(asyncio.run(built.get_requires())) == [expected[1]]
    assert [call["hook"] for call in calls(source)] == [expected[0]]


def test_config_settings_reach_every_hook(tmp_path: Path) -> None:
    source = in_tree_project(tmp_path, "full_backend", FULL_BACKEND)
    settings = (("--build-option", "--x"), ("mode", "fast"), ("--build-option", "--y"))
    built, env = builder(source, BuildKind.WHEEL, tmp_path, config_settings=settings)
    wheel = drive(built, env, tmp_path / "out")
    assert wheel.name == "inplace-1.0-py3-none-any.whl"
    expected = {"--build-option": ["--x", "--y"], "mode": "fast"}
    assert calls(source) == [
        {"hook": "get_requires_for_build_wheel", "config_settings": expected},
        {"hook": "build_wheel", "config_settings": expected},
    ]
    assert env.installed == ["wheel-dep>=1"]


def test_no_config_settings_is_an_empty_dict(tmp_path: Path) -> None:
    source = in_tree_project(tmp_path, "full_backend", FULL_BACKEND)
    built, env = builder(source, BuildKind.METADATA, tmp_path)
    assert drive(built, env, tmp_path / "out").name == "inplace-1.0.dist-info"
    assert calls(source) == [
        {"hook": "get_requires_for_build_wheel", "config_settings": {}},
        {"hook": "prepare_metadata_for_build_wheel", "config_settings": {}},
    ]


def test_editable_metadata_asks_the_editable_hook(tmp_path: Path) -> None:
    source = in_tree_project(tmp_path, "full_backend", FULL_BACKEND)
    built, env = builder(source, BuildKind.METADATA, tmp_path, editable=True)
    assert drive(built, env, tmp_path / "out").name == "inplace-1.0.dist-info"
    assert [call["hook"] for call in calls(source)] == [
        "get_requires_for_build_editable",
        "prepare_metadata_for_build_editable",
    ]


def test_editable_build_with_in_tree_backend(tmp_path: Path) -> None:
    source = in_tree_project(tmp_path, "full_backend", FULL_BACKEND)
    built, env = builder(source, BuildKind.EDITABLE, tmp_path)
    wheel = drive(built, env, tmp_path / "out")
    assert wheel.name == "inplace-1.0-0.editable-py3-none-any.whl"
    assert env.installed == ["editable-dep"]


def test_metadata_falls_back_to_a_wheel_build(tmp_path: Path) -> None:
    source = in_tree_project(tmp_path, "wheel_only", WHEEL_ONLY_BACKEND)
    built, env = builder(source, BuildKind.METADATA, tmp_path)
    dist_info = drive(built, env, tmp_path / "out")
    assert dist_info == tmp_path / "out" / "inplace-1.0.dist-info"
    assert "Name: inplace" in (dist_info / "METADATA").read_text(encoding="utf-8")
    assert [call["hook"] for call in calls(source)] == ["build_wheel"]
    assert env.installed == []  # get_requires_* fall back to no requirements


@pytest.mark.parametrize(
    ("kind", "editable", "phase"),
    [(BuildKind.EDITABLE, False, "editable"), (BuildKind.METADATA, True, "metadata")],
)
def test_backend_without_build_editable(
    tmp_path: Path, kind: BuildKind, editable: bool, phase: str
) -> None:
    source = in_tree_project(tmp_path, "wheel_only", WHEEL_ONLY_BACKEND)
    built, env = builder(source, kind, tmp_path, editable=editable)
    with pytest.raises(BuildError) as caught:
        drive(built, env, tmp_path / "out")
    message = str(caught.value)
    assert message.startswith(f"failed to build {source} ({phase}): the backend wheel_only ")
    assert "does not support editable installs (PEP 660" in message
    assert caught.value.phase == phase
    assert caught.value.hint is not None


def test_failing_backend_quotes_the_last_lines(tmp_path: Path) -> None:
    source = in_tree_project(tmp_path, "failing", FAILING_BACKEND)
    built, env = builder(source, BuildKind.WHEEL, tmp_path, name="inplace", version="1.0")
    with pytest.raises(BuildError) as caught:
        drive(built, env, tmp_path / "out")
    error = caught.value
    lines = str(error).splitlines()
    assert lines[0] == (
        "failed to build inplace==1.0 (wheel): the backend failing exited with status 1"
    )
    quoted = [line.strip() for line in lines if "output line" in line]
    assert quoted == [f"output line {i:03d}" for i in range(75, 100)]
    assert all(line.startswith("  ") for line in lines[1:-1])
    assert error.log_path is not None
    assert lines[-1] == f"full log: {error.log_path}"
    assert error.phase == "wheel"
    # the log holds everything, stdout and stderr interleaved in order
    log = error.log_path.read_text(encoding="utf-8")
    in_log = [line for line in log.splitlines() if line.startswith("output line")]
    assert in_log == [f"output line {i:03d}" for i in range(100)]
    assert error.log_path.name.startswith("inplace-")


def test_backend_not_importable(tmp_path: Path) -> None:
    source = tmp_path / "missing"
    write(
        source / "pyproject.toml",
        '[build-system]\nrequires = ["nosuch"]\nbuild-backend = "nosuch_backend_xyz.api"\n',
    )
    built, _ = builder(source, BuildKind.WHEEL, tmp_path)
    with pytest.raises(BuildError) as caught:
        asyncio.run(built.get_requires())
    message = str(caught.value)
    assert message.splitlines()[0] == (
        f"failed to build {source} (get-requires): the backend nosuch_backend_xyz.api "
        "is not importable in the build environment"
    )
    assert "nosuch_backend_xyz" in message.splitlines()[-2]  # the ImportError, quoted
    assert message.splitlines()[-1].startswith("full log: ")
    assert caught.value.hint is not None
    assert "requires" in caught.value.hint


def test_in_tree_backend_missing_from_backend_path(tmp_path: Path) -> None:
    source = tmp_path / "wrongpath"
    write(
        source / "pyproject.toml",
        '[build-system]\nrequires = []\nbuild-backend = "absent"\nbackend-path = ["backend"]\n',
    )
    (source / "backend").mkdir()
    built, _ = builder(source, BuildKind.METADATA, tmp_path)
    with pytest.raises(BuildError, match="is not importable") as caught:
        asyncio.run(built.build(tmp_path / "out"))
    assert caught.value.phase == "metadata"
    assert caught.value.hint is not None
    assert "backend-path" in caught.value.hint


def test_missing_interpreter(tmp_path: Path) -> None:
    source = in_tree_project(tmp_path, "full_backend", FULL_BACKEND)

    class Broken(LocalEnv):
        @property
        def python_executable(self) -> str:
            return str(tmp_path / "no-python")

    built = Pep517Builder(
        BuildRequest(source_dir=source, kind=BuildKind.WHEEL), Broken(), log_dir=tmp_path / "l"
    )
    with pytest.raises(BuildError, match=r"\(get-requires\): cannot run the build environment"):
        asyncio.run(built.get_requires())


def test_backend_warnings_go_to_the_log(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], recwarn: pytest.WarningsRecorder
) -> None:
    source = in_tree_project(tmp_path, "warning", WARNING_BACKEND)
    built, _ = builder(source, BuildKind.WHEEL, tmp_path)
    wheel = asyncio.run(built.build(tmp_path / "out"))
    assert wheel.name == "inplace-1.0-py3-none-any.whl"
    assert len(recwarn) == 0
    out, err = capfd.readouterr()
    assert "deprecated" not in out + err
    assert built.log_path is not None
    assert "this backend is deprecated" in built.log_path.read_text(encoding="utf-8")


def test_environment_reaches_the_backend(tmp_path: Path) -> None:
    source = in_tree_project(
        tmp_path,
        "env_backend",
        """
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open("environ.json", "w") as f:
        json.dump({"marker": os.environ.get("PUFFIN_TEST_MARKER")}, f)
    return _wheel(wheel_directory)
""",
    )

    class WithEnviron(LocalEnv):
        def make_extra_environ(self) -> dict[str, str] | None:
            return {"PUFFIN_TEST_MARKER": "from-the-env"}

    built = Pep517Builder(
        BuildRequest(source_dir=source, kind=BuildKind.WHEEL), WithEnviron(), log_dir=tmp_path
    )
    asyncio.run(built.build(tmp_path / "out"))
    marker = json.loads((source / "environ.json").read_text(encoding="utf-8"))
    assert marker == {"marker": "from-the-env"}


def test_each_build_has_its_own_log(tmp_path: Path) -> None:
    source = in_tree_project(tmp_path, "full_backend", FULL_BACKEND)
    first, _ = builder(source, BuildKind.WHEEL, tmp_path)
    second, _ = builder(source, BuildKind.WHEEL, tmp_path)

    async def both() -> None:
        await asyncio.gather(first.build(tmp_path / "a"), second.build(tmp_path / "b"))

    asyncio.run(both())
    assert first.log_path is not None
    assert second.log_path is not None
    assert first.log_path != second.log_path
    assert first.log_path.parent == second.log_path.parent == tmp_path / "logs"


# ---------------------------------------------------------------------------------------
# cancellation
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["sleeping", "stubborn"])
def test_cancellation_stops_the_backend(tmp_path: Path, module: str) -> None:
    # "stubborn" ignores SIGTERM: it is killed after the grace period
    body = SLEEPING_BACKEND if module == "sleeping" else STUBBORN_BACKEND
    source = in_tree_project(tmp_path, module, body)
    built, _ = builder(source, BuildKind.WHEEL, tmp_path)
    pid_file = source / "backend.pid"

    async def scenario() -> tuple[int, float]:
        task = asyncio.create_task(built.build(tmp_path / "out"))
        deadline = time.monotonic() + 30
        while not pid_file.exists():
            assert not task.done(), task
            assert time.monotonic() < deadline, "the backend never started"
            await asyncio.sleep(0.02)
        pid = int(pid_file.read_text(encoding="utf-8"))
        os.kill(pid, 0)  # running
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled()
        return pid, time.monotonic() - started

    pid, elapsed = asyncio.run(scenario())
    assert elapsed < 5
    # reaped by the time the task ended: no process (not even a zombie) is left
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not list((tmp_path / "out").glob("*.whl"))


def test_cancellation_before_the_backend_starts(tmp_path: Path) -> None:
    source = in_tree_project(tmp_path, "sleeping", SLEEPING_BACKEND)
    built, _ = builder(source, BuildKind.WHEEL, tmp_path)

    async def scenario() -> None:
        task = asyncio.create_task(built.build(tmp_path / "out"))
        await asyncio.sleep(0)  # the worker thread is just being started
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    started = time.monotonic()
    asyncio.run(scenario())
    assert time.monotonic() - started < 5
    # whether or not the process had started, nothing keeps running
    time.sleep(0.2)
    pid_file = source / "backend.pid"
    if pid_file.exists():
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid_file.read_text(encoding="utf-8")), 0)


# ---------------------------------------------------------------------------------------
# the built-in plugin
# ---------------------------------------------------------------------------------------


def test_plugin_returns_a_pep517_builder(setuptools_project: Path, tmp_path: Path) -> None:
    ctx = types.SimpleNamespace(cache=Cache(tmp_path / "cache"))
    request = BuildRequest(source_dir=setuptools_project, kind=BuildKind.WHEEL)
    built = pep517_plugin.puffin_build(request, LocalEnv(), ctx)  # type: ignore[arg-type]
    assert isinstance(built, Pep517Builder)
    assert isinstance(built, Builder)
    assert list(built.build_system_requires()) == ["setuptools>=64"]
    assert (tmp_path / "cache" / "build-logs-v1").is_dir()
    wheel = asyncio.run(built.build(tmp_path / "out"))
    assert wheel.name == "demo_pkg-1.2.3-py3-none-any.whl"
    assert built.log_path is not None
    assert built.log_path.parent == tmp_path / "cache" / "build-logs-v1"


def test_plugin_module_imports_nothing_heavy() -> None:
    import subprocess

    code = (
        "import sys, puffin.builtin.pep517\n"
        "heavy = [m for m in ('pyproject_hooks', 'puffin.build.pep517') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
