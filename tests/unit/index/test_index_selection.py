"""puffin.index.selection: versions of a listing, the best file for a target, find-links first."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.tags import Tag, sys_tags
from packaging.version import Version

from puffin.index.selection import (
    TagPriority,
    group_by_version,
    incompatible_wheels,
    prefer_find_links,
    rank_files,
)
from puffin.index.simple import parse_project_page
from puffin.testing.dists import make_sdist, make_wheel
from puffin.testing.index import write_simple_index
from puffin.types.dist import DistFile
from puffin.types.index import IndexKind, IndexSpec

INDEX = IndexSpec("https://index.test/simple/", IndexKind.SIMPLE)
FLAT = IndexSpec("/wheels", IndexKind.FLAT, priority=1)

# A CPython 3.11 Linux target, best tag first.
TAGS = (
    Tag("cp311", "cp311", "manylinux_2_28_x86_64"),
    Tag("cp311", "cp311", "manylinux_2_17_x86_64"),
    Tag("cp311", "abi3", "manylinux_2_17_x86_64"),
    Tag("cp311", "none", "manylinux_2_17_x86_64"),
    Tag("py3", "none", "manylinux_2_17_x86_64"),
    Tag("cp311", "none", "any"),
    Tag("py3", "none", "any"),
)


def dist(filename: str, spec: IndexSpec = INDEX) -> DistFile:
    return DistFile(filename, f"https://files.test/{filename}", spec)


def names(files: tuple[DistFile, ...]) -> list[str]:
    return [f.filename for f in files]


# --------------------------------------------------------------------------- group_by_version


def test_group_by_version_newest_first_listing_order_within() -> None:
    files = [
        dist("foo-1.0.tar.gz"),
        dist("foo-2.0-py3-none-any.whl"),
        dist("Foo-1.0.0-py3-none-any.whl"),  # 1.0.0 == 1.0
        dist("foo-10.0.tar.gz"),
        dist("foo-2.0.tar.gz"),
        dist("foo-2.0rc1.tar.gz"),
    ]
    groups = group_by_version(files, project="foo")  # type: ignore[arg-type]
    assert list(groups) == [Version("10.0"), Version("2.0"), Version("2.0rc1"), Version("1.0")]
    assert names(groups[Version("1.0")]) == ["foo-1.0.tar.gz", "Foo-1.0.0-py3-none-any.whl"]
    assert names(groups[Version("2.0")]) == ["foo-2.0-py3-none-any.whl", "foo-2.0.tar.gz"]


def test_group_by_version_skips_other_projects_and_junk() -> None:
    files = [
        dist("foo-1.0.tar.gz"),
        dist("foo-bar-1.0.tar.gz"),
        dist("foobar-1.0-py3-none-any.whl"),
        dist("foo-1.0.exe"),
        dist("foo-notaversion.tar.gz"),
        dist("foo-1.0-py3-none.whl"),
    ]
    assert {v: names(f) for v, f in group_by_version(files, project="foo").items()} == {  # type: ignore[arg-type]
        Version("1.0"): ["foo-1.0.tar.gz"]
    }


def test_group_by_version_uses_the_project_for_legacy_sdists() -> None:
    files = [dist("foo-bar-1.0-1.tar.gz"), dist("foo-bar-1.0.tar.gz")]
    groups = group_by_version(files, project="Foo_Bar")  # type: ignore[arg-type]
    assert list(groups) == [Version("1.0.post1"), Version("1.0")]


def test_group_by_version_of_a_real_page(tmp_path: Path) -> None:
    made = tmp_path / "made"
    write_simple_index(
        tmp_path / "index",
        [
            make_wheel(made, "Foo.Bar", "1.0"),
            make_sdist(made, "Foo.Bar", "1.0"),
            make_wheel(made, "Foo.Bar", "1.1", tag="cp311-cp311-manylinux_2_17_x86_64"),
        ],
    )
    page_dir = tmp_path / "index" / "simple" / "foo-bar"
    page = parse_project_page(
        (page_dir / "index.json").read_bytes(),
        content_type="application/vnd.pypi.simple.v1+json",
        url=page_dir.as_uri() + "/",
        source=INDEX,
    )
    groups = group_by_version(page.files, project=page.name)
    assert list(groups) == [Version("1.1"), Version("1.0")]
    assert names(rank_files(groups[Version("1.0")], TAGS)) == [
        "foo_bar-1.0-py3-none-any.whl",
        "foo_bar-1.0.tar.gz",
    ]
    assert names(rank_files(groups[Version("1.1")], TAGS)) == [
        "foo_bar-1.1-cp311-cp311-manylinux_2_17_x86_64.whl"
    ]


# --------------------------------------------------------------------------- TagPriority


def test_tag_priority() -> None:
    priority = TagPriority.from_tags([*TAGS, TAGS[0]])  # a repeat keeps its first rank
    assert priority.ranks[TAGS[0]] == 0
    assert priority.ranks[TAGS[-1]] == len(TAGS) - 1
    assert priority.best([TAGS[3], TAGS[1]]) == 1
    assert priority.best([Tag("cp310", "cp310", "win_amd64")]) is None
    assert priority.best([]) is None
    assert priority.supports([Tag("cp310", "cp310", "win_amd64"), TAGS[5]])
    assert not priority.supports([Tag("cp310", "cp310", "win_amd64")])
    with pytest.raises(TypeError):
        priority.ranks[TAGS[0]] = 5  # type: ignore[index]


def test_tag_priority_constructors_and_value_semantics() -> None:
    class Target:
        tags = TAGS

    priority = TagPriority(TAGS)
    assert TagPriority.for_target(Target()) == priority  # type: ignore[arg-type]
    assert TagPriority.from_tags(iter(TAGS)) == priority
    assert TagPriority.from_tags(list(TAGS)).tags == TAGS
    assert hash(priority) == hash(TagPriority(TAGS))
    assert priority != TagPriority(TAGS[::-1])
    with pytest.raises(AttributeError):
        priority.tags = ()  # type: ignore[misc]


# --------------------------------------------------------------------------- rank_files

VERSION_FILES = (
    dist("foo-1.0.zip"),
    dist("foo-1.0-py3-none-any.whl"),
    dist("foo-1.0-cp310-cp310-manylinux_2_17_x86_64.whl"),  # another Python
    dist("foo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
    dist("foo-1.0.tar.gz"),
    dist("foo-1.0-cp311-cp311-win_amd64.whl"),  # another platform
    dist("foo-1.0-cp311-abi3-manylinux_2_17_x86_64.whl"),
    dist("foo-1.0-cp311-cp311-manylinux_2_28_x86_64.whl"),
    dist("foo-1.0-1-py3-none-any.whl"),  # build tag 1 beats none
    dist("foo-1.0-2-py3-none-any.whl"),
    dist("foo-1.0-10-py3-none-any.whl"),  # build numbers compare as numbers
    dist("foo-1.0.exe"),  # not a distribution: neither list
    dist("foo-1.0-py2.py3-none-any.whl"),  # compressed tag set: py3-none-any is in it
)


def test_rank_files() -> None:
    ranked = rank_files(VERSION_FILES, TAGS)
    assert names(ranked) == [
        "foo-1.0-cp311-cp311-manylinux_2_28_x86_64.whl",
        "foo-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "foo-1.0-cp311-abi3-manylinux_2_17_x86_64.whl",
        "foo-1.0-10-py3-none-any.whl",
        "foo-1.0-2-py3-none-any.whl",
        "foo-1.0-1-py3-none-any.whl",
        "foo-1.0-py3-none-any.whl",  # equal rank and build: listing order
        "foo-1.0-py2.py3-none-any.whl",
        "foo-1.0.tar.gz",
        "foo-1.0.zip",
    ]
    assert rank_files(VERSION_FILES, TagPriority.from_tags(TAGS)) == ranked


def test_incompatible_wheels() -> None:
    assert names(incompatible_wheels(VERSION_FILES, TAGS)) == [
        "foo-1.0-cp310-cp310-manylinux_2_17_x86_64.whl",
        "foo-1.0-cp311-cp311-win_amd64.whl",
    ]
    assert incompatible_wheels([dist("foo-1.0.tar.gz")], TAGS) == ()


def test_no_tags_leaves_only_sdists() -> None:
    assert names(rank_files(VERSION_FILES, ())) == ["foo-1.0.tar.gz", "foo-1.0.zip"]
    wheels = [f for f in VERSION_FILES if f.is_wheel]
    assert incompatible_wheels(VERSION_FILES, ()) == tuple(wheels)


def test_rank_with_this_interpreters_tags(tmp_path: Path) -> None:
    tags = list(sys_tags())
    wheel = make_wheel(tmp_path, "foo", "1.0")
    alien = make_wheel(tmp_path, "foo", "1.0", tag="cp27-cp27m-win32")
    files = [dist(alien.name), dist(wheel.name)]
    assert names(rank_files(files, tags)) == [wheel.name]
    assert names(incompatible_wheels(files, tags)) == [alien.name]


def test_a_priority_ranks_again_from_what_it_learned_and_only_for_its_target() -> None:
    """Each priority keeps what file names say for its own target: ranking the same files
    again gives the same answer, and another target's priority ranks them its own way."""
    linux = TagPriority.from_tags(TAGS)
    windows = TagPriority.from_tags([Tag("cp311", "cp311", "win_amd64"), Tag("py3", "none", "any")])

    first = rank_files(VERSION_FILES, linux)
    assert rank_files(VERSION_FILES, linux) == first
    assert incompatible_wheels(VERSION_FILES, linux) == incompatible_wheels(VERSION_FILES, TAGS)
    assert names(rank_files(VERSION_FILES, windows))[:2] == [
        "foo-1.0-cp311-cp311-win_amd64.whl",
        "foo-1.0-10-py3-none-any.whl",
    ]
    assert rank_files(VERSION_FILES, linux) == first  # unchanged by the other target
    assert linux == TagPriority(TAGS)  # what it learned is not part of its value


def test_rank_many_files_with_one_priority() -> None:
    priority = TagPriority.from_tags(TAGS)
    files = [dist(f"foo-1.0-{n}-py3-none-any.whl") for n in range(10_000)]
    ranked = rank_files(files, priority)
    assert ranked[0].filename == "foo-1.0-9999-py3-none-any.whl"
    assert len(ranked) == 10_000


# --------------------------------------------------------------------------- prefer_find_links


def test_find_links_replace_the_index_files_of_their_versions() -> None:
    index_files = [
        dist("foo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
        dist("foo-1.0.tar.gz"),
        dist("foo-2.0-py3-none-any.whl"),
        dist("foo-1.0-py3-none-any.whl"),
        dist("foo-weird.tar.gz"),  # unparsable: kept, group_by_version drops it later
    ]
    flat_files = [dist("foo-1.0.tar.gz", FLAT), dist("foo-3.0-py3-none-any.whl", FLAT)]
    combined = prefer_find_links(index_files, flat_files)
    assert [(f.filename, f.source) for f in combined] == [
        ("foo-1.0.tar.gz", FLAT),
        ("foo-3.0-py3-none-any.whl", FLAT),
        ("foo-2.0-py3-none-any.whl", INDEX),
        ("foo-weird.tar.gz", INDEX),
    ]
    groups = group_by_version(combined, project="foo")  # type: ignore[arg-type]
    # Even the index's wheel for 1.0 is gone: find-links decide what 1.0 is.
    assert names(groups[Version("1.0")]) == ["foo-1.0.tar.gz"]
    assert groups[Version("1.0")][0].source is FLAT


def test_find_links_versions_compare_as_versions() -> None:
    combined = prefer_find_links(
        [dist("foo-1.0.0-py3-none-any.whl")], [dist("foo-1.0-py3-none-any.whl", FLAT)]
    )
    assert [f.source for f in combined] == [FLAT]


def test_find_links_of_another_project_shadow_nothing() -> None:
    index_files = (dist("foo-1.0.tar.gz"),)
    assert prefer_find_links(index_files, [dist("bar-1.0.tar.gz", FLAT)]) == (
        dist("bar-1.0.tar.gz", FLAT),
        *index_files,
    )


def test_prefer_find_links_without_flat_files() -> None:
    index_files = [dist("foo-1.0.tar.gz"), dist("junk")]
    assert prefer_find_links(index_files, []) is index_files, "as given: a lazy listing stays lazy"
    assert prefer_find_links([], [dist("foo-1.0.tar.gz", FLAT)]) == (dist("foo-1.0.tar.gz", FLAT),)


def test_prefer_find_links_legacy_sdist_with_project() -> None:
    index_files = [dist("foo-bar-1.0-1.tar.gz"), dist("foo-bar-1.0.tar.gz")]
    flat_files = [dist("foo_bar-1.0.post1-py3-none-any.whl", FLAT)]
    combined = prefer_find_links(index_files, flat_files, project="foo-bar")  # type: ignore[arg-type]
    assert names(combined) == ["foo_bar-1.0.post1-py3-none-any.whl", "foo-bar-1.0.tar.gz"]
