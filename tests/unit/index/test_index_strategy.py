"""puffin.index.strategy: IndexSet over in-memory sources and over real pages on disk."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

import pytest
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from puffin.index.flat import FlatIndex
from puffin.index.selection import group_by_version, rank_files
from puffin.index.simple import parse_project_page
from puffin.index.strategy import IndexSet, IndexStrategy
from puffin.plugin.protocols import IndexSource
from puffin.testing.dists import make_sdist, make_wheel
from puffin.testing.index import write_simple_index
from puffin.types.answer import Answer, Failed, Found, NotFound, Offline
from puffin.types.dist import DistFile
from puffin.types.index import IndexKind, IndexSpec

T = TypeVar("T")
Listing = Answer[tuple[DistFile, ...]]


def run(factory: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        # A hang is a failure, not a stuck test run.
        return await asyncio.wait_for(factory(), timeout=10)

    return asyncio.run(main())


class DictSource:
    """An in-memory IndexSource: project -> answer, recording every question."""

    def __init__(
        self,
        url: str,
        listings: Mapping[str, Listing | tuple[str, ...]] | None = None,
        *,
        kind: IndexKind = IndexKind.SIMPLE,
        priority: int = 0,
        gate: asyncio.Event | None = None,
    ) -> None:
        self._spec = IndexSpec(url, kind, priority)
        self.listings = {
            name: Found(tuple(self.file(f) for f in value)) if isinstance(value, tuple) else value
            for name, value in (listings or {}).items()
        }
        self.calls: list[str] = []
        self.gate = gate
        self.started = asyncio.Event() if gate is not None else None

    def file(self, filename: str) -> DistFile:
        return DistFile(filename, f"{self._spec.url}{filename}", self._spec)

    @property
    def spec(self) -> IndexSpec:
        return self._spec

    async def list_files(self, name: NormalizedName) -> Listing:
        self.calls.append(name)
        if self.gate is not None:
            assert self.started is not None
            self.started.set()
            await self.gate.wait()
        return self.listings.get(name, NotFound(name))

    async def fetch_metadata(self, file: DistFile) -> Answer[bytes]:
        return NotFound(file.filename)

    async def fetch_file(self, file: DistFile, dest: Path) -> Answer[Path]:
        return NotFound(file.filename)


def filenames(answer: Listing) -> list[str]:
    assert isinstance(answer, Found), answer
    return [f.filename for f in answer.value]


def origins(answer: Listing) -> list[tuple[str, str]]:
    assert isinstance(answer, Found), answer
    return [(f.filename, f.source.url) for f in answer.value]


FOO = canonicalize_name("foo")


def test_dict_source_is_an_index_source() -> None:
    assert isinstance(DictSource("https://a.test/"), IndexSource)


def test_strategy_values() -> None:
    assert IndexStrategy("first-index") is IndexStrategy.FIRST_INDEX
    assert IndexStrategy("unsafe-best-match") is IndexStrategy.UNSAFE_BEST_MATCH
    assert IndexSet([]).strategy is IndexStrategy.FIRST_INDEX


# --------------------------------------------------------------------------- first-index


def test_first_index_stops_at_the_first_index_that_has_the_project() -> None:
    private = DictSource("https://private.test/", {"foo": ("foo-1.0.tar.gz",)})
    public = DictSource("https://public.test/", {"foo": ("foo-99.0.tar.gz",)})
    answer = run(lambda: IndexSet([private, public]).project_files(FOO))
    # The public index's higher version is never seen: no dependency confusion.
    assert origins(answer) == [("foo-1.0.tar.gz", "https://private.test/")]
    assert public.calls == []


@pytest.mark.parametrize("miss", [NotFound("foo"), Found(())])
def test_first_index_moves_on_after_not_found_or_an_empty_listing(miss: Listing) -> None:
    first = DictSource("https://a.test/", {"foo": miss})
    second = DictSource("https://b.test/", {"foo": ("foo-2.0.tar.gz",)})
    third = DictSource("https://c.test/", {"foo": ("foo-3.0.tar.gz",)})
    answer = run(lambda: IndexSet([first, second, third]).project_files(FOO))
    assert origins(answer) == [("foo-2.0.tar.gz", "https://b.test/")]
    assert (first.calls, second.calls, third.calls) == (["foo"], ["foo"], [])


@pytest.mark.parametrize(
    "failure", [Failed("https://a.test/foo/", "HTTP 503"), Offline("https://a.test/foo/")]
)
def test_first_index_failure_is_the_answer(failure: Listing) -> None:
    first = DictSource("https://a.test/", {"foo": failure})
    second = DictSource("https://b.test/", {"foo": ("foo-2.0.tar.gz",)})
    flat = FlatIndex.from_files([DistFile("foo-1.0.tar.gz", "file:///w/foo-1.0.tar.gz", FLAT)])
    assert run(lambda: IndexSet([first, second], flat).project_files(FOO)) == failure
    assert second.calls == []


def test_first_index_failure_after_found_is_never_asked() -> None:
    first = DictSource("https://a.test/", {"foo": ("foo-1.0.tar.gz",)})
    second = DictSource("https://b.test/", {"foo": Failed("b", "down")})
    assert filenames(run(lambda: IndexSet([first, second]).project_files(FOO))) == [
        "foo-1.0.tar.gz"
    ]


def test_not_found_only_when_nobody_has_the_project() -> None:
    sources = [DictSource("https://a.test/"), DictSource("https://b.test/", {"foo": Found(())})]
    assert run(lambda: IndexSet(sources).project_files(FOO)) == NotFound("foo")
    assert run(lambda: IndexSet([]).project_files(FOO)) == NotFound("foo")


# --------------------------------------------------------------------------- find-links

FLAT = IndexSpec("/wheels", IndexKind.FLAT, priority=2)


def flat_file(filename: str) -> DistFile:
    return DistFile(filename, f"file:///wheels/{filename}", FLAT)


@pytest.mark.parametrize("strategy", list(IndexStrategy))
def test_find_links_alone(strategy: IndexStrategy) -> None:
    flat = FlatIndex.from_files([flat_file("foo-1.0.tar.gz"), flat_file("bar-1.0.tar.gz")])
    index = DictSource("https://a.test/")
    answer = run(lambda: IndexSet([index], flat, strategy).project_files(FOO))
    assert origins(answer) == [("foo-1.0.tar.gz", "/wheels")]
    assert index.calls == ["foo"]


@pytest.mark.parametrize("strategy", list(IndexStrategy))
def test_find_links_win_per_version(strategy: IndexStrategy) -> None:
    index = DictSource(
        "https://a.test/",
        {"foo": ("foo-1.0-py3-none-any.whl", "foo-1.0.tar.gz", "foo-2.0.tar.gz")},
    )
    flat = FlatIndex.from_files([flat_file("foo-1.0-py3-none-any.whl")])
    answer = run(lambda: IndexSet([index], flat, strategy).project_files(FOO))
    assert origins(answer) == [
        ("foo-1.0-py3-none-any.whl", "/wheels"),
        ("foo-2.0.tar.gz", "https://a.test/"),
    ]


def test_find_links_as_sources() -> None:
    index = DictSource("https://a.test/", {"foo": ("foo-1.0.tar.gz", "foo-2.0.tar.gz")})
    links_a = DictSource(
        "/a", {"foo": ("foo-2.0.tar.gz", "foo-3.0.tar.gz")}, kind=IndexKind.FLAT, priority=1
    )
    links_b = DictSource("/b", {"foo": ("foo-3.0.tar.gz",)}, kind=IndexKind.FLAT, priority=2)
    links_c = DictSource("/c", kind=IndexKind.FLAT, priority=3)
    index_set = IndexSet([index], [links_a, links_b, links_c])
    assert index_set.flat == (links_a, links_b, links_c)
    answer = run(lambda: index_set.project_files(FOO))
    assert origins(answer) == [
        ("foo-2.0.tar.gz", "/a"),
        ("foo-3.0.tar.gz", "/a"),  # the first location wins a repeated name
        ("foo-1.0.tar.gz", "https://a.test/"),
    ]
    assert links_c.calls == ["foo"]


def test_failing_find_links_source_is_the_answer() -> None:
    index = DictSource("https://a.test/", {"foo": ("foo-1.0.tar.gz",)})
    links = DictSource(
        "/gone", {"foo": Failed("/gone", "find-links location does not exist")}, kind=IndexKind.FLAT
    )
    answer = run(lambda: IndexSet([index], [links]).project_files(FOO))
    assert answer == Failed("/gone", "find-links location does not exist")


def test_index_failure_reported_before_find_links_failure() -> None:
    index = DictSource("https://a.test/", {"foo": Offline("a")})
    links = DictSource("/gone", {"foo": Failed("/gone", "x")}, kind=IndexKind.FLAT)
    assert run(lambda: IndexSet([index], [links]).project_files(FOO)) == Offline("a")


# --------------------------------------------------------------------------- unsafe-best-match


def test_best_match_merges_every_index() -> None:
    first = DictSource("https://a.test/", {"foo": ("foo-1.0.tar.gz", "foo-1.0-py3-none-any.whl")})
    second = DictSource("https://b.test/", {"foo": ("foo-1.0.tar.gz", "foo-2.0.tar.gz")})
    third = DictSource("https://c.test/", {"foo": NotFound("foo")})
    answer = run(
        lambda: IndexSet(
            [first, second, third], None, IndexStrategy.UNSAFE_BEST_MATCH
        ).project_files(FOO)
    )
    assert origins(answer) == [
        ("foo-1.0.tar.gz", "https://a.test/"),  # the same name: the first index's file
        ("foo-1.0-py3-none-any.whl", "https://a.test/"),
        ("foo-2.0.tar.gz", "https://b.test/"),
    ]
    assert third.calls == ["foo"]


def test_best_match_asks_every_index_at_once() -> None:
    async def scenario() -> Listing:
        gate = asyncio.Event()
        first = DictSource("https://a.test/", {"foo": ("foo-1.0.tar.gz",)}, gate=gate)
        second = DictSource("https://b.test/", {"foo": ("foo-2.0.tar.gz",)}, gate=gate)
        index_set = IndexSet([first, second], strategy=IndexStrategy.UNSAFE_BEST_MATCH)
        listing = asyncio.ensure_future(index_set.project_files(FOO))
        assert first.started is not None and second.started is not None
        # Both are asked before either answers.
        await asyncio.wait_for(asyncio.gather(first.started.wait(), second.started.wait()), 5)
        gate.set()
        return await listing

    assert filenames(run(scenario)) == ["foo-1.0.tar.gz", "foo-2.0.tar.gz"]


def test_best_match_failure_of_any_index_is_the_answer() -> None:
    sources = [
        DictSource("https://a.test/", {"foo": ("foo-1.0.tar.gz",)}),
        DictSource("https://b.test/", {"foo": Offline("b")}),
        DictSource("https://c.test/", {"foo": Failed("c", "HTTP 500")}),
    ]
    index_set = IndexSet(sources, strategy=IndexStrategy.UNSAFE_BEST_MATCH)
    assert run(lambda: index_set.project_files(FOO)) == Offline("b")


def test_best_match_not_found() -> None:
    sources = [DictSource("https://a.test/"), DictSource("https://b.test/", {"foo": Found(())})]
    index_set = IndexSet(sources, strategy=IndexStrategy.UNSAFE_BEST_MATCH)
    assert run(lambda: index_set.project_files(FOO)) == NotFound("foo")


# --------------------------------------------------------------------------- memoization


@pytest.mark.parametrize("strategy", list(IndexStrategy))
def test_one_listing_per_project(strategy: IndexStrategy) -> None:
    source = DictSource("https://a.test/", {"foo": ("foo-1.0.tar.gz",)})
    index_set = IndexSet([source], strategy=strategy)

    async def scenario() -> list[Listing]:
        together = await asyncio.gather(
            *(index_set.project_files(canonicalize_name(n)) for n in ["foo", "Foo", "FOO"] * 5)
        )
        later = await index_set.project_files(FOO)
        return [*together, later]

    answers = run(scenario)
    assert source.calls == ["foo"]
    assert all(answer is answers[0] for answer in answers)


def test_prefetch_starts_listings_that_later_questions_share() -> None:
    async def scenario() -> tuple[list[str], list[str], Listing]:
        gate = asyncio.Event()
        source = DictSource("https://a.test/", {"foo": ("foo-1.0.tar.gz",)}, gate=gate)
        index_set = IndexSet([source])
        index_set.prefetch(["Foo", "bar", "FOO"])
        assert source.started is not None
        await source.started.wait()  # asked before anyone awaits an answer
        asked_early = sorted(source.calls)
        gate.set()
        answer = await index_set.project_files(FOO)
        await index_set.project_files(canonicalize_name("bar"))
        return asked_early, source.calls, answer

    asked_early, calls, answer = run(scenario)
    assert asked_early == ["bar", "foo"]
    assert sorted(calls) == ["bar", "foo"]  # nothing asked twice
    assert filenames(answer) == ["foo-1.0.tar.gz"]


def test_concurrent_callers_share_one_listing_and_survive_a_cancelled_one() -> None:
    async def scenario() -> tuple[Listing, list[str]]:
        gate = asyncio.Event()
        source = DictSource("https://a.test/", {"foo": ("foo-1.0.tar.gz",)}, gate=gate)
        index_set = IndexSet([source])
        impatient = asyncio.ensure_future(index_set.project_files(FOO))
        patient = asyncio.ensure_future(index_set.project_files(FOO))
        assert source.started is not None
        await source.started.wait()
        impatient.cancel()
        await asyncio.sleep(0)
        gate.set()
        answer = await patient
        assert impatient.cancelled()
        return answer, source.calls

    answer, calls = run(scenario)
    assert filenames(answer) == ["foo-1.0.tar.gz"]
    assert calls == ["foo"]


def test_each_project_listed_separately() -> None:
    source = DictSource("https://a.test/", {"foo": ("foo-1.0.tar.gz",), "bar": ("bar-1.tar.gz",)})
    index_set = IndexSet([source])

    async def scenario() -> list[Listing]:
        return list(
            await asyncio.gather(
                index_set.project_files(FOO),
                index_set.project_files(canonicalize_name("bar")),
                index_set.project_files(canonicalize_name("baz")),
            )
        )

    foo, bar, baz = run(scenario)
    assert filenames(foo) == ["foo-1.0.tar.gz"]
    assert filenames(bar) == ["bar-1.tar.gz"]
    assert baz == NotFound("baz")
    assert sorted(source.calls) == ["bar", "baz", "foo"]


def test_a_new_event_loop_lists_again() -> None:
    source = DictSource("https://a.test/", {"foo": ("foo-1.0.tar.gz",)})
    index_set = IndexSet([source])
    run(lambda: index_set.project_files(FOO))
    assert filenames(run(lambda: index_set.project_files(FOO))) == ["foo-1.0.tar.gz"]
    assert source.calls == ["foo", "foo"]


def test_a_bug_in_a_source_propagates() -> None:
    class Broken(DictSource):
        async def list_files(self, name: NormalizedName) -> Listing:
            raise RuntimeError("bug")

    with pytest.raises(RuntimeError, match="bug"):
        run(lambda: IndexSet([Broken("https://a.test/")]).project_files(FOO))


# --------------------------------------------------------------------------- other API


def test_source_for_and_repr() -> None:
    index = DictSource("https://a.test/", {"foo": ("foo-1.0.tar.gz",)})
    links = DictSource("/links", kind=IndexKind.FLAT)
    index_set = IndexSet([index], [links])
    assert index_set.sources == (index,)
    assert index_set.source_for(index.file("foo-1.0.tar.gz")) is index
    assert index_set.source_for(links.file("foo-1.0.tar.gz")) is links
    assert index_set.source_for(flat_file("foo-1.0.tar.gz")) is None
    assert repr(index_set) == "IndexSet([https://a.test/], /links, first-index)"
    flat_set = IndexSet([index], FlatIndex())
    assert flat_set.source_for(flat_file("foo-1.0.tar.gz")) is None
    assert (
        repr(flat_set) == "IndexSet([https://a.test/], FlatIndex(0 projects, 0 files), first-index)"
    )


# --------------------------------------------------------------------------- real pages


class DiskIndex:
    """A file:// simple index read with the real parser, as a file-scheme source would."""

    def __init__(self, root: Path, priority: int, *, html: bool = False) -> None:
        self._spec = IndexSpec((root / "simple").as_uri() + "/", IndexKind.SIMPLE, priority)
        self.root = root
        self.html = html

    @property
    def spec(self) -> IndexSpec:
        return self._spec

    async def list_files(self, name: NormalizedName) -> Listing:
        page = self.root / "simple" / name / ("index.html" if self.html else "index.json")
        if not page.is_file():
            return NotFound(name)
        content_type = "text/html" if self.html else "application/vnd.pypi.simple.v1+json"
        parsed = parse_project_page(
            page.read_bytes(), content_type=content_type, url=page.as_uri(), source=self._spec
        )
        return Found(parsed.files)

    async def fetch_metadata(self, file: DistFile) -> Answer[bytes]:
        return NotFound(file.filename)

    async def fetch_file(self, file: DistFile, dest: Path) -> Answer[Path]:
        shutil.copyfile(unquote(urlsplit(file.url).path), dest)
        return Found(dest)


@pytest.mark.parametrize("html", [False, True])
def test_real_indexes_and_find_links(tmp_path: Path, html: bool) -> None:
    made = tmp_path / "made"
    private, public = tmp_path / "private", tmp_path / "public"
    write_simple_index(
        private,
        [
            make_wheel(made / "p", "acme-tools", "1.0"),
            make_sdist(made / "p", "acme-tools", "1.0"),
            make_wheel(made / "p", "acme-tools", "1.1"),
        ],
    )
    write_simple_index(
        public,
        [
            make_wheel(made / "q", "acme-tools", "99.0"),  # the confusion attack
            make_wheel(made / "q", "six", "1.16.0"),
            make_wheel(made / "q", "six", "1.17.0"),
        ],
    )
    links = tmp_path / "links"
    make_wheel(links, "six", "1.16.0", tag="py2.py3-none-any")  # a local build of 1.16.0
    make_sdist(links, "acme-tools", "1.2")
    flat = FlatIndex.from_directory(links, IndexSpec(str(links), IndexKind.FLAT, 2))
    sources = [DiskIndex(private, 0, html=html), DiskIndex(public, 1, html=html)]

    async def listings(strategy: IndexStrategy) -> dict[str, Listing]:
        index_set = IndexSet(sources, flat, strategy)
        answers = await asyncio.gather(
            *(index_set.project_files(canonicalize_name(n)) for n in ("Acme.Tools", "six", "x"))
        )
        return dict(zip(("acme-tools", "six", "x"), answers, strict=True))

    first = run(lambda: listings(IndexStrategy.FIRST_INDEX))
    acme = first["acme-tools"]
    assert isinstance(acme, Found)
    groups = group_by_version(acme.value, project=canonicalize_name("acme-tools"))
    assert list(groups) == [Version("1.2"), Version("1.1"), Version("1.0")]
    assert [f.filename for f in rank_files(groups[Version("1.0")], ())] == ["acme_tools-1.0.tar.gz"]
    six = first["six"]
    assert isinstance(six, Found)
    six_groups = group_by_version(six.value, project=canonicalize_name("six"))
    assert [(f.filename, f.source.kind) for f in six_groups[Version("1.16.0")]] == [
        ("six-1.16.0-py2.py3-none-any.whl", IndexKind.FLAT)
    ]
    assert [f.source.priority for f in six_groups[Version("1.17.0")]] == [1]
    assert first["x"] == NotFound("x")
    # Every URL points at a real file.
    for answer in (acme, six):
        assert isinstance(answer, Found)
        for file in answer.value:
            assert Path(unquote(urlsplit(file.url).path)).is_file(), file.url

    best = run(lambda: listings(IndexStrategy.UNSAFE_BEST_MATCH))
    best_acme = best["acme-tools"]
    assert isinstance(best_acme, Found)
    assert Version("99.0") in group_by_version(
        best_acme.value, project=canonicalize_name("acme-tools")
    )


def test_real_download_through_source_for(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "made", "foo", "1.0")
    write_simple_index(tmp_path / "index", [wheel])
    source = DiskIndex(tmp_path / "index", 0)
    index_set = IndexSet([source])

    async def download() -> Answer[Path]:
        answer = await index_set.project_files(FOO)
        assert isinstance(answer, Found)
        [file] = answer.value
        owner = index_set.source_for(file)
        assert owner is source
        return await owner.fetch_file(file, tmp_path / "out.whl")

    assert run(download) == Found(tmp_path / "out.whl")
    assert (tmp_path / "out.whl").read_bytes() == wheel.read_bytes()
