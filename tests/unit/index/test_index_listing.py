"""Lazy listings: grouped by file name, each file built when its version is read."""

from __future__ import annotations

from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.index.filenames import parse_dist_filename
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


def test_sdist_names_group_as_the_full_filename_parse_reads_them() -> None:
    # Most sdist names split at their last dash; the grouping takes that shortcut, and
    # must agree with parse_dist_filename (which knows the project) on every name.
    names = [
        "python-dateutil-2.9.0.tar.gz",
        "python_dateutil-2.8.0.tar.gz",
        "Python-DateUtil-2.7.0.ZIP",  # suffixes in any case, as pip reads them
        "python-dateutil-2.6.0-1.tar.gz",  # legacy version with a dash: 2.6.0.post1
        "python-dateutil--2.5.0.tar.gz",  # an empty name part: the version does not parse
        "python-dateutil-not a version.tar.gz",
        "dateutil-2.4.0.tar.gz",  # another project
        "python-dateutil-extra-1.0.tar.gz",  # another project whose name starts alike
        "python-dateutil-2.3.0.tar.bz2",  # not an archive puffin reads
        "python-dateutil-2.9.0.tar.gz",  # the same version twice
    ]
    grouping = group_filenames(names, project="python-dateutil")
    expected: dict[Version, list[int]] = {}
    others = []
    for position, name in enumerate(names):
        parsed = parse_dist_filename(name, project="python-dateutil")
        if parsed is None and not name.endswith(".bz2"):
            others.append(position)
        elif parsed is not None and parsed.name == "python-dateutil":
            expected.setdefault(parsed.version, []).append(position)
        elif parsed is not None:
            others.append(position)
    assert grouping.by_version == expected
    assert list(grouping.by_version) == sorted(expected, reverse=True)
    assert sorted(grouping.others) == sorted(others)
    assert Version("2.6.0.post1") in grouping.by_version
    assert grouping.by_version[Version("2.9.0")] == [0, 9]


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
