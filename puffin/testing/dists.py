"""Build real, spec-valid wheels and sdists for tests, without running a build backend.

Wheels follow the binary distribution format (PEP 427 and its living spec on
packaging.python.org): a normalized file name, ``.dist-info/METADATA``, ``WHEEL``,
``entry_points.txt`` and a ``RECORD`` of sha256 hashes. sdists follow the source distribution
format (PEP 517/621/625): a ``{name}-{version}/`` top directory with ``PKG-INFO``, a
``pyproject.toml`` with a ``[build-system]`` table and a static ``[project]`` table, and the
package sources, so that the named backend really builds them.

Everything is byte-for-byte deterministic (fixed timestamps, sorted members), so two calls with
the same arguments produce the same file and the same hash.
"""

from __future__ import annotations

import base64
import csv
import email.message
import email.parser
import gzip
import hashlib
import io
import json
import re
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal, Protocol

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

import puffin

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "Backend",
    "MakeSdist",
    "MakeWheel",
    "make_sdist",
    "make_wheel",
    "metadata_of",
    "normalize_name",
    "parse_metadata",
    "wheel_filename",
]

Backend = Literal["setuptools", "flit_core", "hatchling"]

# ZIP cannot store times before 1980; this is the earliest it can, as `wheel` and `flit` use
# with SOURCE_DATE_EPOCH. Same value for every member keeps the archive reproducible.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# sdist members get a fixed, post-1980 mtime: backends that repack the extracted sources into a
# wheel (setuptools' bdist_wheel) refuse file times that ZIP cannot represent.
_TAR_MTIME = 1_577_836_800  # 2020-01-01T00:00:00Z

_GENERATOR = f"puffin.testing {puffin.__version__}"

_BACKENDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "setuptools": ("setuptools.build_meta", ("setuptools>=61",)),
    "flit_core": ("flit_core.buildapi", ("flit_core>=3.4,<5",)),
    "hatchling": ("hatchling.build", ("hatchling",)),
}


class MakeWheel(Protocol):
    """Type of the ``make_wheel`` fixture: :func:`make_wheel` with ``dest_dir`` bound."""

    def __call__(
        self,
        name: str,
        version: str,
        *,
        requires_dist: Sequence[str] = (),
        requires_python: str | None = None,
        extras: Mapping[str, Sequence[str]] | None = None,
        files: Mapping[str, bytes | str] | None = None,
        data_files: Mapping[str, bytes | str] | None = None,
        entry_points: Mapping[str, Mapping[str, str]] | None = None,
        tag: str = "py3-none-any",
        build: str | None = None,
        metadata_extra: Mapping[str, str | Sequence[str]] | None = None,
        metadata_version: str = "2.3",
        root_is_purelib: bool | None = None,
    ) -> Path: ...


class MakeSdist(Protocol):
    """Type of the ``make_sdist`` fixture: :func:`make_sdist` with ``dest_dir`` bound."""

    def __call__(
        self,
        name: str,
        version: str,
        *,
        requires_dist: Sequence[str] = (),
        extras: Mapping[str, Sequence[str]] | None = None,
        backend: Backend = "setuptools",
        build_requires: Sequence[str] | None = None,
        files: Mapping[str, bytes | str] | None = None,
        requires_python: str | None = None,
        extra_pyproject: str = "",
        dynamic: Sequence[str] = (),
    ) -> Path: ...


def normalize_name(name: str) -> str:
    """Return the PEP 503 normalized form of a project name (``Foo_Bar.baz`` -> ``foo-bar-baz``)."""
    return canonicalize_name(name)


def _filename_name(name: str) -> str:
    # The binary distribution format and PEP 625 both escape the normalized name with
    # underscores, so that the file name splits unambiguously on "-".
    return re.sub(r"[-_.]+", "_", name).lower()


def _filename_version(version: str) -> str:
    try:
        return str(Version(version)).replace("-", "_")
    except InvalidVersion:
        # Kept (escaped) rather than refused: tests of how a resolver treats a bad version
        # need to be able to publish one.
        return version.replace("-", "_")


def _metadata_version_string(version: str) -> str:
    try:
        return str(Version(version))
    except InvalidVersion:
        return version


def wheel_filename(
    name: str, version: str, tag: str = "py3-none-any", build: str | None = None
) -> str:
    """Return the normalized wheel file name for ``name``/``version``/``tag``.

    >>> wheel_filename("Foo.Bar", "1.0")
    'foo_bar-1.0-py3-none-any.whl'
    """
    _split_tag(tag)
    parts = [_filename_name(name), _filename_version(version)]
    if build is not None:
        if not build or not build[0].isdigit() or "-" in build:
            raise ValueError(
                f"a wheel build tag must start with a digit and have no '-': {build!r}"
            )
        parts.append(build)
    parts.append(tag)
    return "-".join(parts) + ".whl"


def _split_tag(tag: str) -> tuple[list[str], list[str], list[str]]:
    pieces = tag.split("-")
    if len(pieces) != 3 or not all(pieces):
        raise ValueError(f"a wheel tag is 'python-abi-platform', e.g. 'py3-none-any'; got {tag!r}")
    interpreters, abis, platforms = (piece.split(".") for piece in pieces)
    return interpreters, abis, platforms


def _expand_tag(tag: str) -> list[str]:
    # Compressed tag sets ("py2.py3-none-any") stand for their cartesian product; the WHEEL file
    # lists each member on its own Tag line, in a stable order.
    interpreters, abis, platforms = _split_tag(tag)
    return [f"{i}-{a}-{p}" for i in interpreters for a in abis for p in platforms]


def _to_bytes(content: bytes | str) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


def _check_relative(path: str) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in path:
        raise ValueError(
            f"archive member paths must be relative POSIX paths without '..': {path!r}"
        )
    return pure.as_posix()


def _requirement_for_extra(requirement: str, extra: str) -> str:
    # Requirement() both validates and lets the existing marker be wrapped, so that
    # "a; python_version < '3.11'" under extra "x" keeps its meaning once "and" is added.
    parsed = Requirement(requirement)
    marker = parsed.marker
    parsed.marker = None
    condition = f'extra == "{extra}"'
    if marker is not None:
        condition = f"({marker}) and {condition}"
    return f"{parsed}; {condition}"


def _core_metadata(
    *,
    metadata_version: str,
    name: str,
    version: str,
    summary: str | None,
    requires_python: str | None,
    requires_dist: Sequence[str],
    extras: Mapping[str, Sequence[str]] | None,
    extra_fields: Mapping[str, str | Sequence[str]] | None,
) -> str:
    lines = [
        f"Metadata-Version: {metadata_version}",
        f"Name: {name}",
        f"Version: {_metadata_version_string(version)}",
    ]
    if summary is not None:
        lines.append(f"Summary: {summary}")
    if requires_python is not None:
        lines.append(f"Requires-Python: {requires_python}")
    lines.extend(f"Requires-Dist: {requirement}" for requirement in requires_dist)
    for extra, requirements in (extras or {}).items():
        # PEP 685: extras are written and compared in normalized form.
        normalized = canonicalize_name(extra)
        lines.append(f"Provides-Extra: {normalized}")
        lines.extend(
            f"Requires-Dist: {_requirement_for_extra(requirement, normalized)}"
            for requirement in requirements
        )
    body: str | None = None
    for field, value in (extra_fields or {}).items():
        if field.lower() == "description":
            # Metadata 2.1+ carries the long description as the message body, which is the only
            # place a multi-line value can go without RFC 822 continuation lines.
            body = value if isinstance(value, str) else "\n".join(value)
            continue
        values = [value] if isinstance(value, str) else list(value)
        for item in values:
            if "\n" in item or "\r" in item:
                raise ValueError(f"metadata field {field!r} cannot hold a line break: {item!r}")
            lines.append(f"{field}: {item}")
    text = "\n".join(lines) + "\n"
    if body is not None:
        text += "\n" + body
        if not body.endswith("\n"):
            text += "\n"
    return text


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def make_wheel(
    dest_dir: Path,
    name: str,
    version: str,
    *,
    requires_dist: Sequence[str] = (),
    requires_python: str | None = None,
    extras: Mapping[str, Sequence[str]] | None = None,
    files: Mapping[str, bytes | str] | None = None,
    data_files: Mapping[str, bytes | str] | None = None,
    entry_points: Mapping[str, Mapping[str, str]] | None = None,
    tag: str = "py3-none-any",
    build: str | None = None,
    metadata_extra: Mapping[str, str | Sequence[str]] | None = None,
    metadata_version: str = "2.3",
    root_is_purelib: bool | None = None,
) -> Path:
    """Write a spec-valid wheel into ``dest_dir`` and return its path.

    :param name: project name as it should appear in ``METADATA``'s ``Name`` field; the file
        name and ``.dist-info`` directory use its normalized, underscore-escaped form.
    :param version: the version; PEP 440 versions are normalized in the file name and metadata,
        anything else is kept as given (for tests of invalid versions).
    :param requires_dist: ``Requires-Dist`` lines, written verbatim.
    :param requires_python: the ``Requires-Python`` specifier, if any.
    :param extras: extra name -> requirements. Each extra gets a ``Provides-Extra`` line and its
        requirements get an ``extra == "name"`` marker (combined with any marker they carry).
    :param files: archive path -> content for the wheel's root (``"ns/__init__.py"``). Replaces
        the default, a ``<import_name>/__init__.py`` defining ``__version__``. A path inside
        the ``.dist-info`` directory replaces the generated file of that name (not ``RECORD``).
    :param data_files: paths relative to ``{name}-{version}.data/`` (``"scripts/tool"``,
        ``"data/share/x.txt"``, ``"headers/x.h"``); ``scripts/`` entries are made executable.
    :param entry_points: group -> {name: "module:attr"}, written to ``entry_points.txt``.
    :param tag: the compatibility tag, possibly compressed (``"py2.py3-none-any"``).
    :param build: optional build tag (must start with a digit).
    :param metadata_extra: further ``METADATA`` fields (``Classifier``, ``License-Expression``,
        ...); a sequence value writes the field once per item, ``Description`` becomes the body.
    :param metadata_version: the ``Metadata-Version`` to declare.
    :param root_is_purelib: the ``Root-Is-Purelib`` value; by default true exactly when the tag
        is platform-independent (``any``) and ABI-less (``none``).
    """
    filename = wheel_filename(name, version, tag, build)
    dist_info = f"{_filename_name(name)}-{_filename_version(version)}.dist-info"
    data_dir = f"{_filename_name(name)}-{_filename_version(version)}.data"
    if root_is_purelib is None:
        _, abis, platforms = _split_tag(tag)
        root_is_purelib = abis == ["none"] and platforms == ["any"]

    if files is None:
        import_name = _filename_name(name)
        files = {f"{import_name}/__init__.py": f'__version__ = "{version}"\n'}

    # archive path -> (content, unix mode)
    payload: dict[str, tuple[bytes, int]] = {}
    for path, content in files.items():
        payload[_check_relative(path)] = (_to_bytes(content), 0o644)
    for path, content in (data_files or {}).items():
        relative = _check_relative(path)
        mode = 0o755 if relative.startswith("scripts/") else 0o644
        payload[f"{data_dir}/{relative}"] = (_to_bytes(content), mode)

    generated: dict[str, bytes] = {}
    generated[f"{dist_info}/METADATA"] = _core_metadata(
        metadata_version=metadata_version,
        name=name,
        version=version,
        summary=None,
        requires_python=requires_python,
        requires_dist=requires_dist,
        extras=extras,
        extra_fields=metadata_extra,
    ).encode("utf-8")
    wheel_lines = [
        "Wheel-Version: 1.0",
        f"Generator: {_GENERATOR}",
        f"Root-Is-Purelib: {'true' if root_is_purelib else 'false'}",
        *(f"Tag: {expanded}" for expanded in _expand_tag(tag)),
    ]
    if build is not None:
        wheel_lines.append(f"Build: {build}")
    generated[f"{dist_info}/WHEEL"] = ("\n".join(wheel_lines) + "\n").encode("utf-8")
    if entry_points:
        sections = []
        for group, entries in entry_points.items():
            body = "".join(f"{key} = {value}\n" for key, value in entries.items())
            sections.append(f"[{group}]\n{body}")
        generated[f"{dist_info}/entry_points.txt"] = "\n".join(sections).encode("utf-8")
    record_path = f"{dist_info}/RECORD"
    for path, content in generated.items():
        # A caller-supplied dist-info file wins: that is how tests build deliberately odd wheels.
        payload.setdefault(path, (content, 0o644))
    payload.pop(record_path, None)

    # The spec recommends the .dist-info directory last and RECORD last of all, so that a
    # streaming reader sees the payload before the metadata that describes it.
    ordered = sorted(payload, key=lambda p: (p.startswith(f"{dist_info}/"), p))
    record_rows = [
        (path, _record_hash(payload[path][0]), str(len(payload[path][0]))) for path in ordered
    ]
    record_rows.append((record_path, "", ""))
    record_buffer = io.StringIO()
    csv.writer(record_buffer, lineterminator="\n").writerows(record_rows)
    ordered.append(record_path)
    payload[record_path] = (record_buffer.getvalue().encode("utf-8"), 0o644)

    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / filename
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in ordered:
            content, mode = payload[path]
            info = zipfile.ZipInfo(path, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100000 | mode) << 16  # regular file + permissions
            archive.writestr(info, content)
    return target


def _top_level_entries(paths: Iterable[str]) -> tuple[list[str], list[str]]:
    """Return (packages, modules) found in a source tree: dotted package names, module names."""
    packages: set[str] = set()
    modules: set[str] = set()
    for path in paths:
        pure = PurePosixPath(path)
        if pure.name == "__init__.py" and len(pure.parts) > 1:
            packages.add(".".join(pure.parts[:-1]))
        elif len(pure.parts) == 1 and pure.suffix == ".py":
            modules.add(pure.stem)
    return sorted(packages), sorted(modules)


def _toml_string(value: str) -> str:
    # JSON string escapes are a subset of TOML basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def _toml_list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_toml_string(v) for v in values) + "]"


def _pyproject(
    *,
    name: str,
    version: str,
    summary: str,
    requires_dist: Sequence[str],
    extras: Mapping[str, Sequence[str]] | None,
    requires_python: str | None,
    backend: Backend,
    build_requires: Sequence[str],
    file_paths: Sequence[str],
    extra_pyproject: str,
) -> str:
    backend_module, _ = _BACKENDS[backend]
    lines = [
        "[build-system]",
        f"requires = {_toml_list(build_requires)}",
        f"build-backend = {_toml_string(backend_module)}",
        "",
        "[project]",
        f"name = {_toml_string(name)}",
        f"version = {_toml_string(version)}",
        f"description = {_toml_string(summary)}",
    ]
    if requires_python is not None:
        lines.append(f"requires-python = {_toml_string(requires_python)}")
    lines.append(f"dependencies = {_toml_list(requires_dist)}")
    if extras:
        lines += ["", "[project.optional-dependencies]"]
        lines += [f"{_toml_string(extra)} = {_toml_list(reqs)}" for extra, reqs in extras.items()]

    packages, modules = _top_level_entries(file_paths)
    top_level = sorted({p.split(".")[0] for p in packages} | set(modules))
    import_name = _filename_name(name)
    # Each backend discovers the importable code differently; spell it out whenever the
    # default discovery would not find exactly the files the caller gave.
    if backend == "setuptools" and "[tool.setuptools" not in extra_pyproject:
        lines += ["", "[tool.setuptools]", f"packages = {_toml_list(packages)}"]
        lines.append(f"py-modules = {_toml_list(modules)}")
    elif (
        backend == "flit_core"
        and "[tool.flit" not in extra_pyproject
        and len(top_level) == 1
        # flit looks for a module spelled exactly like the project name, unnormalized.
        and top_level[0] != name
    ):
        lines += ["", "[tool.flit.module]", f"name = {_toml_string(top_level[0])}"]
    elif (
        backend == "hatchling"
        and "[tool.hatch" not in extra_pyproject
        and top_level
        and top_level != [import_name]
    ):
        package_dirs = sorted({p.split(".")[0] for p in packages})
        includes = package_dirs + [f"{m}.py" for m in modules if m not in package_dirs]
        lines += ["", "[tool.hatch.build.targets.wheel]", f"only-include = {_toml_list(includes)}"]
    text = "\n".join(lines) + "\n"
    if extra_pyproject:
        text += "\n" + extra_pyproject.strip("\n") + "\n"
    return text


def make_sdist(
    dest_dir: Path,
    name: str,
    version: str,
    *,
    requires_dist: Sequence[str] = (),
    extras: Mapping[str, Sequence[str]] | None = None,
    backend: Backend = "setuptools",
    build_requires: Sequence[str] | None = None,
    files: Mapping[str, bytes | str] | None = None,
    requires_python: str | None = None,
    extra_pyproject: str = "",
    dynamic: Sequence[str] = (),
) -> Path:
    """Write a buildable ``.tar.gz`` sdist into ``dest_dir`` and return its path.

    The archive is ``{normalized_name}-{version}.tar.gz`` (PEP 625) with a single top directory
    of the same stem holding ``PKG-INFO`` (Metadata 2.2), ``pyproject.toml`` and the sources.

    :param requires_dist: ``[project] dependencies``.
    :param extras: ``[project.optional-dependencies]``.
    :param backend: ``"setuptools"``, ``"flit_core"`` or ``"hatchling"``; the generated
        ``pyproject.toml`` tells the backend exactly which packages and modules to ship.
    :param build_requires: ``[build-system] requires``; defaults to the backend's own package.
    :param files: source path -> content (``"pkg/__init__.py"``); defaults to a
        ``<import_name>/__init__.py`` defining ``__version__``.
    :param requires_python: ``[project] requires-python``.
    :param extra_pyproject: TOML appended verbatim to ``pyproject.toml`` (``[project.scripts]``,
        ``[tool.setuptools]`` ...). A ``[tool.<backend>`` table there turns off the generated one.
    :param dynamic: core-metadata fields ``PKG-INFO`` declares ``Dynamic`` (PEP 643), e.g.
        ``["Requires-Dist"]``: an installer must then build the metadata to learn them.
    """
    if backend not in _BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose from {sorted(_BACKENDS)}")
    if build_requires is None:
        build_requires = _BACKENDS[backend][1]
    import_name = _filename_name(name)
    if files is None:
        init = f'"""The {name} test package."""\n\n__version__ = "{version}"\n'
        files = {f"{import_name}/__init__.py": init}
    sources = {_check_relative(path): _to_bytes(content) for path, content in files.items()}
    summary = f"Test package {name}"

    stem = f"{import_name}-{_filename_version(version)}"
    members: dict[str, bytes] = dict(sources)
    members["pyproject.toml"] = _pyproject(
        name=name,
        version=version,
        summary=summary,
        requires_dist=requires_dist,
        extras=extras,
        requires_python=requires_python,
        backend=backend,
        build_requires=build_requires,
        file_paths=list(sources),
        extra_pyproject=extra_pyproject,
    ).encode("utf-8")
    members["PKG-INFO"] = _core_metadata(
        metadata_version="2.2",
        name=name,
        version=version,
        summary=summary,
        requires_python=requires_python,
        requires_dist=requires_dist,
        extras=extras,
        extra_fields={"Dynamic": list(dynamic)} if dynamic else None,
    ).encode("utf-8")

    directories = {stem}
    for path in members:
        parents = PurePosixPath(path).parents
        directories.update(f"{stem}/{parent.as_posix()}" for parent in parents if parent.parts)

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        entries = sorted(
            [(d, None) for d in directories] + [(f"{stem}/{p}", c) for p, c in members.items()]
        )
        for member_name, content in entries:
            info = tarfile.TarInfo(member_name)
            info.mtime = _TAR_MTIME
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if content is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                archive.addfile(info)
            else:
                info.mode = 0o644
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))

    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / f"{stem}.tar.gz"
    # GzipFile with mtime=0 and no file name keeps the gzip header reproducible too.
    with (
        open(target, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", filename="", mtime=0) as gz,
    ):
        gz.write(buffer.getvalue())
    return target


def _read_metadata_bytes(dist: Path) -> bytes:
    """Return the raw core metadata of a wheel (``METADATA``) or an sdist (``PKG-INFO``)."""
    name = dist.name
    if name.endswith(".whl"):
        with zipfile.ZipFile(dist) as archive:
            candidates = [
                member
                for member in archive.namelist()
                if member.count("/") == 1 and member.endswith(".dist-info/METADATA")
            ]
            if not candidates:
                raise ValueError(f"{name} has no .dist-info/METADATA")
            # Prefer the dist-info named like the wheel, as installers do.
            prefix = name.split("-")[0].lower() + "-"
            candidates.sort(key=lambda member: not member.lower().startswith(prefix))
            return archive.read(candidates[0])
    if name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(dist, "r:gz") as archive:
            infos = [m for m in archive.getmembers() if m.isfile() and m.name.count("/") == 1]
            for info in infos:
                if info.name.endswith("/PKG-INFO"):
                    extracted = archive.extractfile(info)
                    assert extracted is not None
                    return extracted.read()
        raise ValueError(f"{name} has no top-level PKG-INFO")
    if name.endswith(".zip"):
        with zipfile.ZipFile(dist) as archive:
            for member in archive.namelist():
                if member.count("/") == 1 and member.endswith("/PKG-INFO"):
                    return archive.read(member)
        raise ValueError(f"{name} has no top-level PKG-INFO")
    raise ValueError(f"not a wheel or sdist: {name}")


def metadata_of(dist: Path) -> str:
    """Return the core metadata text of a wheel (``METADATA``) or sdist (``PKG-INFO``)."""
    return _read_metadata_bytes(dist).decode("utf-8")


def parse_metadata(text: str) -> email.message.Message:
    """Parse core metadata headers (RFC 822 style) into an :class:`email.message.Message`."""
    return email.parser.HeaderParser().parsestr(text)
