"""OfferedCandidates: what filter plugins see, made one candidate at a time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.resolution.candidates import OfferedCandidates
from puffin.types import Candidate, DistFile
from puffin.types.index import IndexKind, IndexSpec

SOURCE = IndexSpec("https://a.test/simple/", IndexKind.SIMPLE, 0)
NAME = canonicalize_name("demo")


class CountingFiles(Mapping[Version, tuple[DistFile, ...]]):
    """Files by version, remembering which versions were read (as a lazy listing)."""

    def __init__(self, versions: list[str]) -> None:
        self._files = {
            Version(v): (DistFile(f"demo-{v}.tar.gz", f"https://a.test/demo-{v}.tar.gz", SOURCE),)
            for v in versions
        }
        self.read: list[Version] = []

    def __getitem__(self, version: Version) -> tuple[DistFile, ...]:
        self.read.append(version)
        return self._files[version]

    def __iter__(self) -> Iterator[Version]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


def test_nothing_is_read_until_a_candidate_is() -> None:
    files = CountingFiles(["3.0", "2.0", "1.0"])
    offered = OfferedCandidates(NAME, files)
    assert len(offered) == 3
    assert files.read == []
    assert offered[1] == Candidate(NAME, Version("2.0"), files._files[Version("2.0")])
    assert files.read == [Version("2.0")]


def test_a_sequence_newest_first_with_slices_and_negative_indexes() -> None:
    files = CountingFiles(["3.0", "2.0", "1.0"])
    offered = OfferedCandidates(NAME, files)
    assert [str(candidate) for candidate in offered] == ["demo==3.0", "demo==2.0", "demo==1.0"]
    assert [c.version for c in offered[:2]] == [Version("3.0"), Version("2.0")]
    assert offered[-1].version == Version("1.0")
    assert offered[0].files[0].filename == "demo-3.0.tar.gz"
    assert repr(offered) == "<3 candidates of demo>"
