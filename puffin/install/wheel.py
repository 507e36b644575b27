"""Install one unpacked wheel into an environment's install scheme.

Follows the binary distribution format (packaging.python.org, "Binary distribution
format"): the root goes to purelib or platlib by ``Root-Is-Purelib``; each
``{name}-{version}.data/<key>/`` directory goes to the scheme's ``<key>`` path; scripts
with a ``#!python`` first line get the target interpreter; console and GUI entry points
become launchers; the ``.dist-info`` gets ``INSTALLER``, ``REQUESTED`` (PEP 376/627),
``direct_url.json`` (PEP 610) and a new ``RECORD`` listing every installed file.

RECORD is written last, after every other file is in place: an install that dies half way
leaves a dist-info without RECORD, which reads as broken rather than as complete.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeAlias, TypeVar

from puffin._values import value_type
from puffin.errors import PuffinError
from puffin.install.link import LinkMode, place_file, write_file

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from concurrent.futures import Executor

__all__ = ["InstalledFiles", "install_wheel", "linking_threads"]


@value_type
class InstalledFiles:
    """What an install put into the environment."""

    dist_info: Path
    """The installed ``.dist-info`` directory."""
    root: Path
    """The directory the wheel's root went to (purelib or platlib)."""
    placed: tuple[str, ...]
    """Files placed under :attr:`root`, as ``/``-separated paths relative to it."""
    others: tuple[_Row, ...]
    """Scripts, ``.data`` files, launchers and the installer's own files."""
    record: Path
    """The RECORD file, written last."""

    @property
    def files(self) -> tuple[Path, ...]:
        """Every installed file (absolute), RECORD last."""
        root = self.root
        return (
            *(root.joinpath(*path.split("/")) for path in self.placed),
            *(row.path for row in self.others),
            self.record,
        )


class _Row(NamedTuple):
    path: Path
    hash: str
    size: int | None


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _write(target: Path, data: bytes, *, executable: bool = False) -> _Row:
    write_file(target, data, executable=executable)
    return _Row(target, _record_hash(data), len(data))


def _check_name(dist_info: str, name: str, *, source: str) -> None:
    from packaging.utils import canonicalize_name

    stem = dist_info[: -len(".dist-info")]
    found, _, _ = stem.partition("-")
    if canonicalize_name(found) != canonicalize_name(name):
        raise PuffinError(f"{source}: its {dist_info} directory does not belong to {name}")


def install_wheel(
    unpacked: Path,
    *,
    name: str,
    version: str,
    scheme: Mapping[str, Path],
    interpreter_path: Path,
    link_mode: LinkMode,
    requested: bool,
    direct_url: str | None,
    installer: str = "puffin",
    executor: Executor | None = None,
) -> InstalledFiles:
    """Install the wheel unpacked at ``unpacked`` (see :func:`~puffin.install.unpack.unpack_wheel`).

    :param name: the distribution's name, checked against the ``.dist-info`` directory.
    :param version: its version, for messages.
    :param scheme: absolute ``purelib``, ``platlib``, ``scripts``, ``headers`` and ``data``
        directories of the target environment.
    :param interpreter_path: the target's interpreter, named by script shebangs.
    :param link_mode: how files get from the cache into the environment.
    :param requested: write ``REQUESTED`` (the user asked for this distribution).
    :param direct_url: PEP 610 ``direct_url.json`` text, for URL and path installs.
    :param installer: the ``INSTALLER`` file's content.
    :param executor: runs the file placements; the caller's pool, so that many wheels
        share one; a private pool when None.
    :raises PuffinError: the wheel is malformed or a file cannot be placed. Files placed
        before the failure stay, but not its new ``.dist-info`` directory; RECORD is not
        written.
    """
    from puffin.install.layout import SCHEME_KEYS, load_layout, read_layout
    from puffin.install.scripts import launcher, parse_entry_points, rewrite_shebang

    source = f"{name} {version}"
    layout = load_layout(unpacked) or read_layout(unpacked, source=source)
    dist_info_name = layout.dist_info
    _check_name(dist_info_name, name, source=source)
    cached_dist_info = unpacked / dist_info_name

    missing_keys = SCHEME_KEYS - set(scheme)
    if missing_keys:
        raise ValueError(f"the install scheme lacks {', '.join(sorted(missing_keys))}")
    root = Path(scheme["purelib" if layout.root_is_purelib else "platlib"]).absolute()
    scripts_dir = Path(scheme["scripts"]).absolute()
    dist_info = root / dist_info_name

    def link(source_path: Path, target: Path, digest: str, size: int | None) -> Callable[[], _Row]:
        def run() -> _Row:
            place_file(source_path, target, link_mode)
            return _Row(target, digest, size)

        return run

    def script(
        source_path: Path, target: Path, digest: str, size: int | None
    ) -> Callable[[], _Row]:
        def run() -> _Row:
            content = source_path.read_bytes()
            rewritten = rewrite_shebang(content, interpreter_path)
            if rewritten is not None:
                return _write(target, rewritten, executable=True)
            if source_path.stat().st_mode & 0o111 == 0o111:
                place_file(source_path, target, link_mode)
                return _Row(target, digest, size)
            # A link would share (and a chmod would change) the cache's non-executable file.
            return _write(target, content, executable=True)

        return run

    def generated(target: Path, data: bytes) -> Callable[[], _Row]:
        return lambda: _write(target, data, executable=True)

    # Most files go from the cache to the same path under the root: those are placed in
    # batches of (source, target) strings, a system call or two each. Scripts, .data files
    # and generated launchers are tasks keyed by target, so that two sources of one target
    # (a .data script and an entry point of the same name) never race: the later one wins,
    # as with pip, and a special file wins over a root file of the same path.
    tasks: dict[Path, Callable[[], _Row]] = {}
    unpacked_text = str(unpacked)
    root_text = str(root)
    plain = [(f"{unpacked_text}/{path}", f"{root_text}/{path}") for path in layout.root_files]
    record_rows = layout.record_rows
    for archive_path, key, digest, size_text in layout.data_files:
        parts = archive_path.split("/")
        source_path = unpacked.joinpath(*parts)
        target = Path(scheme[key]).absolute().joinpath(*parts[2:])
        size = int(size_text) if size_text else None
        if key == "scripts":
            tasks[target] = script(source_path, target, digest, size)
        else:
            tasks[target] = link(source_path, target, digest, size)

    if layout.has_entry_points:
        text = (cached_dist_info / "entry_points.txt").read_text(encoding="utf-8")
        for entry_point in parse_entry_points(text, source=f"{source}: entry_points.txt"):
            target = scripts_dir / entry_point.name
            tasks[target] = generated(target, launcher(entry_point, interpreter_path))
    if tasks and plain:
        special = {str(target) for target in tasks}
        kept = [index for index, (_, target) in enumerate(plain) if target not in special]
        if len(kept) != len(plain):
            plain = [plain[index] for index in kept]
            record_rows = tuple(record_rows[index] for index in kept)

    had_dist_info = dist_info.exists()
    try:
        _make_tree(root_text, layout.directories)
        _make_directories({target.parent for target in tasks}, stop=scheme.values())
        rows = _run_all(tasks, plain, link_mode, executor, source=source)
    except BaseException:
        # Without its metadata directory a half-placed wheel is not an installed
        # version: the environment never shows two versions of a project, or a broken one.
        if not had_dist_info:
            import shutil

            shutil.rmtree(dist_info, ignore_errors=True)
        raise

    # The installer's own files, then RECORD, strictly after everything else is placed.
    rows.append(_write(dist_info / "INSTALLER", f"{installer}\n".encode()))
    if requested:
        rows.append(_write(dist_info / "REQUESTED", b""))
    if direct_url is not None:
        rows.append(_write(dist_info / "direct_url.json", direct_url.encode("utf-8")))
    record_path = dist_info / "RECORD"
    write_file(record_path, _record_csv(record_rows, rows, root, record_path))
    placed = tuple(target[len(root_text) + 1 :] for _, target in plain)
    return InstalledFiles(dist_info, root, placed, tuple(rows), record_path)


def _make_tree(root: str, directories: Sequence[str]) -> None:
    """Create ``directories`` (relative, ``/``-separated, parents first) under ``root``."""
    for directory in directories:
        try:
            os.mkdir(f"{root}/{directory}")  # noqa: PTH102 - one system call, no pathlib parsing
        except FileExistsError:
            continue
        except FileNotFoundError:  # the root itself is missing
            os.makedirs(f"{root}/{directory}", exist_ok=True)  # noqa: PTH103


def _make_directories(directories: set[Path], *, stop: Iterable[Path]) -> None:
    """Create every directory the files will land in, parents first, once each.

    Creating a directory is the most expensive step of placing a file on ext4 (tens of
    microseconds); discovering missing ones through failed links costs several calls each.
    """
    roots = {Path(root).absolute() for root in stop}
    needed: set[Path] = set()
    for leaf in directories:
        directory = leaf
        while directory not in needed and directory not in roots and directory != directory.parent:
            needed.add(directory)
            directory = directory.parent
    for directory in sorted(needed, key=lambda path: len(path.parts)):
        try:
            os.mkdir(directory)  # noqa: PTH102 - one system call, no pathlib parsing
        except FileExistsError:
            continue
        except FileNotFoundError:  # a scheme directory itself is missing
            directory.mkdir(parents=True, exist_ok=True)


def _relative(path: Path, root: Path, prefix: str) -> str:
    # pip's form: relative to the site-packages directory, with "../" for scripts,
    # headers and data outside it, "/" separators on every platform. Most files are under
    # the root, where cutting the prefix is much cheaper than os.path.relpath.
    text = str(path)
    if text.startswith(prefix):
        return text[len(prefix) :].replace(os.sep, "/")
    return os.path.relpath(path, root).replace(os.sep, "/")


def _record_csv(placed: Sequence[str], rows: list[_Row], root: Path, record: Path) -> bytes:
    """RECORD: the placed files' lines as the layout renders them, then the other files,
    then RECORD itself."""
    import csv
    import io

    prefix = str(root) + os.sep
    others = sorted(
        (_relative(row.path, root, prefix), row.hash, "" if row.size is None else str(row.size))
        for row in rows
    )
    others.append((_relative(record, root, prefix), "", ""))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(others)
    head = "\n".join(placed)
    return (head + "\n" + buffer.getvalue() if head else buffer.getvalue()).encode("utf-8")


def linking_threads() -> int:
    """How many threads should place files at once: one per core (at most eight).

    Placing a file is a system call or two that release the GIL; more threads than cores
    only take turns at the GIL (measured on 2 cores, linking 42,000 files: 0.83 s with 4
    wheel and 6 file threads, 0.65 s with 2).
    """
    return min(8, os.cpu_count() or 2)


def _run_all(
    tasks: Mapping[Path, Callable[[], _Row]],
    plain: list[tuple[str, str]],
    link_mode: LinkMode,
    executor: Executor | None,
    *,
    source: str,
) -> list[_Row]:
    """Place every plain file and run every task; wait for all of them, even after a
    failure (no write may still be in flight when the caller hears of it).

    Work goes in batches: a file takes a system call or two, and a job per file would cost
    more than the file. This thread runs the batches itself, and offers each one to
    ``executor`` as well, so that a thread of the pool with nothing else to do takes over
    part of a large wheel; whichever thread gets to a batch first runs it. Waiting for
    the pool instead would keep more threads than cores taking turns at the GIL around
    every system call (measured: 327,000 futex calls to link 38,000 files).
    """
    from puffin.install.link import place_files

    placements = [
        _Claim(functools.partial(place_files, plain[start : start + _PLAIN_BATCH], link_mode))
        for start in range(0, len(plain), _PLAIN_BATCH)
    ]
    items = list(tasks.items())
    batches = [
        _Claim(functools.partial(_run_batch, items[start : start + _BATCH]))
        for start in range(0, len(items), _BATCH)
    ]
    runs = [job.run for job in placements] + [job.run for job in batches]
    if executor is not None:
        for run in runs[1:]:  # the first is surely this thread's
            executor.submit(run)
    for run in runs:
        run()
    failures: list[tuple[object, BaseException]] = [
        failure for job in placements if (failure := job.result()) is not None
    ]
    rows: list[_Row] = []
    for job in batches:
        done, failed = job.result()
        rows.extend(done)
        if failed is not None:
            failures.append(failed)
    if failures:
        target, error = failures[0]
        if isinstance(error, PuffinError):
            raise error
        if isinstance(error, OSError):
            raise PuffinError(f"{source}: cannot install {target}: {error}") from error
        raise error
    return rows


_T = TypeVar("_T")
_BatchResult: TypeAlias = "tuple[list[_Row], tuple[Path, BaseException] | None]"


class _Claim(Generic[_T]):
    """A job that runs once, on the first thread to call :meth:`run`."""

    __slots__ = ("_done", "_error", "_job", "_result", "_taken")

    def __init__(self, job: Callable[[], _T]) -> None:
        self._job = job
        self._taken = threading.Lock()
        self._done = threading.Event()
        self._result: _T | None = None
        self._error: BaseException | None = None

    def run(self) -> None:
        """Run the job, unless another thread has taken it."""
        if not self._taken.acquire(blocking=False):
            return
        try:
            self._result = self._job()
        except BaseException as error:  # re-raised by result(), on the waiting thread
            self._error = error
        finally:
            self._done.set()

    def result(self) -> _T:
        """The job's result, once whichever thread took it has finished it."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]


_PLAIN_BATCH = 256
_BATCH = 32


def _run_batch(batch: list[tuple[Path, Callable[[], _Row]]]) -> _BatchResult:
    """Run a batch of tasks; stop at the first failure and return it with what was done."""
    rows = []
    for target, task in batch:
        try:
            rows.append(task())
        except Exception as error:  # handed to _run_all, which raises it
            return rows, (target, error)
    return rows, None
