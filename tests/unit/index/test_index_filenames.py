"""puffin.index.filenames: wheel and sdist names, legacy sdist names, junk that must not raise."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.tags import Tag
from packaging.version import Version

from puffin.index.filenames import (
    DistFilename,
    has_dist_suffix,
    parse_dist_filename,
)
from puffin.testing.dists import make_sdist, make_wheel


def test_wheel() -> None:
    parsed = parse_dist_filename("foo_bar-1.0-py3-none-any.whl")
    assert parsed == DistFilename(
        name="foo-bar",  # type: ignore[arg-type]
        version=Version("1.0"),
        kind="wheel",
        tags=frozenset({Tag("py3", "none", "any")}),
        build=(),
    )
    assert parsed.is_wheel


def test_wheel_with_build_tag_and_compressed_tags() -> None:
    parsed = parse_dist_filename("Foo-2.0-12abc-py2.py3-none-any.whl")
    assert parsed is not None
    assert parsed.name == "foo"
    assert parsed.build == (12, "abc")
    assert parsed.tags == {Tag("py2", "none", "any"), Tag("py3", "none", "any")}


def test_platform_wheel_tags_expanded() -> None:
    parsed = parse_dist_filename(
        "numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    )
    assert parsed is not None
    assert parsed.tags == {
        Tag("cp311", "cp311", "manylinux_2_17_x86_64"),
        Tag("cp311", "cp311", "manylinux2014_x86_64"),
    }


@pytest.mark.parametrize(
    ("filename", "name", "version"),
    [
        ("foo_bar-1.0.tar.gz", "foo-bar", "1.0"),  # PEP 625
        ("foo_bar-1.0.zip", "foo-bar", "1.0"),
        ("Django-4.2.tar.gz", "django", "4.2"),
        ("zope.interface-6.0.tar.gz", "zope-interface", "6.0"),
        ("python-dateutil-2.9.0.tar.gz", "python-dateutil", "2.9.0"),
        ("pytz-2013b.tar.gz", "pytz", "2013b0"),
        ("Foo-1.0.ZIP", "foo", "1.0"),  # archive suffixes in any case, as pip reads them
        ("Foo-1.0.TAR.GZ", "foo", "1.0"),
    ],
)
def test_sdist(filename: str, name: str, version: str) -> None:
    parsed = parse_dist_filename(filename)
    assert parsed is not None
    assert (parsed.name, parsed.version, parsed.kind) == (name, Version(version), "sdist")
    assert parsed.tags == frozenset()
    assert parsed.build == ()
    assert not parsed.is_wheel


@pytest.mark.parametrize(
    ("filename", "project", "version"),
    [
        # A dash in the version: only the project name tells where the version starts.
        ("foo-bar-1.0-1.tar.gz", "foo-bar", "1.0.post1"),
        ("foo-bar-2.0-beta.tar.gz", "Foo_Bar", "2.0b0"),
        ("python-dateutil-2.9.0.tar.gz", "python-dateutil", "2.9.0"),
        ("Zope.Interface-6.0.zip", "zope-interface", "6.0"),
    ],
)
def test_legacy_sdist_split_with_project(filename: str, project: str, version: str) -> None:
    parsed = parse_dist_filename(filename, project=project)
    assert parsed is not None
    assert parsed.version == Version(version)
    assert parsed.name == parse_dist_filename(f"{project}-1.tar.gz").name  # type: ignore[union-attr]


def test_legacy_sdist_without_project_splits_on_last_dash() -> None:
    parsed = parse_dist_filename("foo-bar-1.0-1.tar.gz")
    assert parsed is not None
    assert (parsed.name, parsed.version) == ("foo-bar-1-0", Version("1"))
    assert parse_dist_filename("foo-bar-2.0-beta.tar.gz") is None


def test_project_that_does_not_match_falls_back_to_the_standard_split() -> None:
    parsed = parse_dist_filename("foo-bar-2.0.tar.gz", project="foo")
    assert parsed is not None
    assert (parsed.name, parsed.version) == ("foo-bar", Version("2.0"))


def test_project_is_not_used_for_wheels() -> None:
    parsed = parse_dist_filename("other-1.0-py3-none-any.whl", project="foo")
    assert parsed is not None
    assert parsed.name == "other"


@pytest.mark.parametrize(
    "filename",
    [
        "",
        "foo-1.0-py3.7.egg",
        "foo-1.0.win32.exe",
        "foo-1.0.win-amd64.msi",
        "foo-1.0-1.noarch.rpm",
        "foo-1.0.tar.bz2",
        "foo-1.0.tgz",
        "foo.tar.gz",  # no version
        "-1.0.tar.gz",  # no name
        "foo-not_a_version!.tar.gz",
        "foo-1.0-py3-none.whl",  # too few parts
        "foo-1.0-extra-parts-py3-none-any.whl",
        "foo-bad!version-py3-none-any.whl",
        "foo-1.0-py3-none-any.WHL",  # wheel names are normative
        "foo-1.0-x-py3-none-any.whl",  # a build tag starts with a digit
        "foo-1.0.tar.gz.asc",
        "README",
        "index.html",
    ],
)
def test_junk_is_none_not_an_exception(filename: str) -> None:
    assert parse_dist_filename(filename) is None
    assert parse_dist_filename(filename, project="foo") is None


def test_project_with_invalid_version_after_it() -> None:
    assert parse_dist_filename("foo-notaversion.tar.gz", project="foo") is None


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("a-1-py3-none-any.whl", True),
        ("a-1.tar.gz", True),
        ("a-1.zip", True),
        ("A-1.ZIP", True),
        ("a-1.WHL", False),
        ("a-1.egg", False),
        ("a-1.tar.bz2", False),
        ("a-1.exe", False),
    ],
)
def test_has_dist_suffix(filename: str, expected: bool) -> None:
    assert has_dist_suffix(filename) is expected


def test_real_harness_distributions(tmp_path: Path) -> None:
    files = [
        make_wheel(tmp_path, "Foo.Bar", "1.0"),
        make_wheel(tmp_path, "foo-bar", "1.0.post2", tag="cp311-cp311-linux_x86_64", build="3x"),
        make_sdist(tmp_path, "Foo.Bar", "2.0rc1"),
    ]
    parsed = [parse_dist_filename(path.name) for path in files]
    assert all(p is not None and p.name == "foo-bar" for p in parsed)
    assert [p.version for p in parsed if p is not None] == [
        Version("1.0"),
        Version("1.0.post2"),
        Version("2.0rc1"),
    ]
    assert parsed[1] is not None
    assert parsed[1].build == (3, "x")
    assert parsed[2] is not None
    assert parsed[2].kind == "sdist"


def test_value_is_frozen_and_hashable() -> None:
    parsed = parse_dist_filename("foo-1.0.tar.gz")
    assert parsed is not None
    with pytest.raises(AttributeError):
        parsed.version = Version("2")  # type: ignore[misc]
    assert {parsed, parse_dist_filename("foo-1.0.tar.gz")} == {parsed}
