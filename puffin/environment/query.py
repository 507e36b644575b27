"""Ask an interpreter to describe itself, and remember the answer on disk.

The question is ``_probe.py``, run inside the interpreter. Its answer depends only on the
interpreter's files, so it is cached under ``<cache>/interpreter-v1/`` keyed by the path
that was asked about, the file it resolves to and that file's size and modification time
(plus the venv's ``pyvenv.cfg`` and the probe's own text): upgrading the interpreter in
place, or editing the probe, asks again.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from puffin.errors import PuffinError

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Mapping

    from packaging.tags import Tag

    from puffin.environment.tags import TagFacts

MIN_TARGET_PYTHON = (3, 8)
"""The oldest Python puffin installs into (the probe and the venv layout need 3.8)."""

PROBE_TIMEOUT = 30.0
"""Seconds an interpreter gets to answer; a cold start on a slow disk takes about one."""

CACHE_BUCKET = "interpreter-v1"
"""Cache subdirectory; bump the version when the cached JSON changes shape."""

PROBE_PATH = Path(__file__).with_name("_probe.py")


class InterpreterQueryError(PuffinError):
    """An interpreter could not be run, or did not answer like a Python interpreter."""

    def __init__(self, message: str, *, executable: Path, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.executable = executable


class UnsupportedInterpreterError(InterpreterQueryError):
    """The interpreter answered, but is older than :data:`MIN_TARGET_PYTHON`."""

    def __init__(self, executable: Path, version: tuple[int, ...]) -> None:
        version_text = ".".join(map(str, version))
        minimum = ".".join(map(str, MIN_TARGET_PYTHON))
        super().__init__(
            f"puffin supports target interpreters of Python {minimum} and newer; "
            f"{executable} is {version_text}",
            executable=executable,
        )
        self.version = version


class Interpreter(NamedTuple):
    """What puffin knows about one Python interpreter, as that interpreter reported it.

    Immutable. A NamedTuple rather than a frozen dataclass because it is defined on every
    start-up of every command, where the dataclass machinery costs measurable time.
    """

    executable: Path
    """The path puffin was given, made absolute but not resolved (a venv's ``bin/python``
    stays the venv's, although it is a symlink to the base interpreter)."""
    sys_executable: Path
    """``sys.executable`` as the interpreter reported it."""
    base_executable: Path
    """The interpreter a venv was created from; the interpreter itself outside a venv."""
    prefix: Path
    base_prefix: Path
    version: tuple[int, int, int]
    """``sys.version_info[:3]``."""
    implementation_name: str
    """``sys.implementation.name``: ``cpython``, ``pypy``..."""
    cache_tag: str | None
    """``sys.implementation.cache_tag`` (``cpython-311``): names ``__pycache__`` files."""
    pointer_size: int
    """64 or 32: the interpreter's word size in bits."""
    markers: Mapping[str, str]
    """The PEP 508 marker environment (read-only)."""
    paths: Mapping[str, Path]
    """``sysconfig.get_paths()``: purelib, platlib, scripts, include, data (read-only)."""
    venv_scheme: Mapping[str, str]
    """Install paths of a venv made from this interpreter, rooted at ``venv_placeholder``;
    :meth:`venv_paths` substitutes a real root."""
    venv_placeholder: str
    sys_path: tuple[str, ...]
    raw_tag_facts: Mapping[str, Any]
    """The probe's facts for wheel tags, as reported; see :attr:`tag_facts`."""

    def __hash__(self) -> int:
        # The mappings are unhashable; the identity of an interpreter is in the rest.
        return hash(self[:9])

    def __repr__(self) -> str:
        return f"Interpreter({self.display_name})"

    @property
    def tag_facts(self) -> TagFacts:
        """The facts tags are computed from; ``--python-version`` recomputes from them.

        Built on demand: commands that never look at wheel tags (``venv``) do not pay
        for importing the tag machinery.
        """
        from puffin.environment.tags import TagFacts

        return TagFacts.from_probe(
            self.raw_tag_facts,
            implementation_name=self.implementation_name,
            version=self.version[:2],
            platform_system=self.markers["platform_system"],
            pointer_size=self.pointer_size,
        )

    @property
    def tags(self) -> tuple[Tag, ...]:
        """Supported wheel tags, best first (computed on each access: keep the result)."""
        from puffin.environment.tags import compute_tags

        return compute_tags(self.tag_facts)

    @property
    def python_version(self) -> str:
        """``"3.11"``: the ``python_version`` marker."""
        return f"{self.version[0]}.{self.version[1]}"

    @property
    def python_full_version(self) -> str:
        """``"3.11.7"`` or ``"3.13.0rc1"``: the ``python_full_version`` marker."""
        return self.markers["python_full_version"]

    @property
    def is_venv(self) -> bool:
        """Whether the interpreter runs inside a virtual environment."""
        return self.prefix != self.base_prefix

    @property
    def site_packages(self) -> Path:
        """Where pure-Python distributions are installed (``purelib``)."""
        return self.paths["purelib"]

    @property
    def display_name(self) -> str:
        """``CPython 3.11.7 (/path/to/python)``, for messages."""
        implementation = self.markers.get("platform_python_implementation", "Python")
        return f"{implementation} {self.python_full_version} ({self.executable})"

    def venv_paths(self, root: Path) -> dict[str, Path]:
        """The install paths (purelib, platlib, scripts, include, data...) of a venv at ``root``.

        ``root`` should be absolute; templates that are not under the placeholder (none in
        CPython's schemes) are returned unchanged.
        """
        placeholder = self.venv_placeholder
        result = {}
        for name, template in self.venv_scheme.items():
            if template == placeholder or template.startswith(
                (placeholder + "/", placeholder + os.sep)
            ):
                result[name] = Path(str(root) + template[len(placeholder) :])
            else:
                result[name] = Path(template)
        return result


def query_interpreter(executable: Path, *, cache_dir: Path | None) -> Interpreter:
    """Describe the interpreter at ``executable``, from the cache when it is still valid.

    :param executable: path to a Python executable; made absolute, but symlinks are kept
        so that a venv's ``bin/python`` is described as the venv.
    :param cache_dir: puffin's cache directory, or None to always ask.
    :raises UnsupportedInterpreterError: the interpreter is older than Python 3.8.
    :raises InterpreterQueryError: it is missing, cannot run, or is not Python.
    """
    # abspath, not resolve(): resolving would turn a venv's python into its base's.
    executable = Path(os.path.abspath(executable))  # noqa: PTH100
    key = _cache_key(executable)
    cache_file = None
    answer = None
    if cache_dir is not None:
        digest = _digest(repr(sorted(key.items())).encode())
        cache_file = cache_dir / CACHE_BUCKET / f"{digest}.marshal"
        answer = _read_cache(cache_file, key)
    if answer is None:
        answer = _run_probe(executable)
        if cache_file is not None:
            _write_cache(cache_file, key, answer)
    return interpreter_from_answer(executable, answer)


def interpreter_from_answer(executable: Path, answer: Mapping[str, Any]) -> Interpreter:
    """Build an :class:`Interpreter` from the probe's JSON answer."""
    try:
        info = answer["version_info"]
        version = (int(info[0]), int(info[1]), int(info[2]))
        implementation = answer["implementation"]
        markers = {str(k): str(v) for k, v in answer["markers"].items()}
        pointer_size = int(answer["pointer_size"])
        venv_scheme = answer["venv_scheme"]
        markers["platform_system"]
        cache_tag = implementation.get("cache_tag")
        return Interpreter(
            executable=executable,
            sys_executable=Path(answer["executable"]),
            base_executable=Path(answer["base_executable"]),
            prefix=Path(answer["prefix"]),
            base_prefix=Path(answer["base_prefix"]),
            version=version,
            implementation_name=str(implementation["name"]),
            cache_tag=None if cache_tag is None else str(cache_tag),
            pointer_size=pointer_size,
            markers=MappingProxyType(markers),
            paths=MappingProxyType({str(k): Path(v) for k, v in answer["paths"].items()}),
            venv_scheme=MappingProxyType({str(k): str(v) for k, v in venv_scheme["paths"].items()}),
            venv_placeholder=str(venv_scheme["placeholder"]),
            sys_path=tuple(str(p) for p in answer.get("sys_path", ())),
            raw_tag_facts=MappingProxyType(dict(answer["tag_facts"])),
        )
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        raise InterpreterQueryError(
            f"{executable} gave an answer puffin does not understand ({error!r})",
            executable=executable,
        ) from error


# --------------------------------------------------------------------------------------
# Running the probe
# --------------------------------------------------------------------------------------


def _run_probe(executable: Path) -> dict[str, Any]:
    # -I: ignore PYTHON* variables and the user site, so the answer describes the
    # interpreter rather than the caller's shell; -B: write no .pyc next to its stdlib.
    process = _run(executable, ["-I", "-B", str(PROBE_PATH)])
    answer = _last_json_line(process.stdout) if process.returncode == 0 else None
    if answer is None:
        # Python 2 cannot parse the probe (nor take -I); get its version another way, so
        # the error says "too old" rather than "broken".
        version = _old_python_version(executable)
        if version is not None and version < MIN_TARGET_PYTHON:
            raise UnsupportedInterpreterError(executable, version)
        if version is None:
            message = f"{executable} is not a Python interpreter (it failed to run the probe)"
        else:
            message = f"{executable} failed to describe itself (exit status {process.returncode})"
        raise InterpreterQueryError(message, executable=executable, hint=_tail(process.stderr))
    if answer.get("unsupported"):
        raise UnsupportedInterpreterError(executable, tuple(answer["version_info"]))
    return answer


def _run(executable: Path, arguments: list[str]) -> subprocess.CompletedProcess[str]:
    import subprocess  # only when the cache misses: keep it off the start-up path

    try:
        return subprocess.run(
            [str(executable), *arguments],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=PROBE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise InterpreterQueryError(
            f"{executable} did not answer within {PROBE_TIMEOUT:g} seconds",
            executable=executable,
        ) from error
    except OSError as error:
        raise InterpreterQueryError(
            f"Could not run {executable}: {error.strerror or error}", executable=executable
        ) from error


def _last_json_line(stdout: str) -> dict[str, Any] | None:
    import json  # only on a cache miss

    # site may run .pth files that print; the probe writes its answer last.
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        return None
    try:
        answer = json.loads(lines[-1])
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def _old_python_version(executable: Path) -> tuple[int, ...] | None:
    """The version of any Python, even 2.7, or None when it is not Python at all."""
    code = "import sys; sys.stdout.write('%d.%d.%d' % tuple(sys.version_info[:3]))"
    try:
        process = _run(executable, ["-c", code])
    except InterpreterQueryError:
        return None
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", process.stdout.strip())
    if process.returncode != 0 or not match:
        return None
    return tuple(int(part) for part in match.groups())


def _tail(text: str, lines: int = 5) -> str | None:
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return "\n".join(kept) or None


# --------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------


def _digest(data: bytes) -> str:
    """A short name for ``data``: two zlib checksums, 64 bits in all.

    Not hashlib: loading OpenSSL costs a few milliseconds of every start-up. A collision
    cannot give a wrong answer, because the cached file stores its full key and a file
    whose key differs is ignored (see ``_read_cache``); it would only cost a re-query.
    """
    import zlib

    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def _cache_key(executable: Path) -> dict[str, Any]:
    """What the answer depends on; any change in it means asking the interpreter again."""
    try:
        resolved = executable.resolve(strict=True)
        stat = resolved.stat()
    except (OSError, RuntimeError) as error:
        raise InterpreterQueryError(
            f"No Python interpreter at {executable}", executable=executable
        ) from error
    if not executable.is_file():
        raise InterpreterQueryError(
            f"{executable} is not a Python interpreter (not a file)", executable=executable
        )
    # A venv's interpreter is a symlink to the base: its pyvenv.cfg decides the prefix.
    venv_configs = []
    for directory in (executable.parent, executable.parent.parent):
        config = directory / "pyvenv.cfg"
        try:
            config_stat = config.stat()
        except OSError:
            continue
        venv_configs.append([str(config), config_stat.st_mtime_ns, config_stat.st_size])
    return {
        "executable": str(executable),
        "resolved": str(resolved),
        "mtime_ns": stat.st_mtime_ns,
        "size": stat.st_size,
        "pyvenv_cfg": venv_configs,
        "probe": _digest(PROBE_PATH.read_bytes()),
    }


def _read_cache(path: Path, key: Mapping[str, Any]) -> dict[str, Any] | None:
    """The cached answer for ``key``, or None for a missing, unreadable or foreign entry.

    Entries are marshal data: the probe's answer is plain dicts, lists, strings and
    numbers, and marshal (built into the interpreter) loads them without importing json,
    which start-up time cares about. A file marshal cannot read (another Python's
    format, a torn write) is simply a miss.
    """
    import marshal

    try:
        entry = marshal.loads(path.read_bytes())  # noqa: S302 - our own cache, loads no code
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    answer = entry.get("answer")
    return answer if isinstance(answer, dict) else None


def _write_cache(path: Path, key: Mapping[str, Any], answer: Mapping[str, Any]) -> None:
    """Write atomically (temporary file + rename); a cache that cannot be written is skipped."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".marshal")
    except OSError:
        return
    try:
        import marshal

        with os.fdopen(fd, "wb") as f:
            f.write(marshal.dumps({"key": dict(key), "answer": dict(answer)}))
        Path(temporary).replace(path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
