"""install_wheel into real virtual environments, run by real interpreters."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import puffin
from puffin.cache.dirs import Cache
from puffin.environment.query import Interpreter
from puffin.errors import PuffinError
from puffin.install.link import LinkMode
from puffin.install.unpack import unpack_wheel
from puffin.install.wheel import InstalledFiles, install_wheel
from puffin.testing.dists import MakeWheel
from puffin.venv.create import create_venv


def _venv(root: Path, base: Interpreter) -> Path:
    return create_venv(
        root,
        base,
        prompt=None,
        system_site_packages=False,
        clear=False,
        puffin_version=puffin.__version__,
    )


def _scheme(base: Interpreter, root: Path, name: str) -> dict[str, Path]:
    paths = base.venv_paths(root)
    return {
        "purelib": paths["purelib"],
        "platlib": paths["platlib"],
        "scripts": paths["scripts"],
        "data": paths["data"],
        # pip's headers directory in a venv (the include path is the base's layout).
        "headers": root / "include" / "site" / f"python{base.python_version}" / name,
    }


def _install(
    wheel: Path,
    cache: Cache,
    base: Interpreter,
    root: Path,
    name: str,
    *,
    mode: LinkMode = LinkMode.HARDLINK,
    requested: bool = True,
    direct_url: str | None = None,
    executor: ThreadPoolExecutor | None = None,
) -> InstalledFiles:
    version = wheel.name.split("-")[1]
    return install_wheel(
        unpack_wheel(wheel, cache),
        name=name,
        version=version,
        scheme=_scheme(base, root, name),
        interpreter_path=root / "bin" / "python",
        link_mode=mode,
        requested=requested,
        direct_url=direct_url,
        executor=executor,
    )


def _b64(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _demo_wheel(make_wheel: MakeWheel) -> Path:
    return make_wheel(
        "Demo.Pkg",
        "1.0",
        files={
            "demo_pkg/__init__.py": "VALUE = 42\n",
            "demo_pkg/cli.py": (
                "import sys\n"
                "class App:\n"
                "    @staticmethod\n"
                "    def run():\n"
                "        print('app', sys.argv[1:])\n"
                "        return 3\n"
                "def main():\n"
                "    print('main says', sys.argv[1:])\n"
                "    return 0\n"
            ),
        },
        data_files={
            "scripts/demo-data-script": "#!python\nimport sys\nprint('data script', sys.prefix)\n",
            "scripts/plain.sh": "#!/bin/sh\necho plain\n",
            "data/share/demo/readme.txt": "shared data\n",
            "headers/demo.h": "#define DEMO 1\n",
        },
        entry_points={
            "console_scripts": {"demo": "demo_pkg.cli:main", "demo-app": "demo_pkg.cli:App.run"},
            "gui_scripts": {"demo-gui": "demo_pkg.cli:main [extra]"},
        },
    )


def test_install_runs_package_console_scripts_and_data(
    make_wheel: MakeWheel, tmp_path: Path, base: Interpreter
) -> None:
    wheel = _demo_wheel(make_wheel)
    root = _venv(tmp_path / "venv", base)
    cache = Cache(tmp_path / "cache")
    direct_url = json.dumps({"url": wheel.as_uri(), "archive_info": {}})
    result = _install(wheel, cache, base, root, "Demo.Pkg", direct_url=direct_url)

    python = root / "bin" / "python"
    out = subprocess.run(
        [python, "-c", "import demo_pkg, sys; print(demo_pkg.VALUE, demo_pkg.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.startswith("42 " + str(root))

    run = subprocess.run(
        [root / "bin" / "demo", "a", "b"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "main says ['a', 'b']\n"
    run = subprocess.run([root / "bin" / "demo-app"], capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout) == (3, "app []\n")
    run = subprocess.run([root / "bin" / "demo-gui"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr

    script = root / "bin" / "demo-data-script"
    assert script.read_text().splitlines()[0] == f"#!{python}"
    assert script.stat().st_mode & 0o777 == 0o755
    run = subprocess.run([script], capture_output=True, text=True, check=True)
    assert run.stdout == f"data script {root}\n"
    assert (
        subprocess.run(
            [root / "bin" / "plain.sh"], capture_output=True, text=True, check=True
        ).stdout
        == "plain\n"
    )

    assert (root / "share/demo/readme.txt").read_text() == "shared data\n"
    headers = _scheme(base, root, "Demo.Pkg")["headers"]
    assert (headers / "demo.h").read_text() == "#define DEMO 1\n"

    dist_info = result.dist_info
    assert dist_info == _scheme(base, root, "x")["purelib"] / "demo_pkg-1.0.dist-info"
    assert (dist_info / "INSTALLER").read_text() == "puffin\n"
    assert (dist_info / "REQUESTED").exists()
    assert json.loads((dist_info / "direct_url.json").read_text())["url"] == wheel.as_uri()

    # importlib.metadata, as every tool reads an environment, sees the distribution.
    meta = subprocess.run(
        [
            python,
            "-c",
            "import importlib.metadata as m; d = m.distribution('demo-pkg');"
            "print(d.version, d.read_text('INSTALLER').strip(), len(d.files))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert meta[:2] == ["1.0", "puffin"]
    assert int(meta[2]) == len(result.files)


def test_record_lists_every_file_with_hashes_and_is_written_last(
    make_wheel: MakeWheel, tmp_path: Path, base: Interpreter
) -> None:
    wheel = _demo_wheel(make_wheel)
    root = _venv(tmp_path / "venv", base)
    result = _install(
        wheel,
        Cache(tmp_path / "cache"),
        base,
        root,
        "demo-pkg",
        direct_url='{"url": "file:///x", "archive_info": {}}',
    )
    site = _scheme(base, root, "x")["purelib"]
    record_path = result.dist_info / "RECORD"
    rows = list(csv.reader(record_path.read_text().splitlines()))
    assert rows[-1] == ["demo_pkg-1.0.dist-info/RECORD", "", ""]
    listed = {}
    for path, digest, size in rows[:-1]:
        file = (site / path).resolve()
        data = file.read_bytes()
        assert digest == _b64(data), path
        assert int(size) == len(data), path
        listed[path] = file
    expected = {
        "demo_pkg/__init__.py",
        "demo_pkg/cli.py",
        "demo_pkg-1.0.dist-info/METADATA",
        "demo_pkg-1.0.dist-info/WHEEL",
        "demo_pkg-1.0.dist-info/entry_points.txt",
        "demo_pkg-1.0.dist-info/INSTALLER",
        "demo_pkg-1.0.dist-info/REQUESTED",
        "demo_pkg-1.0.dist-info/direct_url.json",
        "../../../bin/demo",
        "../../../bin/demo-app",
        "../../../bin/demo-gui",
        "../../../bin/demo-data-script",
        "../../../bin/plain.sh",
        "../../../share/demo/readme.txt",
        f"../../../include/site/python{base.python_version}/demo-pkg/demo.h",
    }
    assert set(listed) == expected
    assert set(result.files) == {Path(os.path.normpath(site / p)) for p in expected} | {record_path}
    # Every file was created (linked, renamed) no later than RECORD.
    record_ctime = record_path.stat().st_ctime_ns
    for file in listed.values():
        assert file.stat().st_ctime_ns <= record_ctime
    assert sorted(p.name for p in result.dist_info.iterdir()) == sorted(
        [
            "METADATA",
            "WHEEL",
            "entry_points.txt",
            "INSTALLER",
            "REQUESTED",
            "direct_url.json",
            "RECORD",
        ]
    )


@pytest.mark.parametrize(
    ("mode", "shares_inode", "is_link"),
    [
        (LinkMode.HARDLINK, True, False),
        (LinkMode.COPY, False, False),
        (LinkMode.CLONE, False, False),
        (LinkMode.SYMLINK, False, True),
    ],
)
def test_link_modes_against_the_cache(
    make_wheel: MakeWheel,
    tmp_path: Path,
    base: Interpreter,
    mode: LinkMode,
    shares_inode: bool,
    is_link: bool,
) -> None:
    wheel = make_wheel("modes", "1.0", files={"modes/__init__.py": "OK = True\n"})
    cache = Cache(tmp_path / "cache")
    root = _venv(tmp_path / "venv", base)
    _install(wheel, cache, base, root, "modes", mode=mode, requested=False)
    installed = _scheme(base, root, "x")["purelib"] / "modes/__init__.py"
    cached = unpack_wheel(wheel, cache) / "modes/__init__.py"
    assert installed.is_symlink() is is_link
    assert (installed.lstat().st_ino == cached.stat().st_ino) is shares_inode
    assert not (installed.parent.parent / "modes-1.0.dist-info/REQUESTED").exists()
    subprocess.run([root / "bin/python", "-c", "import modes; assert modes.OK"], check=True)


def test_pip_uninstall_removes_everything_puffin_installed(
    make_wheel: MakeWheel, tmp_path: Path, base: Interpreter
) -> None:
    root = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", root], check=True)
    site = Path(
        subprocess.run(
            [root / "bin/python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # Files, not directories: pip leaves emptied directories (share/, include/site/) behind
    # after its own installs too.
    before = {p for p in root.rglob("*") if "__pycache__" not in p.parts and not p.is_dir()}
    wheel = _demo_wheel(make_wheel)
    result = _install(wheel, Cache(tmp_path / "cache"), base, root, "demo-pkg")
    assert result.dist_info.parent == site
    # pip sees it, with puffin as its installer.
    shown = subprocess.run(
        [root / "bin/python", "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert {"name": "Demo.Pkg", "version": "1.0"} in json.loads(shown)
    subprocess.run(
        [root / "bin/python", "-m", "pip", "uninstall", "-y", "demo-pkg"],
        check=True,
        capture_output=True,
    )
    after = {p for p in root.rglob("*") if "__pycache__" not in p.parts and not p.is_dir()}
    assert after == before


def test_the_namespace_race(make_wheel: MakeWheel, tmp_path: Path, base: Interpreter) -> None:
    # Every nvidia-* wheel ships nvidia/__init__.py; installed together on one pool,
    # every round must end with one whole file of one wheel, and no error.
    contents = [f"# nvidia-x{i}\n" + f"X{i} = {i}\n" * (500 + 37 * i) for i in range(1, 13)]
    wheels = [
        make_wheel(
            f"nvidia-x{i}",
            "1.0",
            files={
                "nvidia/__init__.py": contents[i - 1],
                f"nvidia/x{i}/__init__.py": f"N = {i}\n",
            },
        )
        for i in range(1, 13)
    ]
    cache = Cache(tmp_path / "cache")
    unpacked = [unpack_wheel(wheel, cache) for wheel in wheels]
    for round_number in range(30):
        root = tmp_path / f"venv{round_number % 3}"
        if not root.exists():
            _venv(root, base)
        scheme = _scheme(base, root, "nvidia")
        mode = [LinkMode.HARDLINK, LinkMode.COPY, LinkMode.CLONE][round_number % 3]
        with ThreadPoolExecutor(8) as files_pool, ThreadPoolExecutor(12) as wheels_pool:
            futures = [
                wheels_pool.submit(
                    install_wheel,
                    directory,
                    name=f"nvidia-x{i}",
                    version="1.0",
                    scheme=scheme,
                    interpreter_path=root / "bin/python",
                    link_mode=mode,
                    requested=True,
                    direct_url=None,
                    executor=files_pool,
                )
                for i, directory in enumerate(unpacked, start=1)
            ]
            results = [future.result() for future in futures]
        shared = scheme["purelib"] / "nvidia/__init__.py"
        assert shared.read_text() in contents
        assert sorted(p.name for p in shared.parent.iterdir()) == sorted(
            ["__init__.py"] + [f"x{i}" for i in range(1, 13)]
        )
        assert all((r.dist_info / "RECORD").is_file() for r in results)
    out = subprocess.run(
        [root / "bin/python", "-c", "import nvidia, nvidia.x7; print(nvidia.x7.N)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == "7\n"


def test_malformed_wheels_are_refused(
    make_wheel: MakeWheel, tmp_path: Path, base: Interpreter
) -> None:
    cache = Cache(tmp_path / "cache")
    root = _venv(tmp_path / "venv", base)
    future = make_wheel(
        "future",
        "1.0",
        files={
            "future/__init__.py": "",
            "future-1.0.dist-info/WHEEL": "Wheel-Version: 2.0\nRoot-Is-Purelib: true\n",
        },
    )
    with pytest.raises(PuffinError, match=r"Wheel-Version 2\.0"):
        _install(future, cache, base, root, "future")
    bad_entry = make_wheel(
        "bad-entry", "1.0", entry_points={"console_scripts": {"tool": "mod_only"}}
    )
    with pytest.raises(PuffinError, match="names no callable"):
        _install(bad_entry, cache, base, root, "bad-entry")
    other = make_wheel("other", "1.0")
    with pytest.raises(PuffinError, match="does not belong to"):
        _install(other, cache, base, root, "something-else")


def test_platlib_root_and_long_interpreter_paths(
    make_wheel: MakeWheel, tmp_path: Path, base: Interpreter
) -> None:
    wheel = make_wheel(
        "native",
        "1.0",
        tag="py3-none-linux_x86_64",
        root_is_purelib=False,
        files={"native.py": "import sys\ndef main():\n    print(*sys.argv[1:])\n"},
        entry_points={"console_scripts": {"native-tool": "native:main"}},
        data_files={"purelib/native_pure.py": "P = 1\n"},
    )
    # A venv whose path has a space: shebangs need the /bin/sh trampoline.
    root = _venv(tmp_path / "with space" / ("long" * 30), base)
    result = _install(wheel, Cache(tmp_path / "cache"), base, root, "native")
    scheme = _scheme(base, root, "native")
    assert result.dist_info.parent == scheme["platlib"]
    assert (scheme["purelib"] / "native_pure.py").is_file()
    run = subprocess.run(
        [root / "bin/native-tool", "hello"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "hello\n"


def test_compile_bytecode_with_the_target_interpreter(
    make_wheel: MakeWheel, tmp_path: Path, base: Interpreter
) -> None:
    from puffin.install.bytecode import compile_bytecode

    wheel = make_wheel(
        "compiled",
        "1.0",
        files={"compiled/__init__.py": "A = 1\n", "compiled/broken.py": "def (:\n"},
    )
    root = _venv(tmp_path / "venv", base)
    result = _install(wheel, Cache(tmp_path / "cache"), base, root, "compiled")
    compile_bytecode(result.files, root / "bin/python")
    package = result.dist_info.parent / "compiled"
    tag = base.cache_tag
    assert (package / "__pycache__" / f"__init__.{tag}.pyc").is_file()
    assert not (package / "__pycache__" / f"broken.{tag}.pyc").exists()
