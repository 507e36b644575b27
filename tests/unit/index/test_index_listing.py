"""Lazy listings: grouped by file name, each file built when its version is read."""

from __future__ import annotations

from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.index.listing import FileListing, group_filenames, versions_of
from puffin.types import DistFile, IndexKind, IndexSpec

SPEC = IndexSpec("https://example.org/simple/", IndexKind.SIMPLE)
DEMO = canonicalize_name("demo")

NAMES = [
    "demo-2.0-py3-none-any.whl",
    "demo-2.0.tar.gz",
    "Demo-1.0.0-py2.py3-none-any.whl",
    "demo-1.0.zip",
    "demo-1.0-1.tar.gz",  # legacy: version 1.0-1 (1.0.post1)
    "other-5.0-py3-none-any.whl",
    "demo-bad-py3-none-any.whl",  # a version that does not parse
    "README.txt",  # not a distribution at all
    "demo-3.0b1-py3-none-any.whl",
]


def file(name: str) -> DistFile:
    return DistFile(name, f"https://files.example.org/{name}", SPEC)


def test_files_group_by_the_version_in_their_names_newest_first() -> None:
    grouping = group_filenames(NAMES, project="Demo")
    assert list(grouping.by_version.items()) == [
        (Version("3.0b1"), [8]),
        (Version("2.0"), [0, 1]),
        (Version("1.0.post1"), [4]),
        (Version("1.0"), [2, 3]),
    ]
    assert grouping.others == [5, 6]


def test_only_the_versions_read_are_built() -> None:
    built: list[str] = []

    def build(name: str) -> DistFile:
        built.append(name)
        return file(name)

    listing = FileListing.of_entries(DEMO, NAMES, group_filenames(NAMES, project=DEMO), build)
    by_version = versions_of(listing, project=DEMO)
    assert list(by_version) == [
        Version("3.0b1"),
        Version("2.0"),
        Version("1.0.post1"),
        Version("1.0"),
    ]
    assert built == [], "grouping builds nothing"
    assert [f.filename for f in by_version[Version("2.0")]] == NAMES[:2]
    assert built == NAMES[:2]
    assert by_version[Version("2.0")] is by_version[Version("2.0")], "built once"
    assert [f.filename for f in listing] == [NAMES[i] for i in (0, 1, 2, 3, 4, 5, 6, 8)]
    assert sorted(built) == sorted(NAMES[i] for i in (0, 1, 2, 3, 4, 5, 6, 8)), "each once"


def test_a_plain_sequence_groups_the_same_way() -> None:
    files = tuple(file(name) for name in NAMES if name != "README.txt")
    from_tuple = versions_of(files, project=DEMO)
    listing = FileListing.of_files(DEMO, files)
    assert dict(from_tuple) == dict(versions_of(listing, project=DEMO))
    assert listing == files and len(listing) == len(files) and bool(listing)
    assert not FileListing.of_files(DEMO, ())
