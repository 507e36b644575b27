"""``puffin pip index versions``: every kind of source, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from puffin.testing.index import write_flat_html, write_simple_index

PLUGINS = Path(__file__).parent / "plugins"


@pytest.fixture
def dists(make_wheel, make_sdist) -> dict[str, Path]:
    return {
        "a1": make_wheel("alpha", "1.0"),
        "a2": make_wheel("alpha", "2.0", requires_python=">=3.9"),
        "a3": make_sdist("alpha", "3.0b1"),
        "a4": make_wheel("alpha", "1.5", tag="cp311-cp311-win_amd64"),
    }


def versions_line(stdout: str) -> str:
    lines = stdout.splitlines()
    assert lines[1].startswith("Available versions: "), stdout
    return lines[1].removeprefix("Available versions: ")


def test_json_index(run_puffin, local_index, dists) -> None:
    index = local_index(dists.values())
    result = run_puffin("pip", "index", "versions", "Alpha", "--index-url", index.simple_url)
    result.assert_ok()
    assert result.stdout.splitlines()[0] == "Alpha (2.0)"
    # 1.5 has only a Windows wheel; 3.0b1 is a pre-release.
    assert versions_line(result.stdout) == "2.0, 1.0"
    page_requests = [r for r in index.requests if r.path.startswith("/simple/alpha")]
    assert page_requests and "application/vnd.pypi.simple.v1+json" in page_requests[0].accept


def test_html_only_index_with_pre_and_python_version(run_puffin, local_index, dists) -> None:
    index = local_index(dists.values(), serve_json=False)
    args = ("pip", "index", "versions", "alpha", "--index-url", index.simple_url)
    assert versions_line(run_puffin(*args, "--pre").stdout) == "3.0b1, 2.0, 1.0"
    # requires-python >= 3.9 hides 2.0 for a 3.8 target.
    assert versions_line(run_puffin(*args, "--python-version", "3.8").stdout) == "1.0"


def test_yanked_versions_are_left_out(run_puffin, local_index, dists) -> None:
    index = local_index(dists.values(), yanked={dists["a2"].name: "broken"})
    result = run_puffin("pip", "index", "versions", "alpha", "--index-url", index.simple_url)
    assert versions_line(result.stdout) == "1.0"


def test_absolute_links_without_hashes_or_metadata(run_puffin, local_index, dists) -> None:
    index = local_index(
        dists.values(), relative_urls=False, hashes=False, metadata_files=False, serve_json=False
    )
    result = run_puffin("pip", "index", "versions", "alpha", "-i", index.simple_url)
    assert versions_line(result.stdout) == "2.0, 1.0"


def test_pypiserver(run_puffin, pypiserver, dists) -> None:
    server = pypiserver(dists.values())
    result = run_puffin("pip", "index", "versions", "alpha", "-i", server.simple_url)
    result.assert_ok()
    assert versions_line(result.stdout) == "2.0, 1.0"


def test_file_url_simple_index(run_puffin, dists, tmp_path: Path) -> None:
    root = tmp_path / "mirror"
    write_simple_index(root, dists.values())
    result = run_puffin("pip", "index", "versions", "alpha", "-i", (root / "simple").as_uri())
    result.assert_ok()
    assert versions_line(result.stdout) == "2.0, 1.0"


def test_find_links_directory_with_no_index(run_puffin, find_links_dir, dists) -> None:
    find_links_dir.add(dists["a1"], dists["a3"])
    result = run_puffin(
        "pip", "index", "versions", "alpha", "--no-index", "-f", os.fspath(find_links_dir), "--pre"
    )
    result.assert_ok()
    assert versions_line(result.stdout) == "3.0b1, 1.0"


def test_find_links_url_joins_the_index(run_puffin, local_index, make_wheel, dists) -> None:
    index = local_index([dists["a1"]])
    links = local_index([])  # a second server, serving a flat page of links
    flat_files = links.root / "flat"
    flat_files.mkdir()
    extra = make_wheel("alpha", "4.0")
    (flat_files / extra.name).write_bytes(extra.read_bytes())
    write_flat_html(flat_files, [flat_files / extra.name])
    result = run_puffin(
        "pip", "index", "versions", "alpha", "-i", index.simple_url, "-f", f"{links.url}/flat/"
    )
    result.assert_ok()
    assert versions_line(result.stdout) == "4.0, 1.0"


def test_index_strategy(run_puffin, local_index, make_wheel) -> None:
    first = local_index([make_wheel("beta", "1.0")])
    second = local_index([make_wheel("beta", "9.0")])
    args = ("pip", "index", "versions", "beta", "-i", first.simple_url)
    args += ("--extra-index-url", second.simple_url)
    assert versions_line(run_puffin(*args).stdout) == "1.0"
    assert not [r for r in second.requests if "/beta" in r.path], "first-index stops at index 1"
    merged = run_puffin(*args, "--index-strategy", "unsafe-best-match")
    assert versions_line(merged.stdout) == "9.0, 1.0"


def test_missing_project_is_a_clear_error(run_puffin, local_index, dists) -> None:
    index = local_index(dists.values())
    result = run_puffin("pip", "index", "versions", "gamma", "-i", index.simple_url)
    assert result.returncode == 1
    assert "no versions of 'gamma' found" in result.stderr
    assert index.simple_url in result.stderr
    assert "Traceback" not in result.stderr


def test_custom_index_type_from_a_plugin(run_puffin, dists, tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    for path in dists.values():
        (store / path.name).write_bytes(path.read_bytes())
    env = {"PYTHONPATH": str(PLUGINS)}
    url = f"testidx://{store}"
    result = run_puffin(
        "-p", "testidx_plugin", "pip", "index", "versions", "alpha", "-i", url, env=env
    )
    result.assert_ok()
    assert versions_line(result.stdout) == "2.0, 1.0"
    listed = run_puffin("-p", "testidx_plugin", "plugins", "list", env=env)
    assert "puffin_index_source" in next(
        line for line in listed.stdout.splitlines() if line.startswith("testidx_plugin")
    )


def test_unclaimed_scheme_is_a_clear_error(run_puffin) -> None:
    result = run_puffin("pip", "index", "versions", "alpha", "-i", "testidx:///nowhere")
    assert result.returncode == 1
    assert "no plugin serves the index testidx:///nowhere (scheme 'testidx')" in result.stderr


def test_basic_auth_credentials_never_printed(run_puffin, local_index, dists) -> None:
    index = local_index(dists.values(), auth=("alice", "s3cr3t-pw"))
    url = index.simple_url.replace("http://", "http://alice:s3cr3t-pw@")
    result = run_puffin("pip", "index", "versions", "alpha", "-i", url, "-vv")
    result.assert_ok()
    assert versions_line(result.stdout) == "2.0, 1.0"
    assert "s3cr3t-pw" not in result.stdout + result.stderr
    assert "alice" in result.stderr  # the redacted URL keeps the user name
    wrong = run_puffin(
        "pip", "index", "versions", "alpha", "-vv", "-i", url.replace("s3cr3t-pw", "nope-pw")
    )
    assert wrong.returncode == 1
    assert "nope-pw" not in wrong.stdout + wrong.stderr


def test_offline_uses_the_cache_and_names_what_is_missing(run_puffin, local_index, dists) -> None:
    index = local_index(dists.values())
    args = ("pip", "index", "versions", "alpha", "-i", index.simple_url)
    run_puffin(*args).assert_ok()
    index.clear_log()
    offline = run_puffin(*args, "--offline")
    offline.assert_ok()
    assert versions_line(offline.stdout) == "2.0, 1.0"
    assert index.requests == []
    missing = run_puffin("pip", "index", "versions", "delta", "-i", index.simple_url, "--offline")
    assert missing.returncode == 1
    assert "delta" in missing.stderr and "offline" in missing.stderr


def test_server_errors_are_retried(run_puffin, local_index, dists) -> None:
    index = local_index(dists.values())
    index.faults.add("/simple/alpha/", ("500", 2))
    result = run_puffin("pip", "index", "versions", "alpha", "-i", index.simple_url)
    result.assert_ok()
    assert index.count("/simple/alpha/") == 3


@pytest.mark.network
def test_real_pypi(run_puffin) -> None:
    result = run_puffin("pip", "index", "versions", "six")
    result.assert_ok()
    assert "1.16.0" in versions_line(result.stdout)


def test_fresh_pages_come_from_cache_until_refreshed(run_puffin, local_index, dists) -> None:
    index = local_index(dists.values(), cache_control="max-age=600")
    args = ("pip", "index", "versions", "alpha", "-i", index.simple_url)
    run_puffin(*args).assert_ok()
    assert index.count("/simple/alpha/") == 1
    run_puffin(*args).assert_ok()
    assert index.count("/simple/alpha/") == 1, "a fresh cached page is not asked for again"
    run_puffin(*args, "--refresh-package", "Alpha").assert_ok()
    assert index.count("/simple/alpha/") == 2
    assert index.count("/simple/alpha/", status=304) == 1, "revalidated, not downloaded again"
    run_puffin(*args, "--refresh").assert_ok()
    assert index.count("/simple/alpha/") == 3
    run_puffin(*args, "--refresh-package", "other").assert_ok()
    assert index.count("/simple/alpha/") == 3
