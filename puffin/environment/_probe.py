"""Describe the interpreter running this script, as one line of JSON on stdout.

puffin runs this file *inside a target interpreter* (``python -I -B _probe.py``), so it
must stay standard-library only and parse on every Python puffin may meet: it checks
``sys.version_info`` first and answers ``{"unsupported": ...}`` on 3.7 and older, which
is why it avoids syntax newer than 3.6 (no walrus, no positional-only parameters, no
``list[int]`` annotations). Python 2 cannot parse it at all; puffin then asks for the
version with a one-liner instead.

The answer holds facts, not conclusions: puffin computes wheel tags from them, so the
tag logic is fixed in one place (``puffin/environment/tags.py``) and never needs this
script to import ``packaging``. Keep the keys in step with ``query.py``.

``site`` is not disabled (no ``-S``): before Python 3.13 it is ``site`` that switches
``sys.prefix`` to a virtual environment, and puffin needs to see venvs as venvs.
"""

import contextlib
import json
import os
import platform
import struct
import sys
import sysconfig

# Annotations are quoted and typing is not imported at run time: the probe must parse on
# Python 3.6 and 3.7 (to report them as unsupported) and should start fast.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional, Tuple

PLACEHOLDER = "/__puffin_venv_root__"
"""Stand-in for a venv root in the ``venv_scheme`` templates; puffin substitutes real roots."""

PT_INTERP = 3
"""ELF program header type naming the dynamic loader (which tells musl from glibc)."""


def format_full_version(info: "Any") -> str:
    """PEP 508's format of ``sys.implementation.version`` (``3.13.0rc1``, ``3.11.7``)."""
    version = "{}.{}.{}".format(info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version


def marker_environment() -> "Dict[str, str]":
    """The PEP 508 environment markers, computed the way ``packaging.markers`` does."""
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": format_full_version(sys.implementation.version),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def read_pyvenv_cfg() -> "Dict[str, str]":
    """This environment's pyvenv.cfg as a dictionary (empty outside a venv)."""
    for directory in (os.path.dirname(sys.executable), sys.prefix):
        values = {}
        try:
            with open(os.path.join(directory, "pyvenv.cfg"), encoding="utf-8") as f:
                for line in f:
                    key, sep, value = line.partition("=")
                    if sep:
                        values[key.strip().lower()] = value.strip()
        except OSError:
            continue
        return values
    return {}


def base_executable() -> str:
    """The interpreter a venv was made from (or this interpreter, outside a venv).

    ``sys._base_executable`` is right from 3.11 on; before that, inside a venv, it is
    the venv's own ``bin/python``, so ask pyvenv.cfg: its ``executable`` key (written by
    puffin, uv and the venv module of 3.11+), else a python in its ``home`` directory.
    """
    candidate = getattr(sys, "_base_executable", None) or sys.executable
    in_venv = sys.prefix != sys.base_prefix
    prefix = os.path.join(os.path.normcase(os.path.abspath(sys.prefix)), "")
    if not in_venv or not os.path.normcase(os.path.abspath(candidate)).startswith(prefix):
        return candidate
    config = read_pyvenv_cfg()
    executable = config.get("executable")
    if executable and os.path.isfile(executable):
        return executable
    home = config.get("home")
    if home:
        names = (
            os.path.basename(sys.executable),
            "python{}.{}".format(*sys.version_info[:2]),
            "python{}".format(sys.version_info[0]),
            "python",
        )
        for name in names:
            path = os.path.join(home, name)
            if os.path.isfile(path):
                return path
    return os.path.realpath(sys.executable)


def venv_scheme() -> "Dict[str, Any]":
    """The install paths of a venv rooted at PLACEHOLDER, for this Python's scheme."""
    names = sysconfig.get_scheme_names()
    if "venv" in names:  # 3.11+: the scheme that the venv module itself uses
        scheme = "venv"
    elif os.name == "nt":
        scheme = "nt"
    else:
        scheme = "posix_prefix"
    variables = {
        "base": PLACEHOLDER,
        "platbase": PLACEHOLDER,
        "installed_base": PLACEHOLDER,
        "installed_platbase": PLACEHOLDER,
    }
    return {"scheme": scheme, "paths": sysconfig.get_paths(scheme, vars=variables)}


def glibc_version() -> "Optional[str]":
    """The glibc version string ("2.36"), or None when not linked against glibc."""
    try:
        value = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, OSError, ValueError):
        value = None
    if value:
        parts = value.split()
        if len(parts) == 2 and parts[0] == "glibc":
            return parts[1]
    if not sys.platform.startswith("linux"):
        return None
    # os.confstr can be missing on unusual builds; ask the C library directly.
    try:
        import ctypes

        process = ctypes.CDLL(None)
        function = process.gnu_get_libc_version
    except (ImportError, OSError, AttributeError):
        return None
    function.restype = ctypes.c_char_p
    result = function()
    if isinstance(result, bytes):
        result = result.decode("ascii", "replace")
    return result if isinstance(result, str) else None


def elf_facts(path: str) -> "Optional[Dict[str, Any]]":
    """Class, byte order, machine, flags and loader of an ELF executable, or None."""
    try:
        with open(path, "rb") as f:
            ident = f.read(16)
            if len(ident) < 16 or ident[:4] != b"\x7fELF":
                return None
            bits = 32 if ident[4] == 1 else 64
            endian = "<" if ident[5] == 1 else ">"
            # e_type, e_machine, e_version, e_entry, e_phoff, e_shoff, e_flags, sizes...
            header_format = endian + ("HHIIIIIHHHHHH" if bits == 32 else "HHIQQQIHHHHHH")
            header = struct.unpack(header_format, f.read(struct.calcsize(header_format)))
            machine, phoff, flags, phentsize, phnum = (
                header[1],
                header[4],
                header[6],
                header[8],
                header[9],
            )
            loader = None
            for index in range(phnum):
                f.seek(phoff + index * phentsize)
                if bits == 32:
                    fields = struct.unpack(endian + "IIIIII", f.read(24))
                    p_type, p_offset, p_filesz = fields[0], fields[1], fields[4]
                else:
                    fields = struct.unpack(endian + "IIQQQQ", f.read(40))
                    p_type, p_offset, p_filesz = fields[0], fields[2], fields[5]
                if p_type == PT_INTERP:
                    f.seek(p_offset)
                    loader = f.read(p_filesz).rstrip(b"\0").decode("utf-8", "replace")
                    break
    except (OSError, struct.error, IndexError):
        return None
    return {
        "bits": bits,
        "little_endian": endian == "<",
        "machine": machine,
        "flags": flags,
        "loader": loader,
    }


def musl_version(elf: "Optional[Dict[str, Any]]") -> "Optional[str]":
    """The musl version ("1.2.4") when the executable is linked against musl, else None.

    musl's loader prints its version on stderr when run without arguments.
    """
    loader = elf and elf.get("loader")
    if not loader or "musl" not in loader:
        return None
    import subprocess

    try:
        process = subprocess.run(
            [loader],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            universal_newlines=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = [line.strip() for line in process.stderr.splitlines() if line.strip()]
    if len(lines) < 2 or not lines[0].startswith("musl"):
        return None
    words = lines[1].split()
    if len(words) < 2 or words[0] != "Version":
        return None
    return words[1]


def mac_version() -> "Tuple[Optional[str], Optional[str]]":
    """The macOS version ("14.2") and CPU architecture, or (None, None) elsewhere."""
    if platform.system() != "Darwin":
        return None, None
    release, _, machine = platform.mac_ver()
    if release.split(".")[:2] == ["10", "16"]:
        # Built against an old SDK, Python reports 10.16 for every macOS 11+; ask without
        # the compatibility shim (what packaging does too).
        import subprocess

        environment = dict(os.environ, SYSTEM_VERSION_COMPAT="0")
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            release = subprocess.run(
                [sys.executable, "-sS", "-c", "import platform; print(platform.mac_ver()[0])"],
                stdout=subprocess.PIPE,
                universal_newlines=True,
                env=environment,
                timeout=10,
                check=True,
            ).stdout.strip()
    return release or None, machine or None


def tag_facts() -> "Dict[str, Any]":
    """The raw facts from which puffin computes this interpreter's wheel tags."""
    import importlib.machinery

    config = sysconfig.get_config_var
    elf = elf_facts(sys.executable) if sys.platform.startswith("linux") else None
    mac_release, mac_arch = mac_version()
    return {
        "sysconfig_platform": sysconfig.get_platform(),
        "soabi": config("SOABI"),
        "ext_suffix": config("EXT_SUFFIX"),
        "py_debug": config("Py_DEBUG"),
        "py_gil_disabled": config("Py_GIL_DISABLED"),
        "py_version_nodot": config("py_version_nodot"),
        "has_gettotalrefcount": hasattr(sys, "gettotalrefcount"),
        "extension_suffixes": list(importlib.machinery.EXTENSION_SUFFIXES),
        "glibc_version": glibc_version(),
        "musl_version": musl_version(elf),
        "elf": elf,
        "mac_version": mac_release,
        "mac_arch": mac_arch,
    }


def describe() -> "Dict[str, Any]":
    """Everything puffin wants to know about this interpreter."""
    path_names = ("purelib", "platlib", "scripts", "include", "data")
    paths = sysconfig.get_paths()
    return {
        "markers": marker_environment(),
        "version_info": list(sys.version_info),
        "executable": sys.executable,
        "base_executable": base_executable(),
        "prefix": sys.prefix,
        "base_prefix": sys.base_prefix,
        "implementation": {
            "name": sys.implementation.name,
            "cache_tag": sys.implementation.cache_tag,
        },
        "pointer_size": struct.calcsize("P") * 8,
        "paths": {name: paths[name] for name in path_names if name in paths},
        "venv_scheme": dict(venv_scheme(), placeholder=PLACEHOLDER),
        "sys_path": list(sys.path),
        "tag_facts": tag_facts(),
    }


def main() -> None:
    if sys.version_info < (3, 8):
        answer = {"unsupported": True, "version_info": list(sys.version_info)[:3]}
    else:
        answer = describe()
    # A .pth file may print to stdout while site starts up; puffin reads the last line.
    sys.stdout.write("\n" + json.dumps(answer) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
