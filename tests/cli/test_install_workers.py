"""Large installs: worker processes fetch the large wheels of exact pins themselves and
unpack them while the resolution runs, and a fetch they cannot make falls back to the
command's client, whose errors the user sees as always."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from puffin.install.unpack_workers import FETCHED_FROM, PROCESSES_FROM
from puffin.testing import installed_versions

MEMBER = 64 * 1024


def _large_wheel(make_wheel, name: str, megabytes: int) -> Path:
    # Random bytes do not compress: the wheel is as large as its members.
    rng = random.Random(name)
    files: dict[str, bytes | str] = {
        f"{name}/part{n:03d}.bin": rng.randbytes(MEMBER)
        for n in range(megabytes * 1024 * 1024 // MEMBER)
    }
    files[f"{name}/__init__.py"] = "VALUE = 42\n"
    return make_wheel(name, "1.0", files=files)


@pytest.fixture
def wheels(make_wheel) -> list[Path]:
    # Two large wheels pass PROCESSES_FROM together, so the install starts its workers.
    wheels = [
        _large_wheel(make_wheel, "bigone", 9),
        _large_wheel(make_wheel, "bigtwo", 9),
        make_wheel("small", "1.0", files={"small/__init__.py": "VALUE = 1\n"}),
    ]
    assert sum(wheel.stat().st_size for wheel in wheels) >= PROCESSES_FROM
    assert wheels[0].stat().st_size >= FETCHED_FROM > wheels[2].stat().st_size
    return wheels


@pytest.fixture
def pins(tmp_path: Path) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text("bigone==1.0\nbigtwo==1.0\nsmall==1.0\n")
    return path


def install(run_puffin, venv: Path, index, pins: Path):
    return run_puffin(
        "-vv", "pip", "install", "-p", str(venv), "-i", index.simple_url, "-r", str(pins)
    )


def wheel_gets(index, name: str) -> list[int | None]:
    """The statuses of the whole-file GETs of ``name``'s wheel (not range requests)."""
    return [
        record.status
        for record in index.requests
        if record.path.endswith(f"/{name}-1.0-py3-none-any.whl")
        and record.method == "GET"
        and record.range is None
    ]


def test_large_wheels_are_fetched_and_unpacked_by_workers(
    run_puffin, venv: Path, local_index, wheels: list[Path], pins: Path
) -> None:
    index = local_index(wheels)
    result = install(run_puffin, venv, index, pins)
    result.assert_ok()
    for name in ("bigone", "bigtwo"):
        assert f"{name}-1.0-py3-none-any.whl 200 in a worker:" in result.stderr
        assert wheel_gets(index, name) == [200]
    # Small wheels keep to the client, which has many requests in flight at once.
    assert "small-1.0-py3-none-any.whl 200 in a worker" not in result.stderr
    assert wheel_gets(index, "small") == [200]
    assert installed_versions(venv) == {"bigone": "1.0", "bigtwo": "1.0", "small": "1.0"}
    site = next(venv.glob("lib/python*/site-packages"))
    with zipfile.ZipFile(wheels[1]) as archive:
        assert (site / "bigtwo" / "part017.bin").read_bytes() == archive.read("bigtwo/part017.bin")


def test_a_fetch_the_worker_cannot_make_falls_back_to_the_client(
    run_puffin, venv: Path, local_index, wheels: list[Path], pins: Path
) -> None:
    index = local_index(wheels)
    index.faults.add("bigone-1.0-py3-none-any.whl", 503)  # the worker's GET only
    result = install(run_puffin, venv, index, pins)
    result.assert_ok()
    assert "bigone-1.0-py3-none-any.whl in a worker failed (HTTP 503" in result.stderr
    assert "fetching it here" in result.stderr
    assert wheel_gets(index, "bigone") == [503, 200]
    assert installed_versions(venv)["bigone"] == "1.0"


def test_a_hash_mismatch_is_reported_and_changes_nothing(
    run_puffin, venv: Path, local_index, wheels: list[Path], pins: Path
) -> None:
    index = local_index(wheels)
    tampered = next((index.root / "files").glob("bigtwo-*.whl"))
    tampered.write_bytes(tampered.read_bytes() + b"tampered")
    before = sorted(path.relative_to(venv) for path in venv.rglob("*"))
    result = install(run_puffin, venv, index, pins)
    assert result.returncode == 1
    # The worker's check failed first; the client's message is the one the user reads.
    assert "in a worker failed (the sha256 hash does not match" in result.stderr
    assert "hash mismatch for bigtwo-1.0-py3-none-any.whl: expected sha256:" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(path.relative_to(venv) for path in venv.rglob("*")) == before


def test_pinned_wheels_are_fetched_while_the_resolution_waits(
    run_puffin, venv: Path, local_index, wheels: list[Path], pins: Path
) -> None:
    index = local_index(wheels)
    # The resolution cannot end before small's page: the large wheels, pinned already,
    # are fetched (by the workers) meanwhile, not after it.
    index.faults.add("/simple/small/", ("stall", 2.0))
    install(run_puffin, venv, index, pins).assert_ok()
    order = [record.path.rsplit("/", 2)[-2:] for record in index.requests]
    page = order.index(["small", ""])
    for name in ("bigone", "bigtwo"):
        fetched = next(
            n
            for n, record in enumerate(index.requests)
            if record.path.endswith(f"/{name}-1.0-py3-none-any.whl") and record.range is None
        )
        assert fetched < page, f"{name} was fetched after the resolution"
    assert installed_versions(venv) == {"bigone": "1.0", "bigtwo": "1.0", "small": "1.0"}


def test_a_resolution_that_fails_after_the_prefetch_began_reports_only_its_error(
    run_puffin, venv: Path, local_index, wheels: list[Path], tmp_path: Path
) -> None:
    index = local_index(wheels)
    # The large pins are chosen (and their wheels fetched) before small's stalled page
    # shows that no small>=2 exists.
    index.faults.add("/simple/small/", ("stall", 1.0))
    pins = tmp_path / "conflict.txt"
    pins.write_text("bigone==1.0\nbigtwo==1.0\nsmall>=2\n")
    before = sorted(path.relative_to(venv) for path in venv.rglob("*"))
    result = install(run_puffin, venv, index, pins)
    assert result.returncode == 1
    assert "there is no version of small>=2" in result.stderr
    assert "Traceback" not in result.stderr
    assert "bigone-1.0-py3-none-any.whl 200 in a worker" in result.stderr
    assert sorted(path.relative_to(venv) for path in venv.rglob("*")) == before
