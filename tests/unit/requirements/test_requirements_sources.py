"""build_manifest: combining arguments, files, constraints, overrides and editables."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from puffin.requirements import IndexOptions, RequirementsError, build_manifest


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def reqs(entries) -> list[str]:
    return [str(entry.requirement) if entry.requirement else entry.url_or_path for entry in entries]


def test_all_inputs_are_combined_in_pip_order(tmp_path: Path) -> None:
    write(
        tmp_path / "requirements.txt", "-i https://idx/simple\n--pre\nfrom-file\n-c inner-c.txt\n"
    )
    write(tmp_path / "inner-c.txt", "nested-constraint<3\n")
    write(tmp_path / "constraints.txt", "--extra-index-url https://extra\nc1<2\n")
    write(tmp_path / "overrides.txt", "o1==1.0\n")
    (tmp_path / "proj").mkdir()
    manifest = build_manifest(
        args=["arg-pkg>=1", "./local"],
        requirement_files=[Path("requirements.txt")],
        constraint_files=[Path("constraints.txt")],
        override_files=[Path("overrides.txt")],
        editables=["./proj"],
        base_dir=tmp_path,
        environ={},
    )
    assert reqs(manifest.requirements) == [
        "arg-pkg>=1",
        str(tmp_path / "local"),
        str(tmp_path / "proj"),
        "from-file",
    ]
    assert [e.editable for e in manifest.requirements] == [False, False, True, False]
    assert reqs(manifest.editables) == [str(tmp_path / "proj")]
    assert reqs(manifest.constraints) == ["nested-constraint<3", "c1<2"]
    assert reqs(manifest.overrides) == ["o1==1.0"]
    assert manifest.index == IndexOptions(
        index_url="https://idx/simple", extra_index_urls=("https://extra",)
    )
    assert manifest.ignored_options == ("--pre",)
    assert manifest.requirements[0].origin.path is None
    assert manifest.requirements[3].origin.path == tmp_path / "requirements.txt"


def test_pyproject_and_setup_cfg_are_read_as_project_metadata(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
        [project]
        name = "p"
        dependencies = ["a"]
        [project.optional-dependencies]
        dev_tools = ["b"]
        """,
    )
    write(
        tmp_path / "lib" / "setup.cfg",
        "[options]\ninstall_requires = c\n[options.extras_require]\ndev-tools = d\n",
    )
    manifest = build_manifest(
        requirement_files=[Path("pyproject.toml"), Path("lib/setup.cfg")],
        extras=["dev-tools"],
        base_dir=tmp_path,
    )
    assert reqs(manifest.requirements) == ["a", "b", "c", "d"]


def test_environment_is_used_for_requirement_files(tmp_path: Path) -> None:
    write(tmp_path / "r.txt", "foo==${PIN}\n")
    manifest = build_manifest(
        requirement_files=[tmp_path / "r.txt"], base_dir=Path("/unused"), environ={"PIN": "2"}
    )
    assert reqs(manifest.requirements) == ["foo==2"]


def test_extras_without_a_project_file_are_an_error(tmp_path: Path) -> None:
    write(tmp_path / "r.txt", "foo\n")
    with pytest.raises(RequirementsError, match="extras were requested \\('dev'\\)"):
        build_manifest(requirement_files=[Path("r.txt")], extras=["dev"], base_dir=tmp_path)
    with pytest.raises(RequirementsError, match="--all-extras"):
        build_manifest(args=["foo"], all_extras=True, base_dir=tmp_path)


def test_project_metadata_cannot_be_a_constraints_file(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    with pytest.raises(RequirementsError, match=r"constraints must be given in requirements\.txt"):
        build_manifest(constraint_files=[Path("pyproject.toml")], base_dir=tmp_path)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("./pkg", "unnamed requirement './pkg' cannot be an override"),
        ("-e ./pkg", "editable requirement '-e ./pkg' cannot be an override"),
    ],
)
def test_overrides_must_name_a_project(tmp_path: Path, line: str, problem: str) -> None:
    write(tmp_path / "overrides.txt", f"ok==1\n{line}\n")
    with pytest.raises(RequirementsError) as caught:
        build_manifest(override_files=[Path("overrides.txt")], base_dir=tmp_path)
    assert "overrides.txt:2: " in str(caught.value) and problem in str(caught.value)


def test_editable_argument_errors_name_the_command_line(tmp_path: Path) -> None:
    with pytest.raises(RequirementsError) as caught:
        build_manifest(editables=["requests"], base_dir=tmp_path)
    assert str(caught.value).startswith(
        "<command line>: editable requirement 'requests' must be a local project"
    )
