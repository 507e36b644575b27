"""An install of exact pins reads the metadata of each small wheel it will install from
the wheel itself, fetched whole once for both the resolution and the install, instead of
by range requests (or a PEP 658 file) followed by the same wheel's download."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from puffin.testing import installed_versions


@pytest.fixture
def wheels(make_wheel) -> list[Path]:
    return [
        make_wheel("app", "1.0", requires_dist=["lib>=1"]),
        make_wheel("lib", "1.0", requires_dist=["leaf"]),
        make_wheel("lib", "2.0"),
        make_wheel("leaf", "1.0"),
    ]


def _requirements(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return path


def _install(run_puffin, venv: Path, index, requirements: Path, *extra: str):
    return run_puffin(
        "-vv", "pip", "install", "-p", str(venv), "-i", index.simple_url, "-r", str(requirements),
        *extra,
    )  # fmt: skip


def _wheel_requests(index) -> list[tuple[str, str | None, int | None]]:
    """(file name, Range header, status) of every request for a wheel or its metadata."""
    requests = [
        (record.path.rsplit("/", 1)[-1], record.range, record.status)
        for record in index.requests
        if ".whl" in record.path
    ]
    return sorted(requests, key=lambda request: (request[0], request[1] or ""))


@pytest.mark.parametrize("metadata_files", [False, True], ids=["ranges", "pep658"])
def test_pinned_small_wheels_are_fetched_once_for_metadata_and_install(
    run_puffin, venv: Path, local_index, wheels: list[Path], tmp_path: Path, metadata_files: bool
) -> None:
    index = local_index(wheels, metadata_files=metadata_files)
    pins = _requirements(tmp_path, "app==1.0\nlib==1.0\nleaf==1.0\n")
    result = _install(run_puffin, venv, index, pins)
    result.assert_ok()
    # Each wheel whole, once; no range request, no .metadata file. lib's dependency on
    # leaf, and app's on lib, were read from the wheels themselves.
    assert _wheel_requests(index) == [
        ("app-1.0-py3-none-any.whl", None, 200),
        ("leaf-1.0-py3-none-any.whl", None, 200),
        ("lib-1.0-py3-none-any.whl", None, 200),
    ]
    assert installed_versions(venv) == {"app": "1.0", "lib": "1.0", "leaf": "1.0"}


def test_the_metadata_read_from_a_whole_wheel_is_cached_like_any_other(
    run_puffin, local_index, wheels: list[Path], tmp_path: Path
) -> None:
    index = local_index(wheels, metadata_files=False)
    pins = _requirements(tmp_path, "app==1.0\nlib==1.0\nleaf==1.0\n")
    run_puffin("venv", str(tmp_path / "one"), "-p", sys.executable).assert_ok()
    _install(run_puffin, tmp_path / "one", index, pins).assert_ok()
    index.clear_log()
    # A compile from the same cache needs no wheel at all: the metadata is cached.
    compiled = run_puffin(
        "pip", "compile", str(pins), "-i", index.simple_url, "--python-version",
        f"{sys.version_info.major}.{sys.version_info.minor}",
    )  # fmt: skip
    compiled.assert_ok()
    assert "lib==1.0" in compiled.stdout
    assert _wheel_requests(index) == []


def test_unpinned_requirements_read_metadata_as_before(
    run_puffin, venv: Path, local_index, wheels: list[Path], tmp_path: Path
) -> None:
    index = local_index(wheels, metadata_files=False)
    result = _install(run_puffin, venv, index, _requirements(tmp_path, "app\n"))
    result.assert_ok()
    requests = _wheel_requests(index)
    # Any version may be chosen, so metadata comes by range requests; the chosen
    # versions' wheels are fetched whole once the resolution is done.
    assert any(range_ is not None for _, range_, _ in requests)
    whole = [name for name, range_, _ in requests if range_ is None]
    assert whole == [
        "app-1.0-py3-none-any.whl",
        "lib-2.0-py3-none-any.whl",
    ]
    assert installed_versions(venv) == {"app": "1.0", "lib": "2.0"}


def test_a_pinned_wheel_that_fails_its_hash_is_reported_by_the_install(
    run_puffin, venv: Path, local_index, wheels: list[Path], tmp_path: Path
) -> None:
    index = local_index(wheels, metadata_files=False)
    tampered = next((index.root / "files").glob("lib-1.0-*.whl"))
    tampered.write_bytes(tampered.read_bytes() + b"tampered")
    before = sorted(path.relative_to(venv) for path in venv.rglob("*"))
    result = _install(
        run_puffin, venv, index, _requirements(tmp_path, "app==1.0\nlib==1.0\nleaf==1.0\n")
    )
    assert result.returncode == 1
    # The resolution read lib's metadata by range requests instead, and the error the
    # user reads is the download's, naming the file and both hashes.
    assert "hash mismatch for lib-1.0-py3-none-any.whl: expected sha256:" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(path.relative_to(venv) for path in venv.rglob("*")) == before
