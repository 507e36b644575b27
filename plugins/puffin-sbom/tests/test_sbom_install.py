"""puffin-sbom from the user's side: real ``python -m puffin`` runs against a local index.

The plugin must be installed the way users install it (``pip install plugins/puffin-sbom``):
puffin finds it through its entry point, in the subprocess.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

APP = "pkg:pypi/app@1.0"
LIB = "pkg:pypi/lib@2.0"
HELPER = "pkg:pypi/helper-tools@0.5"


@pytest.fixture
def dists(make_wheel) -> dict[str, Path]:
    return {
        "app": make_wheel(
            "app",
            "1.0",
            requires_dist=[
                "lib>=1",
                "Helper_Tools; python_version >= '3'",
                "never-installed; python_version < '3'",
            ],
            extras={"fancy": ["fancy-dep"]},
            metadata_version="2.4",
            metadata_extra={"Summary": "The application", "License-Expression": "MIT OR 0BSD"},
        ),
        "lib": make_wheel(
            "lib",
            "2.0",
            metadata_extra={
                "Summary": "A library",
                "Classifier": [
                    "Development Status :: 5 - Production/Stable",
                    "License :: OSI Approved :: MIT License",
                    "License :: OSI Approved :: BSD License",
                ],
            },
        ),
        "helper": make_wheel("Helper_Tools", "0.5", metadata_extra={"License": "Apache 2.0"}),
        "fancy-dep": make_wheel("fancy-dep", "1.0"),
        "other": make_wheel("other", "3.1", metadata_extra={"License": "Proprietary"}),
    }


@pytest.fixture
def index(local_index, dists):
    return local_index(list(dists.values()))


def read_sbom(path: Path) -> dict:
    assert path.is_file(), f"no SBOM at {path}"
    return json.loads(path.read_text(encoding="utf-8"))


def components(document: dict) -> dict[str, dict]:
    return {component["bom-ref"]: component for component in document["components"]}


def edges(document: dict) -> dict[str, list[str]]:
    return {entry["ref"]: entry["dependsOn"] for entry in document["dependencies"]}


def freeze(run_puffin, venv: Path) -> set[str]:
    result = run_puffin("pip", "freeze", "--python", str(venv)).assert_ok()
    return set(result.stdout.split())


def install(run_puffin, venv: Path, index, *args: str, env=None):
    return run_puffin("pip", "install", "-p", str(venv), "-i", index.simple_url, *args, env=env)


def test_plugin_is_listed(run_puffin) -> None:
    result = run_puffin("plugins", "list").assert_ok()
    line = next(line for line in result.stdout.splitlines() if line.startswith("sbom "))
    assert "puffin-sbom 0.1.0" in line
    assert "entry point" in line
    assert "puffin_add_options" in line
    assert "puffin_post_install" in line


def test_option_is_documented(run_puffin) -> None:
    result = run_puffin("pip", "install", "--help").assert_ok()
    assert "--sbom" in result.stdout


def test_install_writes_the_sbom(run_puffin, venv, index, tmp_path, validate_bom) -> None:
    result = install(run_puffin, venv, index, "--sbom", "sbom.json", "app").assert_ok()
    assert freeze(run_puffin, venv) == {"app==1.0", "lib==2.0", "Helper_Tools==0.5"}
    sbom_path = tmp_path / "sbom.json"
    assert f"Wrote the SBOM of 3 packages to {sbom_path}" in result.stderr + result.stdout
    document = read_sbom(sbom_path)
    validate_bom(document)

    assert document["bomFormat"] == "CycloneDX"
    assert document["specVersion"] == "1.5"
    assert document["version"] == 1
    assert document["serialNumber"].startswith("urn:uuid:")
    metadata = document["metadata"]
    assert datetime.fromisoformat(metadata["timestamp"].replace("Z", "+00:00")).tzinfo
    tools = {tool["name"]: tool.get("version") for tool in metadata["tools"]["components"]}
    assert tools["puffin-sbom"] == "0.1.0"
    assert tools["puffin"]
    root = metadata["component"]
    assert root["type"] == "application"
    assert root["name"] == "env"
    assert str(venv) in root["description"]

    found = components(document)
    assert list(found) == [APP, HELPER, LIB], "one per distribution, sorted by name"
    app, helper, lib = found[APP], found[HELPER], found[LIB]
    assert app == {
        "type": "library",
        "bom-ref": APP,
        "name": "app",
        "version": "1.0",
        "description": "The application",
        "licenses": [{"expression": "MIT OR 0BSD"}],
        "purl": APP,
    }
    assert helper["name"] == "Helper_Tools", "the name as the metadata spells it"
    assert helper["purl"] == HELPER, "the PURL name is normalized"
    assert helper["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert "description" not in helper
    assert lib["description"] == "A library"
    assert lib["licenses"] == [{"license": {"id": "MIT"}}, {"license": {"name": "BSD License"}}]
    assert all("externalReferences" not in c and "properties" not in c for c in found.values())

    assert edges(document) == {
        "environment": [APP],
        APP: [HELPER, LIB],  # not never-installed (marker) nor fancy-dep (extra)
        HELPER: [],
        LIB: [],
    }


def test_sync_rewrites_the_sbom(run_puffin, venv, index, tmp_path, validate_bom) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("app\nother\n")
    sync = ("pip", "sync", "-p", str(venv), "-i", index.simple_url, "--sbom", "out/sbom.json")
    run_puffin(*sync, str(requirements)).assert_ok()
    first = read_sbom(tmp_path / "out" / "sbom.json")
    assert list(components(first)) == [APP, HELPER, LIB, "pkg:pypi/other@3.1"]
    assert components(first)["pkg:pypi/other@3.1"]["licenses"] == [
        {"license": {"name": "Proprietary"}}
    ]
    assert edges(first)["environment"] == [APP, "pkg:pypi/other@3.1"]

    requirements.write_text("lib==2.0\n")
    run_puffin(*sync, str(requirements)).assert_ok()
    assert freeze(run_puffin, venv) == {"lib==2.0"}
    second = read_sbom(tmp_path / "out" / "sbom.json")
    validate_bom(second)
    assert list(components(second)) == [LIB], "removed packages are gone"
    assert edges(second) == {"environment": [LIB], LIB: []}
    assert second["serialNumber"] != first["serialNumber"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["sbom.json"], "no temp file left"


def test_environment_variable_and_unchanged_environment(run_puffin, venv, index, tmp_path) -> None:
    install(run_puffin, venv, index, "app").assert_ok()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "env") == [], "no option, no file"

    result = install(run_puffin, venv, index, "app", env={"PUFFIN_SBOM": "from-env.json"})
    result.assert_ok()
    # Nothing changed (app is installed): the hook still runs and the SBOM is written.
    document = read_sbom(tmp_path / "from-env.json")
    assert list(components(document)) == [APP, HELPER, LIB]


def test_pyproject_setting_is_relative_to_its_file(run_puffin, venv, index, tmp_path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.puffin]\nsbom = "reports/sbom.json"\n')
    subdirectory = tmp_path / "src"
    subdirectory.mkdir()
    run_puffin(
        "pip", "install", "-p", str(venv), "-i", index.simple_url, "lib", cwd=subdirectory
    ).assert_ok()
    document = read_sbom(tmp_path / "reports" / "sbom.json")
    assert list(components(document)) == [LIB]
    assert not (subdirectory / "reports").exists()


def test_unwritable_path_fails_but_keeps_the_installation(
    run_puffin, venv, index, tmp_path
) -> None:
    (tmp_path / "blocker").write_text("a file where a directory should be\n")
    target = tmp_path / "blocker" / "sbom.json"
    result = install(run_puffin, venv, index, "--sbom", str(target), "app")
    result.assert_failed()
    message = result.stderr
    assert "puffin-sbom" in message
    assert f"cannot write the SBOM to {target}" in message
    assert "Not a directory" in message
    assert freeze(run_puffin, venv) == {"app==1.0", "lib==2.0", "Helper_Tools==0.5"}, (
        "the installation stays in place"
    )


def test_direct_url_archives(run_puffin, venv, index, dists, tmp_path, validate_bom) -> None:
    local = dists["other"]
    remote = dists["fancy-dep"]
    digest = hashlib.sha256(remote.read_bytes()).hexdigest()
    remote_url = f"{index.url}/files/{remote.name}"
    install(
        run_puffin,
        venv,
        index,
        "--sbom",
        "sbom.json",
        str(local),
        f"fancy-dep @ {remote_url}#sha256={digest}",
    ).assert_ok()
    document = read_sbom(tmp_path / "sbom.json")
    validate_bom(document)
    found = components(document)
    assert sorted(found) == [
        f"pkg:pypi/fancy-dep@1.0?download_url={remote_url}",
        "pkg:pypi/other@3.1",
    ], "a remote archive gets a download_url qualifier, a local file none"

    other = found["pkg:pypi/other@3.1"]
    assert other["externalReferences"] == [
        {
            "type": "distribution",
            "url": local.as_uri(),
            "comment": "installed from an archive (PEP 610 direct URL)",
        }
    ]
    fancy = found[f"pkg:pypi/fancy-dep@1.0?download_url={remote_url}"]
    assert fancy["externalReferences"] == [
        {
            "type": "distribution",
            "url": remote_url,
            "hashes": [{"alg": "SHA-256", "content": digest}],
            "comment": "installed from an archive (PEP 610 direct URL)",
        }
    ]


def test_unreadable_metadata_is_a_warning(run_puffin, venv, index, tmp_path, validate_bom) -> None:
    # A distribution installed by some other tool, with a Requires-Dist that does not parse.
    site_packages = next((venv / "lib").glob("python*/site-packages"))
    broken = site_packages / "broken-1.0.dist-info"
    broken.mkdir()
    (broken / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken\nVersion: 1.0\nRequires-Dist: !!! nonsense\n"
    )
    result = install(run_puffin, venv, index, "--sbom", "sbom.json", "lib").assert_ok()
    assert "broken==1.0 is in the SBOM without license" in result.stderr + result.stdout
    document = read_sbom(tmp_path / "sbom.json")
    validate_bom(document)
    assert components(document)["pkg:pypi/broken@1.0"] == {
        "type": "library",
        "bom-ref": "pkg:pypi/broken@1.0",
        "name": "broken",
        "version": "1.0",
        "purl": "pkg:pypi/broken@1.0",
    }


def test_unset_option_imports_nothing_more(run_puffin, venv, index, tmp_path) -> None:
    """Without ``sbom``, loading and calling the plugin imports its hook module only."""
    env = {"PYTHONPROFILEIMPORTTIME": "1"}
    # puffin loads plugins with importlib.import_module, which -X importtime does not
    # see; the plugin's own imports are import statements, which it does.
    quiet = install(run_puffin, venv, index, "lib", env=env).assert_ok()
    imported = {line.rsplit("|", 1)[-1].strip() for line in quiet.stderr.splitlines()}
    assert "pluggy" in imported, "-X importtime output is there"
    assert not {"puffin_sbom._write", "puffin_sbom._bom"} & imported

    written = install(run_puffin, venv, index, "lib", "--sbom", "sbom.json", env=env)
    written.assert_ok()
    assert (tmp_path / "sbom.json").is_file()
    imported = {line.rsplit("|", 1)[-1].strip() for line in written.stderr.splitlines()}
    assert "puffin_sbom._bom" in imported
