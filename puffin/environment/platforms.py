"""``--python-platform``: resolve for another operating system or architecture.

A platform name (uv's spelling) becomes the marker values and the wheel-tag facts of that
platform; the Python version and implementation stay the target's. The result is a
projection: puffin can resolve for it, but nothing can be installed from it here.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, NamedTuple

from puffin.errors import UsageError

if TYPE_CHECKING:
    from puffin.environment.tags import TagFacts

DEFAULT_GLIBC = (2, 28)
DEFAULT_MUSL = (1, 2)
DEFAULT_MACOS = {"arm64": (13, 0), "x86_64": (12, 0)}

ALIASES = {
    "linux": "x86_64-unknown-linux-gnu",
    "windows": "x86_64-pc-windows-msvc",
    "macos": "aarch64-apple-darwin",
}

_MANYLINUX = re.compile(
    r"(?P<arch>x86_64|aarch64|ppc64le|s390x|armv7l|riscv64)-manylinux_2_(?P<minor>\d+)"
)
_MUSL = re.compile(r"(?P<arch>x86_64|aarch64|armv7l)-unknown-linux-musl")
_GNU = re.compile(r"(?P<arch>x86_64|aarch64|ppc64le|s390x|armv7l|riscv64)-unknown-linux-gnu")
_DARWIN = re.compile(r"(?P<arch>x86_64|aarch64)-apple-darwin")
_WINDOWS = {
    "x86_64-pc-windows-msvc": ("win-amd64", "AMD64", 64),
    "i686-pc-windows-msvc": ("win32", "x86", 32),
    "aarch64-pc-windows-msvc": ("win-arm64", "ARM64", 64),
}

KNOWN = (
    "linux, windows, macos, x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu, "
    "x86_64-unknown-linux-musl, aarch64-unknown-linux-musl, x86_64-manylinux_2_17 … "
    "x86_64-manylinux_2_40 (and aarch64-, ppc64le-, s390x-), aarch64-apple-darwin, "
    "x86_64-apple-darwin, x86_64-pc-windows-msvc, i686-pc-windows-msvc, aarch64-pc-windows-msvc"
)


class Platform(NamedTuple):
    """What a platform name fixes: marker values and the facts wheel tags come from."""

    markers: dict[str, str]
    sysconfig_platform: str
    platform_system: str
    pointer_size: int
    glibc_version: tuple[int, int] | None = None
    musl_version: tuple[int, int] | None = None
    mac_version: tuple[int, int] | None = None
    mac_arch: str | None = None


def parse_platform(name: str) -> Platform:
    """The platform ``name`` describes; a usage error listing the known names otherwise."""
    text = ALIASES.get(name.strip().lower(), name.strip().lower())
    if match := _MANYLINUX.fullmatch(text):
        return _linux(match["arch"], glibc=(2, int(match["minor"])))
    if match := _GNU.fullmatch(text):
        return _linux(match["arch"], glibc=DEFAULT_GLIBC)
    if match := _MUSL.fullmatch(text):
        return _linux(match["arch"], musl=DEFAULT_MUSL)
    if match := _DARWIN.fullmatch(text):
        arch = "arm64" if match["arch"] == "aarch64" else "x86_64"
        version = DEFAULT_MACOS[arch]
        return Platform(
            markers=_markers("darwin", "Darwin", "posix", arch),
            sysconfig_platform=f"macosx-{version[0]}.{version[1]}-{arch}",
            platform_system="Darwin",
            pointer_size=64,
            mac_version=version,
            mac_arch=arch,
        )
    if text in _WINDOWS:
        sysconfig_platform, machine, bits = _WINDOWS[text]
        return Platform(
            markers=_markers("win32", "Windows", "nt", machine),
            sysconfig_platform=sysconfig_platform,
            platform_system="Windows",
            pointer_size=bits,
        )
    raise UsageError(f"--python-platform: unknown platform {name!r} (known: {KNOWN})")


def _linux(
    arch: str, *, glibc: tuple[int, int] | None = None, musl: tuple[int, int] | None = None
) -> Platform:
    return Platform(
        markers=_markers("linux", "Linux", "posix", arch),
        sysconfig_platform=f"linux-{arch}",
        platform_system="Linux",
        pointer_size=32 if arch == "armv7l" else 64,
        glibc_version=glibc,
        musl_version=musl,
    )


def _markers(sys_platform: str, system: str, os_name: str, machine: str) -> dict[str, str]:
    # platform_release and platform_version describe a kernel build, which a platform name
    # does not: they are left empty, as uv does.
    return {
        "sys_platform": sys_platform,
        "platform_system": system,
        "os_name": os_name,
        "platform_machine": machine,
        "platform_release": "",
        "platform_version": "",
    }


def project_facts(facts: TagFacts, platform: Platform) -> TagFacts:
    """``facts`` (the target's interpreter) moved to ``platform``."""
    return dataclasses.replace(
        facts,
        platform_system=platform.platform_system,
        sysconfig_platform=platform.sysconfig_platform,
        pointer_size=platform.pointer_size,
        glibc_version=platform.glibc_version,
        musl_version=platform.musl_version,
        mac_version=platform.mac_version,
        mac_arch=platform.mac_arch,
        elf=None,
        # Windows wheels' debug ABI is read from these; a projection is a release build.
        py_debug=False,
        extension_suffixes=(),
    )
