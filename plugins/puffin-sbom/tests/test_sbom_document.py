"""The SBOM document in-process: components, sources, licenses, dependencies, schema.

Distributions are made by hand in a fake site-packages (a ``.dist-info`` with METADATA and
``direct_url.json``), for the cases an end-to-end install cannot make cheaply: VCS and
editable installs, legacy ``.egg-link`` editables, hand-written direct URLs.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.utils import canonicalize_name
from packaging.version import Version
from puffin.plugin import CoreMetadata, InstalledDist, installed_metadata

from puffin_sbom._bom import Environment, Package, Tool, build_bom, purl
from puffin_sbom._licenses import _ALIASES, CLASSIFIER_IDS, KNOWN_IDS, licenses
from puffin_sbom._write import write_json_atomically

SERIAL = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
TIMESTAMP = "2025-01-02T03:04:05Z"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
DIGEST = "ab" * 32
LICENSE_TEXT = "Copyright (c) 2024 Someone\n\nPermission is hereby granted..."


def make_dist(
    site: Path,
    name: str,
    version: str,
    *,
    fields: tuple[str, ...] = (),
    direct_url: str | None = None,
    direct_url_json: dict | None = None,
    editable: bool = False,
    requested: bool = False,
) -> InstalledDist:
    dist_info = site / f"{canonicalize_name(name).replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}", *fields]
    (dist_info / "METADATA").write_text("\n".join(lines) + "\n")
    if direct_url_json is not None:
        (dist_info / "direct_url.json").write_text(json.dumps(direct_url_json))
    return InstalledDist(
        name=canonicalize_name(name),
        version=Version(version),
        dist_info=dist_info,
        editable=editable,
        requested=requested,
        direct_url=direct_url,
    )


def bom(*dists: InstalledDist, markers: dict[str, str] | None = None) -> dict:
    packages = [Package(dist, installed_metadata(dist)) for dist in dists]
    return build_bom(
        packages,
        Environment(Path("/envs/project/.venv"), markers or dict(default_environment())),
        [Tool("puffin", "0.1.0"), Tool("puffin-sbom", "0.1.0")],
        serial_number=SERIAL,
        timestamp=TIMESTAMP,
    )


def by_name(document: dict) -> dict[str, dict]:
    return {component["name"]: component for component in document["components"]}


def metadata(**fields) -> CoreMetadata:
    return CoreMetadata(
        name="x", normalized_name=canonicalize_name("x"), version=Version("1"), **fields
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return tmp_path / "site-packages"


def test_document_frame(site: Path, schema_errors) -> None:
    document = bom(make_dist(site, "one", "1.0"))
    assert list(document) == [
        "$schema",
        "bomFormat",
        "specVersion",
        "serialNumber",
        "version",
        "metadata",
        "components",
        "dependencies",
    ]
    assert document["metadata"] == {
        "timestamp": TIMESTAMP,
        "tools": {
            "components": [
                {"type": "application", "name": "puffin", "version": "0.1.0"},
                {"type": "application", "name": "puffin-sbom", "version": "0.1.0"},
            ]
        },
        "component": {
            "type": "application",
            "bom-ref": "environment",
            "name": ".venv",
            "description": document["metadata"]["component"]["description"],
        },
    }
    assert document["metadata"]["component"]["description"].startswith(
        "Python environment /envs/project/.venv (CPython 3."
    )
    assert schema_errors(document) == []


def test_vcs_install(site: Path, schema_errors) -> None:
    dist = make_dist(
        site,
        "from-git",
        "0.3",
        direct_url=f"git+https://github.com/org/repo.git@{COMMIT}#subdirectory=py",
        direct_url_json={
            "url": "https://github.com/org/repo.git",
            "vcs_info": {"vcs": "git", "commit_id": COMMIT, "requested_revision": "main"},
            "subdirectory": "py",
        },
    )
    document = bom(dist)
    (component,) = document["components"]
    reference = f"git+https://github.com/org/repo.git@{COMMIT}"
    assert component["purl"] == (
        "pkg:pypi/from-git@0.3?vcs_url=git%2Bhttps://github.com/org/repo.git%40" + COMMIT
    )
    assert component["bom-ref"] == component["purl"]
    assert component["externalReferences"] == [
        {
            "type": "vcs",
            "url": reference,
            "comment": f"installed from git at commit {COMMIT} (PEP 610 direct URL)",
        }
    ]
    assert component["properties"] == [
        {"name": "cdx:python:package:source:subdirectory", "value": "py"}
    ]
    assert schema_errors(document) == []


def test_editable_install(site: Path, tmp_path: Path, schema_errors) -> None:
    project = tmp_path / "my project"
    dist = make_dist(
        site,
        "mine",
        "0.1.dev0",
        direct_url=project.as_uri(),
        direct_url_json={"url": project.as_uri(), "dir_info": {"editable": True}},
        editable=True,
        requested=True,
    )
    document = bom(dist)
    (component,) = document["components"]
    assert component["purl"] == "pkg:pypi/mine@0.1.dev0", "a local directory adds no qualifier"
    assert component["externalReferences"] == [
        {
            "type": "distribution",
            "url": project.as_uri(),
            "comment": "installed from a local directory, editable (PEP 610 direct URL)",
        }
    ]
    assert component["properties"] == [
        {"name": "cdx:python:package:source:local:editable", "value": "true"}
    ]
    assert schema_errors(document) == []


def test_legacy_egg_link_editable(tmp_path: Path) -> None:
    project = tmp_path / "legacy"
    egg_info = project / "legacy.egg-info"
    egg_info.mkdir(parents=True)
    (egg_info / "PKG-INFO").write_text("Metadata-Version: 1.2\nName: legacy\nVersion: 2.0\n")
    dist = InstalledDist(
        name=canonicalize_name("legacy"), version=Version("2.0"), dist_info=egg_info, editable=True
    )
    (component,) = bom(dist)["components"]
    assert component["externalReferences"][0]["url"] == project.as_uri()
    assert component["properties"] == [
        {"name": "cdx:python:package:source:local:editable", "value": "true"}
    ]


@pytest.mark.parametrize(
    ("direct_url", "reference"),
    [
        (
            f"https://files.example/x-1.0.tar.gz#sha256={DIGEST}",
            {
                "type": "distribution",
                "url": "https://files.example/x-1.0.tar.gz",
                "hashes": [{"alg": "SHA-256", "content": DIGEST}],
                "comment": "installed from an archive (PEP 610 direct URL)",
            },
        ),
        (
            "git+ssh://git@git.example/org/x.git@v1.0",
            {
                "type": "vcs",
                "url": "git+ssh://git@git.example/org/x.git@v1.0",
                "comment": "installed from git at commit v1.0 (PEP 610 direct URL)",
            },
        ),
        (
            "file:///src/x",
            {
                "type": "distribution",
                "url": "file:///src/x",
                "comment": "installed from a local directory (PEP 610 direct URL)",
            },
        ),
    ],
)
def test_direct_url_without_direct_url_json(site: Path, direct_url: str, reference: dict) -> None:
    """Only :attr:`InstalledDist.direct_url` to go by (no or a broken direct_url.json)."""
    dist = make_dist(site, "x", "1.0", direct_url=direct_url)
    (dist.dist_info / "direct_url.json").write_text("{not json")
    (component,) = bom(dist)["components"]
    assert component["externalReferences"] == [reference]


def test_archive_hashes_are_checked(site: Path, schema_errors) -> None:
    dist = make_dist(
        site,
        "x",
        "1.0",
        direct_url="https://files.example/x-1.0-py3-none-any.whl",
        direct_url_json={
            "url": "https://files.example/x-1.0-py3-none-any.whl",
            "archive_info": {
                "hashes": {"sha256": DIGEST.upper(), "sha512": "tooshort", "blake2b": "ab"},
                "hash": "md5=" + "c" * 32,
            },
        },
    )
    document = bom(dist)
    (reference,) = document["components"][0]["externalReferences"]
    assert reference["hashes"] == [
        {"alg": "MD5", "content": "c" * 32},
        {"alg": "SHA-256", "content": DIGEST},
    ]
    assert schema_errors(document) == []


def test_dependencies(site: Path) -> None:
    app = make_dist(
        site,
        "App",
        "1.0",
        requested=True,
        fields=(
            "Requires-Dist: lib>=1",
            "Requires-Dist: Lib[speed]; python_version >= '3'",  # same target, once
            "Requires-Dist: old-py; python_version < '3'",
            "Requires-Dist: app",  # itself
            "Requires-Dist: missing",
            "Requires-Dist: optional; extra == 'fast'",
            "Provides-Extra: fast",
            "Requires-Dist: posix-only; os_name == 'posix'",
        ),
    )
    lib = make_dist(site, "lib", "2.0", fields=("Requires-Dist: zeta",))
    zeta = make_dist(site, "zeta", "1.0")
    optional = make_dist(site, "optional", "1.0")
    old = make_dist(site, "old-py", "1.0")
    posix = make_dist(site, "posix-only", "1.0")
    orphan = make_dist(site, "orphan", "1.0")
    markers = {**default_environment(), "os_name": "nt"}
    document = bom(zeta, orphan, app, lib, optional, old, posix, markers=markers)
    graph = {entry["ref"]: entry["dependsOn"] for entry in document["dependencies"]}
    assert graph == {
        "environment": [
            "pkg:pypi/app@1.0",
            "pkg:pypi/old-py@1.0",
            "pkg:pypi/optional@1.0",
            "pkg:pypi/orphan@1.0",
            "pkg:pypi/posix-only@1.0",
        ],
        "pkg:pypi/app@1.0": ["pkg:pypi/lib@2.0"],
        "pkg:pypi/lib@2.0": ["pkg:pypi/zeta@1.0"],
        "pkg:pypi/old-py@1.0": [],
        "pkg:pypi/optional@1.0": [],
        "pkg:pypi/orphan@1.0": [],
        "pkg:pypi/posix-only@1.0": [],
        "pkg:pypi/zeta@1.0": [],
    }
    assert next(iter(graph)) == "environment", "the environment first"
    assert [c["name"] for c in document["components"]] == [
        "App",
        "lib",
        "old-py",
        "optional",
        "orphan",
        "posix-only",
        "zeta",
    ]


def test_deterministic(site: Path) -> None:
    dists = [
        make_dist(site, name, "1.0", fields=("Requires-Dist: c", "Requires-Dist: b"))
        for name in ("c", "a", "b")
    ]
    first = json.dumps(bom(*dists))
    assert json.dumps(bom(*reversed(dists))) == first
    assert json.dumps(bom(dists[1], dists[2], dists[0])) == first


def test_unreadable_metadata_still_listed(site: Path, schema_errors) -> None:
    dist = make_dist(site, "ghost", "1.0")
    document = build_bom([Package(dist, None)], Environment(Path("/e"), default_environment()), [])
    assert document["components"] == [
        {
            "type": "library",
            "bom-ref": "pkg:pypi/ghost@1.0",
            "name": "ghost",
            "version": "1.0",
            "purl": "pkg:pypi/ghost@1.0",
        }
    ]
    assert document["serialNumber"].startswith("urn:uuid:")
    assert document["metadata"]["timestamp"].endswith("Z")
    assert document["metadata"]["tools"] == {"components": []}
    assert schema_errors(document) == []


@pytest.mark.parametrize(
    ("name", "version", "expected"),
    [
        ("Zope.Interface", "5.0", "pkg:pypi/zope-interface@5.0"),
        ("typing_extensions", "4.12.2", "pkg:pypi/typing-extensions@4.12.2"),
        ("local", "1.0+ubuntu.1", "pkg:pypi/local@1.0%2Bubuntu.1"),
        ("epoch", "1!2.0", "pkg:pypi/epoch@1%212.0"),
    ],
)
def test_purl(name: str, version: str, expected: str) -> None:
    assert purl(name, version) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"license_expression": "MIT OR Apache-2.0"}, [{"expression": "MIT OR Apache-2.0"}]),
        (
            {
                "license_expression": "MIT",
                "classifiers": ("License :: OSI Approved :: BSD License",),
            },
            [{"expression": "MIT"}],
        ),
        ({"license": "MIT"}, [{"license": {"id": "MIT"}}]),
        ({"license": "apache-2.0"}, [{"license": {"id": "Apache-2.0"}}]),
        ({"license": "Apache License, Version 2.0"}, [{"license": {"id": "Apache-2.0"}}]),
        ({"license": "new BSD"}, [{"license": {"id": "BSD-3-Clause"}}]),
        ({"license": "mit or apache-2.0"}, [{"expression": "MIT OR Apache-2.0"}]),
        (
            {"license": "(MIT OR Apache-2.0) AND BSD-3-Clause"},
            [{"expression": "(MIT OR Apache-2.0) AND BSD-3-Clause"}],
        ),
        (
            {"license": "GPL-2.0-or-later WITH Classpath-exception-2.0"},
            [{"expression": "GPL-2.0-or-later WITH Classpath-exception-2.0"}],
        ),
        ({"license": "MIT OR Something-Else"}, [{"license": {"name": "MIT OR Something-Else"}}]),
        ({"license": "Proprietary"}, [{"license": {"name": "Proprietary"}}]),
        ({"license": "UNKNOWN"}, []),
        ({}, []),
        (
            {
                "license": "BSD",
                "classifiers": (
                    "Intended Audience :: Developers",
                    "License :: OSI Approved",
                    "License :: OSI Approved :: BSD License",
                    "License :: OSI Approved :: MIT License",
                    "License :: OSI Approved :: MIT License",
                    "License :: Public Domain",
                ),
            },
            [
                {"license": {"name": "BSD License"}},
                {"license": {"id": "MIT"}},
                {"license": {"name": "Public Domain"}},
            ],
        ),
        (
            {
                "license": "Apache 2.0",
                "classifiers": ("License :: OSI Approved :: Apache Software License",),
            },
            [{"license": {"id": "Apache-2.0"}}],
        ),
        (
            {
                "classifiers": (
                    "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)",
                )
            },
            [{"license": {"id": "GPL-3.0-or-later"}}],
        ),
        (
            {"license": LICENSE_TEXT},
            [
                {
                    "license": {
                        "name": "Copyright (c) 2024 Someone",
                        "text": {
                            "content": LICENSE_TEXT,
                            "contentType": "text/plain",
                        },
                    }
                }
            ],
        ),
    ],
)
def test_licenses(fields: dict, expected: list) -> None:
    assert licenses(metadata(**fields)) == expected


def test_license_ids_are_spdx_ids(spdx_license_ids) -> None:
    """Every identifier the plugin can write is one the CycloneDX schema accepts."""
    known = spdx_license_ids
    written = {*CLASSIFIER_IDS.values(), *KNOWN_IDS, *_ALIASES.values()}
    assert written - known == set()


def test_the_schema_check_checks(schema_errors) -> None:
    """The validation is real: the SPDX list is resolved through the registry."""
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [
            {
                "type": "library",
                "name": "x",
                "licenses": [{"license": {"id": "Not-A-License"}}],
            },
            {
                "type": "library",
                "name": "y",
                "licenses": [{"expression": "MIT"}, {"expression": "0BSD"}],
            },
        ],
    }
    errors = schema_errors(document)
    assert any(error.startswith("components/0/licenses") for error in errors), errors
    assert any(error.startswith("components/1/licenses") for error in errors), errors


def test_atomic_write(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "sbom.json"
    previous = os.umask(0o022)
    try:
        write_json_atomically(target, {"a": "é"})
        write_json_atomically(target, {"b": 1})
    finally:
        os.umask(previous)
    assert json.loads(target.read_text(encoding="utf-8")) == {"b": 1}
    assert target.read_text(encoding="utf-8").endswith("}\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644, "not a temporary file's 0600"
    assert os.listdir(target.parent) == ["sbom.json"]


def test_atomic_write_failure_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "a-directory"
    target.mkdir()
    with pytest.raises(IsADirectoryError):
        write_json_atomically(target, {})
    assert os.listdir(tmp_path) == ["a-directory"]
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError):
        write_json_atomically(tmp_path / "file" / "sbom.json", {})


def test_also_valid_cyclonedx_1_6(site: Path, tmp_path: Path, schema_errors) -> None:
    """The README's promise: only ``specVersion`` would change for CycloneDX 1.6."""
    project = tmp_path / "project"
    document = bom(
        make_dist(
            site,
            "mine",
            "1.0",
            fields=("License: MIT", "Summary: mine", "Requires-Dist: lib"),
            direct_url=project.as_uri(),
            direct_url_json={"url": project.as_uri(), "dir_info": {"editable": True}},
            editable=True,
        ),
        make_dist(
            site,
            "lib",
            "2.0",
            fields=("Classifier: License :: OSI Approved :: BSD License",),
            direct_url_json={
                "url": "https://files.example/lib-2.0.tar.gz",
                "archive_info": {"hashes": {"sha256": DIGEST}},
            },
            direct_url="https://files.example/lib-2.0.tar.gz",
        ),
    )
    assert schema_errors(document) == []
    document["specVersion"] = "1.6"
    document["$schema"] = "http://cyclonedx.org/schema/bom-1.6.schema.json"
    assert schema_errors(document) == []
