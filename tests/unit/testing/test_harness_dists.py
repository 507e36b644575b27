"""puffin.testing.dists: the wheels and sdists are real, and real tools accept them."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.metadata import Metadata
from packaging.utils import parse_wheel_filename

from puffin.testing.dists import make_sdist, make_wheel, metadata_of, wheel_filename

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

PIP = [sys.executable, "-m", "pip", "--isolated", "--disable-pip-version-check", "--no-input"]


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result  # type: ignore[no-any-return]


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


@pytest.mark.parametrize(
    ("name", "version", "tag", "build", "expected"),
    [
        ("Foo.Bar", "1.0", "py3-none-any", None, "foo_bar-1.0-py3-none-any.whl"),
        ("a-b__c", "1.0.0-1", "py3-none-any", None, "a_b_c-1.0.0.post1-py3-none-any.whl"),
        ("pkg", "2.0+local.1", "py2.py3-none-any", None, "pkg-2.0+local.1-py2.py3-none-any.whl"),
        (
            "pkg",
            "1",
            "cp311-cp311-manylinux_2_17_x86_64",
            "7",
            "pkg-1-7-cp311-cp311-manylinux_2_17_x86_64.whl",
        ),
    ],
)
def test_wheel_filename_is_normalized(
    tmp_path: Path, name: str, version: str, tag: str, build: str | None, expected: str
) -> None:
    assert wheel_filename(name, version, tag, build) == expected
    wheel = make_wheel(tmp_path, name, version, tag=tag, build=build)
    assert wheel.name == expected
    parsed_name, parsed_version, parsed_build, _ = parse_wheel_filename(wheel.name)
    assert parsed_name == name.lower().replace(".", "-").replace("__", "-").replace("_", "-")
    assert str(parsed_version) in expected
    assert (parsed_build[0] if parsed_build else None) == (int(build) if build else None)


def test_wheel_metadata_is_valid_core_metadata(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path,
        "Demo_Pkg",
        "1.2",
        requires_dist=["requests>=2", "tomli; python_version < '3.11'"],
        requires_python=">=3.8,<4",
        extras={"Socks_Proxy": ["pysocks>=1.5; sys_platform != 'win32'"], "cli": ["click"]},
        metadata_extra={
            "Classifier": ["Programming Language :: Python :: 3", "Typing :: Typed"],
            "Description": "Line one.\n\nLine two.",
            "Description-Content-Type": "text/plain",
        },
    )
    text = metadata_of(wheel)
    # packaging validates every field against the core metadata spec.
    metadata = Metadata.from_email(text, validate=True)
    assert metadata.name == "Demo_Pkg"
    assert str(metadata.version) == "1.2"
    assert str(metadata.requires_python) == "<4,>=3.8"
    assert metadata.provides_extra == ["socks-proxy", "cli"]
    requirements = [str(r) for r in metadata.requires_dist or []]
    assert requirements == [
        "requests>=2",
        'tomli; python_version < "3.11"',
        'pysocks>=1.5; sys_platform != "win32" and extra == "socks-proxy"',
        'click; extra == "cli"',
    ]
    assert metadata.classifiers == ["Programming Language :: Python :: 3", "Typing :: Typed"]
    assert metadata.description == "Line one.\n\nLine two.\n"
    # The extra marker evaluates as installers will evaluate it.
    pysocks = next(r for r in metadata.requires_dist or [] if r.name == "pysocks")
    assert pysocks.marker is not None
    assert pysocks.marker.evaluate({"extra": "socks-proxy", "sys_platform": "linux"})
    assert not pysocks.marker.evaluate({"extra": "cli", "sys_platform": "linux"})


def test_wheel_has_wheel_file_entry_points_and_default_package(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path,
        "tool",
        "3.0",
        tag="py2.py3-none-any",
        entry_points={"console_scripts": {"tool": "tool:main"}, "puffin": {"tool": "tool.plugin"}},
    )
    with zipfile.ZipFile(wheel) as archive:
        wheel_file = archive.read("tool-3.0.dist-info/WHEEL").decode()
        entry_points = archive.read("tool-3.0.dist-info/entry_points.txt").decode()
        init = archive.read("tool/__init__.py").decode()
    assert wheel_file.splitlines() == [
        "Wheel-Version: 1.0",
        f"Generator: puffin.testing {__import__('puffin').__version__}",
        "Root-Is-Purelib: true",
        "Tag: py2-none-any",
        "Tag: py3-none-any",
    ]
    assert entry_points == "[console_scripts]\ntool = tool:main\n\n[puffin]\ntool = tool.plugin\n"
    assert init == '__version__ = "3.0"\n'


def test_platform_wheel_is_not_purelib(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "native", "1.0", tag="cp311-cp311-linux_x86_64")
    with zipfile.ZipFile(wheel) as archive:
        assert "Root-Is-Purelib: false" in archive.read("native-1.0.dist-info/WHEEL").decode()


def test_record_lists_every_member_with_correct_hash_and_size(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path,
        "rec",
        "1.0",
        files={"rec/__init__.py": "x = 1\n", "rec/data.bin": bytes(range(256))},
        data_files={"scripts/rec-tool": "#!python\nprint('ok')\n", "data/share/rec.txt": "hi"},
        entry_points={"console_scripts": {"rec": "rec:x"}},
    )
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        record = list(csv.reader(io.StringIO(archive.read("rec-1.0.dist-info/RECORD").decode())))
        # The .dist-info directory comes last, RECORD last of all.
        assert names[-1] == "rec-1.0.dist-info/RECORD"
        first_dist_info = min(i for i, n in enumerate(names) if ".dist-info/" in n)
        assert all(".dist-info/" in n for n in names[first_dist_info:])
        assert sorted(row[0] for row in record) == sorted(names)
        for path, digest, size in record:
            if path.endswith("/RECORD"):
                assert (digest, size) == ("", "")
                continue
            data = archive.read(path)
            algorithm, _, encoded = digest.partition("=")
            assert algorithm == "sha256"
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert encoded == expected
            assert int(size) == len(data)
        script = archive.getinfo("rec-1.0.data/scripts/rec-tool")
        assert (script.external_attr >> 16) & 0o777 == 0o755
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())


def test_wheels_are_reproducible(tmp_path: Path) -> None:
    first = make_wheel(tmp_path / "a", "same", "1.0", requires_dist=["x"])
    second = make_wheel(tmp_path / "b", "same", "1.0", requires_dist=["x"])
    assert first.read_bytes() == second.read_bytes()
    first_sdist = make_sdist(tmp_path / "a", "same", "1.0")
    second_sdist = make_sdist(tmp_path / "b", "same", "1.0")
    assert first_sdist.read_bytes() == second_sdist.read_bytes()


def test_dist_info_files_can_be_overridden(tmp_path: Path) -> None:
    broken = "Metadata-Version: 2.1\nName: other\nVersion: 9\n"
    wheel = make_wheel(tmp_path, "odd", "1.0", files={"odd-1.0.dist-info/METADATA": broken})
    assert metadata_of(wheel) == broken


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tag": "py3-none"}, "python-abi-platform"),
        ({"files": {"/abs.py": ""}}, "relative"),
        ({"files": {"../up.py": ""}}, "relative"),
        ({"build": "x1"}, "build tag"),
        ({"metadata_extra": {"Summary": "two\nlines"}}, "line break"),
    ],
)
def test_bad_wheel_arguments_are_refused(
    tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_wheel(tmp_path, "bad", "1.0", **kwargs)  # type: ignore[arg-type]


def test_pip_installs_wheel_and_console_script_runs(tmp_path: Path) -> None:
    make_wheel(
        tmp_path / "dists",
        "Hello.World",
        "1.0",
        files={
            "hello_world/__init__.py": "def main():\n    print('hello from hello_world')\n",
        },
        entry_points={"console_scripts": {"hello-world": "hello_world:main"}},
        data_files={"scripts/hello-data": "#!python\nprint('data script')\n"},
    )
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = _bin(venv, "python")
    _run(
        [
            str(python),
            "-m",
            "pip",
            "--isolated",
            "--disable-pip-version-check",
            "install",
            "--no-index",
            "--find-links",
            str(tmp_path / "dists"),
            "hello.world",
        ]
    )
    assert _run([str(_bin(venv, "hello-world"))]).stdout == "hello from hello_world\n"
    assert _run([str(_bin(venv, "hello-data"))]).stdout == "data script\n"
    shown = _run([str(python), "-m", "pip", "--isolated", "show", "hello.world"]).stdout
    assert "Name: Hello.World" in shown
    assert "Version: 1.0" in shown
    # pip verified RECORD while installing; it must also uninstall cleanly from it.
    _run([str(python), "-m", "pip", "--isolated", "uninstall", "--yes", "hello.world"])
    assert not _bin(venv, "hello-world").exists()


def test_uv_installs_wheel(tmp_path: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    make_wheel(
        tmp_path / "dists",
        "uv_target",
        "2.5",
        requires_python=">=3.8",
        files={"uv_target/__init__.py": "VALUE = 42\n"},
        entry_points={"console_scripts": {"uv-target": "uv_target:VALUE"}},
    )
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    environ = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "UV_NO_CONFIG": "1"}
    _run(
        [
            uv,
            "pip",
            "install",
            "--python",
            str(_bin(venv, "python")),
            "--no-index",
            "--find-links",
            str(tmp_path / "dists"),
            "uv-target",
        ],
        env=environ,
    )
    output = _run(
        [str(_bin(venv, "python")), "-c", "import uv_target; print(uv_target.VALUE)"]
    ).stdout
    assert output == "42\n"
    assert _bin(venv, "uv-target").exists()


def test_sdist_layout_and_metadata(tmp_path: Path) -> None:
    sdist = make_sdist(
        tmp_path,
        "My.Project",
        "0.3",
        requires_dist=["attrs>=22"],
        extras={"fast": ["ujson"]},
        requires_python=">=3.9",
        extra_pyproject='[project.scripts]\nmy-project = "my_project:main"\n',
    )
    assert sdist.name == "my_project-0.3.tar.gz"
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        assert all(n == "my_project-0.3" or n.startswith("my_project-0.3/") for n in names)
        assert {"my_project-0.3/PKG-INFO", "my_project-0.3/pyproject.toml"} <= set(names)
        assert "my_project-0.3/my_project/__init__.py" in names
        pyproject_file = archive.extractfile("my_project-0.3/pyproject.toml")
        assert pyproject_file is not None
        pyproject = tomllib.loads(pyproject_file.read().decode())
        assert all(m.mtime > 315532800 for m in archive.getmembers())  # ZIP-representable
    assert pyproject["build-system"] == {
        "requires": ["setuptools>=61"],
        "build-backend": "setuptools.build_meta",
    }
    project = pyproject["project"]
    assert project["name"] == "My.Project"
    assert project["version"] == "0.3"
    assert project["dependencies"] == ["attrs>=22"]
    assert project["optional-dependencies"] == {"fast": ["ujson"]}
    assert project["requires-python"] == ">=3.9"
    assert project["scripts"] == {"my-project": "my_project:main"}
    metadata = Metadata.from_email(metadata_of(sdist), validate=True)
    assert metadata.metadata_version == "2.2"
    assert metadata.name == "My.Project"
    assert [str(r) for r in metadata.requires_dist or []] == ["attrs>=22", 'ujson; extra == "fast"']


@pytest.mark.parametrize(
    ("backend", "requires", "module"),
    [
        ("flit_core", ["flit_core>=3.4,<5"], "flit_core.buildapi"),
        ("hatchling", ["hatchling"], "hatchling.build"),
    ],
)
def test_sdist_build_system_per_backend(
    tmp_path: Path, backend: str, requires: list[str], module: str
) -> None:
    sdist = make_sdist(tmp_path, "pkg", "1.0", backend=backend)  # type: ignore[arg-type]
    with tarfile.open(sdist) as archive:
        extracted = archive.extractfile("pkg-1.0/pyproject.toml")
        assert extracted is not None
        pyproject = tomllib.loads(extracted.read().decode())
    assert pyproject["build-system"] == {"requires": requires, "build-backend": module}
    custom = make_sdist(tmp_path / "c", "pkg", "1.0", backend=backend, build_requires=["x>=1"])  # type: ignore[arg-type]
    with tarfile.open(custom) as archive:
        extracted = archive.extractfile("pkg-1.0/pyproject.toml")
        assert extracted is not None
        assert tomllib.loads(extracted.read().decode())["build-system"]["requires"] == ["x>=1"]


def _pip_wheel(sdist: Path, out: Path, *, isolation: bool) -> Path:
    command = [*PIP, "wheel", "--no-cache-dir", "--no-deps", "--wheel-dir", str(out), str(sdist)]
    if not isolation:
        command.insert(-1, "--no-build-isolation")
    _run(command)
    (wheel,) = out.glob("*.whl")
    return wheel


def test_setuptools_builds_sdist(tmp_path: Path) -> None:
    sdist = make_sdist(
        tmp_path,
        "Built.Pkg",
        "4.1",
        requires_dist=["six>=1"],
        requires_python=">=3.8",
        files={
            "built_pkg/__init__.py": "from built_pkg.sub import VALUE\n",
            "built_pkg/sub/__init__.py": "VALUE = 'built'\n",
            "standalone.py": "X = 1\n",
        },
    )
    wheel = _pip_wheel(sdist, tmp_path / "out", isolation=False)
    assert wheel.name == "built_pkg-4.1-py3-none-any.whl"
    metadata = Metadata.from_email(metadata_of(wheel), validate=True)
    assert metadata.name == "Built.Pkg"
    assert [str(r) for r in metadata.requires_dist or []] == ["six>=1"]
    assert str(metadata.requires_python) == ">=3.8"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"built_pkg/__init__.py", "built_pkg/sub/__init__.py", "standalone.py"} <= names


@pytest.mark.network
@pytest.mark.parametrize("backend", ["flit_core", "hatchling"])
def test_other_backends_build_sdist(tmp_path: Path, backend: str) -> None:
    # Build isolation fetches the backend from PyPI: the one reason this test is "network".
    sdist = make_sdist(tmp_path, "Other.Backend", "1.5", backend=backend, requires_dist=["idna"])  # type: ignore[arg-type]
    wheel = _pip_wheel(sdist, tmp_path / "out", isolation=True)
    metadata = Metadata.from_email(metadata_of(wheel), validate=True)
    assert metadata.name == "Other.Backend"
    assert [str(r) for r in metadata.requires_dist or []] == ["idna"]
    with zipfile.ZipFile(wheel) as archive:
        assert "other_backend/__init__.py" in archive.namelist()


def test_metadata_of_rejects_other_files(tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("hi")
    with pytest.raises(ValueError, match="not a wheel or sdist"):
        metadata_of(other)
