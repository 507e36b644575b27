"""The value types: origins, index options, manifests, and command-line requirement strings."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from puffin.requirements import (
    IndexOptions,
    Manifest,
    Origin,
    RequirementsError,
    parse_editable_string,
    parse_requirement_string,
)

COMMAND_LINE = Origin(None)


def test_origin_shows_paths_relative_to_the_working_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert str(Origin(tmp_path / "sub" / "requirements.txt", 3)) == "sub/requirements.txt:3"
    assert str(Origin(Path("requirements.txt"), 7)) == "requirements.txt:7"
    assert str(Origin(Path("/elsewhere/r.txt"), 1)) == "/elsewhere/r.txt:1"
    assert str(Origin(tmp_path / "pyproject.toml")) == "pyproject.toml"
    assert str(COMMAND_LINE) == "<command line>"


def test_index_options_merge_later_index_wins_and_lists_accumulate() -> None:
    first = IndexOptions(
        index_url="https://a/simple", extra_index_urls=("https://x",), find_links=("/w",)
    )
    second = IndexOptions(extra_index_urls=("https://y", "https://x"), find_links=("/w", "/v"))
    merged = first.merge(second)
    assert merged == IndexOptions(
        index_url="https://a/simple",
        extra_index_urls=("https://x", "https://y"),
        find_links=("/w", "/v"),
        no_index=False,
    )
    assert merged.merge(IndexOptions(index_url="https://b", no_index=True)).index_url == "https://b"
    assert merged.merge(IndexOptions(no_index=True)).no_index
    assert IndexOptions(no_index=True).merge(IndexOptions()).no_index


def test_manifest_editables_and_immutability(tmp_path: Path) -> None:
    plain = parse_requirement_string("foo", origin=COMMAND_LINE, base_dir=tmp_path)
    editable = parse_editable_string("./proj", origin=COMMAND_LINE, base_dir=tmp_path)
    manifest = Manifest(requirements=(plain, editable))
    assert manifest.editables == (editable,)
    assert manifest.constraints == () and manifest.overrides == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        manifest.requirements = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        plain.editable = True  # type: ignore[misc]


def test_command_line_requirement_resolves_paths_against_base_dir(tmp_path: Path) -> None:
    entry = parse_requirement_string("  ../pkg[cli]  ", origin=COMMAND_LINE, base_dir=tmp_path)
    assert entry.requirement is None
    assert entry.url_or_path == str(tmp_path.parent / "pkg")
    assert entry.extras == ("cli",)
    assert entry.text == "../pkg[cli]"
    assert entry.origin == COMMAND_LINE


def test_command_line_requirement_is_not_env_expanded(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("VERSION", "1.0")
    entry = parse_requirement_string(
        "foo @ https://x/${VERSION}/f.whl", origin=COMMAND_LINE, base_dir=tmp_path
    )
    assert entry.url_or_path == "https://x/${VERSION}/f.whl"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("foo>>1", "<command line>: invalid requirement 'foo>>1': Expected"),
        ("   ", "<command line>: empty requirement"),
        ("foo[", "<command line>: invalid requirement 'foo[': "),
    ],
)
def test_command_line_errors_say_command_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(RequirementsError) as caught:
        parse_requirement_string(text, origin=COMMAND_LINE, base_dir=tmp_path)
    assert str(caught.value).startswith(expected)


def test_archive_name_without_directory_is_a_path_not_a_project(tmp_path: Path) -> None:
    entry = parse_requirement_string(
        "foo-1.0-py3-none-any.whl", origin=COMMAND_LINE, base_dir=tmp_path
    )
    assert entry.requirement is None
    assert entry.url_or_path == str(tmp_path / "foo-1.0-py3-none-any.whl")


def test_path_containing_an_at_sign_is_still_a_path(tmp_path: Path) -> None:
    entry = parse_requirement_string("./dir@v1/pkg", origin=COMMAND_LINE, base_dir=tmp_path)
    assert entry.requirement is None
    assert entry.url_or_path == str(tmp_path / "dir@v1" / "pkg")
