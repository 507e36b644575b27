"""puffin-keyring in process: which service names and user name it asks the keyring for,
and how it answers, with the file-backed test backend set through ``keyring.set_keyring``.

The context is a stand-in with the two attributes the plugin reads (``reporter`` and,
when puffin provides them, ``source_options``).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import keyring
import keyring.backends.fail
import pytest
from puffin.plugin import Credentials

from puffin_keyring import lookup_plan, puffin_get_credentials

HELPERS = Path(__file__).parent / "helpers"
PASSWORD = "in-proc-S3cret"


class Reporter:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def debug(self, text: str) -> None:
        self.lines.append(text)

    def __getattr__(self, name: str):
        raise AssertionError(f"the plugin must only report at debug level, not {name}")


def context(*index_urls: str, find_links: tuple[str, ...] = ()) -> SimpleNamespace:
    options = None
    if index_urls:
        options = SimpleNamespace(
            index_url=index_urls[0], extra_index_urls=index_urls[1:], find_links=find_links
        )
    return SimpleNamespace(reporter=Reporter(), source_options=options)


@pytest.fixture
def backends(monkeypatch, tmp_path):
    """The test backend module, with its store and log in ``tmp_path``."""
    monkeypatch.syspath_prepend(str(HELPERS))
    monkeypatch.setenv("PUFFIN_KEYRING_TEST_STORE", str(tmp_path / "store.json"))
    monkeypatch.setenv("PUFFIN_KEYRING_TEST_LOG", str(tmp_path / "log.jsonl"))
    import puffin_keyring_testbackend

    previous = keyring.get_keyring()
    yield puffin_keyring_testbackend
    keyring.set_keyring(previous)


def lookups(tmp_path: Path) -> list[tuple[str, str | None]]:
    log = tmp_path / "log.jsonl"
    if not log.exists():
        return []
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    return [(entry["service"], entry["username"]) for entry in entries]


# -- the lookup plan -------------------------------------------------------------------


def test_keyring_plan_without_configured_indexes_is_url_then_host() -> None:
    plan = lookup_plan("https://pkgs.example.com/simple/app/")
    assert plan.services == ("https://pkgs.example.com/simple/app/", "pkgs.example.com")
    assert plan.username is None


def test_keyring_plan_keeps_an_explicit_port_in_the_host() -> None:
    plan = lookup_plan("http://127.0.0.1:8080/simple/app/")
    assert plan.services[-1] == "127.0.0.1:8080"


def test_keyring_plan_tries_the_index_the_url_belongs_to() -> None:
    plan = lookup_plan(
        "https://pkgs.example.com/team/simple/app/",
        [
            "https://pypi.org/simple/",
            "https://pkgs.example.com/simple/",
            "https://pkgs.example.com/team/simple",
        ],
    )
    assert plan.services == (
        "https://pkgs.example.com/team/simple/app/",
        "https://pkgs.example.com/team/simple",
        "https://pkgs.example.com/team/simple/",
        "pkgs.example.com",
    )
    assert plan.username is None


def test_keyring_plan_takes_the_user_from_the_index_url() -> None:
    plan = lookup_plan(
        "https://pkgs.example.com:443/files/ab/app-1.0-py3-none-any.whl",
        ["https://first.last%40corp@pkgs.example.com/simple/"],
    )
    # Files on the index's host belong to it (pip's rule); the default port is the same.
    assert plan.services[1] == "https://pkgs.example.com/simple/"
    assert plan.username == "first.last@corp"
    assert "first.last" not in "".join(plan.services)


def test_keyring_plan_ignores_indexes_on_other_origins() -> None:
    plan = lookup_plan(
        "https://pkgs.example.com/simple/app/",
        ["http://pkgs.example.com/simple/", "https://bob@pkgs.example.com:8443/simple/"],
    )
    assert plan.services == ("https://pkgs.example.com/simple/app/", "pkgs.example.com")
    assert plan.username is None


# -- the hook ------------------------------------------------------------------------


def test_keyring_hook_answers_from_the_first_service_with_an_entry(backends, tmp_path) -> None:
    store = backends.FileKeyring()
    keyring.set_keyring(store)
    store.set_password("https://pkgs.example.com/simple/", "alice", PASSWORD)
    store.set_password("pkgs.example.com", "alice", "not-this-one")
    ctx = context("https://pkgs.example.com/simple/")
    answer = puffin_get_credentials("https://pkgs.example.com/simple/app/", None, ctx)
    assert answer == Credentials("alice", PASSWORD)
    assert lookups(tmp_path) == [
        ("https://pkgs.example.com/simple/app/", None),
        ("https://pkgs.example.com/simple/", None),
    ]
    assert not any(PASSWORD in line for line in ctx.reporter.lines)
    assert PASSWORD not in repr(answer) and PASSWORD not in str(answer)


def test_keyring_hook_asks_for_the_user_of_the_index_url(backends, tmp_path) -> None:
    store = backends.FileKeyring()
    keyring.set_keyring(store)
    store.set_password("pkgs.example.com", "bob", "bobs")
    store.set_password("pkgs.example.com", "alice", PASSWORD)
    ctx = context("https://alice@pkgs.example.com/simple/")
    answer = puffin_get_credentials("https://pkgs.example.com/simple/app/", None, ctx)
    assert answer == Credentials("alice", PASSWORD)
    assert {username for _, username in lookups(tmp_path)} == {"alice"}


def test_keyring_hook_asks_for_the_user_the_requested_url_named(backends, tmp_path) -> None:
    store = backends.FileKeyring()
    keyring.set_keyring(store)
    store.set_password("pkgs.example.com", "alice", "alices")
    store.set_password("pkgs.example.com", "bob", PASSWORD)
    ctx = context("https://alice@pkgs.example.com/simple/")
    answer = puffin_get_credentials("https://pkgs.example.com/simple/app/", "bob", ctx)
    assert answer == Credentials("bob", PASSWORD), "the request's own user wins"
    assert {username for _, username in lookups(tmp_path)} == {"bob"}


def test_keyring_hook_without_an_entry_answers_none(backends, tmp_path) -> None:
    keyring.set_keyring(backends.FileKeyring())
    ctx = context()
    assert puffin_get_credentials("https://pkgs.example.com/simple/app/", None, ctx) is None
    assert [service for service, _ in lookups(tmp_path)] == [
        "https://pkgs.example.com/simple/app/",
        "pkgs.example.com",
    ]
    assert any("nothing stored for pkgs.example.com" in line for line in ctx.reporter.lines)


def test_keyring_hook_survives_a_locked_keyring(backends) -> None:
    keyring.set_keyring(backends.LockedKeyring())
    ctx = context()
    assert puffin_get_credentials("https://pkgs.example.com/simple/app/", None, ctx) is None
    assert any("lookup failed (KeyringLocked" in line for line in ctx.reporter.lines)


def test_keyring_hook_survives_having_no_backend(backends) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    # With a user name, the "fail" backend raises NoKeyringError.
    ctx = context("https://alice@pkgs.example.com/simple/")
    assert puffin_get_credentials("https://pkgs.example.com/simple/app/", None, ctx) is None
    assert any("lookup failed (NoKeyringError" in line for line in ctx.reporter.lines)


def test_keyring_hook_survives_a_context_without_source_options(backends) -> None:
    keyring.set_keyring(backends.FileKeyring())
    ctx = SimpleNamespace(reporter=Reporter())  # no source_options attribute at all
    assert puffin_get_credentials("https://pkgs.example.com/simple/app/", None, ctx) is None
