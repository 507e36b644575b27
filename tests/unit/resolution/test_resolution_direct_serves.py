"""A dependency's ``name @ url`` agrees with the source the user required."""

from __future__ import annotations

from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.distribution.core_metadata import parse_core_metadata
from puffin.resolution.direct import DirectDist

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def direct(url: str, requested: str) -> DirectDist:
    metadata = parse_core_metadata(b"Metadata-Version: 2.1\nName: lib\nVersion: 1.0\n", source="x")
    name = canonicalize_name("lib")
    return DirectDist(name, Version("1.0"), metadata, url, None, requested=requested)


def test_git_sources_agree_by_repository_subdirectory_and_revision() -> None:
    dist = direct(
        f"git+https://example.org/lib.git@{COMMIT}#subdirectory=py",
        "git+https://example.org/lib.git@main#subdirectory=py",
    )
    assert dist.serves("git+https://example.org/lib.git@main#subdirectory=py")
    assert dist.serves(f"git+https://Example.org/lib.git@{COMMIT[:12]}#subdirectory=py")
    assert dist.serves("git+https://example.org/lib.git#subdirectory=py"), "no revision named"
    assert not dist.serves("git+https://example.org/lib.git@v2#subdirectory=py")
    assert not dist.serves("git+https://example.org/lib.git@main"), "another subdirectory"
    assert not dist.serves("git+https://example.org/fork.git@main#subdirectory=py")
    assert not dist.serves("https://example.org/lib-1.0.tar.gz")


def test_archive_urls_agree_after_normalization() -> None:
    url = "https://files.example.org/lib-1.0.tar.gz"
    dist = direct(url, f"{url}#sha256=ab")
    assert dist.serves("HTTPS://FILES.example.org/lib-1.0.tar.gz")
    assert dist.serves(f"{url}#sha256=cd"), "hash fragments aside"
    assert not dist.serves("https://files.example.org/lib-1.1.tar.gz")


def test_local_paths_agree_when_they_are_the_same_file(tmp_path: Path) -> None:
    archive = tmp_path / "lib-1.0.tar.gz"
    archive.write_bytes(b"x")
    (tmp_path / "link.tar.gz").symlink_to(archive)
    dist = direct(archive.as_uri(), archive.as_uri())
    assert dist.serves((tmp_path / "link.tar.gz").as_uri())
    assert dist.serves(f"file://{tmp_path}/./lib-1.0.tar.gz")
    assert not dist.serves((tmp_path / "other.tar.gz").as_uri())
    assert not dist.serves("https://example.org/lib-1.0.tar.gz")
