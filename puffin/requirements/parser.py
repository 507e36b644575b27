"""requirements.txt syntax, read the way pip reads it.

A file is preprocessed like pip does it (continuation lines joined, comments dropped,
``${VAR}`` expanded), then each logical line is either a requirement with optional per-line
``--hash`` options, or a line of options (``-r``, ``-c``, ``-e``, ``--index-url`` ...).
Relative paths are resolved against the directory of the file that names them, never the CWD,
so that an included file means the same thing wherever puffin is run from.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal
from urllib.parse import unquote, urlsplit

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from puffin._values import value_type
from puffin.requirements.manifest import (
    IndexOptions,
    Origin,
    ParsedFile,
    RequirementEntry,
    RequirementsError,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence

__all__ = [
    "parse_constraints_file",
    "parse_editable_string",
    "parse_requirement_string",
    "parse_requirements_file",
]


# --------------------------------------------------------------------------------------------
# Where a piece of text came from, for error messages.


@value_type
class _Context:
    """The line being parsed: where it is, what it says, and what relative paths are based on."""

    origin: Origin
    line: str
    base_dir: Path

    def error(self, problem: str, *, hint: str | None = None) -> RequirementsError:
        """An error naming the origin and, unless ``problem`` already quotes it, the line."""
        message = f"{self.origin}: {problem}"
        if f"'{self.line}'" not in problem:
            message += f" (in '{self.line}')"
        return RequirementsError(message, hint=hint)


def _first_line(error: Exception) -> str:
    # packaging's messages end with the input and a caret under the problem; the caret lines
    # don't survive being embedded in a one-line message, and we quote the input ourselves.
    return str(error).splitlines()[0] if str(error) else type(error).__name__


# --------------------------------------------------------------------------------------------
# Single requirements: PEP 508, unnamed paths and URLs, editables.

_URL_SCHEME_RE: Final = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*):")
_URL_SCHEMES: Final = frozenset({"http", "https", "file", "ftp"})
_VCS_NAMES: Final = frozenset({"git", "hg", "svn", "bzr"})
# pip's list of archive suffixes: a bare "foo-1.0.tar.gz" is a file, not a project name.
_ARCHIVE_SUFFIXES: Final = (
    ".whl",
    ".zip",
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
)
_EXTRAS_SUFFIX_RE: Final = re.compile(r"^(?P<location>.+?)(?P<extras>\[[^\[\]]*\])$")


def _url_scheme(text: str) -> str | None:
    """The scheme if ``text`` is a URL pip would accept as a requirement, else ``None``."""
    match = _URL_SCHEME_RE.match(text)
    if match is None:
        return None
    scheme = match["scheme"].lower()
    if scheme in _URL_SCHEMES or scheme.partition("+")[0] in _VCS_NAMES:
        return scheme
    return None


def _is_vcs_url(text: str) -> bool:
    scheme = _url_scheme(text)
    return scheme is not None and scheme.partition("+")[0] in _VCS_NAMES


def _looks_like_path(text: str) -> bool:
    # pip's rule: a path separator anywhere, or a leading dot, makes it a path and not a name.
    return os.sep in text or (os.altsep is not None and os.altsep in text) or text.startswith(".")


def _is_archive(text: str) -> bool:
    return text.lower().endswith(_ARCHIVE_SUFFIXES)


def _strip_extras(text: str) -> tuple[str, str | None]:
    """Split ``./pkg[a,b]`` into ``./pkg`` and ``[a,b]``."""
    match = _EXTRAS_SUFFIX_RE.match(text)
    return (text, None) if match is None else (match["location"], match["extras"])


def _is_local_path(text: str) -> bool:
    """Whether a (non-URL) requirement names a local directory or archive rather than a project."""
    head, at, _ = text.partition("@")
    if at and not _looks_like_path(head):
        return False  # ``name @ url``; a path may contain "@" only after a separator.
    location, _ = _strip_extras(text.split(";", 1)[0].strip())
    return _looks_like_path(location) or _is_archive(location)


def _normalize_extras(extras: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({canonicalize_name(extra) for extra in extras}))


def _absolute_path(location: str, base_dir: Path) -> Path:
    # abspath normalizes ".." without following symlinks (Path.resolve would), as pip does.
    return Path(os.path.abspath(base_dir / location))  # noqa: PTH100


def _absolute_url(url: str, base_dir: Path) -> str:
    """Make a relative ``file:`` URL (or a bare path after ``name @``) absolute."""
    if _url_scheme(url) is None:
        # packaging accepts ``name @ ./dir``; a URL is what the rest of puffin expects.
        return _absolute_path(url, base_dir).as_uri()
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or url[len("file:") :].startswith("//"):
        return url  # remote, or already absolute (file:///x, file://host/x)
    absolute = _absolute_path(unquote(parts.path), base_dir).as_uri()
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{absolute}{query}{fragment}"


def _split_marker(text: str, separator: str, ctx: _Context) -> tuple[str, Marker | None]:
    """Split ``location<separator>marker`` (pip uses "; " after URLs, which may contain ";")."""
    location, found, marker_text = text.partition(separator)
    marker_text = marker_text.strip()
    if not found or not marker_text:
        return location.strip(), None
    try:
        return location.strip(), Marker(marker_text)
    except InvalidMarker as exc:
        raise ctx.error(f"invalid marker '{marker_text}': {_first_line(exc)}") from exc


def _parse_extras(extras: str | None, ctx: _Context) -> tuple[str, ...]:
    if extras is None:
        return ()
    try:
        # Borrow packaging's extras grammar by parsing them after a placeholder name.
        return _normalize_extras(Requirement(f"placeholder{extras}").extras)
    except InvalidRequirement as exc:
        raise ctx.error(f"invalid extras '{extras}': {_first_line(exc)}") from exc


def _egg_requirement(url: str, marker: Marker | None) -> Requirement | None:
    """Name a URL requirement from its ``#egg=name[extras]`` fragment, as pip does."""
    for item in urlsplit(url).fragment.split("&"):
        key, _, value = item.partition("=")
        if key != "egg" or not value:
            continue
        try:
            requirement = Requirement(value)
        except InvalidRequirement:
            return None  # not a usable name: the build will tell us the real one
        if requirement.specifier or requirement.url or requirement.marker:
            return None
        requirement.url = url
        requirement.marker = marker
        return requirement
    return None


def _named_entry(text: str, ctx: _Context, hashes: tuple[str, ...]) -> RequirementEntry:
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        raise ctx.error(f"invalid requirement '{ctx.line}': {_first_line(exc)}") from exc
    url = None
    if requirement.url is not None:
        url = _absolute_url(requirement.url, ctx.base_dir)
        requirement.url = url
    return RequirementEntry(
        requirement=requirement,
        url_or_path=url,
        editable=False,
        hashes=hashes,
        origin=ctx.origin,
        text=ctx.line,
        extras=_normalize_extras(requirement.extras),
        marker=requirement.marker,
    )


def _url_entry(
    text: str, ctx: _Context, hashes: tuple[str, ...], *, editable: bool
) -> RequirementEntry:
    # Editables take no marker, so a "; " in an editable URL stays part of the URL.
    url, marker = (text.strip(), None) if editable else _split_marker(text, "; ", ctx)
    url = _absolute_url(url, ctx.base_dir)
    requirement = _egg_requirement(url, marker)
    extras = () if requirement is None else _normalize_extras(requirement.extras)
    return RequirementEntry(
        requirement=requirement,
        url_or_path=url,
        editable=editable,
        hashes=hashes,
        origin=ctx.origin,
        text=ctx.line,
        extras=extras,
        marker=marker,
    )


def _path_entry(text: str, ctx: _Context, hashes: tuple[str, ...]) -> RequirementEntry:
    location, marker = _split_marker(text, ";", ctx)
    location, extras = _strip_extras(location)
    return RequirementEntry(
        requirement=None,
        url_or_path=str(_absolute_path(location, ctx.base_dir)),
        editable=False,
        hashes=hashes,
        origin=ctx.origin,
        text=ctx.line,
        extras=_parse_extras(extras, ctx),
        marker=marker,
    )


def _editable_entry(text: str, ctx: _Context) -> RequirementEntry:
    if _url_scheme(text) is not None:
        if not (_is_vcs_url(text) or text.lower().startswith("file:")):
            raise ctx.error(
                f"editable requirement '{text}' must be a local project or a VCS URL",
                hint="an archive or index URL cannot be installed in editable mode",
            )
        return _url_entry(text, ctx, (), editable=True)
    location, extras = _strip_extras(text)
    path = _absolute_path(location, ctx.base_dir)
    # Like pip, accept a bare directory name ("-e pkg") when that directory exists.
    if not _looks_like_path(location) and not path.is_dir():
        raise ctx.error(
            f"editable requirement '{text}' must be a local project or a VCS URL",
            hint=f"write './{location}' if it is a directory",
        )
    return RequirementEntry(
        requirement=None,
        url_or_path=str(path),
        editable=True,
        hashes=(),
        origin=ctx.origin,
        text=ctx.line,
        extras=_parse_extras(extras, ctx),
        marker=None,
    )


def _build_entry(text: str, ctx: _Context, hashes: tuple[str, ...]) -> RequirementEntry:
    """Turn the requirement part of a line into an entry, deciding what kind it is like pip."""
    if _url_scheme(text) is not None:
        return _url_entry(text, ctx, hashes, editable=False)
    if _is_local_path(text):
        return _path_entry(text, ctx, hashes)
    return _named_entry(text, ctx, hashes)


def parse_requirement_string(text: str, *, origin: Origin, base_dir: Path) -> RequirementEntry:
    """Parse one requirement given outside a file, e.g. a ``puffin pip install`` argument.

    Accepts PEP 508 requirements (``foo[x]>=1; python_version>'3.9'``, ``foo @ url``), local
    paths (``./pkg``, ``../x.tar.gz``) and archive or VCS URLs; the latter two become unnamed
    entries. Relative paths are resolved against ``base_dir``. No options and no ``${VAR}``
    expansion: the shell has already done that for command-line arguments.
    """
    text = text.strip()
    ctx = _Context(origin, text, base_dir)
    if not text:
        raise ctx.error("empty requirement")
    return _build_entry(text, ctx, ())


def parse_editable_string(text: str, *, origin: Origin, base_dir: Path) -> RequirementEntry:
    """Parse the argument of ``-e``/``--editable``: a local project directory or a VCS URL."""
    text = text.strip()
    ctx = _Context(origin, text, base_dir)
    if not text:
        raise ctx.error("empty editable requirement")
    return _editable_entry(text, ctx)


# --------------------------------------------------------------------------------------------
# Hashes.

_HASH_HEX_LENGTHS: Final = MappingProxyType({"sha256": 64, "sha384": 96, "sha512": 128})
_HEX_RE: Final = re.compile(r"^[0-9a-fA-F]+$")


def _parse_hash(value: str, ctx: _Context) -> str:
    """Validate ``--hash`` as ``algorithm:hexdigest`` with one of pip's strong algorithms."""
    algorithm, separator, digest = value.partition(":")
    algorithm = algorithm.lower()
    expected = _HASH_HEX_LENGTHS.get(algorithm)
    if not separator or expected is None:
        allowed = ", ".join(_HASH_HEX_LENGTHS)
        raise ctx.error(
            f"invalid hash '{value}': expected ALGORITHM:DIGEST with ALGORITHM one of {allowed}"
        )
    if len(digest) != expected or _HEX_RE.match(digest) is None:
        raise ctx.error(
            f"invalid hash '{value}': a {algorithm} digest is {expected} hexadecimal digits"
        )
    return f"{algorithm}:{digest.lower()}"


# --------------------------------------------------------------------------------------------
# Preprocessing: continuation lines, comments, environment variables.

# pip's regexes: a "#" starts a comment only at the start of a line or after whitespace, so URL
# fragments like "#sha256=..." and "#egg=..." survive.
_COMMENT_RE: Final = re.compile(r"(^|\s+)#.*$")
_ENV_VAR_RE: Final = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)\}")


@value_type
class _Line:
    number: int  # of the first physical line, as pip reports it
    text: str


def _join_continuations(lines: Sequence[str]) -> Iterator[_Line]:
    """Join lines ending in a backslash with the next one, exactly as pip's ``join_lines``.

    pip's quirks are kept so a file means the same to both tools: a full-line comment ends a
    continuation, while a backslash ending a trailing comment continues it (into the comment).
    """
    start = 0
    parts: list[str] = []
    for number, line in enumerate(lines, start=1):
        is_comment = _COMMENT_RE.match(line) is not None
        if line.endswith("\\") and not is_comment:
            if not parts:
                start = number
            parts.append(line[:-1])
            continue
        if parts:
            # The space keeps a joined full-line comment recognizable as a comment.
            parts.append(f" {line}" if is_comment else line)
            yield _Line(start, "".join(parts))
            parts = []
        else:
            yield _Line(number, line)
    if parts:  # the file ended on a backslash
        yield _Line(start, "".join(parts))


def _logical_lines(content: str) -> Iterator[_Line]:
    """The non-blank lines of a file, continuations joined and comments removed."""
    for line in _join_continuations(content.splitlines()):
        text = _COMMENT_RE.sub("", line.text).strip()
        if text:
            yield _Line(line.number, text)


def _expand_env(text: str, environ: Mapping[str, str]) -> str:
    """Replace ``${NAME}`` by its value; unset variables stay as written, as in pip."""
    return _ENV_VAR_RE.sub(lambda match: environ.get(match["name"], match[0]), text)


def _split_requirement_and_options(text: str) -> tuple[str, str]:
    """Split a line at its first option (pip's ``break_args_options``)."""
    tokens = text.split(" ")
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:index]).strip(), " ".join(tokens[index:])
    return text, ""


# --------------------------------------------------------------------------------------------
# Options.

_Kind = Literal[
    "requirement",
    "constraint",
    "editable",
    "index-url",
    "extra-index-url",
    "find-links",
    "no-index",
    "hash",
    "ignored",
    "unsupported",
    "require-hashes",
]


@value_type
class _Spec:
    kind: _Kind
    takes_value: bool


_LONG_OPTIONS: Final = MappingProxyType(
    {
        "--requirement": _Spec("requirement", takes_value=True),
        "--constraint": _Spec("constraint", takes_value=True),
        "--editable": _Spec("editable", takes_value=True),
        "--index-url": _Spec("index-url", takes_value=True),
        "--extra-index-url": _Spec("extra-index-url", takes_value=True),
        "--find-links": _Spec("find-links", takes_value=True),
        "--no-index": _Spec("no-index", takes_value=False),
        "--hash": _Spec("hash", takes_value=True),
        # Accepted and recorded, without effect yet.
        "--pre": _Spec("ignored", takes_value=False),
        "--prefer-binary": _Spec("ignored", takes_value=False),
        "--trusted-host": _Spec("ignored", takes_value=True),
        "--only-binary": _Spec("ignored", takes_value=True),
        "--no-binary": _Spec("ignored", takes_value=True),
        "--use-feature": _Spec("ignored", takes_value=True),
        # pip options that change what gets installed: ignoring them would be wrong.
        "--require-hashes": _Spec("require-hashes", takes_value=False),
        "--config-settings": _Spec("unsupported", takes_value=True),
        "--global-option": _Spec("unsupported", takes_value=True),
    }
)
_SHORT_OPTIONS: Final = MappingProxyType(
    {
        "-r": "--requirement",
        "-c": "--constraint",
        "-e": "--editable",
        "-i": "--index-url",
        "-f": "--find-links",
    }
)


@value_type
class _Option:
    name: str  # the long name, whichever spelling was used
    spec: _Spec
    value: str  # "" for flags
    raw: str  # as written (re-joined if the value was a separate word)


def _option_name(token: str, ctx: _Context) -> tuple[str, str | None]:
    """The long option name of ``token`` and its value if written in the same word."""
    if token.startswith("--"):
        name, equals, value = token.partition("=")
        if name in _LONG_OPTIONS:
            return name, value if equals else None
    elif token[:2] in _SHORT_OPTIONS:
        return _SHORT_OPTIONS[token[:2]], token[2:] or None  # "-rfile", like optparse
    elif not token.startswith("-"):
        raise ctx.error(f"unexpected argument '{token}' after an option")
    raise ctx.error(
        f"unknown option '{token.partition('=')[0]}'",
        hint="see 'pip help install' for the options requirements files may use",
    )


def _next_option(tokens: Sequence[str], position: int, ctx: _Context) -> tuple[_Option, int]:
    """Read the option starting at ``tokens[position]``; return it and the next position."""
    token = tokens[position]
    name, value = _option_name(token, ctx)
    spec = _LONG_OPTIONS[name]
    if not spec.takes_value:
        if value is not None:
            raise ctx.error(f"option {name} takes no value")
        return _Option(name, spec, "", token), position + 1
    if value is not None:
        return _Option(name, spec, value, token), position + 1
    if position + 1 >= len(tokens):
        raise ctx.error(f"option {name} needs a value")
    value = tokens[position + 1]
    return _Option(name, spec, value, f"{token} {value}"), position + 2


def _parse_options(text: str, ctx: _Context) -> list[_Option]:
    try:
        tokens = shlex.split(text)
    except ValueError as exc:  # unbalanced quotes
        raise ctx.error(f"cannot split options: {exc}") from exc
    options: list[_Option] = []
    position = 0
    while position < len(tokens):
        option, position = _next_option(tokens, position, ctx)
        options.append(option)
    return options


# --------------------------------------------------------------------------------------------
# Files.


def _read_requirements_file(path: Path, named_by: _Context | None) -> str:
    """The text of ``path``; errors name the line that included it, if any."""

    def fail(problem: str) -> RequirementsError:
        message = f"requirements file '{Origin(path)}' {problem}"
        return RequirementsError(message) if named_by is None else named_by.error(message)

    try:
        # utf-8-sig: editors on Windows like to start files with a byte-order mark.
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise fail("not found") from exc
    except UnicodeDecodeError as exc:
        raise fail(f"is not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except OSError as exc:
        raise fail(f"cannot be read: {exc.strerror or exc}") from exc


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve()
    except OSError:  # e.g. a symlink loop; the read will report it
        return one.absolute() == other.absolute()


class _TreeParser:
    """Collects what a requirements file and all the files it includes contribute.

    One instance per top-level file; nothing is shared between parses.
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ
        self._requirements: list[RequirementEntry] = []
        self._constraints: list[RequirementEntry] = []
        self._index = IndexOptions()
        self._ignored: list[str] = []
        self._require_hashes = False

    def result(self) -> ParsedFile:
        return ParsedFile(
            requirements=tuple(self._requirements),
            constraints=tuple(self._constraints),
            index=self._index,
            ignored_options=tuple(self._ignored),
            require_hashes=self._require_hashes,
        )

    def parse_file(
        self,
        path: Path,
        *,
        as_constraint: bool,
        chain: tuple[Path, ...] = (),
        named_by: _Context | None = None,
    ) -> None:
        """Parse ``path``; ``chain`` is the files including it, outermost first."""
        content = _read_requirements_file(path, named_by)
        for line in _logical_lines(content):
            ctx = _Context(Origin(path, line.number), line.text, path.parent)
            self._parse_line(ctx, as_constraint=as_constraint, chain=(*chain, path))

    def _parse_line(self, ctx: _Context, *, as_constraint: bool, chain: tuple[Path, ...]) -> None:
        # Messages quote ctx.line, the text before expansion, so secrets in variables stay out.
        expanded = _expand_env(ctx.line, self._environ)
        requirement, options_text = _split_requirement_and_options(expanded)
        options = _parse_options(options_text, ctx) if options_text else []
        if requirement:
            self._add_requirement(requirement, options, ctx, as_constraint=as_constraint)
            return
        for option in options:
            self._apply_option(option, ctx, as_constraint=as_constraint, chain=chain)

    def _add_requirement(
        self, text: str, options: Sequence[_Option], ctx: _Context, *, as_constraint: bool
    ) -> None:
        hashes: list[str] = []
        for option in options:
            if option.spec.kind != "hash":
                raise ctx.error(
                    f"option {option.name} cannot follow a requirement",
                    hint="only --hash may share a line with a requirement; "
                    "put other options on a line of their own",
                )
            hashes.append(_parse_hash(option.value, ctx))
        self._add(_build_entry(text, ctx, tuple(hashes)), ctx, as_constraint=as_constraint)

    def _add(self, entry: RequirementEntry, ctx: _Context, *, as_constraint: bool) -> None:
        if not as_constraint:
            self._requirements.append(entry)
            return
        # pip's rules: a constraint only narrows versions of a named project.
        if entry.editable:
            raise ctx.error("editable requirements are not allowed as constraints")
        if entry.requirement is None:
            raise ctx.error(
                "unnamed requirements are not allowed as constraints",
                hint="name the project: 'name @ url'",
            )
        if entry.extras:
            raise ctx.error("constraints cannot have extras")
        self._constraints.append(entry)

    def _apply_option(
        self, option: _Option, ctx: _Context, *, as_constraint: bool, chain: tuple[Path, ...]
    ) -> None:
        kind, value = option.spec.kind, option.value
        if kind == "requirement":
            # "-r" inside a constraints file includes more constraints.
            self._include(value, ctx, as_constraint=as_constraint, chain=chain)
        elif kind == "constraint":
            self._include(value, ctx, as_constraint=True, chain=chain)
        elif kind == "editable":
            entry = _editable_entry(value, ctx)
            self._add(entry, ctx, as_constraint=as_constraint)
        elif kind == "index-url":
            self._index = self._index.merge(IndexOptions(index_url=value))
        elif kind == "extra-index-url":
            self._index = self._index.merge(IndexOptions(extra_index_urls=(value,)))
        elif kind == "find-links":
            location = _find_links_location(value, ctx.base_dir)
            self._index = self._index.merge(IndexOptions(find_links=(location,)))
        elif kind == "no-index":
            self._index = self._index.merge(IndexOptions(no_index=True))
        elif kind == "hash":
            raise ctx.error("--hash must follow a requirement on the same line")
        elif kind == "require-hashes":
            self._require_hashes = True
        elif kind == "ignored":
            self._ignored.append(option.raw)
        else:
            raise ctx.error(f"option {option.name} is not supported yet")

    def _include(
        self, value: str, ctx: _Context, *, as_constraint: bool, chain: tuple[Path, ...]
    ) -> None:
        if _url_scheme(value) is not None:
            raise ctx.error("requirements files given by URL are not supported yet")
        target = ctx.base_dir / value
        for index, including in enumerate(chain):
            if _same_file(target, including):
                cycle = " -> ".join(str(Origin(path)) for path in (*chain[index:], target))
                raise ctx.error(f"requirements files include each other in a cycle: {cycle}")
        self.parse_file(target, as_constraint=as_constraint, chain=chain, named_by=ctx)


def _find_links_location(value: str, base_dir: Path) -> str:
    # A relative directory is relative to the file naming it, like every other path there.
    if _url_scheme(value) is not None:
        return _absolute_url(value, base_dir)
    return str(_absolute_path(value, base_dir))


def parse_requirements_file(path: Path, *, environ: Mapping[str, str] | None = None) -> ParsedFile:
    """Parse a requirements file and the files it includes with ``-r`` and ``-c``.

    ``environ`` supplies ``${VAR}`` values (default: ``os.environ``). Raises
    :class:`RequirementsError` naming file, line and text for anything malformed, including a
    missing included file and an include cycle.
    """
    parser = _TreeParser(os.environ if environ is None else environ)
    parser.parse_file(path, as_constraint=False)
    return parser.result()


def parse_constraints_file(path: Path, *, environ: Mapping[str, str] | None = None) -> ParsedFile:
    """Parse a file given as ``-c``: all its requirements (and those it includes) are constraints.

    Index options in it still apply, as in pip.
    """
    parser = _TreeParser(os.environ if environ is None else environ)
    parser.parse_file(path, as_constraint=True)
    return parser.result()
