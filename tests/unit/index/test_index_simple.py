"""puffin.index.simple: PEP 691 JSON and PEP 503 HTML project pages, real and hand-written."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from puffin.errors import PuffinError
from puffin.index.simple import (
    IndexPageError,
    ProjectPage,
    parse_html_links,
    parse_project_list,
    parse_project_page,
)
from puffin.testing.dists import make_sdist, make_wheel
from puffin.testing.index import IndexBuilder, write_simple_index
from puffin.types.dist import DistFile
from puffin.types.index import IndexKind, IndexSpec

JSON = "application/vnd.pypi.simple.v1+json"
HTML = "application/vnd.pypi.simple.v1+html"
SPEC = IndexSpec("https://index.test/simple/", IndexKind.SIMPLE)
PAGE_URL = "https://index.test/simple/foo-bar/"


@pytest.fixture(params=["installed", "json"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each JSON test twice: with the decoder puffin found (orjson where it is installed),
    and with the standard json module that it falls back to."""
    if request.param == "json":
        monkeypatch.setattr("puffin.index.simple._decode_json", json.loads)
    return str(request.param)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def json_page(files: list[dict[str, object]], **top: object) -> bytes:
    document: dict[str, object] = {"meta": {"api-version": "1.1"}, "name": "foo-bar"}
    document.update(top)
    document["files"] = files
    return json.dumps(document).encode()


def parse_json(content: bytes, url: str = PAGE_URL) -> ProjectPage:
    return parse_project_page(content, content_type=JSON, url=url, source=SPEC)


def parse_html(text: str, url: str = PAGE_URL, content_type: str = "text/html") -> ProjectPage:
    return parse_project_page(text.encode(), content_type=content_type, url=url, source=SPEC)


def entry(filename: str, **fields: object) -> dict[str, object]:
    record: dict[str, object] = {"filename": filename, "url": f"../../files/{filename}"}
    record.setdefault("hashes", {})
    record.update(fields)
    return record


# --------------------------------------------------------------------------- harness pages


@pytest.fixture
def index_root(tmp_path: Path) -> Path:
    dists = tmp_path / "dists"
    files = [
        make_wheel(dists, "Foo_Bar", "1.0", requires_python=">=3.8"),
        make_wheel(dists, "Foo_Bar", "2.0", requires_python=">=3.10,<4"),
        make_sdist(dists, "Foo_Bar", "2.0", requires_python=">=3.10,<4"),
        make_wheel(dists, "other", "0.1"),
    ]
    root = tmp_path / "index"
    write_simple_index(
        root,
        files,
        yanked={"foo_bar-1.0-py3-none-any.whl": "broken <build>"},
        upload_times={"foo_bar-2.0.tar.gz": datetime(2024, 5, 6, 7, 8, 9, 123456)},
    )
    return root


def test_harness_json_page(index_root: Path) -> None:
    content = (index_root / "simple" / "foo-bar" / "index.json").read_bytes()
    page = parse_json(content)
    assert page.name == "foo-bar"
    assert page.api_version == "1.1"
    assert page.versions == ("1.0", "2.0")
    by_name = {file.filename: file for file in page.files}
    assert list(by_name) == [
        "foo_bar-1.0-py3-none-any.whl",
        "foo_bar-2.0-py3-none-any.whl",
        "foo_bar-2.0.tar.gz",
    ]
    files_dir = index_root / "files"
    for filename, file in by_name.items():
        assert file.url == f"https://index.test/files/{filename}"
        assert file.hashes == (("sha256", sha256(files_dir / filename)),)
        assert file.size == (files_dir / filename).stat().st_size
        assert file.source is SPEC
    old_wheel = by_name["foo_bar-1.0-py3-none-any.whl"]
    assert old_wheel.yanked == "broken <build>"
    assert old_wheel.requires_python == ">=3.8"
    assert old_wheel.has_core_metadata
    assert old_wheel.upload_time is None
    sdist = by_name["foo_bar-2.0.tar.gz"]
    assert sdist.yanked is None
    assert not sdist.has_core_metadata  # the harness writes .metadata files for wheels only
    assert sdist.requires_python == ">=3.10,<4"
    assert sdist.upload_time == datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)


def test_html_and_json_pages_agree(index_root: Path) -> None:
    page_dir = index_root / "simple" / "foo-bar"
    from_json = parse_json((page_dir / "index.json").read_bytes())
    from_html = parse_html((page_dir / "index.html").read_text(), content_type=HTML)
    assert from_html.name == "foo-bar"
    assert from_html.api_version == "1.1"  # <meta name="pypi:repository-version">
    assert from_html.versions == ()
    # HTML has no size or upload time (PEP 700 is JSON only); everything else matches.
    stripped = tuple(
        DistFile(
            f.filename,
            f.url,
            f.source,
            f.hashes,
            f.requires_python,
            f.yanked,
            None,
            None,
            f.has_core_metadata,
        )
        for f in from_json.files
    )
    assert from_html.files == stripped


def test_file_urls_resolve_against_a_file_page(index_root: Path) -> None:
    # What a file:// index source passes: the page file's own URI.
    page = index_root / "simple" / "foo-bar" / "index.json"
    parsed = parse_json(page.read_bytes(), url=page.as_uri())
    assert parsed.name == "foo-bar"  # "index.json" is not the project's name
    for file in parsed.files:
        assert file.url == (index_root / "files" / file.filename).as_uri()


@pytest.mark.parametrize("fmt", ["index.json", "index.html"])
def test_without_hashes_or_metadata_files(tmp_path: Path, fmt: str) -> None:
    wheel = make_wheel(tmp_path / "d", "foo-bar", "1.0")
    write_simple_index(tmp_path / "i", [wheel], hashes=False, metadata_files=False)
    content = (tmp_path / "i" / "simple" / "foo-bar" / fmt).read_bytes()
    content_type = JSON if fmt.endswith("json") else "text/html"
    page = parse_project_page(content, content_type=content_type, url=PAGE_URL, source=SPEC)
    [file] = page.files
    assert file.hashes == ()
    assert not file.has_core_metadata


@pytest.mark.parametrize("fmt", ["index.json", "index.html"])
def test_absolute_and_root_relative_urls(tmp_path: Path, fmt: str) -> None:
    wheel = make_wheel(tmp_path / "d", "foo-bar", "1.0")
    content_type = JSON if fmt.endswith("json") else "text/html"
    absolute = IndexBuilder(tmp_path / "a", relative_urls=False, base_url="http://mirror.test:81")
    rooted = IndexBuilder(tmp_path / "r", relative_urls=False)
    for builder, expected in (
        (absolute, "http://mirror.test:81/files/foo_bar-1.0-py3-none-any.whl"),
        (rooted, "https://index.test/files/foo_bar-1.0-py3-none-any.whl"),
    ):
        builder.add(wheel)
        builder.write()
        content = (builder.root / "simple" / "foo-bar" / fmt).read_bytes()
        page = parse_project_page(content, content_type=content_type, url=PAGE_URL, source=SPEC)
        assert [f.url for f in page.files] == [expected]


def test_yanked_without_reason_in_both_formats(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "d", "foo-bar", "1.0")
    write_simple_index(tmp_path / "i", [wheel], yanked={wheel.name: ""})
    page_dir = tmp_path / "i" / "simple" / "foo-bar"
    assert parse_json((page_dir / "index.json").read_bytes()).files[0].yanked == ""
    assert parse_html((page_dir / "index.html").read_text()).files[0].yanked == ""


def test_project_list(index_root: Path) -> None:
    simple = index_root / "simple"
    from_json = parse_project_list(
        (simple / "index.json").read_bytes(), content_type=JSON, url="https://index.test/simple/"
    )
    from_html = parse_project_list(
        (simple / "index.html").read_bytes(),
        content_type="text/html; charset=utf-8",
        url="https://index.test/simple/",
    )
    assert from_json == from_html == ("Foo_Bar", "other")


def test_project_list_errors() -> None:
    with pytest.raises(IndexPageError, match="projects"):
        parse_project_list(b'{"meta": {}}', content_type=JSON, url="https://x.test/simple/")
    with pytest.raises(IndexPageError, match="name"):
        parse_project_list(b'{"projects": [{}]}', content_type=JSON, url="https://x.test/")
    with pytest.raises(IndexPageError, match="content type"):
        parse_project_list(b"", content_type="text/plain", url="https://x.test/")


# --------------------------------------------------------------------------- JSON details


def test_json_yanked_values() -> None:
    page = parse_json(
        json_page(
            [
                entry("a-1.tar.gz", yanked=False),
                entry("a-2.tar.gz", yanked=True),
                entry("a-3.tar.gz", yanked="security hole"),
                entry("a-4.tar.gz"),
                entry("a-5.tar.gz", yanked=None),
            ]
        )
    )
    assert [f.yanked for f in page.files] == [None, "", "security hole", None, None]


def test_json_core_metadata_spellings() -> None:
    page = parse_json(
        json_page(
            [
                entry("a-1-py3-none-any.whl", **{"core-metadata": {"sha256": "ab"}}),
                entry("a-2-py3-none-any.whl", **{"dist-info-metadata": True}),  # pre PEP 714
                entry("a-3-py3-none-any.whl", **{"core-metadata": False}),
                entry("a-4-py3-none-any.whl"),
                entry(
                    "a-5-py3-none-any.whl",
                    **{"core-metadata": False, "dist-info-metadata": True},  # new name wins
                ),
                entry("a-6-py3-none-any.whl", **{"core-metadata": {}}),
            ]
        )
    )
    assert [f.has_core_metadata for f in page.files] == [True, True, False, False, False, True]


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2023-01-02T03:04:05.123456Z", datetime(2023, 1, 2, 3, 4, 5, 123456, timezone.utc)),
        ("2023-01-02T03:04:05Z", datetime(2023, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
        ("2023-01-02T03:04:05.5Z", datetime(2023, 1, 2, 3, 4, 5, 500000, timezone.utc)),
        ("2023-01-02T03:04:05.123456789Z", datetime(2023, 1, 2, 3, 4, 5, 123456, timezone.utc)),
        (
            "2023-01-02T03:04:05+01:00",
            datetime(2023, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("2023-01-02T03:04:05", datetime(2023, 1, 2, 3, 4, 5, tzinfo=timezone.utc)),
        ("yesterday", None),
        (12345, None),
    ],
)
def test_json_upload_time(stamp: object, expected: datetime | None) -> None:
    [file] = parse_json(json_page([entry("a-1.tar.gz", **{"upload-time": stamp})])).files
    assert file.upload_time == expected
    assert file.upload_time is None or file.upload_time.tzinfo is not None


def test_json_field_values() -> None:
    [file, unsized, bool_size] = parse_json(
        json_page(
            [
                entry(
                    "a-1.tar.gz",
                    url="https://files.test/a-1.tar.gz",
                    hashes={"SHA256": "x", "sha256": "ABCDEF", "md5": "00", "whirlpool": "1"},
                    size=42,
                    **{"requires-python": ">=3.9"},
                ),
                entry("a-2.tar.gz", size=None, **{"requires-python": ""}),
                entry("a-3.tar.gz", size=True, **{"requires-python": None}),
            ]
        )
    ).files
    assert file.url == "https://files.test/a-1.tar.gz"
    # Unknown algorithms are dropped (nothing could verify them); digests are lowercased.
    assert file.hashes == (("sha256", "abcdef"), ("md5", "00"))
    assert file.hash() == "abcdef"
    assert file.size == 42
    assert file.requires_python == ">=3.9"
    assert unsized.size is None
    assert unsized.requires_python is None
    assert bool_size.size is None
    assert bool_size.requires_python is None


def test_json_hash_in_url_fragment() -> None:
    [file] = parse_json(json_page([entry("a-1.tar.gz", url="/f/a-1.tar.gz#sha256=ABC")])).files
    assert file.url == "https://index.test/f/a-1.tar.gz"
    assert file.hashes == (("sha256", "abc"),)


def test_json_skips_files_that_are_not_distributions() -> None:
    page = parse_json(
        json_page(
            [
                entry("a-1.0-py2.7.egg"),
                entry("a-1.0.win32.exe"),
                entry("a-1.0.msi"),
                entry("a-1.0-1.noarch.rpm"),
                entry("a-1.0.tar.bz2"),
                entry("a-1.0.tar.gz"),
            ]
        )
    )
    assert [f.filename for f in page.files] == ["a-1.0.tar.gz"]


def test_json_name_from_project_argument_or_document() -> None:
    content = json_page([], name="Foo.Bar")
    assert parse_json(content).name == "foo-bar"
    page = parse_project_page(
        content, content_type=JSON, url=PAGE_URL, source=SPEC, project="Other_Name"
    )
    assert page.name == "other-name"
    assert parse_json(b'{"files": []}', url="https://x.test/simple/Some.Thing/").name == (
        "some-thing"
    )


def test_json_without_pep700_fields() -> None:
    page = parse_json(b'{"meta": {"api-version": "1.0"}, "name": "a", "files": []}')
    assert page == ProjectPage("a", (), (), "1.0")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "malformed JSON"),
        (b"\xff\xfe\x00", "malformed JSON"),
        (b"[]", "not an object"),
        (b'{"name": "a"}', "'files'"),
        (b'{"files": {}}', "'files'"),
        (b'{"files": [{"url": "x"}]}', "entry 0"),
        (b'{"files": [{"filename": "a-1.tar.gz"}]}', "entry 0"),
        (b'{"files": [{"filename": "a-1.tar.gz", "url": "a"}, "junk"]}', "entry 1"),
        (b'{"files": [{"filename": 3, "url": "a"}]}', "entry 0"),
        (b'{"files": [{"filename": "a-1.tar.gz", "url": 3}]}', "entry 0"),
        (b'{"files": [{"filename": "a-1.tar.gz", "url": "a", "hashes": ["sha256"]}]}', "entry 0"),
    ],
)
def test_malformed_json(content: bytes, reason: str, decoder: object) -> None:
    with pytest.raises(IndexPageError) as caught:
        parse_json(content)
    assert PAGE_URL in str(caught.value)
    assert reason in str(caught.value)
    assert isinstance(caught.value, PuffinError)


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", ""])
def test_unknown_content_type(content_type: str) -> None:
    with pytest.raises(IndexPageError, match="content type"):
        parse_project_page(b"{}", content_type=content_type, url=PAGE_URL, source=SPEC)


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.pypi.simple.v1+json",
        "Application/Vnd.Pypi.Simple.V1+JSON; charset=utf-8",
        "application/vnd.pypi.simple.latest+json",
    ],
)
def test_json_content_type_spellings(content_type: str) -> None:
    content = json_page([entry("a-1.tar.gz")])
    page = parse_project_page(content, content_type=content_type, url=PAGE_URL, source=SPEC)
    assert len(page.files) == 1


def test_big_json_page(decoder: object) -> None:
    files = [
        entry(
            f"big-1.{n}.0-py3-none-any.whl",
            url=f"https://files.test/big-1.{n}.0-py3-none-any.whl",
            hashes={"sha256": f"{n:064x}"},
            size=n,
            yanked=False,
            **{"core-metadata": {"sha256": "0"}, "upload-time": "2020-01-01T00:00:00.000000Z"},
        )
        for n in range(20_000)
    ]
    page = parse_json(json_page(files))
    assert len(page.files) == 20_000
    assert page.files[-1].size == 19_999
    assert page.files[-1].hashes == (("sha256", f"{19_999:064x}"),)


def test_both_json_decoders_read_a_page_alike() -> None:
    """orjson where installed, the standard json elsewhere: the same page, the same files."""
    orjson = pytest.importorskip("orjson")  # a dependency wherever it publishes wheels
    content = json_page(
        [
            entry("a-1.0.tar.gz", hashes={"sha256": "ab" * 32}, yanked="broken \u00e9"),
            entry("a-1.0-py3-none-any.whl", **{"requires-python": ">=3.8", "size": 2**40}),
        ],
        meta={"api-version": "1.1"},
    )
    assert orjson.loads(content) == json.loads(content)
    pages = []
    for decode in (orjson.loads, json.loads):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("puffin.index.simple._decode_json", decode)
            pages.append(parse_json(content))
    assert pages[0] == pages[1]
    assert pages[0].files[0].yanked == "broken \u00e9"


# --------------------------------------------------------------------------- HTML details


def test_sloppy_html() -> None:
    text = """<HTML><BODY>
    <A HREF="/files/a-1.0.tar.gz#SHA256=ABCD" DATA-REQUIRES-PYTHON="&gt;=3.8">a-1.0.tar.gz
    <a href="/files/a-1.1.tar.gz">a-1.1.tar.gz</A><br>
    <a>no href</a>
    <a href="">empty href</a>
    <p><a href='/files/a-1.2.zip' data-yanked>a-1.2.zip
    """
    page = parse_html(text)
    assert [(f.filename, f.url) for f in page.files] == [
        ("a-1.0.tar.gz", "https://index.test/files/a-1.0.tar.gz"),
        ("a-1.1.tar.gz", "https://index.test/files/a-1.1.tar.gz"),
        ("a-1.2.zip", "https://index.test/files/a-1.2.zip"),
    ]
    assert page.files[0].hashes == (("sha256", "abcd"),)
    assert page.files[0].requires_python == ">=3.8"
    assert page.files[2].yanked == ""
    assert page.api_version is None


def test_html_attributes() -> None:
    text = """
    <a href="a-1-py3-none-any.whl" data-core-metadata="sha256=00">w1</a>
    <a href="a-2-py3-none-any.whl" data-dist-info-metadata="true">w2</a>
    <a href="a-3-py3-none-any.whl" data-core-metadata="false">w3</a>
    <a href="a-4-py3-none-any.whl" data-core-metadata>w4</a>
    <a href="a-5-py3-none-any.whl" data-core-metadata="TRUE"
       data-yanked="no &lt;good&gt;" data-requires-python="&amp;gt;=3.9, &amp;lt;4">w5</a>
    <a href="a-6-py3-none-any.whl" data-requires-python="  ">w6</a>
    <a href="a-7-py3-none-any.whl#md5=ff">w7</a>
    <a href="a-8-py3-none-any.whl#egg=a">w8</a>
    <a href="a-9-py3-none-any.whl#sha256">w9</a>
    """
    files = parse_html(text).files
    assert [f.has_core_metadata for f in files] == [
        True,
        True,
        False,
        False,
        True,
        False,
        False,
        False,
        False,
    ]
    assert files[4].yanked == "no <good>"
    # Double-escaped values occur in the wild; pip unescapes twice, and so do we.
    assert files[4].requires_python == ">=3.9, <4"
    assert files[5].requires_python is None
    assert [f.hashes for f in files[6:]] == [(("md5", "ff"),), (), ()]
    assert [f.url for f in files[6:]] == [f"{PAGE_URL}a-{n}-py3-none-any.whl" for n in (7, 8, 9)]
    assert all(f.yanked is None for f in files if f is not files[4])


def test_html_base_href() -> None:
    text = """<html><head><base href="../../mirror/"><base href="/ignored/"></head>
    <body><a href="a-1.tar.gz">a-1.tar.gz</a>
    <a href="https://cdn.test/a-2.tar.gz">a-2.tar.gz</a></body></html>"""
    assert [f.url for f in parse_html(text).files] == [
        "https://index.test/mirror/a-1.tar.gz",
        "https://cdn.test/a-2.tar.gz",
    ]


def test_page_url_without_slash_is_what_the_caller_gets() -> None:
    # Relative links resolve against the URL as given: callers pass the final URL.
    text = '<a href="a-1.tar.gz">a-1.tar.gz</a>'
    assert parse_html(text, url="https://index.test/simple/a").files[0].url == (
        "https://index.test/simple/a-1.tar.gz"
    )
    assert parse_html(text, url="https://index.test/simple/a/").files[0].url == (
        "https://index.test/simple/a/a-1.tar.gz"
    )


def test_html_filename_from_url_then_text() -> None:
    text = """
    <a href="/files/a-1.0%2Blocal-py3-none-any.whl">whatever</a>
    <a href="/download?id=7">a-2.0.tar.gz</a>
    <a href="/download/8">  a-3.0-py3-none-any.whl  </a>
    <a href="/files/a-4.0.tar.gz?token=x">a-4.0.tar.gz</a>
    <a href="/download?id=9">not a distribution</a>
    <a href="/files/a-5.0.exe">a-5.0.exe</a>
    """
    files = parse_html(text).files
    assert [(f.filename, f.url) for f in files] == [
        ("a-1.0+local-py3-none-any.whl", "https://index.test/files/a-1.0%2Blocal-py3-none-any.whl"),
        ("a-2.0.tar.gz", "https://index.test/download?id=7"),
        ("a-3.0-py3-none-any.whl", "https://index.test/download/8"),
        ("a-4.0.tar.gz", "https://index.test/files/a-4.0.tar.gz?token=x"),
    ]


def test_html_charset_from_content_type() -> None:
    text = '<a href="a-1.tar.gz" data-yanked="caf\u00e9">a-1.tar.gz</a>'
    page = parse_project_page(
        text.encode("latin-1"),
        content_type="text/html; charset=ISO-8859-1",
        url=PAGE_URL,
        source=SPEC,
    )
    assert page.files[0].yanked == "caf\u00e9"
    unknown = parse_project_page(
        text.encode(), content_type="text/html; charset=nonsense", url=PAGE_URL, source=SPEC
    )
    assert unknown.files[0].yanked == "caf\u00e9"


def test_html_name_from_url_or_argument() -> None:
    assert parse_html("", url="https://index.test/simple/Foo.Bar/").name == "foo-bar"
    page = parse_project_page(
        b"", content_type="text/html", url=PAGE_URL, source=SPEC, project="Zope.Interface"
    )
    assert page.name == "zope-interface"
    assert page.files == ()


@pytest.mark.parametrize(
    ("base", "href", "expected"),
    [
        ("s3://bucket/simple/foo/", "../../files/a-1.tar.gz", "s3://bucket/files/a-1.tar.gz"),
        ("s3://bucket/simple/foo/", "a-1.tar.gz", "s3://bucket/simple/foo/a-1.tar.gz"),
        ("s3://bucket/simple/foo/", "/a-1.tar.gz", "s3://bucket/a-1.tar.gz"),
        ("s3://bucket/simple/foo/", "https://x.test/a-1.tar.gz", "https://x.test/a-1.tar.gz"),
        ("s3://bucket/simple/foo/", "gs://other/a-1.tar.gz", "gs://other/a-1.tar.gz"),
        ("file:///srv/simple/foo/index.html", "../../f/a-1.tar.gz", "file:///srv/f/a-1.tar.gz"),
    ],
)
def test_links_resolve_for_any_scheme(base: str, href: str, expected: str) -> None:
    text = f'<a href="{href}">a-1.tar.gz</a>'
    assert parse_html(text, url=base).files[0].url == expected


def test_parse_html_links_for_flat_pages() -> None:
    files = parse_html_links(
        b'<a href="sub/a-1.tar.gz#sha256=00">a</a><a href="notes.txt">notes</a>',
        url="https://host.test/links/page.html",
        source=SPEC,
    )
    assert [(f.url, f.hashes) for f in files] == [
        ("https://host.test/links/sub/a-1.tar.gz", (("sha256", "00"),))
    ]


def test_big_html_page() -> None:
    links = "\n".join(
        f'<a href="https://files.test/big-1.{n}.tar.gz#sha256={n:064x}" '
        f'data-requires-python="&gt;=3.8">big-1.{n}.tar.gz</a><br/>'
        for n in range(10_000)
    )
    page = parse_html(f"<html><body>{links}</body></html>")
    assert len(page.files) == 10_000
    assert page.files[-1].requires_python == ">=3.8"


def test_values_are_frozen() -> None:
    page = parse_html('<a href="a-1.tar.gz">a-1.tar.gz</a>')
    with pytest.raises(AttributeError):
        page.files = ()  # type: ignore[misc]
    assert isinstance(page.files, tuple)
    assert hash(page) == hash(parse_html('<a href="a-1.tar.gz">a-1.tar.gz</a>'))
