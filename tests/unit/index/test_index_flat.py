"""puffin.index.flat: find-links directories and pages into an immutable FlatIndex."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import pytest

from puffin.index.flat import FlatIndex
from puffin.index.simple import IndexPageError
from puffin.testing.dists import make_sdist, make_wheel
from puffin.testing.index import FlatDirectory, write_flat_html
from puffin.types.dist import DistFile
from puffin.types.index import IndexKind, IndexSpec

LOCAL = IndexSpec("/wheels", IndexKind.FLAT, priority=1)
REMOTE = IndexSpec("https://links.test/wheels/", IndexKind.FLAT, priority=2)


def dist(filename: str, spec: IndexSpec = LOCAL) -> DistFile:
    return DistFile(filename, f"https://host.test/{filename}", spec)


@pytest.fixture
def flat_dir(tmp_path: Path) -> FlatDirectory:
    directory = FlatDirectory(tmp_path / "links")
    made = tmp_path / "made"
    directory.add(
        make_wheel(made, "Foo.Bar", "1.0"),
        make_wheel(made, "Foo.Bar", "2.0", tag="cp311-cp311-linux_x86_64"),
        make_sdist(made, "Foo.Bar", "2.0"),
        make_wheel(made, "other", "0.1", requires_python=">=3.9"),
    )
    # Things a find-links directory holds besides distributions:
    (directory.path / "README.txt").write_text("hello")
    (directory.path / "old-1.0-py2.7.egg").write_bytes(b"egg")
    (directory.path / "broken.tar.gz").write_bytes(b"no version")
    (directory.path / "dir-1.0.tar.gz").mkdir()
    return directory


def test_from_directory(flat_dir: FlatDirectory) -> None:
    index = FlatIndex.from_directory(flat_dir.path, LOCAL)
    assert index.names() == ("foo-bar", "other")
    files = index.files("foo-bar")
    assert [f.filename for f in files] == [
        "foo_bar-1.0-py3-none-any.whl",
        "foo_bar-2.0-cp311-cp311-linux_x86_64.whl",
        "foo_bar-2.0.tar.gz",
    ]
    for file in files:
        path = flat_dir.path / file.filename
        assert file.url == path.resolve().as_uri()
        assert file.size == path.stat().st_size
        assert file.hashes == ()
        assert file.source is LOCAL
        assert file.yanked is None


def test_from_directory_resolves_relative_paths(
    flat_dir: FlatDirectory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(flat_dir.path.parent)
    index = FlatIndex.from_directory(Path("links"), LOCAL)
    assert index.files("other")[0].url.startswith("file:///")


def test_from_directory_with_odd_file_names(tmp_path: Path) -> None:
    directory = tmp_path / "with space"
    directory.mkdir()
    (directory / "Legacy_Name-1.0-1.zip").write_bytes(b"")
    (directory / "a-1.0+local-py3-none-any.whl").write_bytes(b"")
    index = FlatIndex.from_directory(directory, LOCAL)
    assert index.names() == ("a", "legacy-name-1-0")
    [wheel] = index.files("a")
    assert wheel.url.endswith("/with%20space/a-1.0%2Blocal-py3-none-any.whl")


def test_from_directory_errors(tmp_path: Path) -> None:
    with pytest.raises(IndexPageError, match="missing"):
        FlatIndex.from_directory(tmp_path / "missing", LOCAL)
    (tmp_path / "file").write_text("")
    with pytest.raises(IndexPageError):
        FlatIndex.from_directory(tmp_path / "file", LOCAL)


def test_from_html_page(flat_dir: FlatDirectory) -> None:
    # Only the distributions: the harness cannot read the junk files' metadata.
    dists = [p for p in flat_dir.files if p.is_file() and p.name != "broken.tar.gz"]
    page = write_flat_html(flat_dir.path, dists)
    index = FlatIndex.from_html(
        page.read_bytes(), url="https://links.test/wheels/index.html", source=REMOTE
    )
    assert index.names() == ("foo-bar", "other")
    [other] = index.files("Other")
    assert other.url == "https://links.test/wheels/other-0.1-py3-none-any.whl"
    expected = hashlib.sha256((flat_dir.path / other.filename).read_bytes()).hexdigest()
    assert other.hashes == (("sha256", expected),)
    assert other.requires_python == ">=3.9"
    assert other.source is REMOTE


def test_from_local_html_page(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "made", "a", "1.0")
    page = write_flat_html(tmp_path / "links", [wheel], hashes=False)
    index = FlatIndex.from_html(page.read_bytes(), url=page.as_uri(), source=LOCAL)
    [file] = index.files("a")
    assert file.url == (tmp_path / "links" / wheel.name).as_uri()
    assert file.hashes == ()


def test_from_html_skips_junk_and_repeats() -> None:
    content = b"""<html><body>
    <a href="a-1.0.tar.gz">a-1.0.tar.gz</a>
    <a href="mirror/a-1.0.tar.gz">same name again</a>
    <a href="a-1.0.exe">installer</a>
    <a href="../">parent</a>
    <a href="a-notaversion.tar.gz">bad</a>
    """
    index = FlatIndex.from_html(content, url="https://links.test/p/", source=REMOTE)
    assert [f.url for f in index.files("a")] == ["https://links.test/p/a-1.0.tar.gz"]
    assert len(index) == 1


def test_merge_keeps_the_first_location_of_a_file_name() -> None:
    first = FlatIndex.from_files([dist("a-1.0.tar.gz", LOCAL), dist("b-1-py3-none-any.whl")])
    second = FlatIndex.from_files([dist("a-1.0.tar.gz", REMOTE), dist("a-2.0.tar.gz", REMOTE)])
    merged = FlatIndex.merge(first, second)
    assert [(f.filename, f.source) for f in merged.files("a")] == [
        ("a-1.0.tar.gz", LOCAL),
        ("a-2.0.tar.gz", REMOTE),
    ]
    assert merged.names() == ("a", "b")
    assert [f.source for f in FlatIndex.merge(second, first).files("a")] == [REMOTE, REMOTE]
    assert FlatIndex.merge() == FlatIndex()


def test_mapping_interface() -> None:
    index = FlatIndex.from_files([dist("Foo.Bar-1.0.tar.gz"), dist("zed-1.0.zip")])
    assert isinstance(index, Mapping)
    assert set(index) == {"foo-bar", "zed"}
    assert len(index) == 2
    assert index["foo-bar"] == (dist("Foo.Bar-1.0.tar.gz"),)
    assert "zed" in index
    with pytest.raises(KeyError):
        index["Foo.Bar"]  # keys are normalized; files() accepts any spelling
    assert index.files("FOO_bar") == index["foo-bar"]
    assert index.files("missing") == ()
    assert index == FlatIndex(
        {"foo-bar": (dist("Foo.Bar-1.0.tar.gz"),), "zed": (dist("zed-1.0.zip"),)}
    )  # type: ignore[dict-item]
    assert repr(index) == "FlatIndex(2 projects, 2 files)"


def test_immutable() -> None:
    source: dict[str, list[DistFile]] = {"a": [dist("a-1.0.tar.gz")]}
    index = FlatIndex(source)  # type: ignore[arg-type]
    source["a"].append(dist("a-2.0.tar.gz"))
    source["b"] = []
    assert index.names() == ("a",)
    assert index.files("a") == (dist("a-1.0.tar.gz"),)
    with pytest.raises(TypeError):
        index.projects["b"] = ()  # type: ignore[index]
    with pytest.raises(AttributeError):
        index.projects = {}  # type: ignore[misc]
