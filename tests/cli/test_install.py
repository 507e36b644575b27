"""``puffin pip install`` and ``pip sync`` into real virtual environments."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from puffin.testing import installed_versions


@pytest.fixture
def index(local_index, make_wheel):
    return local_index(
        [
            make_wheel(
                "app",
                "1.0",
                requires_dist=["lib>=1"],
                entry_points={"console_scripts": {"app-hello": "app:main"}},
                files={"app/__init__.py": "def main():\n    print('hello from app')\n"},
            ),
            make_wheel("lib", "1.0"),
            make_wheel("lib", "2.0"),
            make_wheel("other", "1.0"),
        ]
    )


def installed(venv: Path) -> dict[str, str]:
    return installed_versions(venv)


def install(run_puffin, venv: Path, index, *args: str):
    return run_puffin("pip", "install", "-p", str(venv), "-i", index.simple_url, *args)


def test_install_resolves_links_and_runs_scripts(run_puffin, venv, index) -> None:
    result = install(run_puffin, venv, index, "app")
    result.assert_ok()
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}
    assert " + app==1.0" in result.stderr and " + lib==2.0" in result.stderr
    assert "Installed 2 packages" in result.stderr
    # One line per phase, in order, as uv prints them.
    phases = [line.split(" ", 1)[0] for line in result.stderr.splitlines() if " in " in line]
    assert phases == ["Resolved", "Prepared", "Installed"], result.stderr
    assert "Resolved 2 packages in " in result.stderr and "Prepared 2 packages in " in result.stderr
    script = subprocess.run(
        [venv / "bin" / "app-hello"], capture_output=True, text=True, check=True
    )
    assert script.stdout == "hello from app\n"
    again = install(run_puffin, venv, index, "app")
    again.assert_ok()
    assert "Audited" in again.stderr and "+" not in again.stderr


def test_a_wheel_unpacked_in_the_cache_installs_without_its_archive(
    run_puffin, venv, index, puffin_cache_dir: Path, tmp_path: Path
) -> None:
    import shutil
    import sys

    install(run_puffin, venv, index, "app").assert_ok()
    # The unpacked wheels are what an install links from: with the archives gone, a new
    # environment installs from them, and nothing is downloaded again.
    shutil.rmtree(puffin_cache_dir / "archive-v1")
    other = tmp_path / "other-env"
    run_puffin("venv", str(other), "-p", sys.executable).assert_ok()
    result = install(run_puffin, other, index, "app", "-vv")
    result.assert_ok()
    assert installed(other) == {"app": "1.0", "lib": "2.0"}
    assert ".whl" not in result.stderr, result.stderr
    assert not (puffin_cache_dir / "archive-v1").exists()


def test_downgrade_and_upgrade(run_puffin, venv, index) -> None:
    install(run_puffin, venv, index, "lib==1.0").assert_ok()
    assert installed(venv) == {"lib": "1.0"}
    install(run_puffin, venv, index, "lib").assert_ok()
    assert installed(venv) == {"lib": "1.0"}, "installed versions are kept unless --upgrade"
    result = install(run_puffin, venv, index, "lib", "--upgrade")
    result.assert_ok()
    assert installed(venv) == {"lib": "2.0"}
    assert " - lib==1.0" in result.stderr and " + lib==2.0" in result.stderr


def test_reinstall_and_reinstall_package(run_puffin, venv, index) -> None:
    install(run_puffin, venv, index, "app").assert_ok()
    # A name spelled otherwise than the project's is still that project (normalized).
    result = install(run_puffin, venv, index, "app", "--reinstall-package", "LIB")
    result.assert_ok()
    assert " - lib==2.0" in result.stderr and " + lib==2.0" in result.stderr, result.stderr
    assert "app==1.0" not in result.stderr, "only the named package is reinstalled"
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}
    everything = install(run_puffin, venv, index, "app", "--reinstall")
    everything.assert_ok()
    for line in (" - app==1.0", " + app==1.0", " - lib==2.0", " + lib==2.0"):
        assert line in everything.stderr, everything.stderr
    assert installed(venv) == {"app": "1.0", "lib": "2.0"}


def test_dry_run_changes_nothing(run_puffin, venv, index) -> None:
    result = install(run_puffin, venv, index, "app", "--dry-run")
    result.assert_ok()
    assert installed(venv) == {}
    assert "dry run" in result.stderr and " + app==1.0" in result.stderr


def test_sync_removes_extraneous(run_puffin, venv, index, tmp_path: Path) -> None:
    install(run_puffin, venv, index, "other", "lib==1.0").assert_ok()
    (tmp_path / "requirements.txt").write_text("lib==2.0\n")
    result = run_puffin("pip", "sync", "requirements.txt", "-p", str(venv), "-i", index.simple_url)
    result.assert_ok()
    assert installed(venv) == {"lib": "2.0"}
    assert " - other==1.0" in result.stderr


def test_hash_mismatch_leaves_environment_untouched(
    run_puffin, venv, local_index, make_wheel, tmp_path: Path
) -> None:
    good = make_wheel("lib", "1.0")
    index = local_index([good])
    install(run_puffin, venv, index, "lib").assert_ok()
    before = sorted(p.relative_to(venv) for p in venv.rglob("*"))
    tampered = local_index([make_wheel("newlib", "1.0")])
    files = tampered.root / "files"
    wheel = next(files.glob("newlib-*.whl"))
    wheel.write_bytes(wheel.read_bytes() + b"tampered")
    result = install(run_puffin, venv, tampered, "newlib")
    assert result.returncode == 1
    assert "newlib-1.0-py3-none-any.whl" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.relative_to(venv) for p in venv.rglob("*")) == before


def test_a_plugin_can_veto_the_plan(run_puffin, venv, index, tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "no_other.py").write_text(
        textwrap.dedent(
            """
            from puffin.plugin import Problem

            def puffin_check_plan(plan):
                return [
                    Problem(f"{item.wanted.name}=={item.wanted.version}", "is not allowed here")
                    for item in plan.items
                    if item.wanted is not None and item.wanted.name == "other"
                ]
            """
        )
    )
    result = run_puffin(
        "-p",
        "no_other",
        "pip",
        "install",
        "-p",
        str(venv),
        "-i",
        index.simple_url,
        "other",
        env={"PYTHONPATH": str(plugins)},
    )
    assert result.returncode == 1
    assert "other==1.0: is not allowed here [no_other]" in result.stderr
    assert installed(venv) == {}


def test_no_environment_is_a_clear_error(run_puffin, index, tmp_path: Path) -> None:
    result = run_puffin("pip", "install", "-i", index.simple_url, "lib", cwd=tmp_path)
    assert result.returncode == 1
    assert "No virtual environment found" in result.stderr


def test_noop_sync_needs_no_network(run_puffin, venv, index, tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("lib==2.0\nother==1.0 ; sys_platform == 'win32'\n")
    args = ("pip", "sync", "requirements.txt", "-p", str(venv), "-i", index.simple_url)
    run_puffin(*args).assert_ok()
    index.clear_log()
    result = run_puffin(*args)
    result.assert_ok()
    assert "Audited 1 package" in result.stderr
    assert index.requests == [], "an up-to-date environment needs no index"
    assert installed(venv) == {"lib": "2.0"}


def test_link_modes_and_direct_url(run_puffin, venv, index, make_wheel, tmp_path: Path) -> None:
    install(run_puffin, venv, index, "lib==1.0", "--link-mode", "symlink").assert_ok()
    module = next(venv.glob("lib/python*/site-packages/lib/__init__.py"))
    assert module.is_symlink()
    wheel = make_wheel("direct-thing", "0.5")
    result = install(
        run_puffin, venv, index, f"direct-thing @ {wheel.as_uri()}", "--link-mode", "copy"
    )
    result.assert_ok()
    record = next(venv.glob("lib/python*/site-packages/direct_thing-0.5.dist-info/direct_url.json"))
    assert json.loads(record.read_text())["url"] == wheel.as_uri()
    copied = next(venv.glob("lib/python*/site-packages/direct_thing/__init__.py"))
    assert not copied.is_symlink()


def test_compile_bytecode_is_a_post_install_plugin(run_puffin, venv, index) -> None:
    result = install(run_puffin, venv, index, "lib==1.0", "--compile-bytecode", "-v")
    result.assert_ok()
    caches = list(venv.glob("lib/python*/site-packages/lib/__pycache__/__init__.*.pyc"))
    assert caches, "the target interpreter compiled the installed module"
    assert "Compiled 1 files to bytecode" in result.stderr
    listed = run_puffin("plugins", "list")
    assert "puffin_post_install" in next(
        line for line in listed.stdout.splitlines() if line.startswith("bytecode")
    )


def test_hash_checking_mode(run_puffin, venv, local_index, make_wheel, tmp_path: Path) -> None:
    import hashlib

    wheel = make_wheel("lib", "1.0")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    index = local_index([wheel, make_wheel("free", "1.0")])
    args = ("pip", "install", "-p", str(venv), "-i", index.simple_url, "-r", "requirements.txt")
    (tmp_path / "requirements.txt").write_text(f"lib==1.0 --hash=sha256:{'0' * 64}\n")
    wrong = run_puffin(*args)
    assert wrong.returncode == 1
    assert f"expected sha256:{'0' * 64}, got sha256:{digest}" in wrong.stderr
    assert installed(venv) == {}
    (tmp_path / "requirements.txt").write_text("--require-hashes\nfree\n")
    unpinned = run_puffin(*args)
    assert unpinned.returncode == 1
    assert "every package must be pinned with == and --hash; these are not: free==1.0" in (
        unpinned.stderr
    )
    (tmp_path / "requirements.txt").write_text(f"lib==1.0 --hash=sha256:{digest}\n")
    run_puffin(*args).assert_ok()
    assert installed(venv) == {"lib": "1.0"}


def test_pip_check_accepts_what_puffin_installed(run_puffin, index, tmp_path: Path) -> None:
    import sys

    env = tmp_path / "with-pip"
    subprocess.run([sys.executable, "-m", "venv", env], check=True)
    install(run_puffin, env, index, "app").assert_ok()
    check = subprocess.run(
        [env / "bin" / "python", "-I", "-m", "pip", "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No broken requirements found." in check.stdout
    listed = subprocess.run(
        [env / "bin" / "python", "-I", "-m", "pip", "list", "--format", "freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "app==1.0" in listed and "lib==2.0" in listed


def test_failed_upgrade_keeps_the_old_version_whole(
    run_puffin, venv, local_index, make_wheel
) -> None:
    index = local_index(
        [
            make_wheel("keep", "1.0", files={"keep/__init__.py": "V = 1\n"}),
            make_wheel("keep", "2.0", files={"keep/__init__.py": "V = 2\n", "keep/data.txt": "x"}),
            make_wheel("extra", "1.0"),
        ]
    )
    install(run_puffin, venv, index, "keep==1.0").assert_ok()
    site = next((venv / "lib").glob("python*/site-packages"))
    # A directory where version 2.0 puts a file: linking that file must fail.
    (site / "keep" / "data.txt").mkdir()
    (site / "keep" / "data.txt" / "blocker").write_text("")
    result = install(run_puffin, venv, index, "keep==2.0", "extra")
    result.assert_failed()
    assert "Traceback" not in result.stderr
    assert installed(venv) == {"keep": "1.0"}, "the old version is back, nothing else added"
    assert (site / "keep-1.0.dist-info" / "RECORD").is_file()
    assert not (site / "keep-2.0.dist-info").exists()
    value = subprocess.run(
        [venv / "bin" / "python", "-c", "import keep; print(keep.V)"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert value == "1\n"
    assert not list(venv.glob(".puffin-stash-*")), "the stash is cleaned up"


def test_a_pinned_install_reads_only_its_version_of_a_large_page(
    run_puffin, venv, local_index, make_wheel, puffin_cache_dir: Path, tmp_path: Path
) -> None:
    from puffin.index.page_cache import BUCKET, SMALL_PAGE

    wheels = [make_wheel("many", f"1.{n}") for n in range(90)]
    index = local_index(wheels)
    page = next(index.root.glob("simple/many/index.json"))
    assert page.stat().st_size > SMALL_PAGE  # a page whose reading the cache would keep
    install(run_puffin, venv, index, "many==1.42").assert_ok()
    assert installed(venv)["many"] == "1.42"
    readings = puffin_cache_dir / BUCKET
    assert not readings.exists() or not any(readings.iterdir())
    # An unpinned requirement needs every version: the page is read whole, and kept.
    other = tmp_path / "other"
    run_puffin("venv", str(other)).assert_ok()
    install(run_puffin, other, index, "many>=1.42").assert_ok()
    assert installed(other)["many"] == "1.89"
    assert len(list(readings.iterdir())) == 1
