"""Wheel tags computed for a target interpreter from its probed facts."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import packaging
import packaging.tags
import pytest
from packaging.tags import Tag, compatible_tags, cpython_tags, mac_platforms
from packaging.version import Version

from puffin.environment.query import query_interpreter
from puffin.environment.tags import ElfFacts, TagFacts, compute_tags, platform_tags

PYENV = Path("/root/.pyenv/versions")
# packaging 26.3 moved native linux_* platforms ahead of manylinux/musllinux.
NATIVE_LINUX_FIRST = Version(packaging.__version__) >= Version("26.3")


def pyenv_python(minor: str) -> Path:
    found = sorted(PYENV.glob(f"{minor}.*/bin/python{minor}"))
    if not found:
        pytest.skip(f"Python {minor} is not installed under {PYENV}")
    return found[-1]


def without_native_linux_order(tags: list[str]) -> list[str]:
    """The tags without native linux_* platforms, whose position differs between
    packaging versions; the order of all the others must still agree."""
    return [t for t in tags if "-linux_" not in t]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def packaging_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding only the installed packaging, for PYTHONPATH in other Pythons."""
    directory = tmp_path_factory.mktemp("packaging-copy")
    shutil.copytree(Path(packaging.__file__).parent, directory / "packaging")
    return directory


def test_running_interpreter_tags_equal_sys_tags(cache_dir: Path) -> None:
    interpreter = query_interpreter(Path(sys.executable), cache_dir=cache_dir)
    expected = [str(t) for t in packaging.tags.sys_tags()]
    actual = [str(t) for t in interpreter.tags]
    if NATIVE_LINUX_FIRST:
        assert actual == expected
    else:
        assert sorted(actual) == sorted(expected)
        assert without_native_linux_order(actual) == without_native_linux_order(expected)
    assert all(isinstance(t, Tag) for t in interpreter.tags)


def reference_tags(python: Path, module: str, pythonpath: Path | None) -> list[str]:
    """``sys_tags()`` as computed inside ``python`` with the given packaging module."""
    code = (
        f"import json; from {module} import tags; "
        "print(json.dumps([str(t) for t in tags.sys_tags()]))"
    )
    env = {"PATH": "/usr/bin:/bin"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    process = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, env=env, check=True
    )
    tags: list[str] = json.loads(process.stdout)
    return tags


@pytest.mark.parametrize("minor", ["3.10", "3.12", "3.13"])
def test_tags_equal_sys_tags_inside_target_with_same_packaging(
    minor: str, cache_dir: Path, packaging_copy: Path
) -> None:
    # The installed packaging supports Python 3.10+: run that very code in the target.
    python = pyenv_python(minor)
    interpreter = query_interpreter(python, cache_dir=cache_dir)
    expected = reference_tags(python, "packaging", packaging_copy)
    assert [str(t) for t in interpreter.tags] == expected
    nodot = minor.replace(".", "")
    assert (interpreter.tags[0].interpreter, interpreter.tags[0].abi) == (
        f"cp{nodot}",
        f"cp{nodot}",
    )


@pytest.mark.parametrize("minor", ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"])
def test_tags_agree_with_pips_packaging_inside_target(minor: str, cache_dir: Path) -> None:
    # 3.8 and 3.9 cannot run the installed packaging; pip's vendored copy (21.3 or 24.1
    # here) is the reference there. Those versions list the native linux_* platform last,
    # and 21.3 had no cpXY-none-any tag yet; everything else must agree, in order.
    python = pyenv_python(minor)
    check = subprocess.run([str(python), "-c", "import pip._vendor.packaging.tags"], check=False)
    if check.returncode != 0:
        pytest.skip(f"{python} has no pip")
    interpreter = query_interpreter(python, cache_dir=cache_dir)
    expected = reference_tags(python, "pip._vendor.packaging", None)
    actual = [str(t) for t in interpreter.tags]
    own_none_any = f"cp{minor.replace('.', '')}-none-any"
    assert own_none_any in actual
    if own_none_any not in expected:
        actual.remove(own_none_any)
    assert set(actual) == set(expected)
    assert len(actual) == len(expected)
    assert without_native_linux_order(actual) == without_native_linux_order(expected)


# --------------------------------------------------------------------------------------
# Synthetic targets: platforms this machine is not
# --------------------------------------------------------------------------------------


def linux_facts(**changes: object) -> TagFacts:
    values: dict[str, object] = {
        "implementation_name": "cpython",
        "version": (3, 11),
        "platform_system": "Linux",
        "sysconfig_platform": "linux-x86_64",
        "pointer_size": 64,
        "py_debug": False,
        "py_version_nodot": "311",
        "glibc_version": (2, 28),
        "elf": ElfFacts(bits=64, little_endian=True, machine=62, flags=0, loader=None),
    }
    values.update(changes)
    return TagFacts(**values)  # type: ignore[arg-type]


def test_x86_64_glibc_platforms_with_legacy_aliases() -> None:
    platforms = platform_tags(linux_facts())
    manylinux = [p for p in platforms if p.startswith("manylinux")]
    assert manylinux[0] == "manylinux_2_28_x86_64"
    assert manylinux[-2:] == ["manylinux_2_5_x86_64", "manylinux1_x86_64"]
    i = manylinux.index("manylinux_2_17_x86_64")
    assert manylinux[i + 1] == "manylinux2014_x86_64"
    i = manylinux.index("manylinux_2_12_x86_64")
    assert manylinux[i + 1] == "manylinux2010_x86_64"
    assert "linux_x86_64" in platforms
    assert not [p for p in platforms if p.startswith("musllinux")]


def test_aarch64_starts_manylinux_at_glibc_2_17() -> None:
    facts = linux_facts(
        sysconfig_platform="linux-aarch64",
        glibc_version=(2, 31),
        elf=ElfFacts(bits=64, little_endian=True, machine=183, flags=0, loader=None),
    )
    manylinux = [p for p in platform_tags(facts) if p.startswith("manylinux")]
    assert manylinux[0] == "manylinux_2_31_aarch64"
    assert manylinux[-2:] == ["manylinux_2_17_aarch64", "manylinux2014_aarch64"]
    assert not any("2010" in p or "manylinux1" in p for p in manylinux)


def test_32_bit_interpreter_on_64_bit_kernel_is_i686() -> None:
    facts = linux_facts(
        pointer_size=32,
        glibc_version=(2, 17),
        elf=ElfFacts(bits=32, little_endian=True, machine=3, flags=0, loader=None),
    )
    platforms = platform_tags(facts)
    assert "linux_i686" in platforms
    assert "manylinux_2_17_i686" in platforms
    assert "manylinux1_i686" in platforms
    assert not any("x86_64" in p for p in platforms)


def test_i686_without_an_i386_elf_gets_no_manylinux() -> None:
    facts = linux_facts(pointer_size=32, elf=None)
    assert platform_tags(facts) == ["linux_i686"]


def test_armv8l_also_accepts_armv7l_only_with_hard_float() -> None:
    hard_float = ElfFacts(bits=32, little_endian=True, machine=40, flags=0x05000400, loader=None)
    facts = linux_facts(
        sysconfig_platform="linux-aarch64", pointer_size=32, glibc_version=(2, 17), elf=hard_float
    )
    platforms = platform_tags(facts)
    assert platforms[:2] == ["linux_armv8l", "linux_armv7l"]
    assert "manylinux_2_17_armv7l" in platforms
    soft_float = ElfFacts(bits=32, little_endian=True, machine=40, flags=0x05000000, loader=None)
    platforms = platform_tags(
        linux_facts(sysconfig_platform="linux-aarch64", pointer_size=32, elf=soft_float)
    )
    assert platforms == ["linux_armv8l", "linux_armv7l"]


def test_musl_platforms() -> None:
    facts = linux_facts(glibc_version=None, musl_version=(1, 2))
    platforms = platform_tags(facts)
    assert platforms == [
        "linux_x86_64",
        "musllinux_1_2_x86_64",
        "musllinux_1_1_x86_64",
        "musllinux_1_0_x86_64",
    ]


def test_glibc_major_change_lists_previous_major_versions() -> None:
    platforms = platform_tags(linux_facts(glibc_version=(3, 1)))
    manylinux = [p for p in platforms if p.startswith("manylinux")]
    assert manylinux[:4] == [
        "manylinux_3_1_x86_64",
        "manylinux_3_0_x86_64",
        "manylinux_2_50_x86_64",
        "manylinux_2_49_x86_64",
    ]


def test_macos_uses_packagings_mac_platforms() -> None:
    facts = TagFacts(
        implementation_name="cpython",
        version=(3, 12),
        platform_system="Darwin",
        sysconfig_platform="macosx-11.0-arm64",
        pointer_size=64,
        py_debug=False,
        mac_version=(14, 2),
        mac_arch="arm64",
    )
    platforms = platform_tags(facts)
    assert platforms == list(mac_platforms((14, 2), "arm64"))
    assert platforms[0] == "macosx_14_0_arm64"
    assert "macosx_11_0_arm64" in platforms
    assert "macosx_10_9_universal2" in platforms
    tags = compute_tags(facts)
    assert tags[0] == Tag("cp312", "cp312", "macosx_14_0_arm64")


def test_windows_has_one_platform() -> None:
    facts = TagFacts(
        implementation_name="cpython",
        version=(3, 12),
        platform_system="Windows",
        sysconfig_platform="win-amd64",
        pointer_size=64,
        py_debug=None,
        extension_suffixes=(".cp312-win_amd64.pyd", ".pyd"),
    )
    assert platform_tags(facts) == ["win_amd64"]
    tags = compute_tags(facts)
    assert tags[0] == Tag("cp312", "cp312", "win_amd64")
    assert Tag("cp312", "abi3", "win_amd64") in tags
    assert Tag("py3", "none", "any") in tags


def test_debug_build_accepts_release_abi_too() -> None:
    tags = compute_tags(linux_facts(py_debug=True))
    abis = list(dict.fromkeys(t.abi for t in tags if t.interpreter == "cp311"))
    assert abis[:2] == ["cp311d", "cp311"]


def test_windows_debug_build_detected_from_extension_suffix() -> None:
    facts = TagFacts(
        implementation_name="cpython",
        version=(3, 12),
        platform_system="Windows",
        sysconfig_platform="win-amd64",
        pointer_size=64,
        py_debug=None,
        extension_suffixes=("_d.cp312-win_amd64.pyd", "_d.pyd"),
    )
    assert compute_tags(facts)[0] == Tag("cp312", "cp312d", "win_amd64")


def test_free_threaded_313_has_t_abi_and_no_abi3() -> None:
    tags = compute_tags(linux_facts(version=(3, 13), py_version_nodot="313", py_gil_disabled=True))
    assert tags[0] == Tag("cp313", "cp313t", "linux_x86_64")
    assert not [t for t in tags if t.abi == "abi3"]
    assert not [t for t in tags if t.abi == "cp313"]


def test_gil_disabled_flag_ignored_before_313() -> None:
    tags = compute_tags(linux_facts(version=(3, 12), py_version_nodot="312", py_gil_disabled=True))
    assert tags[0] == Tag("cp312", "cp312", "linux_x86_64")


def test_pypy_uses_generic_tags_and_pp3() -> None:
    facts = linux_facts(
        implementation_name="pypy",
        version=(3, 10),
        py_version_nodot="310",
        ext_suffix=".pypy310-pp73-x86_64-linux-gnu.so",
        soabi="pypy310-pp73",
    )
    tags = compute_tags(facts)
    assert tags[0] == Tag("pp310", "pypy310_pp73", "linux_x86_64")
    assert Tag("pp310", "none", "linux_x86_64") in tags
    assert Tag("pp3", "none", "any") in tags
    assert not [t for t in tags if t.interpreter.startswith("cp")]


def test_other_python_version_same_platforms() -> None:
    facts = linux_facts()
    platforms = platform_tags(facts)
    expected = list(cpython_tags((3, 12), ["cp312"], platforms))
    expected += list(compatible_tags((3, 12), "cp312", platforms))
    assert list(compute_tags(facts, (3, 12))) == expected
