"""What is installed in an environment: ``*.dist-info``, legacy ``*.egg-info`` and ``.egg-link``.

Scanning reads as little as it can, because ``pip list`` on a large environment is mostly
this: a directory listing per site-packages directory, the header block of each ``METADATA``
(or ``PKG-INFO``) up to the first blank line (descriptions can be megabytes), and the small
marker files ``INSTALLER``, ``REQUESTED`` and ``direct_url.json`` (PEP 376, PEP 610).
Everything else (requirements, files, the fields ``pip show`` prints) is read on demand
for one distribution by the functions below.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from puffin.types.dist import InstalledDist

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from email.message import Message

    from packaging.requirements import Requirement
    from packaging.utils import NormalizedName
    from packaging.version import Version

__all__ = [
    "Installed",
    "declared_files",
    "editable_location",
    "egg_link_for",
    "metadata_file",
    "read_headers",
    "read_requires",
    "scan_environment",
    "scan_installed",
]


class Installed(NamedTuple):
    """One scanned distribution with the ``Name`` exactly as its metadata writes it.

    pip prints that spelling (``Jinja2``, ``typing_extensions``) while puffin compares
    normalized names, so both are kept: the raw name is display only.
    """

    dist: InstalledDist
    raw_name: str
    location: Path
    """The sys.path entry the distribution was found in (``pip show``'s ``Location``)."""
    editable_location: Path | None = None
    """The project directory of an editable install, else None."""


def scan_environment(site_packages: Sequence[Path]) -> tuple[InstalledDist, ...]:
    """Every distribution installed in ``site_packages`` (in sys.path order), sorted by name.

    Names are normalized (PEP 503); when a name occurs in more than one directory, the
    first directory wins, as it does for ``import``. Distributions whose metadata has no
    valid name or version are skipped, as pip skips them.
    """
    return tuple(entry.dist for entry in scan_installed(site_packages))


def scan_installed(site_packages: Sequence[Path]) -> tuple[Installed, ...]:
    """As :func:`scan_environment`, with display names, locations and editable projects."""
    found: dict[str, Installed] = {}
    seen_dirs: set[str] = set()
    for directory in site_packages:
        key = os.path.normcase(os.path.abspath(directory))  # noqa: PTH100
        if key in seen_dirs:
            continue  # purelib and platlib are usually the same directory
        seen_dirs.add(key)
        for entry in _scan_directory(Path(directory)):
            found.setdefault(entry.dist.name, entry)
    return tuple(found[name] for name in sorted(found))


def _scan_directory(directory: Path) -> Iterator[Installed]:
    try:
        # Names only: most entries are packages, not metadata, and need no Path object.
        names = sorted(os.listdir(directory))  # noqa: PTH208
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        path = directory / name
        entry: Installed | None = None
        if name.endswith(".dist-info"):
            entry = _read_dist_info(path, directory)
        elif name.endswith(".egg-info"):
            entry = _read_egg_info(path, directory)
        elif name.endswith(".egg-link"):
            entry = _read_egg_link(path, directory)
        if entry is not None:
            yield entry


def _read_dist_info(path: Path, location: Path) -> Installed | None:
    import json

    headers = _header_fields(path / "METADATA")
    if headers is None:
        return None
    made = _identity(headers)
    if made is None:
        return None
    raw_name, name, version, extras = made
    installer = _read_small(path / "INSTALLER")
    direct_url: str | None = None
    editable_dir: Path | None = None
    direct_text = _read_small(path / "direct_url.json")
    if direct_text is not None:
        try:
            data = json.loads(direct_text)
        except ValueError:
            data = None  # a broken direct_url.json is ignored, as pip ignores it
        if isinstance(data, dict) and isinstance(data.get("url"), str):
            direct_url = _direct_reference(data)
            dir_info = data.get("dir_info")
            if isinstance(dir_info, dict) and dir_info.get("editable"):
                editable_dir = _url_to_path(data["url"])
    dist = InstalledDist(
        name=name,
        version=version,
        dist_info=path,
        installer=installer.strip() or None if installer is not None else None,
        editable=editable_dir is not None,
        requested=(path / "REQUESTED").exists(),
        direct_url=direct_url,
        extras=extras,
    )
    return Installed(dist, raw_name, location, editable_dir)


def _read_egg_info(path: Path, location: Path) -> Installed | None:
    # An egg-info is either a directory holding PKG-INFO or a single file that is PKG-INFO.
    metadata = path / "PKG-INFO" if path.is_dir() else path
    headers = _header_fields(metadata)
    if headers is None:
        return None
    made = _identity(headers)
    if made is None:
        return None
    raw_name, name, version, extras = made
    installer = _read_small(path / "INSTALLER") if path.is_dir() else None
    dist = InstalledDist(
        name=name,
        version=version,
        dist_info=path,
        installer=(installer.strip() or None) if installer is not None else None,
        extras=extras,
    )
    return Installed(dist, raw_name, location)


def _read_egg_link(path: Path, location: Path) -> Installed | None:
    project = _egg_link_target(path)
    if project is None:
        return None
    try:
        infos = sorted(p for p in os.listdir(project) if p.endswith(".egg-info"))  # noqa: PTH208
    except OSError:
        return None
    stem = _normalize_for_match(path.name[: -len(".egg-link")])
    for info in infos:
        entry = _read_egg_info(project / info, project)
        if entry is not None and _normalize_for_match(entry.raw_name) == stem:
            dist = InstalledDist(
                name=entry.dist.name,
                version=entry.dist.version,
                dist_info=entry.dist.dist_info,
                installer=entry.dist.installer,
                editable=True,
                extras=entry.dist.extras,
            )
            # pip reports the egg-info's location (the project directory) for these.
            return Installed(dist, entry.raw_name, project, project)
    return None


def _egg_link_target(path: Path) -> Path | None:
    """The project directory an ``.egg-link`` names (its first line), or None."""
    text = _read_small(path)
    if text is None:
        return None
    first = text.splitlines()[0].strip() if text.strip() else ""
    if not first:
        return None
    return Path(os.path.normpath(path.parent / first))


def _normalize_for_match(name: str) -> str:
    from packaging.utils import canonicalize_name

    return canonicalize_name(name.replace("_", "-"))


def _identity(
    headers: Sequence[tuple[str, str]],
) -> tuple[str, NormalizedName, Version, tuple[str, ...]] | None:
    """(raw name, normalized name, version, extras) from the headers, or None if invalid."""
    from packaging.utils import canonicalize_name
    from packaging.version import InvalidVersion, Version

    raw_name = next((value for name, value in headers if name == "name"), "").strip()
    version_text = next((value for name, value in headers if name == "version"), "").strip()
    if not raw_name or not version_text:
        return None
    try:
        version = Version(version_text)
    except InvalidVersion:
        return None
    extras = tuple(
        dict.fromkeys(
            canonicalize_name(value) for name, value in headers if name == "provides-extra"
        )
    )
    return raw_name, canonicalize_name(raw_name), version, extras


def _header_fields(path: Path) -> list[tuple[str, str]] | None:
    """The header block of a metadata file as (lowercased name, value) pairs, or None.

    Reads up to the first blank line only: the description after it is never needed here.
    Continuation lines (RFC 822 folding) are joined with a newline, as email does.
    """
    try:
        with open(path, "rb") as stream:
            lines: list[bytes] = []
            for line in stream:
                if not line.strip(b"\r\n"):
                    break
                lines.append(line)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError):
        return None
    fields: list[tuple[str, str]] = []
    for raw in lines:
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if text[:1] in (" ", "\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + "\n" + text)
            continue
        name, colon, value = text.partition(":")
        if colon:
            fields.append((name.strip().lower(), value.strip()))
    return fields


def _read_small(path: Path) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            return stream.read()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError):
        return None


def _url_to_path(url: str) -> Path | None:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    return Path(unquote(parts.path))


def _direct_reference(data: dict[str, object]) -> str:
    """The PEP 508 URL of a PEP 610 ``direct_url.json``, written as pip freeze writes it."""
    url = str(data["url"])
    fragments: list[str] = []
    vcs_info = data.get("vcs_info")
    archive_info = data.get("archive_info")
    if isinstance(vcs_info, dict):
        url = f"{vcs_info.get('vcs')}+{url}@{vcs_info.get('commit_id')}"
    elif isinstance(archive_info, dict):
        digest = archive_info.get("hash")
        if isinstance(digest, str) and digest:
            fragments.append(digest)
    subdirectory = data.get("subdirectory")
    if isinstance(subdirectory, str) and subdirectory:
        fragments.append("subdirectory=" + subdirectory)
    return url + ("#" + "&".join(fragments) if fragments else "")


def editable_location(dist: InstalledDist) -> Path | None:
    """The project directory of an editable install, else None.

    From PEP 610 ``direct_url.json`` (PEP 660 editables), or the directory holding the
    egg-info of a legacy ``.egg-link`` editable.
    """
    if not dist.editable:
        return None
    if dist.direct_url is not None:
        location = _url_to_path(dist.direct_url.partition("#")[0])
        if location is not None:
            return location
    return dist.dist_info.parent


def metadata_file(dist: InstalledDist) -> Path:
    """The core-metadata file: ``METADATA``, ``PKG-INFO``, or the egg-info file itself."""
    if dist.dist_info.name.endswith(".dist-info"):
        return dist.dist_info / "METADATA"
    if dist.dist_info.is_dir():
        return dist.dist_info / "PKG-INFO"
    return dist.dist_info


def read_headers(dist: InstalledDist) -> Message:
    """The metadata headers as an :class:`email.message.Message`, as pip reads them.

    Only the header block is parsed; ``get`` returns None for a missing field.
    """
    import email

    fields = _header_fields(metadata_file(dist)) or []
    message = email.message.Message()
    for name, value in fields:
        message[name] = value
    return message


def read_requires(dist: InstalledDist) -> tuple[Requirement, ...]:
    """Every requirement the distribution declares, markers and extras kept as written.

    ``Requires-Dist`` of the metadata; for egg-info, ``requires.txt`` (whose
    ``[extra:marker]`` sections become markers, as setuptools means them).

    :raises puffin.distribution.core_metadata.MetadataError: a requirement does not parse.
    """
    from packaging.requirements import InvalidRequirement, Requirement

    from puffin.distribution.core_metadata import MetadataError

    fields = _header_fields(metadata_file(dist)) or []
    texts = [value for name, value in fields if name == "requires-dist"]
    if not texts and dist.dist_info.name.endswith(".egg-info") and dist.dist_info.is_dir():
        texts = list(_requires_txt(dist.dist_info / "requires.txt"))
    requirements: list[Requirement] = []
    for text in texts:
        try:
            requirements.append(Requirement(" ".join(text.split())))
        except InvalidRequirement as error:
            raise MetadataError(
                str(metadata_file(dist)),
                f"invalid requirement {text!r}: {error}",
                field="Requires-Dist",
                value=text,
            ) from error
    return tuple(requirements)


def _requires_txt(path: Path) -> Iterator[str]:
    text = _read_small(path)
    if text is None:
        return
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            continue
        extra, _, marker = section.partition(":")
        markers = []
        if extra:
            markers.append(f'extra == "{extra}"')
        if marker:
            markers.append(f"({marker})")
        yield line + ("; " + " and ".join(markers) if markers else "")


def declared_files(dist: InstalledDist, location: Path) -> tuple[str, ...] | None:
    """The files the distribution declares, relative to ``location``, as ``pip show -f``.

    From ``RECORD``, else ``installed-files.txt`` (rewritten relative to ``location``);
    None when there is neither.
    """
    import csv

    record = _read_small(dist.dist_info / "RECORD")
    if record is not None:
        return tuple(str(Path(row[0])) for row in csv.reader(record.splitlines()) if row)
    legacy = _read_small(dist.dist_info / "installed-files.txt")
    if legacy is None:
        return None
    info_dir = dist.dist_info
    result = []
    for line in legacy.splitlines():
        if line:
            full = os.path.normpath(info_dir / line)
            result.append(os.path.relpath(full, location))
    return tuple(result)


def egg_link_for(dist: InstalledDist, site_packages: Sequence[Path]) -> Path | None:
    """The ``.egg-link`` file of a legacy editable install in ``site_packages``, or None."""
    project = os.path.normpath(dist.dist_info.parent)
    for directory in site_packages:
        try:
            names = os.listdir(directory)  # noqa: PTH208
        except OSError:
            continue
        for name in names:
            if not name.endswith(".egg-link"):
                continue
            link = Path(directory) / name
            target = _egg_link_target(link)
            if target is not None and os.path.normpath(target) == project:
                return link
    return None
