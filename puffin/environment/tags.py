"""Wheel tags supported by a *target* interpreter, computed from its probed facts.

``packaging.tags.sys_tags()`` describes the interpreter running puffin. puffin installs
into other interpreters, so it feeds packaging's public generators (``cpython_tags``,
``generic_tags``, ``compatible_tags``, ``mac_platforms``) explicit ABIs and platforms
computed here from the facts that ``_probe.py`` gathered inside the target.

The result equals what ``sys_tags()`` (packaging 26.3 or newer) returns inside the target,
with these documented approximations:

* Linux: a ``_manylinux`` override module installed by a distribution is not consulted.
* macOS: the platform list is exact as long as the probe saw the real macOS version.
* iOS, Android and Emscripten get the generic ``sysconfig.get_platform()`` tag only.
* Native ``linux_*`` tags come first (the order of packaging 26.3+); older packaging
  versions listed them after ``manylinux``/``musllinux``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from puffin._values import value_type

if TYPE_CHECKING:
    from collections.abc import Mapping

    from packaging.tags import Tag

_ELF_MACHINE_I386 = 3
_ELF_MACHINE_ARM = 40
_EF_ARM_ABIMASK = 0xFF000000
_EF_ARM_ABI_VER5 = 0x05000000
_EF_ARM_ABI_FLOAT_HARD = 0x00000400

# Architectures whose manylinux wheels need no ELF check (as in packaging._manylinux).
_MANYLINUX_ARCHS = frozenset(
    {"x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64"}
)
# Legacy manylinux names, emitted right after the PEP 600 tag of the same glibc.
_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
# glibc has not had a major version 3 yet; packaging guesses 50 minors per major too.
_LAST_GLIBC_MINOR = 50

_SHORT_NAMES = {"python": "py", "cpython": "cp", "pypy": "pp", "ironpython": "ip", "jython": "jy"}


@value_type
class ElfFacts:
    """The parts of the interpreter's ELF header that decide manylinux compatibility."""

    bits: int
    little_endian: bool
    machine: int
    flags: int
    loader: str | None


@value_type
class TagFacts:
    """Everything about an interpreter that its wheel tags depend on."""

    implementation_name: str
    """``sys.implementation.name``: ``cpython``, ``pypy``..."""
    version: tuple[int, int]
    platform_system: str
    """``platform.system()``: ``Linux``, ``Darwin``, ``Windows``..."""
    sysconfig_platform: str
    """``sysconfig.get_platform()``, e.g. ``linux-x86_64``, ``macosx-11.0-arm64``."""
    pointer_size: int
    soabi: str | None = None
    ext_suffix: str | None = None
    py_debug: bool | None = None
    """``Py_DEBUG``; None when the build does not say (Windows)."""
    py_gil_disabled: bool = False
    py_version_nodot: str | None = None
    has_gettotalrefcount: bool = False
    extension_suffixes: tuple[str, ...] = ()
    glibc_version: tuple[int, int] | None = None
    musl_version: tuple[int, int] | None = None
    elf: ElfFacts | None = None
    mac_version: tuple[int, int] | None = None
    mac_arch: str | None = None

    @classmethod
    def from_probe(
        cls,
        facts: Mapping[str, Any],
        *,
        implementation_name: str,
        version: tuple[int, int],
        platform_system: str,
        pointer_size: int,
    ) -> TagFacts:
        """Build from the ``tag_facts`` object of the probe's answer."""
        elf = facts.get("elf")
        py_debug = facts.get("py_debug")
        return cls(
            implementation_name=implementation_name,
            version=version,
            platform_system=platform_system,
            sysconfig_platform=str(facts["sysconfig_platform"]),
            pointer_size=pointer_size,
            soabi=_str_or_none(facts.get("soabi")),
            ext_suffix=_str_or_none(facts.get("ext_suffix")),
            py_debug=None if py_debug is None else bool(py_debug),
            py_gil_disabled=bool(facts.get("py_gil_disabled")),
            py_version_nodot=_str_or_none(facts.get("py_version_nodot")),
            has_gettotalrefcount=bool(facts.get("has_gettotalrefcount")),
            extension_suffixes=tuple(str(s) for s in facts.get("extension_suffixes") or ()),
            glibc_version=_parse_two_numbers(facts.get("glibc_version")),
            musl_version=_parse_two_numbers(facts.get("musl_version")),
            elf=_elf_facts(elf),
            mac_version=_parse_two_numbers(facts.get("mac_version")),
            mac_arch=_str_or_none(facts.get("mac_arch")),
        )


def _elf_facts(elf: Mapping[str, Any] | None) -> ElfFacts | None:
    if not elf:
        return None
    return ElfFacts(
        bits=int(elf["bits"]),
        little_endian=bool(elf["little_endian"]),
        machine=int(elf["machine"]),
        flags=int(elf["flags"]),
        loader=_str_or_none(elf.get("loader")),
    )


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _parse_two_numbers(value: object) -> tuple[int, int] | None:
    """``"2.36"`` -> ``(2, 36)``; ignores junk after the minor version, like packaging."""
    if not isinstance(value, str):
        return None
    match = re.match(r"(\d+)\.(\d+)", value)
    return (int(match[1]), int(match[2])) if match else None


def _normalize(text: str) -> str:
    return text.replace(".", "_").replace("-", "_").replace(" ", "_")


def _nodot(version: tuple[int, ...]) -> str:
    return "".join(map(str, version))


# --------------------------------------------------------------------------------------
# Platforms
# --------------------------------------------------------------------------------------


def platform_tags(facts: TagFacts) -> list[str]:
    """The platform tags of the target, best first."""
    system = facts.platform_system
    if system == "Darwin" and facts.mac_version is not None and facts.mac_arch:
        return _mac_platforms(facts)
    if system == "Linux":
        return _linux_platforms(facts)
    # Windows and everything else: the one platform sysconfig names (win_amd64...).
    return [_normalize(facts.sysconfig_platform)]


def _mac_platforms(facts: TagFacts) -> list[str]:
    from packaging.tags import mac_platforms

    assert facts.mac_version is not None
    assert facts.mac_arch is not None
    arch = facts.mac_arch
    if facts.pointer_size == 32:  # a 32-bit interpreter on a 64-bit Mac (packaging's rule)
        arch = "ppc" if arch.startswith("ppc") else "i386"
    return list(mac_platforms(facts.mac_version, arch))


def _linux_platforms(facts: TagFacts) -> list[str]:
    linux = _normalize(facts.sysconfig_platform)
    if not linux.startswith("linux_"):
        return [linux]
    if facts.pointer_size == 32:
        # A 32-bit interpreter on a 64-bit kernel: sysconfig names the kernel's arch.
        if linux == "linux_x86_64":
            linux = "linux_i686"
        elif linux == "linux_aarch64":
            linux = "linux_armv8l"
    _, arch = linux.split("_", 1)
    archs = ["armv8l", "armv7l"] if arch == "armv8l" else [arch]
    platforms = [f"linux_{a}" for a in archs]
    platforms += _manylinux_platforms(facts, archs)
    platforms += _musllinux_platforms(facts, archs)
    return platforms


def _has_manylinux_abi(facts: TagFacts, archs: list[str]) -> bool:
    elf = facts.elf
    if "armv7l" in archs:  # only the hard-float ARM ABI has manylinux wheels
        return (
            elf is not None
            and elf.bits == 32
            and elf.little_endian
            and elf.machine == _ELF_MACHINE_ARM
            and elf.flags & _EF_ARM_ABIMASK == _EF_ARM_ABI_VER5
            and elf.flags & _EF_ARM_ABI_FLOAT_HARD == _EF_ARM_ABI_FLOAT_HARD
        )
    if "i686" in archs:
        return (
            elf is not None
            and elf.bits == 32
            and elf.little_endian
            and elf.machine == _ELF_MACHINE_I386
        )
    return any(arch in _MANYLINUX_ARCHS for arch in archs)


def _manylinux_platforms(facts: TagFacts, archs: list[str]) -> list[str]:
    """PEP 600 tags from the target's glibc down to 2.17 (2.5 on x86), with legacy names."""
    if facts.glibc_version is None or not _has_manylinux_abi(facts, archs):
        return []
    oldest = (2, 5) if {"x86_64", "i686"} & set(archs) else (2, 17)
    major, minor = facts.glibc_version
    # Compatibility holds across glibc majors, so list every earlier major's minors too.
    ranges = [(major, minor)] + [(m, _LAST_GLIBC_MINOR) for m in range(major - 1, 1, -1)]
    platforms = []
    for arch in archs:
        for glibc_major, glibc_max_minor in ranges:
            lowest = oldest[1] if glibc_major == oldest[0] else 0
            for glibc_minor in range(glibc_max_minor, lowest - 1, -1):
                platforms.append(f"manylinux_{glibc_major}_{glibc_minor}_{arch}")
                legacy = _LEGACY_MANYLINUX.get((glibc_major, glibc_minor))
                if legacy:
                    platforms.append(f"{legacy}_{arch}")
    return platforms


def _musllinux_platforms(facts: TagFacts, archs: list[str]) -> list[str]:
    if facts.musl_version is None:
        return []
    major, minor = facts.musl_version
    return [f"musllinux_{major}_{m}_{arch}" for arch in archs for m in range(minor, -1, -1)]


# --------------------------------------------------------------------------------------
# ABIs
# --------------------------------------------------------------------------------------


def cpython_abis(facts: TagFacts, version: tuple[int, int]) -> list[str]:
    """The version-specific CPython ABIs (``cp311``, ``cp313t``, ``cp311d``...), best first.

    ``abi3`` and ``none`` are added by ``packaging.tags.cpython_tags`` itself.
    """
    debug = ""
    # Windows does not set Py_DEBUG; a debug build there has gettotalrefcount/_d.pyd.
    if facts.py_debug or (
        facts.py_debug is None
        and (facts.has_gettotalrefcount or "_d.pyd" in facts.extension_suffixes)
    ):
        debug = "d"
    threading = "t" if version >= (3, 13) and facts.py_gil_disabled else ""
    abis = [f"cp{_nodot(version)}{threading}{debug}"]
    if debug:  # debug builds also load release-build extension modules
        abis.append(f"cp{_nodot(version)}{threading}")
    return abis


def generic_abis(facts: TagFacts) -> list[str]:
    """The ABI of a non-CPython interpreter, read from its ``EXT_SUFFIX`` like packaging."""
    suffix = facts.ext_suffix
    if not suffix or not suffix.startswith("."):
        return []
    parts = suffix.split(".")
    if len(parts) < 3:
        return cpython_abis(facts, facts.version)
    soabi = parts[1]
    if soabi.startswith("cpython"):
        pieces = soabi.split("-")
        abi = "cp" + pieces[1] if len(pieces) > 1 and pieces[1] else ""
    elif soabi.startswith("cp"):
        abi = soabi.split("-")[0]
    elif soabi.startswith("pypy"):
        abi = "-".join(soabi.split("-")[:2])
    elif soabi.startswith("graalpy"):
        abi = "-".join(soabi.split("-")[:3])
    else:
        abi = soabi
    return [_normalize(abi)] if abi else []


# --------------------------------------------------------------------------------------
# Tags
# --------------------------------------------------------------------------------------


def compute_tags(facts: TagFacts, python_version: tuple[int, int] | None = None) -> tuple[Tag, ...]:
    """The target's supported tags, best first, as ``sys_tags()`` would list them there.

    :param python_version: compute for another Python version on the same platform
        (``--python-version``); the interpreter's own version when None.
    """
    from packaging.tags import compatible_tags, cpython_tags, generic_tags

    own_version = python_version is None or python_version == facts.version
    version = facts.version if python_version is None else python_version
    platforms = platform_tags(facts)
    short_name = _SHORT_NAMES.get(facts.implementation_name, facts.implementation_name)
    nodot = facts.py_version_nodot if own_version and facts.py_version_nodot else _nodot(version)

    tags: list[Tag] = []
    if short_name == "cp":
        tags.extend(cpython_tags(version, cpython_abis(facts, version), platforms))
        compatible_interpreter: str | None = f"cp{nodot}"
    else:
        # A PyPy ABI such as pypy39_pp73 belongs to one release; for another Python
        # version only the "none" ABI can be promised.
        abis = generic_abis(facts) if own_version else []
        tags.extend(generic_tags(f"{short_name}{nodot}", abis, platforms))
        compatible_interpreter = "pp3" if short_name == "pp" else None
    tags.extend(compatible_tags(version, compatible_interpreter, platforms))
    return tuple(tags)
