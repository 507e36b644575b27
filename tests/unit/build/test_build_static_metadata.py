"""Metadata read from a static ``[project]`` table instead of a metadata build."""

from __future__ import annotations

import textwrap
from pathlib import Path

from packaging.version import Version

from puffin.build.static_metadata import static_metadata


def write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(body))
    return tmp_path


def test_static_project_gives_metadata_with_extras(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        """
        [project]
        name = "Demo_Pkg"
        version = "1.2"
        description = "a demo"
        requires-python = ">=3.9"
        license = "MIT"
        dependencies = ["six>=1", "tomli; python_version < '3.11'"]
        [project.optional-dependencies]
        Fast = ["ujson", "orjson; sys_platform == 'linux'"]
        """,
    )
    metadata = static_metadata(project)
    assert metadata is not None
    assert metadata.normalized_name == "demo-pkg" and metadata.version == Version("1.2")
    assert metadata.provides_extra == ("fast",)
    assert metadata.license_expression == "MIT" and metadata.summary == "a demo"
    texts = [str(requirement) for requirement in metadata.requires_dist]
    assert texts[:2] == ["six>=1", 'tomli; python_version < "3.11"']
    assert texts[2] == 'ujson; extra == "fast"'
    assert texts[3] == 'orjson; sys_platform == "linux" and extra == "fast"'
    assert metadata.requires_dist[3].marker is not None
    assert metadata.requires_dist[3].marker.evaluate({"sys_platform": "linux", "extra": "fast"})
    assert not metadata.requires_dist[3].marker.evaluate({"sys_platform": "linux", "extra": ""})


def test_dynamic_fields_need_a_build(tmp_path: Path) -> None:
    for dynamic in ("version", "dependencies", "optional-dependencies", "requires-python"):
        project = write(
            tmp_path,
            f"""
            [project]
            name = "demo"
            {"" if dynamic == "version" else 'version = "1"'}
            dynamic = ["{dynamic}"]
            """,
        )
        assert static_metadata(project) is None, dynamic


def test_no_project_table_or_bad_file_needs_a_build(tmp_path: Path) -> None:
    assert static_metadata(tmp_path) is None
    assert static_metadata(write(tmp_path, "[build-system]\nrequires = []\n")) is None
    assert static_metadata(write(tmp_path, "[project\n")) is None
    assert (
        static_metadata(
            write(tmp_path, '[project]\nname = "x"\nversion = "1"\ndependencies = "notalist"\n')
        )
        is None
    )
