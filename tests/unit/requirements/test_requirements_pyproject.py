"""pyproject.toml and setup.cfg as requirement inputs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from puffin.requirements import RequirementsError, read_pyproject, read_setup_cfg

PYPROJECT = """
[project]
name = "My_Project"
version = "1.0"
dependencies = [
    "requests>=2",
    "tomli; python_version < '3.11'",
]

[project.optional-dependencies]
cuda12_pip = ["nvidia-cublas-cu12"]
Docs = ["sphinx>=7"]
test = ["pytest", "my-project[docs]"]
all = ["my_project[test,cuda12-pip]; sys_platform == 'linux'"]
"""


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def reqs(entries) -> list[str]:
    return [str(entry.requirement) for entry in entries]


@pytest.fixture
def pyproject(tmp_path: Path) -> Path:
    return write(tmp_path / "pyproject.toml", PYPROJECT)


def test_dependencies_without_extras(pyproject: Path) -> None:
    entries = read_pyproject(pyproject)
    assert reqs(entries) == ["requests>=2", 'tomli; python_version < "3.11"']
    assert entries[0].origin.path == pyproject
    assert entries[0].origin.line == 5  # points at the line in the file
    assert entries[0].text == "requests>=2"


@pytest.mark.parametrize("spelling", ["cuda12-pip", "cuda12_pip", "CUDA12.Pip"])
def test_extras_match_after_pep685_normalization(pyproject: Path, spelling: str) -> None:
    entries = read_pyproject(pyproject, extras=[spelling])
    assert reqs(entries)[-1] == "nvidia-cublas-cu12"
    assert len(entries) == 3


def test_extra_defined_with_capitals_is_selected_normalized(pyproject: Path) -> None:
    assert reqs(read_pyproject(pyproject, extras=["docs"]))[-1] == "sphinx>=7"


def test_unknown_extra_is_an_error_naming_it_and_the_file(pyproject: Path) -> None:
    with pytest.raises(RequirementsError) as caught:
        read_pyproject(pyproject, extras=["docs", "gpu"])
    message = str(caught.value)
    assert "pyproject.toml" in message
    assert "extra 'gpu' is not defined in [project.optional-dependencies]" in message
    assert caught.value.hint == "defined extras: all, cuda12-pip, docs, test"


def test_self_referencing_extras_expand_with_combined_markers(pyproject: Path) -> None:
    entries = read_pyproject(pyproject, extras=["all"])
    assert reqs(entries) == [
        "requests>=2",
        'tomli; python_version < "3.11"',
        'nvidia-cublas-cu12; sys_platform == "linux"',
        'pytest; sys_platform == "linux"',
        'sphinx>=7; sys_platform == "linux"',
    ]
    assert all(entry.name != "my-project" for entry in entries)
    assert str(entries[3].marker) == 'sys_platform == "linux"'


def test_all_extras_selects_every_group_without_duplicates(pyproject: Path) -> None:
    entries = read_pyproject(pyproject, all_extras=True)
    names = [entry.name for entry in entries if entry.marker is None]
    assert names == ["requests", "nvidia-cublas-cu12", "sphinx", "pytest"]
    assert len(entries) == len(set(entries))


def test_dynamic_dependencies_need_a_build(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\ndynamic = ["version", "dependencies"]\n',
    )
    with pytest.raises(RequirementsError, match="dynamic; it has to be built to know them"):
        read_pyproject(path)


def test_dynamic_optional_dependencies_only_matter_when_extras_are_asked(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\ndependencies = ["a"]\ndynamic = ["optional-dependencies"]\n',
    )
    assert reqs(read_pyproject(path)) == ["a"]
    with pytest.raises(RequirementsError, match="dynamic"):
        read_pyproject(path, extras=["x"])


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[tool.x]\na = 1\n", "no [project] table"),
        ("[project\n", "invalid TOML"),
        ('[project]\ndependencies = "a"\n', "project.dependencies must be a list of strings"),
        (
            '[project]\n[project.optional-dependencies]\nA_B = ["x"]\na-b = ["y"]\n',
            "extras 'A_B' and 'a-b' are the same extra",
        ),
    ],
)
def test_malformed_pyproject_errors(tmp_path: Path, content: str, problem: str) -> None:
    path = write(tmp_path / "pyproject.toml", content)
    with pytest.raises(RequirementsError) as caught:
        read_pyproject(path)
    assert "pyproject.toml: " in str(caught.value) and problem in str(caught.value)


def test_invalid_dependency_points_at_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "pyproject.toml", '[project]\nname = "x"\ndependencies = [\n  "a>>1",\n]\n'
    )
    with pytest.raises(RequirementsError) as caught:
        read_pyproject(path)
    assert "pyproject.toml:4: invalid requirement 'a>>1': Expected" in str(caught.value)


def test_missing_pyproject_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RequirementsError, match=r"pyproject\.toml: file not found"):
        read_pyproject(tmp_path / "pyproject.toml")


SETUP_CFG = """
[metadata]
name = my_lib

[options]
install_requires =
    requests>=2
    # a comment line
    importlib-metadata; python_version < "3.10"

[options.extras_require]
Test_Suite =
    pytest
    my-lib[docs]
docs = sphinx; furo
"""


def test_setup_cfg_install_requires_and_extras(tmp_path: Path) -> None:
    path = write(tmp_path / "setup.cfg", SETUP_CFG)
    assert reqs(read_setup_cfg(path)) == [
        "requests>=2",
        'importlib-metadata; python_version < "3.10"',
    ]
    entries = read_setup_cfg(path, extras=["test-suite"])
    assert reqs(entries)[2:] == ["pytest", "sphinx", "furo"]
    assert entries[0].origin.line == 6


def test_setup_cfg_unknown_extra_and_file_directive(tmp_path: Path) -> None:
    path = write(tmp_path / "setup.cfg", SETUP_CFG)
    with pytest.raises(RequirementsError, match=r"extra 'gpu' is not defined in \[options"):
        read_setup_cfg(path, extras=["gpu"])
    dynamic = write(tmp_path / "setup.cfg", "[options]\ninstall_requires = file: reqs.txt\n")
    with pytest.raises(RequirementsError, match="has to be built"):
        read_setup_cfg(dynamic)
