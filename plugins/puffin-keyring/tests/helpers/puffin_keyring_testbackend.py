"""Keyring backends for puffin-keyring's tests, loaded by the puffin subprocess.

Selected with ``PYTHON_KEYRING_BACKEND=puffin_keyring_testbackend.FileKeyring`` and this
directory on ``PYTHONPATH``:

``FileKeyring``
    entries in the JSON file ``$PUFFIN_KEYRING_TEST_STORE`` (``{service: {user:
    password}}``); every lookup is appended to ``$PUFFIN_KEYRING_TEST_LOG`` as one JSON
    line ``{"op": ..., "service": ..., "username": ...}``, so a test can see whether (and
    in which order) the keyring was asked. ``get_credential`` without a user name answers
    with the first user stored for the service, as the macOS, Windows and Secret Service
    backends do.
``LockedKeyring``
    logs like ``FileKeyring`` and then raises ``KeyringLocked`` on every call.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.credentials import SimpleCredential
from keyring.errors import KeyringLocked, PasswordDeleteError

STORE_VARIABLE = "PUFFIN_KEYRING_TEST_STORE"
LOG_VARIABLE = "PUFFIN_KEYRING_TEST_LOG"


def _log(op: str, service: str, username: str | None) -> None:
    log = os.environ.get(LOG_VARIABLE)
    if log:
        with Path(log).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"op": op, "service": service, "username": username}) + "\n")


class FileKeyring(KeyringBackend):
    """A plaintext JSON keyring: for tests only."""

    priority = 1  # any: PYTHON_KEYRING_BACKEND selects it by name

    @staticmethod
    def _path() -> Path:
        return Path(os.environ[STORE_VARIABLE])

    def _read(self) -> dict[str, dict[str, str]]:
        path = self._path()
        if not path.exists():
            return {}
        data: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
        return data

    def get_password(self, service: str, username: str) -> str | None:
        _log("get_password", service, username)
        return self._read().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._read()
        data.setdefault(service, {})[username] = password
        self._path().write_text(json.dumps(data), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        data = self._read()
        if username not in data.get(service, {}):
            raise PasswordDeleteError(f"no entry for {username} in {service}")
        del data[service][username]
        self._path().write_text(json.dumps(data), encoding="utf-8")

    def get_credential(self, service: str, username: str | None) -> SimpleCredential | None:
        _log("get_credential", service, username)
        users = self._read().get(service, {})
        if username is not None:
            password = users.get(username)
            return None if password is None else SimpleCredential(username, password)
        for user, password in users.items():
            return SimpleCredential(user, password)
        return None


class LockedKeyring(FileKeyring):
    """A keyring that is always locked."""

    def get_password(self, service: str, username: str) -> str | None:
        _log("get_password", service, username)
        raise KeyringLocked("the test keyring is locked")

    def get_credential(self, service: str, username: str | None) -> SimpleCredential | None:
        _log("get_credential", service, username)
        raise KeyringLocked("the test keyring is locked")
