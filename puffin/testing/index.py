"""A static "simple" package index (PEP 503/691) on disk, and a real HTTP server for it.

:func:`write_simple_index` (or :class:`IndexBuilder`) lays out::

    root/simple/index.html, index.json        the project list
    root/simple/<normalized>/index.html       PEP 503 page with PEP 592/629/658/714 attributes
    root/simple/<normalized>/index.json       PEP 691 JSON (api-version 1.1, PEP 700 fields)
    root/files/<filename>                     the distributions
    root/files/<wheel>.metadata               PEP 658 core metadata of each wheel

:class:`StaticIndexServer` serves such a tree on ``127.0.0.1`` from a daemon thread, with
PEP 691 content negotiation, redirects, ``Range``/``HEAD``, ``ETag``, optional basic auth, an
access log that tests can assert on, and injectable faults (error statuses, dropped and
truncated responses, stalls) for client robustness tests. :class:`LocalIndex` combines both.

:class:`FlatDirectory` and :func:`write_flat_html` make ``--find-links`` sources.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import html
import json
import mimetypes
import os
import shutil
import socket
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, Protocol, cast
from urllib.parse import quote, unquote, urlsplit

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from puffin.testing.dists import _read_metadata_bytes, parse_metadata

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from types import TracebackType

    from typing_extensions import Self

__all__ = [
    "HTML_CONTENT_TYPES",
    "JSON_CONTENT_TYPE",
    "Fault",
    "FaultQueue",
    "FaultSpec",
    "FlatDirectory",
    "IndexBuilder",
    "LocalIndex",
    "LocalIndexFactory",
    "RequestRecord",
    "StaticIndexServer",
    "negotiate_content_type",
    "write_flat_html",
    "write_simple_index",
]

API_VERSION = "1.1"
JSON_CONTENT_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_CONTENT_TYPE = "application/vnd.pypi.simple.v1+html"
HTML_CONTENT_TYPES = (HTML_CONTENT_TYPE, "text/html")
# Offered in PyPI's (warehouse's) order: on equal client preference the earlier offer wins,
# so "*/*" or no Accept header at all gets HTML, as PEP 691 requires for old clients.
_OFFERS = (
    "text/html",
    HTML_CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    "application/vnd.pypi.simple.latest+html",
    "application/vnd.pypi.simple.latest+json",
)
_DIST_SUFFIXES = (".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".egg")


# --------------------------------------------------------------------------- index writing


@dataclass
class _Entry:
    filename: str
    project: str  # normalized
    display_name: str
    version: str
    size: int
    sha256: str
    requires_python: str | None
    metadata_sha256: str | None  # set for wheels when metadata files are written
    yanked: str | None = None  # None: not yanked; "": yanked without a reason
    upload_time: datetime | None = None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    # The server may be reading this file right now; readers must see the old or the new
    # page, never half of one.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _parse_dist_filename(filename: str) -> tuple[str, str]:
    """Return (normalized project, version) from a distribution file name."""
    try:
        if filename.endswith(".whl"):
            wheel_name, wheel_version, _, _ = parse_wheel_filename(filename)
            return str(wheel_name), str(wheel_version)
        if filename.endswith((".tar.gz", ".zip")):
            sdist_name, sdist_version = parse_sdist_filename(filename)
            return str(sdist_name), str(sdist_version)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        pass
    # Legacy or deliberately odd names: split at the last dash, as old pip did.
    stem = filename
    for suffix in _DIST_SUFFIXES:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    if stem.count("-") >= 1 and not filename.endswith(".whl"):
        name, _, version = stem.rpartition("-")
        return canonicalize_name(name), version
    raise ValueError(f"cannot tell the project and version of {filename!r}")


def _format_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    # PEP 700: "yyyy-mm-ddThh:mm:ss.ffffffZ"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _version_key(version: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


class IndexBuilder:
    """Accumulates distributions and (re)writes a static simple index for them under ``root``.

    Call :meth:`add` any number of times, then :meth:`write`; writing again after more adds
    regenerates every page, atomically file by file, so a server may keep serving meanwhile.

    :param hashes: put ``#sha256=`` on links and ``hashes`` in JSON.
    :param metadata_files: write ``<wheel>.metadata`` (PEP 658) and advertise it with
        ``data-dist-info-metadata``/``data-core-metadata`` (HTML) and
        ``dist-info-metadata``/``core-metadata`` (JSON), carrying its sha256 when ``hashes``.
    :param relative_urls: link files as ``../../files/x.whl`` (the default); otherwise as
        ``{base_url}/files/x.whl``, or root-relative ``/files/x.whl`` without ``base_url``.
    :param base_url: scheme and host prefix for absolute links, e.g. ``http://127.0.0.1:8080``.
    """

    def __init__(
        self,
        root: Path,
        *,
        hashes: bool = True,
        metadata_files: bool = True,
        relative_urls: bool = True,
        base_url: str | None = None,
    ) -> None:
        self.root = Path(root)
        self.hashes = hashes
        self.metadata_files = metadata_files
        self.relative_urls = relative_urls
        self.base_url = base_url
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    @property
    def files_dir(self) -> Path:
        """Where the distribution files are stored: ``root/files``."""
        return self.root / "files"

    @property
    def filenames(self) -> list[str]:
        """The file names indexed so far, sorted."""
        with self._lock:
            return sorted(self._entries)

    def add(
        self,
        *dist_files: Path,
        yanked: Mapping[str, str] | None = None,
        upload_times: Mapping[str, datetime] | None = None,
    ) -> list[Path]:
        """Copy ``dist_files`` into ``root/files`` and index them; return the copies' paths.

        ``yanked`` maps a file name to its PEP 592 reason (``""`` for none) and
        ``upload_times`` a file name to its PEP 700 upload time; both may name files added
        earlier. Nothing is written to the pages until :meth:`write`.
        """
        self.files_dir.mkdir(parents=True, exist_ok=True)
        copies = []
        with self._lock:
            for dist in dist_files:
                source = Path(dist)
                target = self.files_dir / source.name
                if source.resolve() != target.resolve():
                    if target.exists() and target.read_bytes() != source.read_bytes():
                        raise ValueError(
                            f"{source.name} is already in the index with other content"
                        )
                    shutil.copyfile(source, target)
                project, version = _parse_dist_filename(source.name)
                requires_python: str | None = None
                display_name = project
                try:
                    message = parse_metadata(_read_metadata_bytes(target).decode("utf-8"))
                except (ValueError, OSError, UnicodeDecodeError):
                    message = None  # not every file in a test index has readable metadata
                if message is not None:
                    requires_python = message.get("Requires-Python")
                    display_name = message.get("Name") or project
                self._entries[source.name] = _Entry(
                    filename=source.name,
                    project=project,
                    display_name=display_name,
                    version=version,
                    size=target.stat().st_size,
                    sha256=_sha256_file(target),
                    requires_python=requires_python,
                    metadata_sha256=None,
                )
                copies.append(target)
            for filename, reason in (yanked or {}).items():
                self._entry(filename).yanked = reason
            for filename, moment in (upload_times or {}).items():
                self._entry(filename).upload_time = moment
        return copies

    def _entry(self, filename: str) -> _Entry:
        try:
            return self._entries[filename]
        except KeyError:
            raise KeyError(f"{filename} is not in this index") from None

    def yank(self, filename: str, reason: str = "") -> None:
        """Mark ``filename`` yanked (PEP 592); takes effect at the next :meth:`write`."""
        with self._lock:
            self._entry(filename).yanked = reason

    def unyank(self, filename: str) -> None:
        """Undo :meth:`yank`; takes effect at the next :meth:`write`."""
        with self._lock:
            self._entry(filename).yanked = None

    def _file_url(self, filename: str) -> str:
        quoted = quote(filename)
        if self.relative_urls:
            return f"../../files/{quoted}"
        prefix = (self.base_url or "").rstrip("/")
        return f"{prefix}/files/{quoted}"

    def write(self) -> None:
        """Write every page, JSON document and metadata file for the files added so far."""
        with self._lock:
            entries = list(self._entries.values())
            by_project: dict[str, list[_Entry]] = {}
            for entry in entries:
                if self.metadata_files and entry.filename.endswith(".whl"):
                    metadata = _read_metadata_bytes(self.files_dir / entry.filename)
                    _atomic_write(self.files_dir / f"{entry.filename}.metadata", metadata)
                    entry.metadata_sha256 = hashlib.sha256(metadata).hexdigest()
                else:
                    entry.metadata_sha256 = None
                by_project.setdefault(entry.project, []).append(entry)
            simple = self.root / "simple"
            simple.mkdir(parents=True, exist_ok=True)
            for project, project_entries in by_project.items():
                project_entries.sort(key=lambda e: (_version_key(e.version), e.filename))
                page_dir = simple / project
                _atomic_write(page_dir / "index.html", self._project_html(project, project_entries))
                _atomic_write(page_dir / "index.json", self._project_json(project, project_entries))
            names = {p: sorted({e.display_name for e in es})[0] for p, es in by_project.items()}
            _atomic_write(simple / "index.html", _root_html(names))
            _atomic_write(simple / "index.json", _root_json(names))

    def _project_html(self, project: str, entries: Sequence[_Entry]) -> bytes:
        lines = [
            "<!DOCTYPE html>",
            "<html>",
            "  <head>",
            f'    <meta name="pypi:repository-version" content="{API_VERSION}">',
            f"    <title>Links for {html.escape(project)}</title>",
            "  </head>",
            "  <body>",
            f"    <h1>Links for {html.escape(project)}</h1>",
        ]
        for entry in entries:
            href = self._file_url(entry.filename)
            if self.hashes:
                href += f"#sha256={entry.sha256}"
            attributes = [f'href="{html.escape(href)}"']
            if entry.requires_python is not None:
                attributes.append(f'data-requires-python="{html.escape(entry.requires_python)}"')
            if entry.metadata_sha256 is not None:
                value = f"sha256={entry.metadata_sha256}" if self.hashes else "true"
                # PEP 714 renamed the attribute; PyPI emits both so older clients keep working.
                attributes.append(f'data-dist-info-metadata="{value}"')
                attributes.append(f'data-core-metadata="{value}"')
            if entry.yanked is not None:
                attributes.append(f'data-yanked="{html.escape(entry.yanked)}"')
            lines.append(f"    <a {' '.join(attributes)}>{html.escape(entry.filename)}</a><br />")
        lines += ["  </body>", "</html>", ""]
        return "\n".join(lines).encode("utf-8")

    def _project_json(self, project: str, entries: Sequence[_Entry]) -> bytes:
        files = []
        for entry in entries:
            record: dict[str, object] = {
                "filename": entry.filename,
                "url": self._file_url(entry.filename),
                "hashes": {"sha256": entry.sha256} if self.hashes else {},
                "requires-python": entry.requires_python,
                "size": entry.size,
                "yanked": (entry.yanked or True) if entry.yanked is not None else False,
            }
            if entry.metadata_sha256 is not None:
                metadata: object = {"sha256": entry.metadata_sha256} if self.hashes else True
                record["core-metadata"] = metadata
                record["dist-info-metadata"] = metadata
            if entry.upload_time is not None:
                record["upload-time"] = _format_time(entry.upload_time)
            files.append(record)
        versions = sorted({e.version for e in entries}, key=_version_key)
        document = {
            "meta": {"api-version": API_VERSION},
            "name": project,
            "versions": versions,
            "files": files,
        }
        return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def _root_html(names: Mapping[str, str]) -> bytes:
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "  <head>",
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">',
        "    <title>Simple index</title>",
        "  </head>",
        "  <body>",
    ]
    lines += [
        f'    <a href="{quote(project)}/">{html.escape(names[project])}</a><br />'
        for project in sorted(names)
    ]
    lines += ["  </body>", "</html>", ""]
    return "\n".join(lines).encode("utf-8")


def _root_json(names: Mapping[str, str]) -> bytes:
    document = {
        "meta": {"api-version": API_VERSION},
        "projects": [{"name": names[project]} for project in sorted(names)],
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def write_simple_index(
    root: Path,
    dist_files: Iterable[Path],
    *,
    hashes: bool = True,
    metadata_files: bool = True,
    yanked: Mapping[str, str] | None = None,
    upload_times: Mapping[str, datetime] | None = None,
    relative_urls: bool = True,
    base_url: str | None = None,
) -> None:
    """Write a static simple index of ``dist_files`` under ``root`` (copies go to ``root/files``).

    See :class:`IndexBuilder` for the options; ``yanked`` maps file names to PEP 592 reasons
    (``""`` for none) and ``upload_times`` file names to PEP 700 upload times (naive = UTC).
    ``Requires-Python`` is read from each distribution's own metadata.
    """
    builder = IndexBuilder(
        root,
        hashes=hashes,
        metadata_files=metadata_files,
        relative_urls=relative_urls,
        base_url=base_url,
    )
    builder.add(*dist_files, yanked=yanked, upload_times=upload_times)
    builder.write()


# --------------------------------------------------------------------------- find-links


def _link_line(filename: str, sha256: str | None, requires_python: str | None) -> str:
    href = quote(filename) + (f"#sha256={sha256}" if sha256 else "")
    attributes = f'href="{html.escape(href)}"'
    if requires_python:
        attributes += f' data-requires-python="{html.escape(requires_python)}"'
    return f"    <a {attributes}>{html.escape(filename)}</a><br />"


def write_flat_html(
    root: Path,
    files: Iterable[Path],
    *,
    filename: str = "index.html",
    hashes: bool = True,
) -> Path:
    """Write ``root/filename``, an HTML page linking ``files`` for ``--find-links <url>``.

    Files outside ``root`` are copied into it, so that the links are plain relative file names.
    Serve ``root`` with :class:`StaticIndexServer` and point ``--find-links`` at
    ``server.url + "/"`` (or at the page's own URL). Returns the page's path.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    lines = ["<!DOCTYPE html>", "<html>", "  <head><title>Links</title></head>", "  <body>"]
    for dist in sorted(Path(f) for f in files):
        target = root / dist.name
        if dist.resolve() != target.resolve():
            shutil.copyfile(dist, target)
        requires_python = None
        with contextlib.suppress(ValueError, OSError, UnicodeDecodeError):
            metadata = parse_metadata(_read_metadata_bytes(target).decode("utf-8"))
            requires_python = metadata.get("Requires-Python")
        sha256 = _sha256_file(target) if hashes else None
        lines.append(_link_line(dist.name, sha256, requires_python))
    lines += ["  </body>", "</html>", ""]
    page = root / filename
    _atomic_write(page, "\n".join(lines).encode("utf-8"))
    return page


class FlatDirectory:
    """A ``--find-links`` directory: distribution files side by side, nothing else needed.

    ``os.fspath(flat)`` is the directory, so it can go straight into a command line.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)

    def __fspath__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"FlatDirectory({self.path!r})"

    def add(self, *dist_files: Path) -> list[Path]:
        """Copy ``dist_files`` in (unless already there); return the paths inside."""
        copies = []
        for dist in dist_files:
            target = self.path / Path(dist).name
            if Path(dist).resolve() != target.resolve():
                shutil.copyfile(dist, target)
            copies.append(target)
        return copies

    @property
    def files(self) -> list[Path]:
        """The distribution files present, sorted by name."""
        return sorted(p for p in self.path.iterdir() if p.name.endswith(_DIST_SUFFIXES))

    def write_html(self, filename: str = "index.html", *, hashes: bool = True) -> Path:
        """Write an HTML page of links to :attr:`files` (see :func:`write_flat_html`)."""
        return write_flat_html(self.path, self.files, filename=filename, hashes=hashes)


# --------------------------------------------------------------------------- negotiation


def _parse_accept(header: str) -> list[tuple[str, float, int]]:
    """Return (media range, q, position) for each element of an Accept header."""
    ranges = []
    for position, element in enumerate(header.split(",")):
        parts = [part.strip() for part in element.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        quality = 1.0
        for parameter in parts[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0  # a malformed q makes the element unusable, not preferred
        ranges.append((media, quality, position))
    return ranges


def _match_quality(offer: str, ranges: Sequence[tuple[str, float, int]]) -> float:
    # RFC 9110 12.5.1: the most specific matching range decides an offer's quality.
    offer_type, _, _ = offer.partition("/")
    best: tuple[int, float] | None = None
    for media, quality, _ in ranges:
        media_type, _, media_subtype = media.partition("/")
        if media == offer:
            specificity = 2
        elif media_subtype == "*" and media_type == offer_type:
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, quality)
    return 0.0 if best is None else best[1]


def negotiate_content_type(accept: str | None, *, json_available: bool = True) -> str:
    """Pick the simple-API representation for an ``Accept`` header, as PyPI does.

    Returns ``"text/html"``, :data:`HTML_CONTENT_TYPE` or :data:`JSON_CONTENT_TYPE` (the
    ``latest`` aliases resolve to v1). Highest q wins; ties go to the earlier server offer
    (HTML first); with no header, or nothing acceptable, the answer is ``text/html``.
    """
    if not accept:
        return "text/html"
    ranges = _parse_accept(accept)
    best_offer, best_quality = "text/html", 0.0
    for offer in _OFFERS:
        if not json_available and offer.endswith("+json"):
            continue
        quality = _match_quality(offer, ranges)
        if quality > best_quality:
            best_offer, best_quality = offer, quality
    return best_offer.replace(".latest+", ".v1+")


# --------------------------------------------------------------------------- access log, faults


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it.

    ``status`` is ``None`` when a ``drop`` fault closed the connection without an answer;
    ``fault`` names the injected fault (``"status"``, ``"drop"``, ``"truncate"``, ``"stall"``).
    ``headers`` holds all request headers, with the Authorization value redacted.
    """

    method: str
    path: str
    query: str
    status: int | None
    accept: str | None
    range: str | None
    authorization: bool
    user_agent: str | None
    fault: str | None = None
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), compare=False)


FaultKind = Literal["status", "drop", "truncate", "stall"]


@dataclass(frozen=True)
class Fault:
    """A misbehaviour for the server to apply to the next ``times`` matching requests.

    * ``status``: answer with HTTP ``status`` (default 500) instead of the real response.
    * ``drop``: read the request, then close the connection without any response.
    * ``truncate``: send the real headers, ``Content-Length`` included, then only half of the
      body (nothing if it is empty, with a Content-Length of at least 1), and close.
    * ``stall``: wait ``seconds`` (cut short when the server stops), then answer normally.
    """

    kind: FaultKind
    times: int = 1
    status: int = 500
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.times < 1:
            raise ValueError("a fault applies at least once")
        if not 100 <= self.status <= 599:
            raise ValueError(f"not an HTTP status: {self.status}")

    @classmethod
    def parse(cls, spec: FaultSpec) -> Fault:
        """Turn a shorthand into a :class:`Fault`.

        Accepted: a :class:`Fault`; ``"drop"``, ``"truncate"``; a status as ``"500"`` or
        ``503``; ``("500", n)`` for that status n times; ``("drop", n)``/``("truncate", n)``;
        ``("stall", seconds)``.
        """
        if isinstance(spec, Fault):
            return spec
        if isinstance(spec, bool):
            raise TypeError(f"not a fault: {spec!r}")
        if isinstance(spec, int):
            return cls("status", status=spec)
        if isinstance(spec, str):
            if spec.isdigit():
                return cls("status", status=int(spec))
            if spec in ("drop", "truncate"):
                return cls(cast("FaultKind", spec))
            raise ValueError(f"unknown fault {spec!r}")
        kind, amount = spec
        if isinstance(kind, int) or kind.isdigit():
            return cls("status", times=int(amount), status=int(kind))
        if kind == "stall":
            return cls("stall", seconds=float(amount))
        if kind in ("drop", "truncate"):
            return cls(cast("FaultKind", kind), times=int(amount))
        raise ValueError(f"unknown fault {spec!r}")


FaultSpec = Fault | str | int | tuple[str | int, float]


@dataclass
class _PendingFault:
    pattern: str
    fault: Fault
    remaining: int


class FaultQueue:
    """Thread-safe, per-path queue of :class:`Fault` s, consumed by matching requests.

    A fault registered for ``path`` applies to a request whose path equals it or ends with it
    (``"foo-1.0-py3-none-any.whl"``, ``"/simple/foo/"``); ``""`` matches every request. The
    oldest pending fault that matches is used, and it is spent after ``times`` requests.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[_PendingFault] = []

    def add(self, path: str, fault: FaultSpec) -> Fault:
        """Queue ``fault`` (any :meth:`Fault.parse` shorthand) for ``path``; return it."""
        parsed = Fault.parse(fault)
        with self._lock:
            self._pending.append(_PendingFault(path, parsed, parsed.times))
        return parsed

    def clear(self) -> None:
        """Drop all pending faults."""
        with self._lock:
            self._pending.clear()

    def pending(self) -> list[tuple[str, Fault, int]]:
        """The faults not yet spent, as (path pattern, fault, remaining uses)."""
        with self._lock:
            return [(p.pattern, p.fault, p.remaining) for p in self._pending]

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    def take(self, path: str) -> Fault | None:
        """Consume one use of the first pending fault matching ``path`` (the server calls this)."""
        with self._lock:
            for item in self._pending:
                if path.endswith(item.pattern):  # equality is the special case of a suffix
                    item.remaining -= 1
                    if item.remaining == 0:
                        self._pending.remove(item)
                    return item.fault
        return None


# --------------------------------------------------------------------------- HTTP server


@dataclass
class _Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""


def _text_response(status: int, message: str, *extra: tuple[str, str]) -> _Response:
    return _Response(
        status, [("Content-Type", "text/plain; charset=utf-8"), *extra], f"{message}\n".encode()
    )


def _parse_range(header: str, size: int) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """Parse a single ``bytes=`` range into inclusive (start, end); None means serve it all."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None  # other units and multipart ranges are optional; a full 200 is valid
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if not first:  # suffix range: the last N bytes
            length = int(last)
            if length <= 0 or size == 0:
                return "unsatisfiable"
            return max(size - length, 0), size - 1
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if start > end and last:
        return None  # syntactically invalid: ignore the header
    if start >= size:
        return "unsatisfiable"
    return start, min(end, size - 1)


def _file_content_type(path: Path) -> str:
    name = path.name
    if name.endswith((".whl", ".metadata", ".tar.gz", ".zip", ".egg", ".tgz", ".tar.bz2")):
        return "application/octet-stream"
    if name.endswith(".html"):
        return "text/html; charset=utf-8"
    if name.endswith(".json"):
        return "application/json"
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: StaticIndexServer) -> None:
        self.owner = owner
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__((owner.host, 0), _Handler)

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        if isinstance(request, socket.socket):
            with self.connections_lock:
                self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket | tuple[bytes, socket.socket]) -> None:
        if isinstance(request, socket.socket):
            with self.connections_lock:
                self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        # Clients that hang up mid-response (timeouts, cancelled downloads) are routine in
        # client tests; only real handler bugs deserve a traceback on stderr.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        # Keep-alive connections otherwise hold a handler thread (and the client's pool) open
        # after the test is over.
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive, as real indexes: clients pool connections
    timeout = 60  # an idle keep-alive connection gives its thread back after this
    server_version = "puffin-testing-index"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body waits
    # for the client's delayed ACK (~40 ms a response), which would distort every timing.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default stderr log; the owner keeps a structured access log."""

    def do_GET(self) -> None:
        self._handle(head=False)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def _handle(self, *, head: bool) -> None:
        owner = self.server.owner
        split = urlsplit(self.path)
        path = unquote(split.path)
        fault = owner.faults.take(path)
        kind = None if fault is None else fault.kind
        if fault is not None and fault.kind == "stall":
            owner._stopping.wait(fault.seconds)
        if fault is not None and fault.kind == "drop":
            self._log(path, split.query, None, kind)
            self.close_connection = True
            return
        if fault is not None and fault.kind == "status":
            response = _text_response(fault.status, f"injected fault: HTTP {fault.status}")
        else:
            try:
                response = owner._respond(self, path, split.query, head=head)
            except Exception:
                self._log(path, split.query, 500, kind)
                raise
        # Logged before the response leaves: a test that got its answer must find the record.
        self._log(path, split.query, response.status, kind)
        self._send(response, head=head, truncate=kind == "truncate")

    def _log(self, path: str, query: str, status: int | None, fault: str | None) -> None:
        headers = {
            key: ("<redacted>" if key.lower() == "authorization" else value)
            for key, value in self.headers.items()
        }
        self.server.owner._log(
            RequestRecord(
                method=self.command,
                path=path,
                query=query,
                status=status,
                accept=self.headers.get("Accept"),
                range=self.headers.get("Range"),
                authorization="Authorization" in self.headers,
                user_agent=self.headers.get("User-Agent"),
                fault=fault,
                headers=MappingProxyType(headers),
            )
        )

    def _send(self, response: _Response, *, head: bool, truncate: bool) -> None:
        body = response.body
        declared = len(body)
        if truncate:
            declared = max(declared, 1)
            body = body[: len(body) // 2]
            self.close_connection = True
        self.send_response(response.status)
        for key, value in response.headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(declared))
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            self.wfile.write(body)
        self.wfile.flush()


class StaticIndexServer:
    """Serve the directory ``root`` over HTTP on ``127.0.0.1`` (random port) from a thread.

    Use as a context manager or call :meth:`start`/:meth:`stop`. Any file under ``root`` is
    served; ``/simple/`` and ``/simple/<project>/`` are content-negotiated between their
    ``index.html`` and ``index.json`` (PEP 691, q-values honoured, HTML by default,
    ``Vary: Accept``); a directory without a trailing slash redirects (301) to it, as does an
    unnormalized project name to its normalized page; other directories serve their
    ``index.html``. Files support ``HEAD``, single ``Range`` requests (206/416) and
    ``ETag``/``If-None-Match`` (304).

    :param auth: ``(user, password)`` to require HTTP basic auth on every request (401 with
        ``WWW-Authenticate`` otherwise).
    :param serve_json: ``False`` imitates a legacy index that ignores ``Accept`` and always
        answers HTML.

    :attr:`requests` is the access log, :attr:`faults` the fault-injection queue.
    """

    def __init__(
        self,
        root: Path,
        *,
        auth: tuple[str, str] | None = None,
        serve_json: bool = True,
        serve_ranges: bool = True,
        cache_control: str = "max-age=0, must-revalidate",
        host: str = "127.0.0.1",
    ) -> None:
        self.root = Path(root)
        self.cache_control = cache_control
        """The Cache-Control header of every page and file (PyPI sends max-age=600 on pages)."""
        self.auth = auth
        self.serve_json = serve_json
        self.serve_ranges = serve_ranges
        """False imitates a server without range support: no Accept-Ranges, Range ignored."""
        self.host = host
        self.faults = FaultQueue()
        self._requests: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- lifecycle

    def start(self) -> Self:
        """Bind a free port and serve in a daemon thread; return ``self``."""
        if self._httpd is not None:
            raise RuntimeError("server already started")
        self.root.mkdir(parents=True, exist_ok=True)
        self._stopping.clear()
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"puffin-index-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection; safe to call twice."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._httpd is not None

    @property
    def port(self) -> int:
        """The bound port (only while running)."""
        if self._httpd is None:
            raise RuntimeError("server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, without a trailing slash."""
        return f"http://{self.host}:{self.port}"

    @property
    def simple_url(self) -> str:
        """``http://127.0.0.1:PORT/simple/``, the ``--index-url``."""
        return f"{self.url}/simple/"

    @property
    def simple_url_with_credentials(self) -> str:
        """:attr:`simple_url` with ``user:password@`` from ``auth`` embedded, if any."""
        if self.auth is None:
            return self.simple_url
        user, password = (quote(part, safe="") for part in self.auth)
        return f"http://{user}:{password}@{self.host}:{self.port}/simple/"

    # -- access log

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the access log, oldest first."""
        with self._log_lock:
            return list(self._requests)

    def clear_log(self) -> None:
        """Forget all logged requests."""
        with self._log_lock:
            self._requests.clear()

    def count(
        self,
        match: str | Callable[[RequestRecord], bool] = "",
        *,
        method: str | None = None,
        status: int | None = None,
    ) -> int:
        """Count logged requests whose path ends with ``match`` (or that satisfy it, if callable),
        optionally only those with the given ``method`` and ``status``."""
        count = 0
        for record in self.requests:
            matched = match(record) if callable(match) else record.path.endswith(match)
            if not matched:
                continue
            if method is not None and record.method != method.upper():
                continue
            if status is not None and record.status != status:
                continue
            count += 1
        return count

    def _log(self, record: RequestRecord) -> None:
        with self._log_lock:
            self._requests.append(record)

    # -- responses

    def _authorized(self, header: str | None) -> bool:
        if self.auth is None:
            return True
        if not header or not header.lower().startswith("basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return False
        expected = f"{self.auth[0]}:{self.auth[1]}"
        return hmac.compare_digest(decoded.encode(), expected.encode())

    def _respond(self, handler: _Handler, path: str, query: str, *, head: bool) -> _Response:
        if not self._authorized(handler.headers.get("Authorization")):
            return _text_response(
                401,
                "authentication required",
                ("WWW-Authenticate", 'Basic realm="puffin-test-index"'),
            )
        if not path.startswith("/") or "\x00" in path:
            return _text_response(400, "bad path")
        root = self.root.resolve()
        target = (root / path.lstrip("/")).resolve()
        if target != root and root not in target.parents:
            return _text_response(404, "not found")
        suffix = f"?{query}" if query else ""
        if target.is_dir():
            if not path.endswith("/"):
                return _text_response(301, "moved", ("Location", f"{path}/{suffix}"))
            simple = root / "simple"
            if simple in (target, target.parent):
                return self._negotiated_page(handler, target)
            page = target / "index.html"
            if page.is_file():
                return self._file_response(handler, page)
            return _text_response(404, "not found")
        if target.is_file():
            return self._file_response(handler, target, ranges=self.serve_ranges)
        # PEP 503: a request for an unnormalized project name goes to the normalized page.
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "simple":
            normalized = canonicalize_name(parts[1])
            if normalized != parts[1] and (root / "simple" / normalized).is_dir():
                return _text_response(301, "moved", ("Location", f"/simple/{normalized}/{suffix}"))
        return _text_response(404, "not found")

    def _negotiated_page(self, handler: _Handler, directory: Path) -> _Response:
        json_page = directory / "index.json"
        html_page = directory / "index.html"
        available = self.serve_json and json_page.is_file()
        chosen = negotiate_content_type(handler.headers.get("Accept"), json_available=available)
        if chosen == JSON_CONTENT_TYPE:
            page, content_type = json_page, JSON_CONTENT_TYPE
        elif chosen == HTML_CONTENT_TYPE:
            page, content_type = html_page, HTML_CONTENT_TYPE
        else:
            page, content_type = html_page, "text/html; charset=utf-8"
        if not page.is_file():
            return _text_response(404, "not found")
        response = self._file_response(handler, page, content_type=content_type, ranges=False)
        response.headers.append(("Vary", "Accept"))
        return response

    def _file_response(
        self,
        handler: _Handler,
        path: Path,
        *,
        content_type: str | None = None,
        ranges: bool = True,
    ) -> _Response:
        try:
            data = path.read_bytes()
            stat = path.stat()
        except OSError:
            return _text_response(404, "not found")
        etag = f'"{stat.st_mtime_ns:x}-{len(data):x}"'
        headers = [
            ("Content-Type", content_type or _file_content_type(path)),
            ("ETag", etag),
            ("Cache-Control", self.cache_control),
        ]
        if ranges:
            headers.append(("Accept-Ranges", "bytes"))
        if_none_match = handler.headers.get("If-None-Match")
        if if_none_match and etag in [tag.strip() for tag in if_none_match.split(",")]:
            return _Response(304, headers)
        range_header = handler.headers.get("Range") if ranges else None
        if range_header:
            parsed = _parse_range(range_header, len(data))
            if parsed == "unsatisfiable":
                return _text_response(
                    416, "range not satisfiable", ("Content-Range", f"bytes */{len(data)}")
                )
            if parsed is not None:
                start, end = parsed
                headers.append(("Content-Range", f"bytes {start}-{end}/{len(data)}"))
                return _Response(206, headers, data[start : end + 1])
        return _Response(200, headers, data)


class LocalIndex(StaticIndexServer):
    """A :class:`StaticIndexServer` over an :class:`IndexBuilder` rooted at the same directory.

    The index is written when the server starts (so absolute URLs can name the real port) and
    again by every :meth:`add`, :meth:`yank` and :meth:`unyank`, while it keeps serving.
    """

    def __init__(
        self,
        root: Path,
        dist_files: Iterable[Path] = (),
        *,
        hashes: bool = True,
        metadata_files: bool = True,
        yanked: Mapping[str, str] | None = None,
        upload_times: Mapping[str, datetime] | None = None,
        relative_urls: bool = True,
        auth: tuple[str, str] | None = None,
        serve_json: bool = True,
        serve_ranges: bool = True,
        cache_control: str = "max-age=0, must-revalidate",
    ) -> None:
        super().__init__(
            root,
            auth=auth,
            serve_json=serve_json,
            serve_ranges=serve_ranges,
            cache_control=cache_control,
        )
        self.builder = IndexBuilder(
            self.root, hashes=hashes, metadata_files=metadata_files, relative_urls=relative_urls
        )
        self.builder.add(*dist_files, yanked=yanked, upload_times=upload_times)

    def start(self) -> Self:
        """Start serving, then write the index (absolute links need the port)."""
        super().start()
        if not self.builder.relative_urls:
            self.builder.base_url = self.url
        self.builder.write()
        return self

    def add(
        self,
        *dist_files: Path,
        yanked: Mapping[str, str] | None = None,
        upload_times: Mapping[str, datetime] | None = None,
    ) -> list[Path]:
        """Add distributions (see :meth:`IndexBuilder.add`) and rewrite the index now."""
        copies = self.builder.add(*dist_files, yanked=yanked, upload_times=upload_times)
        self.builder.write()
        return copies

    def yank(self, filename: str, reason: str = "") -> None:
        """Yank ``filename`` and rewrite the index now."""
        self.builder.yank(filename, reason)
        self.builder.write()

    def unyank(self, filename: str) -> None:
        """Un-yank ``filename`` and rewrite the index now."""
        self.builder.unyank(filename)
        self.builder.write()


class LocalIndexFactory(Protocol):
    """Type of the ``local_index`` fixture: start a :class:`LocalIndex` in a fresh directory."""

    def __call__(
        self,
        dist_files: Iterable[Path] = (),
        *,
        hashes: bool = True,
        metadata_files: bool = True,
        yanked: Mapping[str, str] | None = None,
        upload_times: Mapping[str, datetime] | None = None,
        relative_urls: bool = True,
        auth: tuple[str, str] | None = None,
        serve_json: bool = True,
        serve_ranges: bool = True,
        cache_control: str = "max-age=0, must-revalidate",
    ) -> LocalIndex: ...
