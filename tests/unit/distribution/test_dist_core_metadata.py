"""puffin.distribution.core_metadata: METADATA / PKG-INFO into CoreMetadata, leniently."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.distribution.core_metadata import CoreMetadata, MetadataError, parse_core_metadata
from puffin.distribution.lazy_wheel import read_wheel_metadata_from_file
from puffin.errors import PuffinError
from puffin.testing.dists import MakeSdist, MakeWheel

SITE_PACKAGES = Path(
    importlib.metadata.distribution("packaging").locate_file("")  # type: ignore[arg-type]
)


def parse(text: str | bytes, source: str = "test/METADATA") -> CoreMetadata:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_core_metadata(data, source=source)


def requirements(meta: CoreMetadata) -> list[str]:
    return [str(requirement) for requirement in meta.requires_dist]


# ------------------------------------------------------------------------ from real wheels


def test_metadata_of_a_built_wheel(make_wheel: MakeWheel) -> None:
    wheel = make_wheel(
        "Demo_Pkg",
        "1.0.post1",
        requires_dist=["httpx>=0.27", "tomli; python_version < '3.11'"],
        requires_python=">=3.9",
        extras={
            "CLI_Tools": ["click>=8", "rich; sys_platform != 'win32'"],
            "test": ["pytest"],
        },
        metadata_version="2.4",
        metadata_extra={
            "Summary": "A demo",
            "License-Expression": "MIT OR Apache-2.0",
            "License-File": ["LICENSE", "NOTICE"],
            "Classifier": ["Programming Language :: Python :: 3", "Typing :: Typed"],
            "Dynamic": "Requires-Dist",
            "Description": "# Demo\n\nLong: description\nRequires-Dist: not-a-header\n",
        },
    )
    meta = parse_core_metadata(read_wheel_metadata_from_file(wheel), source=wheel.name)

    assert meta.name == "Demo_Pkg"
    assert meta.normalized_name == "demo-pkg"
    assert meta.version == Version("1.0.post1")
    assert meta.metadata_version == "2.4"
    assert meta.summary == "A demo"
    assert meta.requires_python == SpecifierSet(">=3.9")
    assert meta.provides_extra == ("cli-tools", "test")
    assert requirements(meta) == [
        "httpx>=0.27",
        'tomli; python_version < "3.11"',
        'click>=8; extra == "cli-tools"',
        'rich; sys_platform != "win32" and extra == "cli-tools"',
        'pytest; extra == "test"',
    ]
    assert meta.license_expression == "MIT OR Apache-2.0"
    assert meta.license is None
    assert meta.classifiers == ("Programming Language :: Python :: 3", "Typing :: Typed")
    assert meta.dynamic == ("requires-dist",)
    assert meta.warnings == ()

    # The markers really select by extra (PEP 685: any spelling of the extra's name).
    rich = meta.requires_dist[3]
    assert rich.marker is not None
    assert rich.marker.evaluate({"extra": "CLI_Tools", "sys_platform": "linux"})
    assert not rich.marker.evaluate({"extra": "test", "sys_platform": "linux"})


def test_pkg_info_of_a_built_sdist(make_sdist: MakeSdist) -> None:
    import tarfile

    sdist = make_sdist("Flat.Pkg", "2.0", requires_dist=["attrs"], requires_python=">=3.8")
    with tarfile.open(sdist) as archive:
        member = archive.extractfile("flat_pkg-2.0/PKG-INFO")
        assert member is not None
        meta = parse_core_metadata(member.read(), source=sdist.name)
    assert (meta.name, meta.normalized_name, meta.version) == ("Flat.Pkg", "flat-pkg", Version("2"))
    assert meta.metadata_version == "2.2"
    assert requirements(meta) == ["attrs"]
    assert meta.requires_python == SpecifierSet(">=3.8")


def installed_metadata_files() -> list[Path]:
    return sorted(SITE_PACKAGES.glob("*.dist-info/METADATA"))


def test_installed_metadata_parses() -> None:
    # Every distribution in the dev environment, written by many different backends
    # (setuptools, hatchling, flit, maturin, pdm, uv_build ...): none may fail or need repair.
    files = installed_metadata_files()
    assert len(files) >= 20
    for path in files:
        meta = parse_core_metadata(path.read_bytes(), source=str(path))
        assert meta.warnings == (), (path, meta.warnings)
        distribution = importlib.metadata.PathDistribution(path.parent)
        # The same answers as importlib.metadata, which pip uses for installed distributions.
        assert meta.name == distribution.metadata["Name"]
        assert meta.version == Version(distribution.version)
        assert meta.requires_dist == tuple(Requirement(r) for r in distribution.requires or ())
        stem = path.parent.name.removesuffix(".dist-info")
        assert canonicalize_name(stem.rpartition("-")[0]) == meta.normalized_name


def test_installed_metadata_has_licenses_and_extras() -> None:
    metas = [parse_core_metadata(p.read_bytes(), source=str(p)) for p in installed_metadata_files()]
    by_name: dict[str, CoreMetadata] = {meta.normalized_name: meta for meta in metas}
    assert any(meta.license_expression for meta in metas)
    assert any(meta.license for meta in metas)
    assert "socks" in by_name["httpx"].provides_extra
    assert by_name["pytest"].requires_python is not None
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert by_name["pytest"].requires_python.contains(running)


# --------------------------------------------------------------------- hand-written edge cases


def test_old_style_parenthesised_specifiers_and_spacing() -> None:
    meta = parse(
        "Metadata-Version: 1.2\n"
        "Name: old\n"
        "Version: 0.1\n"
        "Requires-Dist: foo (>=1.0)\n"
        "Requires-Dist:    bar   [security,  socks]  ( >=2.0 , <3 )  ; python_version<'3.8'\n"
        "Requires-Dist: baz(==1.*)\n"
        "Requires-Dist:\n"
    )
    assert requirements(meta) == [
        "foo>=1.0",
        'bar[security,socks]<3,>=2.0; python_version < "3.8"',
        "baz==1.*",
    ]
    assert meta.warnings == ()


def test_continuation_lines_body_and_unknown_fields() -> None:
    meta = parse(
        "Metadata-Version: 1.1\n"
        "Name: legacy\n"
        "Version: 1.0\n"
        "Summary: A summary\n"
        "Description: The long description,\n"
        "        |continued the old way,\n"
        "        Requires-Dist: in-a-description\n"
        "License: Copyright (c) 2010 Someone\n"
        "        \n"
        "        Permission is hereby granted,\n"
        "          free of charge.\n"
        "Requires-Dist: real\n"
        "  (>=1)\n"
        "X-Custom-Field: kept out\n"
        "Platform: UNKNOWN\n"
        "\n"
        "A body after the headers.\n"
        "Requires-Dist: in-the-body\n"
    )
    assert requirements(meta) == ["real>=1"]
    assert meta.summary == "A summary"
    assert meta.license == (
        "Copyright (c) 2010 Someone\n\nPermission is hereby granted,\n  free of charge."
    )
    assert meta.warnings == ()


def test_old_license_continuation_with_pipes() -> None:
    meta = parse(
        "Metadata-Version: 1.0\nName: piped\nVersion: 1\n"
        "License: BSD\n       |line two\n       |  indented\n"
    )
    assert meta.license == "BSD\nline two\n  indented"


def test_duplicated_fields() -> None:
    meta = parse(
        "Metadata-Version: 2.1\n"
        "Name: dup\n"
        "Name: dup\n"
        "Version: 1.0\n"
        "Summary: first\n"
        "Summary: second\n"
        "Requires-Dist: a\n"
        "Requires-Dist: a\n"
        "Provides-Extra: Foo_Bar\n"
        "Provides-Extra: foo-bar\n"
        "Provides-Extra: foo.bar\n"
        "Provides-Extra: other\n"
        "Classifier: Typing :: Typed\n"
        "Classifier: Typing :: Typed\n"
        "Dynamic: Requires-Dist\n"
        "Dynamic: requires-dist\n"
    )
    assert meta.name == "dup"
    assert meta.summary == "first"
    assert requirements(meta) == ["a", "a"]  # as written; the resolver merges requirements
    assert meta.provides_extra == ("foo-bar", "other")
    assert meta.classifiers == ("Typing :: Typed", "Typing :: Typed")
    assert meta.dynamic == ("requires-dist",)
    # An identical repeated Name is not worth a warning; differing Summaries are.
    assert meta.warnings == (
        "Summary appears 2 times with different values; the first, 'first', is used",
    )


def test_non_utf8_bytes() -> None:
    meta = parse(
        b"Metadata-Version: 2.1\nName: latin\nVersion: 1.0\n"
        b"Summary: caf\xe9 cr\xe8me\nAuthor: Jos\xe9\nRequires-Dist: a\n"
    )
    assert meta.summary == "caf\u00e9 cr\u00e8me"
    assert requirements(meta) == ["a"]
    assert meta.warnings == ("Summary is not valid UTF-8; it was read as Latin-1",)


def test_utf8_bom_crlf_and_utf8_values() -> None:
    meta = parse(
        b"\xef\xbb\xbfMetadata-Version: 2.1\r\nName: bom\r\nVersion: 1.0\r\n"
        b"Summary: \xe2\x9c\x93 checked\r\nRequires-Dist: a (>=1)\r\n\r\nbody\r\n"
    )
    assert (meta.name, meta.metadata_version) == ("bom", "2.1")
    assert meta.summary == "\u2713 checked"
    assert requirements(meta) == ["a>=1"]


@pytest.mark.parametrize("metadata_version", ["1.0", "1.1", "1.2", "2.0", "2.4", "2.5", "2.99"])
def test_metadata_versions_up_to_2_x_are_read(metadata_version: str) -> None:
    meta = parse(f"Metadata-Version: {metadata_version}\nName: v\nVersion: 1\n")
    assert meta.metadata_version == metadata_version
    assert meta.warnings == ()


def test_metadata_version_3_is_refused() -> None:
    with pytest.raises(MetadataError, match=r"Metadata-Version 3\.0 is newer") as caught:
        parse("Metadata-Version: 3.0\nName: v\nVersion: 1\n", source="v-1.whl")
    assert caught.value.hint is not None


def test_missing_or_odd_metadata_version_is_tolerated() -> None:
    assert parse("Name: v\nVersion: 1\n").warnings == ("Metadata-Version is missing",)
    odd = parse("Metadata-Version: two\nName: v\nVersion: 1\n")
    assert odd.metadata_version == "two"
    assert odd.warnings == ("Metadata-Version 'two' is not a version",)


def test_invalid_requires_dist_names_source_and_line() -> None:
    text = (
        "Metadata-Version: 2.1\nName: bad\nVersion: 1.0\n"
        "Requires-Dist: ok\nRequires-Dist: foo >= ; ;\n"
    )
    with pytest.raises(MetadataError) as caught:
        parse(text, source="bad-1.0-py3-none-any.whl")
    error = caught.value
    assert isinstance(error, PuffinError)
    assert str(error).startswith(
        "invalid metadata in bad-1.0-py3-none-any.whl: Requires-Dist 'foo >= ; ;': "
    )
    assert "\n" not in str(error)
    assert (error.source, error.field, error.value) == (
        "bad-1.0-py3-none-any.whl",
        "Requires-Dist",
        "foo >= ; ;",
    )


@pytest.mark.parametrize(
    ("written", "read_as"),
    [
        ("torch (>=1.9.*)", "torch>=1.9"),
        ("elasticsearch-dsl (>=7.2.0<8.0.0)", "elasticsearch-dsl<8.0.0,>=7.2.0"),
        ("pyzmq (>=2.7,!=3.0*,!=3.1*)", "pyzmq!=3.0.*,!=3.1.*,>=2.7"),
        ("jupyter-core (!=~5.0,>=4.12)", "jupyter-core!=5.0.*,>=4.12"),
        ("botocore>=1.3.0,<1.4.0',", "botocore<1.4.0,>=1.3.0"),
        ('numpy ">=1.19"; python_version >= "3.7"', 'numpy>=1.19; python_version >= "3.7"'),
    ],
)
def test_requires_dist_repairs(written: str, read_as: str) -> None:
    meta = parse(f"Metadata-Version: 2.1\nName: r\nVersion: 1\nRequires-Dist: {written}\n")
    assert requirements(meta) == [read_as]
    (warning,) = meta.warnings
    assert warning.startswith(f"Requires-Dist {written!r} is invalid; read as ")


@pytest.mark.parametrize(
    ("written", "read_as"),
    [
        (">=3.5.*", ">=3.5"),
        (">= '2.7'", ">=2.7"),
        (">=2.7, !=3.0.*, !=3.1.*', !=3.2.*'", "!=3.0.*,!=3.1.*,!=3.2.*,>=2.7"),
    ],
)
def test_requires_python_repairs(written: str, read_as: str) -> None:
    meta = parse(f"Metadata-Version: 2.1\nName: r\nVersion: 1\nRequires-Python: {written}\n")
    assert meta.requires_python == SpecifierSet(read_as)
    assert len(meta.warnings) == 1


def test_trailing_commas_are_read() -> None:
    # Recent packaging accepts these as they are; older releases needed the repair. Either
    # way the value is the same.
    meta = parse(
        "Metadata-Version: 2.1\nName: r\nVersion: 1\n"
        "Requires-Python: >=2.7, !=3.0.*, !=3.1.*,\nRequires-Dist: pyzmq >=3.6,\n"
    )
    assert meta.requires_python == SpecifierSet("!=3.0.*,!=3.1.*,>=2.7")
    assert requirements(meta) == ["pyzmq>=3.6"]


def test_unusable_requires_python_is_ignored_like_pip() -> None:
    meta = parse("Metadata-Version: 2.1\nName: r\nVersion: 1\nRequires-Python: python3 only\n")
    assert meta.requires_python is None
    assert meta.warnings == ("Requires-Python 'python3 only' is invalid and was ignored",)
    assert parse("Name: r\nVersion: 1\nRequires-Python: \n").requires_python is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Metadata-Version: 2.1\nVersion: 1.0\n", "the Name field is missing"),
        ("Metadata-Version: 2.1\nName:   \nVersion: 1.0\n", "the Name field is missing"),
        ("Metadata-Version: 2.1\nName: a b\nVersion: 1.0\n", "Name 'a b' is not a valid"),
        ("Metadata-Version: 2.1\nName: -a\nVersion: 1.0\n", "Name '-a' is not a valid"),
        ("Metadata-Version: 2.1\nName: a\n", "the Version field is missing"),
        ("Metadata-Version: 2.1\nName: a\nVersion: 1.0-beta-final\n", "Version '1.0-beta-final'"),
        ("", "the Name field is missing"),
        ("\n\nName: a\nVersion: 1\n", "the Name field is missing"),  # all of it is body
    ],
)
def test_required_fields(text: str, problem: str) -> None:
    with pytest.raises(MetadataError, match="^invalid metadata in src: " + problem):
        parse(text, source="src")


def test_versions_are_normalized_and_names_kept() -> None:
    meta = parse("Metadata-Version: 2.1\nName:  Zope.Interface \nVersion: 01.02.0-RC1\n")
    assert meta.name == "Zope.Interface"
    assert meta.normalized_name == "zope-interface"
    assert meta.version == Version("1.2.0rc1")
    assert str(meta) == "Zope.Interface 1.2.0rc1"


def test_core_metadata_is_an_immutable_value() -> None:
    text = "Metadata-Version: 2.1\nName: v\nVersion: 1\nRequires-Dist: a>=1\nClassifier: X\n"
    first, second = parse(text), parse(text)
    assert first == second
    assert hash(first) == hash(second)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.name = "w"  # type: ignore[misc]
    assert not hasattr(first, "__dict__")  # slots
    assert isinstance(first.requires_dist, tuple) and isinstance(first.classifiers, tuple)
