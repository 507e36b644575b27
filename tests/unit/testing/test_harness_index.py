"""puffin.testing.index on disk: the simple index files, negotiation rules, find-links pages."""

from __future__ import annotations

import hashlib
import html.parser
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from puffin.testing.dists import make_sdist, make_wheel, metadata_of
from puffin.testing.index import (
    HTML_CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    FlatDirectory,
    IndexBuilder,
    negotiate_content_type,
    write_flat_html,
    write_simple_index,
)


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str | None]] = []
        self.meta: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append(dict(attrs))
        elif tag == "meta":
            values = dict(attrs)
            self.meta[values.get("name") or ""] = values.get("content")


def parse_links(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text())
    return parser


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def dists(tmp_path: Path) -> list[Path]:
    out = tmp_path / "dists"
    return [
        make_wheel(out, "Foo_Bar", "1.0", requires_python=">=3.8"),
        make_wheel(out, "Foo_Bar", "2.0", requires_python=">=3.10,<4"),
        make_sdist(out, "Foo_Bar", "2.0", requires_python=">=3.10,<4"),
        make_wheel(out, "other", "0.1"),
    ]


def test_layout(tmp_path: Path, dists: list[Path]) -> None:
    root = tmp_path / "index"
    write_simple_index(root, dists)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == [
        "files/foo_bar-1.0-py3-none-any.whl",
        "files/foo_bar-1.0-py3-none-any.whl.metadata",
        "files/foo_bar-2.0-py3-none-any.whl",
        "files/foo_bar-2.0-py3-none-any.whl.metadata",
        "files/foo_bar-2.0.tar.gz",
        "files/other-0.1-py3-none-any.whl",
        "files/other-0.1-py3-none-any.whl.metadata",
        "simple/foo-bar/index.html",
        "simple/foo-bar/index.json",
        "simple/index.html",
        "simple/index.json",
        "simple/other/index.html",
        "simple/other/index.json",
    ]
    for dist in dists:
        assert (root / "files" / dist.name).read_bytes() == dist.read_bytes()
    metadata = root / "files/foo_bar-1.0-py3-none-any.whl.metadata"
    assert metadata.read_text() == metadata_of(dists[0])


def test_project_html_page(tmp_path: Path, dists: list[Path]) -> None:
    root = tmp_path / "index"
    write_simple_index(root, dists, yanked={"foo_bar-1.0-py3-none-any.whl": "broken <build>"})
    page = parse_links(root / "simple/foo-bar/index.html")
    assert page.meta["pypi:repository-version"] == "1.1"
    by_name = {a["href"].split("#")[0].rsplit("/", 1)[-1]: a for a in page.anchors if a["href"]}
    assert sorted(by_name) == [
        "foo_bar-1.0-py3-none-any.whl",
        "foo_bar-2.0-py3-none-any.whl",
        "foo_bar-2.0.tar.gz",
    ]
    old = by_name["foo_bar-1.0-py3-none-any.whl"]
    assert old["href"] == f"../../files/foo_bar-1.0-py3-none-any.whl#sha256={sha256(dists[0])}"
    assert old["data-requires-python"] == ">=3.8"
    assert old["data-yanked"] == "broken <build>"
    metadata_hash = sha256(root / "files/foo_bar-1.0-py3-none-any.whl.metadata")
    assert old["data-core-metadata"] == f"sha256={metadata_hash}"
    assert old["data-dist-info-metadata"] == f"sha256={metadata_hash}"
    new = by_name["foo_bar-2.0-py3-none-any.whl"]
    assert "data-yanked" not in new
    sdist = by_name["foo_bar-2.0.tar.gz"]
    assert (
        sdist["data-requires-python"] == "<4,>=3.10" or sdist["data-requires-python"] == ">=3.10,<4"
    )
    assert "data-core-metadata" not in sdist  # metadata files are for wheels only
    # Attribute values are HTML-escaped in the raw page.
    raw = (root / "simple/foo-bar/index.html").read_text()
    assert 'data-requires-python="&gt;=3.8"' in raw
    assert 'data-yanked="broken &lt;build&gt;"' in raw


def test_project_json_page(tmp_path: Path, dists: list[Path]) -> None:
    root = tmp_path / "index"
    uploaded = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    write_simple_index(
        root,
        dists,
        yanked={"foo_bar-1.0-py3-none-any.whl": "", "foo_bar-2.0.tar.gz": "bad sdist"},
        upload_times={
            "foo_bar-2.0-py3-none-any.whl": uploaded,
            "foo_bar-2.0.tar.gz": datetime(2024, 1, 1),
        },
    )
    document = json.loads((root / "simple/foo-bar/index.json").read_text())
    assert document["meta"] == {"api-version": "1.1"}
    assert document["name"] == "foo-bar"
    assert document["versions"] == ["1.0", "2.0"]
    files = {f["filename"]: f for f in document["files"]}
    wheel = files["foo_bar-2.0-py3-none-any.whl"]
    metadata_hash = sha256(root / "files/foo_bar-2.0-py3-none-any.whl.metadata")
    assert wheel == {
        "filename": "foo_bar-2.0-py3-none-any.whl",
        "url": "../../files/foo_bar-2.0-py3-none-any.whl",
        "hashes": {"sha256": sha256(dists[1])},
        "requires-python": ">=3.10,<4",
        "size": dists[1].stat().st_size,
        "yanked": False,
        "core-metadata": {"sha256": metadata_hash},
        "dist-info-metadata": {"sha256": metadata_hash},
        "upload-time": "2024-05-01T10:30:15.123456Z",
    }
    assert files["foo_bar-1.0-py3-none-any.whl"]["yanked"] is True
    sdist = files["foo_bar-2.0.tar.gz"]
    assert sdist["yanked"] == "bad sdist"
    assert sdist["upload-time"] == "2024-01-01T00:00:00.000000Z"
    assert "core-metadata" not in sdist
    assert "upload-time" not in files["foo_bar-1.0-py3-none-any.whl"]


def test_project_list(tmp_path: Path, dists: list[Path]) -> None:
    root = tmp_path / "index"
    write_simple_index(root, dists)
    listing = json.loads((root / "simple/index.json").read_text())
    assert listing == {
        "meta": {"api-version": "1.1"},
        "projects": [{"name": "Foo_Bar"}, {"name": "other"}],
    }
    page = parse_links(root / "simple/index.html")
    assert [a["href"] for a in page.anchors] == ["foo-bar/", "other/"]


def test_without_hashes_or_metadata_files(tmp_path: Path, dists: list[Path]) -> None:
    root = tmp_path / "plain"
    write_simple_index(root, dists, hashes=False, metadata_files=False)
    assert not list((root / "files").glob("*.metadata"))
    page = parse_links(root / "simple/other/index.html")
    (anchor,) = page.anchors
    assert anchor["href"] == "../../files/other-0.1-py3-none-any.whl"
    assert "data-core-metadata" not in anchor
    (entry,) = json.loads((root / "simple/other/index.json").read_text())["files"]
    assert entry["hashes"] == {}
    assert "core-metadata" not in entry

    # Metadata files without hashes are advertised as plain "true".
    root = tmp_path / "nohash"
    write_simple_index(root, dists, hashes=False)
    (anchor,) = parse_links(root / "simple/other/index.html").anchors
    assert anchor["data-core-metadata"] == "true"
    (entry,) = json.loads((root / "simple/other/index.json").read_text())["files"]
    assert entry["core-metadata"] is True


def test_absolute_urls(tmp_path: Path, dists: list[Path]) -> None:
    root = tmp_path / "abs"
    write_simple_index(root, dists, relative_urls=False, base_url="http://example.invalid:8080/")
    (anchor,) = parse_links(root / "simple/other/index.html").anchors
    assert anchor["href"] is not None
    assert anchor["href"].startswith(
        "http://example.invalid:8080/files/other-0.1-py3-none-any.whl#sha256="
    )
    write_simple_index(tmp_path / "rootrel", dists, relative_urls=False)
    (entry,) = json.loads((tmp_path / "rootrel/simple/other/index.json").read_text())["files"]
    assert entry["url"] == "/files/other-0.1-py3-none-any.whl"


def test_local_version_is_url_quoted(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "d", "loc", "1.0+cpu")
    write_simple_index(tmp_path / "i", [wheel])
    (entry,) = json.loads((tmp_path / "i/simple/loc/index.json").read_text())["files"]
    assert entry["url"] == "../../files/loc-1.0%2Bcpu-py3-none-any.whl"
    assert entry["filename"] == "loc-1.0+cpu-py3-none-any.whl"


def test_builder_accumulates_and_rewrites(tmp_path: Path) -> None:
    builder = IndexBuilder(tmp_path / "idx")
    builder.add(make_wheel(tmp_path / "d", "grow", "1.0"))
    builder.write()
    first = json.loads((tmp_path / "idx/simple/grow/index.json").read_text())
    assert first["versions"] == ["1.0"]
    builder.add(
        make_wheel(tmp_path / "d", "grow", "1.10"), make_wheel(tmp_path / "d", "grow", "1.9")
    )
    builder.yank("grow-1.0-py3-none-any.whl", "oops")
    builder.write()
    second = json.loads((tmp_path / "idx/simple/grow/index.json").read_text())
    assert second["versions"] == ["1.0", "1.9", "1.10"]  # PEP 440 order, not string order
    assert [f["yanked"] for f in second["files"]] == ["oops", False, False]
    builder.unyank("grow-1.0-py3-none-any.whl")
    builder.write()
    third = json.loads((tmp_path / "idx/simple/grow/index.json").read_text())
    assert third["files"][0]["yanked"] is False
    with pytest.raises(KeyError):
        builder.yank("missing-1.0-py3-none-any.whl")


def test_builder_refuses_conflicting_file(tmp_path: Path) -> None:
    builder = IndexBuilder(tmp_path / "idx")
    builder.add(make_wheel(tmp_path / "a", "clash", "1.0"))
    with pytest.raises(ValueError, match="other content"):
        builder.add(make_wheel(tmp_path / "b", "clash", "1.0", requires_dist=["x"]))


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/html"),
        ("", "text/html"),
        ("*/*", "text/html"),
        ("text/html", "text/html"),
        (JSON_CONTENT_TYPE, JSON_CONTENT_TYPE),
        (HTML_CONTENT_TYPE, HTML_CONTENT_TYPE),
        ("application/vnd.pypi.simple.latest+json", JSON_CONTENT_TYPE),
        ("application/vnd.pypi.simple.latest+html", HTML_CONTENT_TYPE),
        # pip's header
        (f"{JSON_CONTENT_TYPE}, {HTML_CONTENT_TYPE}; q=0.1, text/html; q=0.01", JSON_CONTENT_TYPE),
        # q-values beat order in the header
        (f"text/html;q=0.2, {JSON_CONTENT_TYPE};q=0.9", JSON_CONTENT_TYPE),
        (f"{JSON_CONTENT_TYPE};q=0.1, {HTML_CONTENT_TYPE};q=0.5", HTML_CONTENT_TYPE),
        # equal preference: the server's order (HTML first), as PyPI
        (f"{JSON_CONTENT_TYPE}, text/html", "text/html"),
        # q=0 refuses a type; a more specific range overrides a wildcard
        (f"*/*, text/html;q=0, {HTML_CONTENT_TYPE};q=0", JSON_CONTENT_TYPE),
        (f"application/*;q=0.5, {JSON_CONTENT_TYPE};q=0", HTML_CONTENT_TYPE),
        # nothing acceptable: fall back to HTML
        ("application/json", "text/html"),
        ("text/html;q=oops", "text/html"),
    ],
)
def test_negotiation(accept: str | None, expected: str) -> None:
    assert negotiate_content_type(accept) == expected


def test_negotiation_without_json() -> None:
    assert negotiate_content_type(JSON_CONTENT_TYPE, json_available=False) == "text/html"
    assert negotiate_content_type(
        f"{JSON_CONTENT_TYPE}, {HTML_CONTENT_TYPE};q=0.1", json_available=False
    ) == (HTML_CONTENT_TYPE)


def test_flat_html_page_and_directory(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "d", "flat", "1.0", requires_python=">=3.7")
    sdist = make_sdist(tmp_path / "d", "flat", "1.0")
    page = write_flat_html(tmp_path / "links", [wheel, sdist])
    assert page == tmp_path / "links/index.html"
    anchors = parse_links(page).anchors
    assert [a["href"] for a in anchors] == [
        f"flat-1.0-py3-none-any.whl#sha256={sha256(wheel)}",
        f"flat-1.0.tar.gz#sha256={sha256(sdist)}",
    ]
    assert anchors[0]["data-requires-python"] == ">=3.7"
    assert (tmp_path / "links" / wheel.name).read_bytes() == wheel.read_bytes()

    flat = FlatDirectory(tmp_path / "find-links")
    copies = flat.add(wheel, sdist)
    assert copies == [tmp_path / "find-links" / wheel.name, tmp_path / "find-links" / sdist.name]
    assert flat.files == sorted(copies)
    assert str(tmp_path / "find-links") == __import__("os").fspath(flat)
    page = flat.write_html(hashes=False)
    assert [a["href"] for a in parse_links(page).anchors] == [wheel.name, sdist.name]
    assert flat.files == sorted(copies)  # the page is not a distribution
