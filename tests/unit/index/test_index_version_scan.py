"""Finding one version's files in a PEP 691 page's text (puffin.index.version_scan): the
same files as reading the whole page, whatever the spelling of the version or the layout
of the JSON; None wherever the text cannot be scanned with certainty."""

from __future__ import annotations

import json
from typing import Any

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.index.listing import group_filenames
from puffin.index.version_scan import release_pattern, scan_version_files
from puffin.resolver.version_set import VersionSet

PROJECT = canonicalize_name("demo-pkg")

# Every spelling a file name may give a version in, and near misses around them.
FILENAMES = [
    "demo-pkg-0.9.tar.gz",
    "demo_pkg-1.0-py3-none-any.whl",
    "demo_pkg-1.0.0-cp311-cp311-manylinux_2_17_x86_64.whl",
    "demo-pkg-1.0.zip",
    "demo_pkg-1.0+cu121-py3-none-any.whl",
    "demo_pkg-1.0.1-py3-none-any.whl",
    "demo_pkg-1.0rc1-py3-none-any.whl",
    "demo_pkg-1.0.post1-py3-none-any.whl",
    "demo_pkg-1.0.0.dev1-py3-none-any.whl",
    "demo_pkg-2-py3-none-any.whl",
    "demo_pkg-2.0-1-py3-none-any.whl",
    "demo-pkg-v2.0.0.tar.gz",
    "demo_pkg-2.1-py3-none-any.whl",
    "demo_pkg-12.1-py3-none-any.whl",
    "demo_pkg-2019.02.07-py3-none-any.whl",
    "demo-pkg-2019.2.7.tar.gz",
    "demo_pkg-2019.2.70-py3-none-any.whl",
    "demo_pkg-1!2.1-py3-none-any.whl",
    "demo_pkg-2.41.5-cp312-abi3-win_amd64.whl",
    "demo_pkg-2.41.5.0-py3-none-any.whl",
    "demo_pkg-2.41.50-py3-none-any.whl",
    "demo_pkg-2.41.5.1-py3-none-any.whl",
    "other_pkg-2.41.5-py3-none-any.whl",
    "demo_pkg-2.41.5-py3-none-any.exe",
    "demo_pkg-3.0-py3-none-any.whl",
]


def entry(filename: str, position: int, **extra: Any) -> dict[str, Any]:
    # PEP 714 metadata objects sort before "filename": the scan must step over them.
    return {
        "core-metadata": {"sha256": f"{position:064x}"},
        "data-dist-info-metadata": {"sha256": f"{position:064x}"},
        "filename": filename,
        "hashes": {"sha256": f"{position + 1:064x}"},
        "requires-python": ">=3.8",
        "size": 1000 + position,
        "upload-time": f"2022-04-20T16:59:{position % 60:02d}.452384Z",
        "url": f"https://files.example/packages/{position:02x}/{filename}",
        "yanked": False,
        **extra,
    }


def page(entries: list[dict[str, Any]], *, layout: str = "pypi") -> bytes:
    document = {
        "files": entries,
        "meta": {"api-version": "1.1"},
        "name": PROJECT,
        "versions": ["1.0", "2.41.5", "2019.2.7"],
    }
    if layout == "pypi":
        return json.dumps(document).encode()
    if layout == "compact":
        return json.dumps(document, separators=(",", ":")).encode()
    return json.dumps(document, indent=2).encode()


def expected(entries: list[dict[str, Any]], wanted: VersionSet) -> list[tuple[Version, str]]:
    """What a whole reading gives: the files of every wanted version, in listing order."""
    names = [item["filename"] for item in entries]
    by_position = {
        position: version
        for version, positions in group_filenames(names, project=PROJECT).by_version.items()
        for position in positions
        if wanted.contains(version)
    }
    return [(by_position[position], names[position]) for position in sorted(by_position)]


def scanned(text: bytes, pin: str, wanted: VersionSet) -> list[tuple[Version, str]] | None:
    found = scan_version_files(text, project=PROJECT, version=Version(pin), wanted=wanted.contains)
    if found is None:
        return None
    assert [offset for offset, _, _ in found] == sorted(offset for offset, _, _ in found)
    return [(version, item["filename"]) for _, version, item in found]


PINS = ["1.0", "1.0.0", "1.0+cu121", "1.0rc1", "2", "2.0.0", "2.1", "1!2.1", "2019.2.7"]
PINS += ["2019.02.07", "2.41.5", "2.41.5.0", "3.0", "4.0", "0.9"]


@pytest.mark.parametrize("layout", ["pypi", "compact", "indented"])
@pytest.mark.parametrize("pin", PINS)
def test_the_files_of_a_pin_are_those_a_whole_reading_gives(pin: str, layout: str) -> None:
    entries = [entry(filename, position) for position, filename in enumerate(FILENAMES)]
    wanted = VersionSet.from_specifier(f"=={pin}")
    assert scanned(page(entries, layout=layout), pin, wanted) == expected(entries, wanted)


def test_spellings_of_one_version_are_all_found() -> None:
    entries = [entry(filename, position) for position, filename in enumerate(FILENAMES)]
    text = page(entries)
    assert scanned(text, "2019.2.7", VersionSet.from_specifier("==2019.2.7")) == [
        (Version("2019.02.07"), "demo_pkg-2019.02.07-py3-none-any.whl"),
        (Version("2019.02.07"), "demo-pkg-2019.2.7.tar.gz"),
    ]
    one = VersionSet.from_specifier("==1.0")
    assert [name for _, name in scanned(text, "1.0", one) or []] == [
        "demo_pkg-1.0-py3-none-any.whl",
        "demo_pkg-1.0.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        "demo-pkg-1.0.zip",
        "demo_pkg-1.0+cu121-py3-none-any.whl",
    ]
    two = VersionSet.from_specifier("==2")
    assert [name for _, name in scanned(text, "2", two) or []] == [
        "demo_pkg-2-py3-none-any.whl",
        "demo_pkg-2.0-1-py3-none-any.whl",
        "demo-pkg-v2.0.0.tar.gz",
    ]


def test_the_wanted_set_narrows_further() -> None:
    entries = [entry(filename, position) for position, filename in enumerate(FILENAMES)]
    # ==1.0 and a constraint that leaves out local versions.
    wanted = VersionSet.from_specifier("==1.0").intersection(
        VersionSet.from_specifier("!=1.0+cu121")
    )
    assert [name for _, name in scanned(page(entries), "1.0", wanted) or []] == [
        "demo_pkg-1.0-py3-none-any.whl",
        "demo_pkg-1.0.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        "demo-pkg-1.0.zip",
    ]


def test_a_version_not_on_the_page_finds_nothing() -> None:
    entries = [entry(filename, position) for position, filename in enumerate(FILENAMES)]
    assert scanned(page(entries), "5.0", VersionSet.from_specifier("==5.0")) == []


def test_entries_are_decoded_whole() -> None:
    entries = [entry(filename, position) for position, filename in enumerate(FILENAMES)]
    entries[18]["yanked"] = 'broken {"filename": "demo_pkg-2.41.5-x.whl"}, see #12'
    found = scan_version_files(
        page(entries),
        project=PROJECT,
        version=Version("2.41.5"),
        wanted=VersionSet.from_specifier("==2.41.5").contains,
    )
    assert found is not None
    assert [item for _, _, item in found] == [entries[18], entries[19]]


def test_an_escaped_quote_in_a_file_name_stops_the_scan() -> None:
    entries = [entry(filename, position) for position, filename in enumerate(FILENAMES)]
    entries[18]["filename"] = 'demo_pkg-2.41.5-"odd".whl'
    assert scanned(page(entries), "2.41.5", VersionSet.from_specifier("==2.41.5")) is None


def test_an_escaped_character_in_a_file_name_stops_the_scan() -> None:
    entries = [entry(filename, position) for position, filename in enumerate(FILENAMES)]
    entries[18]["filename"] = "demo_pkg-2.41.5-py3-none-any-\u00e9.whl"
    text = json.dumps({"files": entries}).encode()  # ensure_ascii: the name holds "\u00e9"
    assert scanned(text, "2.41.5", VersionSet.from_specifier("==2.41.5")) is None


@pytest.mark.parametrize(
    ("release", "matches", "misses"),
    [
        ((2, 41, 5), ["-2.41.5-", "-02.041.05.tar", "-v2.41.5.0-", "-1!2.41.5+x"], ["-2.41.50"]),
        ((2, 0, 0), ["-2-", "-2.0.0-", "-v2.00.tar", "-2.0.0.dev1-", "-1!2.0+local"], ["-2.1"]),
        ((1,), ["-1.0-", "-01.tar"], ["-12", "-1.0.1", "-1.2"]),
    ],
)
def test_release_patterns(release: tuple[int, ...], matches: list[str], misses: list[str]) -> None:
    pattern = release_pattern(release)
    for text in matches:
        assert pattern.search(text.encode()), text
    for text in misses:
        assert not pattern.search(text.encode()), text


def test_entries_longer_than_the_window_and_non_ascii_text_are_read() -> None:
    entries = [entry(filename, position) for position, filename in enumerate(FILENAMES)]
    entries[18]["yanked"] = "d\u00e9j\u00e0 vu " * 2000  # 30,000 bytes of UTF-8
    # A brace in a string before the file name opens no object.
    entries[19] = {"comment": "{not an object} \u00e9", **entries[19]}
    text = json.dumps({"files": entries}, ensure_ascii=False).encode()
    found = scan_version_files(
        text,
        project=PROJECT,
        version=Version("2.41.5"),
        wanted=VersionSet.from_specifier("==2.41.5").contains,
    )
    assert found is not None
    assert [item for _, _, item in found] == [entries[18], entries[19]]
    assert [text[offset : offset + 1] for offset, _, _ in found] == [b"{", b"{"]


def test_bytes_that_are_not_utf8_in_an_entry_stop_the_scan() -> None:
    entries = [entry(filename, position) for position, filename in enumerate(FILENAMES)]
    text = page(entries).replace(b'"size": 1018', b'"size": 1018, "note": "\xe9t\xe9"')
    assert b"\xe9t" in text
    assert scanned(text, "2.41.5", VersionSet.from_specifier("==2.41.5")) is None
    # Elsewhere on the page they do not matter: only the pinned files are decoded.
    assert scanned(text, "3.0", VersionSet.from_specifier("==3.0")) == [
        (Version("3.0"), "demo_pkg-3.0-py3-none-any.whl")
    ]
