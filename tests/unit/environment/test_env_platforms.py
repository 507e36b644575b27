"""``--python-platform`` projections: markers and wheel tags of another platform."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from packaging.tags import Tag

from puffin.environment.query import query_interpreter
from puffin.environment.target import TargetEnvironment, for_platform
from puffin.errors import UsageError


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> TargetEnvironment:
    interpreter = query_interpreter(Path(sys.executable), cache_dir=tmp_path_factory.mktemp("c"))
    return TargetEnvironment.for_python_version(interpreter, "3.12")


def test_windows(target: TargetEnvironment) -> None:
    projected = for_platform(target, "windows")
    assert projected.markers["sys_platform"] == "win32"
    assert projected.markers["os_name"] == "nt"
    assert projected.markers["platform_machine"] == "AMD64"
    assert projected.markers["python_version"] == "3.12"
    assert projected.tags[0] == Tag("cp312", "cp312", "win_amd64")
    assert Tag("py3", "none", "any") in projected.tags
    assert not any("linux" in tag.platform for tag in projected.tags)
    assert not projected.is_exact


def test_macos_arm(target: TargetEnvironment) -> None:
    projected = for_platform(target, "aarch64-apple-darwin")
    assert projected.markers["sys_platform"] == "darwin"
    assert projected.markers["platform_machine"] == "arm64"
    assert Tag("cp312", "cp312", "macosx_11_0_arm64") in projected.tags
    assert Tag("cp312", "abi3", "macosx_13_0_universal2") in projected.tags
    assert Tag("cp312", "cp312", "macosx_14_0_arm64") not in projected.tags


def test_manylinux_version_bounds_the_tags(target: TargetEnvironment) -> None:
    projected = for_platform(target, "aarch64-manylinux_2_17")
    platforms = {tag.platform for tag in projected.tags}
    assert "manylinux_2_17_aarch64" in platforms
    assert "manylinux2014_aarch64" in platforms
    assert "manylinux_2_28_aarch64" not in platforms
    assert not any(platform.startswith("linux_") for platform in platforms)
    assert projected.markers["platform_machine"] == "aarch64"


def test_musl(target: TargetEnvironment) -> None:
    projected = for_platform(target, "x86_64-unknown-linux-musl")
    platforms = {tag.platform for tag in projected.tags}
    assert "musllinux_1_2_x86_64" in platforms
    assert not any(platform.startswith("manylinux") for platform in platforms)


def test_unknown_platform_is_a_usage_error(target: TargetEnvironment) -> None:
    with pytest.raises(UsageError, match="unknown platform 'solaris'"):
        for_platform(target, "solaris")
