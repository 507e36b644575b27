"""puffin-keyring end to end: real ``python -m puffin`` runs against a local index on
127.0.0.1 that requires HTTP basic auth, with a file-backed keyring backend.

The plugin must be installed the way users install it (``pip install
plugins/puffin-keyring``); the keyring backend is ``tests/helpers/
puffin_keyring_testbackend.py``, put on the subprocess's ``PYTHONPATH`` and selected
with ``PYTHON_KEYRING_BACKEND``. It logs every lookup to a file, so the tests see whether,
when and for what the keyring was asked.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from puffin.testing import installed_versions

HELPERS = Path(__file__).parent / "helpers"
SOURCE = Path(__file__).parents[1] / "src"
USER = "alice"
PASSWORD = "kr-S3cret-7f1d9"  # distinctive, so that a leak cannot hide in other text
BACKEND = "puffin_keyring_testbackend.FileKeyring"
LOCKED_BACKEND = "puffin_keyring_testbackend.LockedKeyring"


@dataclass
class FakeKeyring:
    """The test backend's files: its store, and the log of lookups puffin made."""

    store: Path
    log: Path

    def set(self, service: str, username: str, password: str) -> None:
        data = json.loads(self.store.read_text()) if self.store.exists() else {}
        data.setdefault(service, {})[username] = password
        self.store.write_text(json.dumps(data))

    def lookups(self) -> list[dict[str, str | None]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


@pytest.fixture
def fake_keyring(run_puffin, tmp_path_factory) -> FakeKeyring:
    """Point every ``run_puffin`` call of the test at the file-backed test keyring."""
    directory = tmp_path_factory.mktemp("keyring")
    keyring = FakeKeyring(directory / "store.json", directory / "lookups.jsonl")
    python_path = [str(HELPERS), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    run_puffin.env.update(
        {
            "PYTHON_KEYRING_BACKEND": BACKEND,
            "PYTHONPATH": os.pathsep.join(python_path),
            "PUFFIN_KEYRING_TEST_STORE": str(keyring.store),
            "PUFFIN_KEYRING_TEST_LOG": str(keyring.log),
        }
    )
    return keyring


@pytest.fixture
def wheels(make_wheel) -> list[Path]:
    return [make_wheel("app", "1.0", requires_dist=["lib"]), make_wheel("lib", "2.0")]


@pytest.fixture
def private_index(local_index, wheels):
    """An index that answers 401 to every request without alice's password."""
    return local_index(wheels, auth=(USER, PASSWORD))


@pytest.fixture
def venv(run_puffin, fake_keyring, tmp_path: Path) -> Path:
    run_puffin("venv", str(tmp_path / "env"), "-p", sys.executable).assert_ok()
    return tmp_path / "env"


def host(index) -> str:
    return f"127.0.0.1:{index.port}"


def installed(venv: Path) -> dict[str, str]:
    return installed_versions(venv)


def install(run_puffin, venv: Path, index_url: str, env=None):
    return run_puffin("pip", "install", "-p", str(venv), "-i", index_url, "app", "-vv", env=env)


def assert_no_secret(result, *secrets: str) -> None:
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    for secret in (PASSWORD, token, *secrets):
        assert secret not in result.stdout
        assert secret not in result.stderr


# -- the plugin as installed -----------------------------------------------------------


def test_keyring_plugin_is_installed_not_run_from_source() -> None:
    spec = importlib.util.find_spec("puffin_keyring")
    assert spec is not None and spec.origin is not None, (
        "install the plugin first: python -m pip install ./plugins/puffin-keyring"
    )
    assert SOURCE.resolve() not in Path(spec.origin).resolve().parents, (
        "the tests must run against an installed (non-editable) puffin-keyring"
    )


def test_keyring_plugin_is_listed(run_puffin) -> None:
    result = run_puffin("plugins", "list", "--format", "json")
    result.assert_ok()
    plugins = {entry["name"]: entry for entry in json.loads(result.stdout)}
    entry = plugins["keyring"]
    assert entry["distribution"] == "puffin-keyring"
    assert entry["origin"] == "entry point"
    assert entry["hooks"] == ["puffin_get_credentials"]
    text = run_puffin("plugins", "list").assert_ok().stdout
    assert any(line.split()[:2] == ["keyring", "puffin-keyring"] for line in text.splitlines())


def test_keyring_is_not_imported_at_start_up() -> None:
    code = "import sys, puffin_keyring; print('keyring' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


# -- credentials ---------------------------------------------------------------------


def test_keyring_without_an_entry_the_install_fails_with_401(
    run_puffin, venv, private_index, fake_keyring
) -> None:
    result = install(run_puffin, venv, private_index.simple_url)
    assert result.returncode == 1, result.describe()
    assert "401" in result.stderr
    assert "authentication failed" in result.stderr
    assert private_index.simple_url in result.stderr  # the message names the index
    assert "Traceback" not in result.stderr
    services = [lookup["service"] for lookup in fake_keyring.lookups()]
    # The request URL first (uv), the host last (pip, uv).
    assert services[0] == f"{private_index.simple_url}app/"
    assert services[-1] == host(private_index)
    assert "app" not in installed(venv)


def test_keyring_entry_for_the_host_installs(run_puffin, venv, private_index, fake_keyring) -> None:
    fake_keyring.set(host(private_index), USER, PASSWORD)
    result = install(run_puffin, venv, private_index.simple_url)
    result.assert_ok()
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}
    assert f"user {USER!r}" in result.stderr  # -vv says whose credentials were used
    assert_no_secret(result)
    # The index was asked once without credentials, and only then the keyring; from then
    # on every request (pages of app and lib, metadata, wheels) carried its answer.
    statuses = [(record.status, record.authorization) for record in private_index.requests]
    assert statuses[0] == (401, False)
    assert statuses[1:] and set(statuses[1:]) == {(200, True)}


def test_keyring_is_asked_once_per_host(run_puffin, venv, private_index, fake_keyring) -> None:
    fake_keyring.set(host(private_index), USER, PASSWORD)
    install(run_puffin, venv, private_index.simple_url).assert_ok()
    services = [lookup["service"] for lookup in fake_keyring.lookups()]
    # app, lib and both files each needed credentials; one lookup sequence served them.
    assert services.count(host(private_index)) == 1
    assert len(private_index.requests) >= 5


def test_keyring_wrong_password_fails_without_printing_it(
    run_puffin, venv, private_index, fake_keyring
) -> None:
    wrong = "wr0ng-Pa55-e3c1"
    fake_keyring.set(host(private_index), USER, wrong)
    result = install(run_puffin, venv, private_index.simple_url)
    assert result.returncode == 1, result.describe()
    assert "401" in result.stderr and private_index.simple_url in result.stderr
    wrong_token = base64.b64encode(f"{USER}:{wrong}".encode()).decode()
    assert_no_secret(result, wrong, wrong_token)


def test_keyring_is_never_asked_by_an_index_without_auth(
    run_puffin, venv, local_index, wheels, fake_keyring
) -> None:
    fake_keyring.set("127.0.0.1", USER, PASSWORD)  # there, but must not be needed
    index = local_index(wheels)
    result = install(run_puffin, venv, index.simple_url)
    result.assert_ok()
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}
    assert fake_keyring.lookups() == []
    assert "keyring:" not in result.stderr


def test_keyring_user_named_in_the_index_url_is_asked_before_any_401(
    run_puffin, venv, private_index, fake_keyring
) -> None:
    fake_keyring.set(host(private_index), USER, PASSWORD)
    url = private_index.simple_url.replace("http://", f"http://{USER}@")
    result = install(run_puffin, venv, url)
    result.assert_ok()
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}
    assert fake_keyring.lookups()
    assert all(record.status == 200 for record in private_index.requests)
    assert_no_secret(result)


def test_keyring_asks_for_the_user_named_in_the_index_url(
    run_puffin, venv, private_index, fake_keyring
) -> None:
    fake_keyring.set(host(private_index), "bob", "bobs-password")
    fake_keyring.set(host(private_index), USER, PASSWORD)
    url = private_index.simple_url.replace("http://", f"http://{USER}@")
    result = install(run_puffin, venv, url)
    assert {lookup["username"] for lookup in fake_keyring.lookups()} == {USER}
    result.assert_ok()


def test_keyring_entry_for_the_index_url_installs(
    run_puffin, venv, private_index, fake_keyring
) -> None:
    fake_keyring.set(private_index.simple_url, USER, PASSWORD)  # as pip looks it up
    result = install(run_puffin, venv, private_index.simple_url)
    result.assert_ok()
    assert_no_secret(result)


def test_keyring_locked_backend_does_not_crash_puffin(
    run_puffin, venv, private_index, fake_keyring
) -> None:
    fake_keyring.set(host(private_index), USER, PASSWORD)
    result = install(
        run_puffin, venv, private_index.simple_url, env={"PYTHON_KEYRING_BACKEND": LOCKED_BACKEND}
    )
    assert result.returncode == 1, result.describe()
    assert "keyring: lookup failed (KeyringLocked" in result.stderr
    assert "authentication failed" in result.stderr and "401" in result.stderr
    assert "Traceback" not in result.stderr
    assert "plugin 'keyring'" not in result.stderr  # handled, not a plugin failure
    assert_no_secret(result)


def test_keyring_plugin_can_be_blocked(run_puffin, venv, private_index, fake_keyring) -> None:
    fake_keyring.set(host(private_index), USER, PASSWORD)
    result = run_puffin(
        "-p", "no:keyring", "pip", "install", "-p", str(venv), "-i", private_index.simple_url, "app"
    )
    assert result.returncode == 1, result.describe()
    assert "401" in result.stderr
    assert fake_keyring.lookups() == []
