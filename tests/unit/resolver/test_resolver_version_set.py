"""VersionSet: membership exactly as packaging's specifiers, set algebra, printing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import Specifier, SpecifierSet
from packaging.version import Version

from puffin.resolver.version_set import VersionSet

# Every kind of version PEP 440 has, around the boundaries the operators care about.
GRID = [
    Version(text)
    for text in (
        "0.dev0",
        "0",
        "0+local",
        "0.1",
        "0.9.post3",
        "1.0.dev0",
        "1.0.dev1",
        "1.0.dev1+x",
        "1.0a1.dev1",
        "1.0a1",
        "1.0a1+y",
        "1.0a1.post1",
        "1.0a2.dev0",
        "1.0a2",
        "1.0b1",
        "1.0rc1",
        "1.0rc1.post0.dev1",
        "1.0",
        "1.0+local",
        "1.0+abc.5",
        "1.0+5",
        "1.0.0",
        "1.0.post0.dev0",
        "1.0.post0",
        "1.0.post1",
        "1.0.post1+x",
        "1.0.post2.dev0",
        "1.0.0.0.1",
        "1.0.0.1",
        "1.0.1.dev1",
        "1.0.1",
        "1.1",
        "1.1+1",
        "1.2.3",
        "1.4.5",
        "1.5.dev0",
        "1.5",
        "1.5+local",
        "2.0.dev0",
        "2.0a1",
        "2.0",
        "2.0+x",
        "2.0.post1",
        "2.1",
        "3",
        "10.0",
        "1!0.5",
        "1!1.0",
    )
]

SPEC_VERSIONS = [
    "0",
    "1",
    "1.0",
    "1.0.0",
    "1.0a1",
    "1.0rc1",
    "1.0.dev1",
    "1.0.post1",
    "1.0a1.post1",
    "1.0.post1.dev1",
    "1.4.5",
    "1.5",
    "2.0",
    "2",
    "1!1.0",
]
WILDCARD_BASES = ["0", "1", "1.0", "1.0.0", "2", "1!1"]
LOCALS = ["1.0+local", "1.0+abc.5", "2.0+x", "1.0a1+y"]


def _clauses() -> st.SearchStrategy[str]:
    plain = st.tuples(
        st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), st.sampled_from(SPEC_VERSIONS)
    )
    compatible = st.tuples(
        st.just("~="), st.sampled_from([v for v in SPEC_VERSIONS if "." in v.split("!")[-1]])
    )
    wildcard = st.tuples(
        st.sampled_from(["==", "!="]), st.sampled_from([f"{b}.*" for b in WILDCARD_BASES])
    )
    local = st.tuples(st.sampled_from(["==", "!="]), st.sampled_from(LOCALS))
    return st.one_of(plain, compatible, wildcard, local).map("".join)


SPECIFIER_SETS = st.lists(_clauses(), min_size=0, max_size=3).map(",".join)
SETS = st.one_of(
    SPECIFIER_SETS.map(VersionSet.from_specifier),
    st.sampled_from(GRID).map(VersionSet.singleton),
)


def members(versions: VersionSet) -> list[bool]:
    return [versions.contains(v) for v in GRID]


# -- membership against packaging -----------------------------------------------------


@pytest.mark.parametrize("operator", ["==", "!=", "<", "<=", ">", ">="])
@pytest.mark.parametrize("version", SPEC_VERSIONS)
def test_each_operator_matches_packaging(operator: str, version: str) -> None:
    specifier = Specifier(f"{operator}{version}")
    versions = VersionSet.from_specifier(str(specifier))
    for candidate in GRID:
        assert versions.contains(candidate) == specifier.contains(candidate, prereleases=True), (
            f"{specifier} on {candidate}"
        )


@pytest.mark.parametrize(
    "text",
    [f"~={v}" for v in ("1.0", "1.4.5", "1.0a1", "1.0.post1", "1!1.0", "2.0")]
    + [f"{op}{b}.*" for op in ("==", "!=") for b in WILDCARD_BASES]
    + [f"{op}{v}" for op in ("==", "!=") for v in LOCALS],
)
def test_compatible_wildcard_and_local_clauses_match_packaging(text: str) -> None:
    specifier = Specifier(text)
    versions = VersionSet.from_specifier(text)
    for candidate in GRID:
        assert versions.contains(candidate) == specifier.contains(candidate, prereleases=True), (
            f"{text} on {candidate}"
        )


@settings(max_examples=400, deadline=None)
@given(SPECIFIER_SETS)
def test_specifier_sets_match_packaging(text: str) -> None:
    specifier = SpecifierSet(text)
    versions = VersionSet.from_specifier(specifier)
    for candidate in GRID:
        assert versions.contains(candidate) == specifier.contains(candidate, prereleases=True), (
            f"{text!r} on {candidate}"
        )


def test_string_and_specifier_set_inputs_agree() -> None:
    assert VersionSet.from_specifier(">=1.0,<2") == VersionSet.from_specifier(
        SpecifierSet("<2,>=1.0")
    )


def test_exclusive_bounds_follow_pep_440() -> None:
    below = VersionSet.from_specifier("<2.0")
    assert not below.contains(Version("2.0a1"))  # <V excludes V's pre-releases
    assert not below.contains(Version("2.0.dev0"))
    assert below.contains(Version("1.9.post3"))
    assert VersionSet.from_specifier("<2.0rc1").contains(Version("2.0a1"))
    above = VersionSet.from_specifier(">1.0")
    assert not above.contains(Version("1.0.post1"))  # >V excludes V's post-releases
    assert not above.contains(Version("1.0+local"))
    assert above.contains(Version("1.0.0.1"))
    assert VersionSet.from_specifier(">1.0.post1").contains(Version("1.0.post2"))


def test_local_versions() -> None:
    equal = VersionSet.from_specifier("==1.0")
    assert equal.contains(Version("1.0+anything"))
    assert not VersionSet.from_specifier("!=1.0").contains(Version("1.0+anything"))
    assert VersionSet.from_specifier("<=1.0").contains(Version("1.0+anything"))
    exact = VersionSet.from_specifier("==1.0+abc")
    assert exact.contains(Version("1.0+ABC"))
    assert not exact.contains(Version("1.0"))
    assert not exact.contains(Version("1.0+abc.1"))
    assert not VersionSet.singleton(Version("1.0")).contains(Version("1.0+abc"))


def test_arbitrary_equality() -> None:
    assert VersionSet.from_specifier("===1.0") == VersionSet.singleton(Version("1.0"))
    assert VersionSet.from_specifier("===not-a-version").is_empty


def test_sets_with_no_version_are_empty_and_without_a_gap_full() -> None:
    assert VersionSet.from_specifier("<0").is_empty
    assert VersionSet.from_specifier("<0.dev0").is_empty
    assert VersionSet.from_specifier(">=0.dev0").is_full
    assert (
        VersionSet.from_specifier("<=1.0") | VersionSet.from_specifier(">=1.0.post0.dev0")
        == VersionSet.full()
    )
    assert VersionSet.from_specifier(">=1.0,<1.0").is_empty


# -- algebra ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(SETS, SETS)
def test_operations_agree_with_membership(a: VersionSet, b: VersionSet) -> None:
    ma, mb = members(a), members(b)
    assert members(a & b) == [x and y for x, y in zip(ma, mb, strict=True)]
    assert members(a | b) == [x or y for x, y in zip(ma, mb, strict=True)]
    assert members(a - b) == [x and not y for x, y in zip(ma, mb, strict=True)]
    assert members(~a) == [not x for x in ma]


@settings(max_examples=300, deadline=None)
@given(SETS, SETS)
def test_relations_are_exact(a: VersionSet, b: VersionSet) -> None:
    assert a.is_subset(b) == (a - b).is_empty
    assert a.is_disjoint(b) == (a & b).is_empty
    if a.is_subset(b):
        assert all(y for x, y in zip(members(a), members(b), strict=True) if x)
    if a.is_disjoint(b):
        assert not any(x and y for x, y in zip(members(a), members(b), strict=True))


@settings(max_examples=200, deadline=None)
@given(SETS, SETS, SETS)
def test_laws(a: VersionSet, b: VersionSet, c: VersionSet) -> None:
    assert ~~a == a
    assert ~(a | b) == ~a & ~b
    assert ~(a & b) == ~a | ~b
    assert a & (b | c) == (a & b) | (a & c)
    assert a - b == a & ~b
    assert a | ~a == VersionSet.full()
    assert (a & ~a).is_empty
    assert hash(a & b) == hash(b & a)


def test_full_empty_singleton() -> None:
    one = Version("1.0")
    assert VersionSet.full().is_full and not VersionSet.full().is_empty
    assert VersionSet.empty().is_empty and not VersionSet.empty().is_full
    assert VersionSet.full().complement() == VersionSet.empty()
    single = VersionSet.singleton(one)
    assert single.contains(Version("1.0.0"))
    assert not single.contains(Version("1.0.post0"))
    assert single.singleton_version() == one
    assert VersionSet.from_specifier("==1.0").singleton_version() is None
    assert single.is_subset(VersionSet.from_specifier("==1.0"))
    assert one in single and "1.0" not in single


def test_equality_ignores_spelling() -> None:
    assert VersionSet.from_specifier(">=1.0") == VersionSet.from_specifier(">=1.0.0")
    assert VersionSet.singleton(Version("1")) == VersionSet.singleton(Version("1.0.0"))
    assert VersionSet.from_specifier("==1.0") != VersionSet.singleton(Version("1.0"))


def test_filter_keeps_order() -> None:
    versions = [Version(v) for v in ("3.0", "1.0", "2.0", "1.5")]
    assert list(VersionSet.from_specifier(">=1.5").filter(versions)) == [
        Version("3.0"),
        Version("2.0"),
        Version("1.5"),
    ]


# -- printing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        ("", "*"),
        (">=1.0", ">=1.0"),
        ("<2.0", "<2.0"),
        (">=1.0,<2.0", ">=1.0, <2.0"),
        ("==1.0", "==1.0"),
        ("===1.0", "==1.0"),
        ("!=1.5", "!=1.5"),
        ("==1.2.*", "==1.2.*"),
        ("!=1.2.*", "!=1.2.*"),
        (">1.0", ">1.0"),
        ("<=1.0", "<=1.0"),
        (">1.0.post1", ">1.0.post1"),
        ("~=1.4.5", ">=1.4.5, <1.5"),
        ("==1.0+abc", "==1.0+abc"),
        (">=0.5,<3,!=1.0,!=1.5", ">=0.5, !=1.0, !=1.5, <3"),
        (">=1.0,<1.0", "(empty)"),
    ],
)
def test_str(spec: str, text: str) -> None:
    assert str(VersionSet.from_specifier(spec)) == text


def test_str_of_unions_and_complements() -> None:
    union = VersionSet.from_specifier("<1.0") | VersionSet.from_specifier(">=2.0")
    assert str(union) == "<1.0 | >=2.0"
    assert union.format(compact=True) == "<1.0 | >=2.0"
    assert VersionSet.from_specifier(">=1.0,<2.0").format(compact=True) == ">=1.0,<2.0"
    assert str(VersionSet.from_specifier(">=2.0").complement()) == "<2.0"
    assert str(VersionSet.from_specifier("<2.0").complement()) == ">=2.0.dev0"
    assert str(VersionSet.from_specifier("<=1.0").complement()) == ">=1.0.post0.dev0"
    assert str(VersionSet.from_specifier(">1.0").complement()) == "<=1.0.post*"
    pair = VersionSet.singleton(Version("1.0")) | VersionSet.singleton(Version("2.0"))
    assert str(pair) == "==1.0 | ==2.0"
    assert repr(pair) == "VersionSet('==1.0 | ==2.0')"
