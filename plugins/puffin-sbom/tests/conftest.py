"""Fixtures: validation against the official CycloneDX JSON schema, and a fresh venv.

The schemas come from the ``cyclonedx-python-lib`` package (a test extra), which ships
the JSON schemas of every CycloneDX version with the two they refer to, the SPDX license
list (``spdx.SNAPSHOT.schema.json``) and JSF (``jsf-0.82.SNAPSHOT.schema.json``). They are
loaded from its package directory through a ``referencing`` registry, offline.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable


@cache
def schema_dir() -> Path:
    """The directory of the JSON schemas shipped by cyclonedx-python-lib."""
    directory = Path(str(files("cyclonedx.schema") / "_res"))
    assert directory.is_dir(), f"cyclonedx-python-lib ships no schemas at {directory}"
    return directory


def schema_file(name: str) -> Path:
    """``bom-1.5.schema.json`` and the like, spelled with or without ``.SNAPSHOT``."""
    for candidate in (name, name.replace(".schema.json", ".SNAPSHOT.schema.json")):
        path = schema_dir() / candidate
        if path.is_file():
            return path
    raise FileNotFoundError(f"no {name} in {schema_dir()}")


@cache
def _spdx_license_ids() -> frozenset[str]:
    """Every identifier the schema accepts as a license ``id``."""
    return frozenset(json.loads(schema_file("spdx.schema.json").read_text())["enum"])


@cache
def _validator(spec_version: str) -> Any:
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource
    from referencing.jsonschema import DRAFT7

    def retrieve(uri: str) -> Resource[Any]:
        # bom-1.5's "$ref": "spdx.SNAPSHOT.schema.json" resolves against its $id
        # (http://cyclonedx.org/schema/...): serve the files by their base name.
        try:
            path = schema_file(uri.rsplit("/", 1)[-1])
        except FileNotFoundError:
            raise NoSuchResource(ref=uri) from None
        return Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT7)

    schema = json.loads(schema_file(f"bom-{spec_version}.schema.json").read_text())
    return Draft7Validator(
        schema,
        registry=Registry(retrieve=retrieve),
        format_checker=Draft7Validator.FORMAT_CHECKER,
    )


def _schema_errors(document: dict[str, Any]) -> list[str]:
    """Every violation of the official schema of the document's ``specVersion``."""
    validator = _validator(document["specVersion"])
    return sorted(
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(document)
    )


@pytest.fixture
def schema_errors() -> Callable[[dict[str, Any]], list[str]]:
    """``schema_errors(document)``: the document's violations of the official schema of
    its ``specVersion``, one line each (empty when it is valid)."""
    return _schema_errors


@pytest.fixture
def spdx_license_ids() -> frozenset[str]:
    """Every identifier the CycloneDX schema accepts as a license ``id``."""
    return _spdx_license_ids()


@pytest.fixture
def validate_bom() -> Callable[[dict[str, Any]], None]:
    """Assert that a document is valid CycloneDX by the official JSON schema."""

    def validate(document: dict[str, Any]) -> None:
        errors = _schema_errors(document)
        assert not errors, "not valid CycloneDX:\n" + "\n".join(errors)

    return validate


@pytest.fixture
def venv(run_puffin, tmp_path: Path) -> Path:
    """A new, empty virtual environment at ``tmp_path / "env"``."""
    run_puffin("venv", str(tmp_path / "env"), "-p", sys.executable).assert_ok()
    return tmp_path / "env"
