"""Our entry-point scanner agrees with importlib.metadata."""

from __future__ import annotations

import sys
from importlib.metadata import distributions, entry_points
from pathlib import Path

from puffin.plugin.entry_points import find_entry_points


def test_agrees_with_importlib_metadata_on_this_environment() -> None:
    for group in ("console_scripts", "pytest11"):
        ours = {(ep.name, ep.value, ep.dist_name) for ep in find_entry_points(group, sys.path)}
        theirs = {(ep.name, ep.value, ep.dist.name) for ep in entry_points(group=group) if ep.dist}
        assert ours == theirs, group
    assert any(True for _ in distributions())


def test_first_distribution_on_the_path_wins(tmp_path: Path) -> None:
    for directory, version in (("first", "2.0"), ("second", "1.0")):
        info = tmp_path / directory / f"my_plugin-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: My.Plugin\nVersion: {version}\n"
        )
        (info / "entry_points.txt").write_text(
            "[other]\nx = y\n\n[puffin]\n# a comment\nmine = my_plugin:hooks  \n"
        )
    found = find_entry_points("puffin", [str(tmp_path / "first"), str(tmp_path / "second")])
    assert [(ep.name, ep.module, ep.attribute, ep.dist_name, ep.dist_version) for ep in found] == [
        ("mine", "my_plugin", "hooks", "My.Plugin", "2.0")
    ]


def test_missing_and_non_directory_path_entries_are_skipped(tmp_path: Path) -> None:
    archive = tmp_path / "archive.zip"
    archive.write_bytes(b"PK")
    assert find_entry_points("puffin", [str(tmp_path / "missing"), str(archive)]) == []
