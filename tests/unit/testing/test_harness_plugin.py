"""puffin.testing.plugin: the fixtures work in a real pytest session and loading stays cheap."""

from __future__ import annotations

import importlib.metadata
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import puffin.testing.plugin


def test_plugin_is_registered_through_entry_point(pytestconfig: pytest.Config) -> None:
    (entry_point,) = [
        e for e in importlib.metadata.entry_points(group="pytest11") if e.name == "puffin"
    ]
    assert entry_point.value == "puffin.testing.plugin"
    assert pytestconfig.pluginmanager.get_plugin("puffin") is puffin.testing.plugin


def test_importing_the_plugin_is_cheap() -> None:
    # pytest loads the plugin in every session of every project that has puffin installed:
    # it must not drag in the HTTP server, zip/tar handling or packaging.
    code = (
        "import json, sys, pytest; before = set(sys.modules); import puffin.testing.plugin; "
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    added = set(json.loads(result.stdout))
    assert added <= {"puffin", "puffin.testing", "puffin.testing.plugin"}


def test_lazy_public_api() -> None:
    import puffin.testing as testing

    assert testing.make_wheel is testing.dists.make_wheel
    assert "LocalIndex" in dir(testing)
    for name in testing.__all__:
        assert getattr(testing, name) is not None
    with pytest.raises(AttributeError):
        _ = testing.no_such_name


def test_network_marker_is_registered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.network
        def test_marked():
            pass
        """
    )
    result = pytester.runpytest("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    markers = pytester.runpytest("--markers", "-p", "no:cacheprovider")
    markers.stdout.fnmatch_lines(["@pytest.mark.network: *PyPI*"])


def test_fixtures_in_a_pytest_session(pytester: pytest.Pytester, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    pytester.makepyfile(
        f"""
        import json, os, urllib.request
        from pathlib import Path

        REPORT = Path({str(report)!r})

        def test_everything(make_wheel, make_sdist, local_index, find_links_dir,
                            puffin_cache_dir, puffin_config_dir, puffin_dist_dir,
                            run_puffin, tmp_path):
            wheel = make_wheel("pkg", "1.0")
            sdist = make_sdist("pkg", "1.0")
            assert wheel.parent == sdist.parent == puffin_dist_dir
            index = local_index([wheel, sdist])
            second = local_index([wheel], auth=("u", "p"))
            assert index.root != second.root and index.port != second.port
            with urllib.request.urlopen(index.simple_url + "pkg/") as response:
                assert b"pkg-1.0.tar.gz" in response.read()
            assert index.count("/simple/pkg/") == 1
            find_links_dir.add(wheel)
            assert [p.name for p in find_links_dir.files] == [wheel.name]
            assert not puffin_cache_dir.exists()
            assert puffin_config_dir.is_dir() and not any(puffin_config_dir.iterdir())
            assert run_puffin.cwd == tmp_path and not any(tmp_path.iterdir())
            assert run_puffin.cache_dir == puffin_cache_dir
            REPORT.write_text(json.dumps([index.port, second.port]))

        def test_separate_dirs(puffin_cache_dir, puffin_dist_dir):
            seen = REPORT.with_suffix(".dirs")
            previous = seen.read_text() if seen.exists() else ""
            assert str(puffin_cache_dir) not in previous
            seen.write_text(previous + str(puffin_cache_dir) + "\\n")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    # Teardown stopped both servers.
    for port in json.loads(report.read_text()):
        with (
            pytest.raises(ConnectionRefusedError),
            socket.create_connection(("127.0.0.1", port), timeout=2),
        ):
            pass


def test_servers_stop_when_the_test_fails(pytester: pytest.Pytester, tmp_path: Path) -> None:
    report = tmp_path / "port"
    pytester.makepyfile(
        f"""
        from pathlib import Path

        def test_fails(local_index, make_wheel):
            index = local_index([make_wheel("x", "1")])
            Path({str(report)!r}).write_text(str(index.port))
            assert False, "deliberate"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    port = int(report.read_text())
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", port), timeout=2),
    ):
        pass
