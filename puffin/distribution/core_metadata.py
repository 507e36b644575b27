"""Core metadata (``METADATA`` of a wheel, ``PKG-INFO`` of an sdist), read the lenient way.

The resolver needs a handful of fields from every candidate it looks at: name, version,
``Requires-Dist``, ``Requires-Python`` and ``Provides-Extra``. Real metadata on PyPI is
messier than the specification, so this parser accepts what pip and uv accept:

* headers are split by :func:`packaging.metadata.parse_email`, which copes with duplicated
  fields, unknown fields, continuation lines, a body after the headers and bytes that are
  not UTF-8 (such a field is decoded as Latin-1, as packaging does, and used anyway);
* any ``Metadata-Version`` of major version 2 or less is read, including versions newer
  than this code knows (2.4, 2.5, ...); a major version above 2 is refused, as the core
  metadata specification requires;
* a ``Requires-Dist`` or ``Requires-Python`` value that does not parse is retried after the
  repairs uv applies to common historical mistakes (``>=1.9.*``, ``>=7.2.0<8.0.0``, stray
  quotes, a trailing comma ...);
* a ``Requires-Dist`` entry that still does not parse makes the whole metadata invalid
  (:class:`MetadataError`), which is what pip does since 24.1; an unparsable
  ``Requires-Python`` is ignored, as pip ignores it.

Everything the parser forgave is listed in :attr:`CoreMetadata.warnings`, so callers can
report it through their reporter: this module does no I/O and does not log.
"""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, Final, TypeVar

from packaging.metadata import parse_email
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from puffin._values import value_type
from puffin.errors import PuffinError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from packaging.metadata import RawMetadata
    from packaging.utils import NormalizedName

__all__ = ["CoreMetadata", "MetadataError", "parse_core_metadata"]


class MetadataError(PuffinError):
    """Core metadata that cannot be used: a required field is missing or a value is invalid.

    The message names the source (a file name or URL) and quotes the offending value.
    :attr:`source`, :attr:`field` (the header name, e.g. ``"Requires-Dist"``, or None) and
    :attr:`value` (the text as written, or None) carry the same facts for programs.
    """

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        field: str | None = None,
        value: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(f"invalid metadata in {source}: {problem}", hint=hint)
        self.source = source
        self.field = field
        self.value = value


@value_type
class CoreMetadata:
    """The fields of one distribution's core metadata that puffin uses.

    ``name`` is as written; ``normalized_name`` is its PEP 503 form, the key to compare.
    ``provides_extra`` holds PEP 685-normalized extra names, without duplicates, in the
    order written. ``dynamic`` holds lowercased field names (``"requires-dist"``), as
    header names are case-insensitive. ``metadata_version`` is None only when the field is
    missing (tolerated, with a warning). ``warnings`` describes everything the parser
    tolerated or repaired, one sentence each.
    """

    name: str
    normalized_name: NormalizedName
    version: Version
    metadata_version: str | None = None
    summary: str | None = None
    requires_dist: tuple[Requirement, ...] = ()
    requires_python: SpecifierSet | None = None
    provides_extra: tuple[NormalizedName, ...] = ()
    license_expression: str | None = None
    license: str | None = None
    """The legacy free-text ``License`` field, continuation lines dedented."""
    classifiers: tuple[str, ...] = ()
    dynamic: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


# PEP 508 names (the core metadata spec points there): ASCII letters and digits, with ".",
# "_" and "-" allowed only inside.
_NAME_RE: Final = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
# An RFC 822 folded header: a line break followed by the indentation of the next line.
_FOLD_RE: Final = re.compile(r"\r?\n[ \t]*")
_UTF8_BOM: Final = b"\xef\xbb\xbf"
# The highest metadata major version this parser reads; the spec says to refuse higher ones.
_MAX_METADATA_MAJOR: Final = 2


# Repairs for specifiers that older tools wrote and older packaging accepted, each tried only
# after a value failed to parse. The list follows uv's (crates/uv-pypi-types,
# lenient_requirement.rs), which was collected from real PyPI metadata.
_T = TypeVar("_T")
_Fixup = tuple["re.Pattern[str]", str, str]
_FIXUPS: Final[tuple[_Fixup, ...]] = (
    # ">=7.2.0<8.0.0" -> ">=7.2.0,<8.0.0"
    (re.compile(r"(\d)([<>=~^!])"), r"\1,\2", "inserted a missing comma"),
    # "!=~5.0" -> "!=5.0.*"
    (re.compile(r"!=~((?:\d+\.)*\d+)"), r"!=\1.*", "replaced '!=~' with a wildcard"),
    # ">=1.9.*" -> ">=1.9": a wildcard only means something with == and !=
    (
        re.compile(r"(<=|>=|<|>)(\d+(?:\.\d+)*)\.\*"),
        r"\1\2",
        "removed '.*' after an ordering operator",
    ),
    # "!=3.0*" -> "!=3.0.*"
    (re.compile(r"(\d)\*"), r"\1.*", "inserted a missing '.' before '*'"),
    # ">=3.6," -> ">=3.6"
    (re.compile(r",\s*$"), "", "removed a trailing comma"),
    # ">dev" -> ">0.0.0dev"
    (re.compile(r">dev\b"), ">0.0.0dev", "read 'dev' as '0.0.0dev'"),
    # ">=9.0.0a1.0" -> ">=9.0.0a1"
    (
        re.compile(r"(\d+(?:\.\d+)*(?:a|b|rc|post|dev)\d+)\.0"),
        r"\1",
        "removed a trailing '.0' after a pre-, post- or dev-release",
    ),
    # ">= '2.7'" -> ">= 2.7"
    (re.compile(r"['\"]"), "", "removed stray quotes"),
)


def _with_fixups(text: str, parse: Callable[[str], _T]) -> tuple[_T, str, str] | None:
    """Parse ``text`` after applying the repairs one after another, stopping at the first
    version that parses; return (value, repaired text, what was done), or None.

    Only the part before a ``;`` is touched: markers legitimately contain quotes and
    comparison operators next to digits.
    """
    head, semicolon, marker = text.partition(";")
    done: list[str] = []
    for pattern, replacement, message in _FIXUPS:
        patched = pattern.sub(replacement, head)
        if patched == head:
            continue
        head = patched
        done.append(message)
        candidate = head + semicolon + marker
        try:
            return parse(candidate), candidate, ", ".join(done)
        except (InvalidRequirement, InvalidSpecifier):
            continue
    return None


def _unfold(value: str) -> str:
    """Join an RFC 822 folded value into one line (``Requires-Dist: foo\\n  >=1``)."""
    return _FOLD_RE.sub(" ", value).strip()


def _dedent_continuation(value: str) -> str:
    """A multi-line value (``License``) without the indentation of its continuation lines.

    setuptools indents continuation lines by 8 spaces; before version 57 it wrote 7 spaces
    and a ``|``, which the core metadata spec still documents for ``Description``.
    """
    first, newline, rest = value.replace("\r\n", "\n").partition("\n")
    if not newline:
        return value.strip()
    lines = [line[8:] if line.startswith("       |") else line for line in rest.split("\n")]
    return (first.rstrip() + "\n" + textwrap.dedent("\n".join(lines))).strip()


class _FieldReader:
    """Reads fields out of :func:`packaging.metadata.parse_email`'s two dictionaries.

    A field packaging could not place in its typed dictionary (repeated, or not UTF-8) is
    found in the "unparsed" one and used anyway, with a warning, as pip would use it.
    """

    def __init__(
        self, raw: Mapping[str, object], unparsed: Mapping[str, list[str]], source: str
    ) -> None:
        self.raw = raw
        self.unparsed = unparsed
        self.source = source
        self.warnings: list[str] = []

    def single(self, key: str, header: str) -> str | None:
        """The value of a single-use field; the first one when it is repeated."""
        value = self.raw.get(key)
        if isinstance(value, str):
            return value
        values = self.unparsed.get(header.lower())
        if not values:
            return None
        if len(values) == 1:
            self.warnings.append(f"{header} is not valid UTF-8; it was read as Latin-1")
        elif len(set(values)) > 1:
            # email.message.Message[header], which pip's metadata access goes through, also
            # answers the first occurrence.
            self.warnings.append(
                f"{header} appears {len(values)} times with different values; "
                f"the first, {values[0]!r}, is used"
            )
        return values[0]

    def multiple(self, key: str, header: str) -> list[str]:
        """All values of a multiple-use field, in the order written."""
        value = self.raw.get(key)
        if isinstance(value, list):
            return [str(item) for item in value]
        values = self.unparsed.get(header.lower())
        if not values:
            return []
        self.warnings.append(f"{header} is not valid UTF-8; it was read as Latin-1")
        return list(values)


def _parse_requirement(text: str, reader: _FieldReader) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as error:
        repaired = _with_fixups(text, Requirement)
        if repaired is None:
            # packaging's messages continue with the text and a caret on further lines; the
            # first line is the reason, and the value is quoted in full already.
            reason = str(error).splitlines()[0] if str(error) else "not a valid requirement"
            raise MetadataError(
                reader.source,
                f"Requires-Dist {text!r}: {reason}",
                field="Requires-Dist",
                value=text,
            ) from error
    requirement, fixed, how = repaired
    reader.warnings.append(f"Requires-Dist {text!r} is invalid; read as {fixed!r} ({how})")
    return requirement


def _parse_requires_python(text: str, reader: _FieldReader) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        repaired = _with_fixups(text, SpecifierSet)
        if repaired is None:
            # pip ignores an invalid Requires-Python (with a warning) rather than rejecting the
            # distribution; doing the same keeps puffin's choices the same as pip's.
            reader.warnings.append(f"Requires-Python {text!r} is invalid and was ignored")
            return None
    specifiers, fixed, how = repaired
    reader.warnings.append(f"Requires-Python {text!r} is invalid; read as {fixed!r} ({how})")
    return specifiers


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def parse_core_metadata(data: bytes, *, source: str) -> CoreMetadata:
    """Parse core metadata (``METADATA`` or ``PKG-INFO`` bytes) into :class:`CoreMetadata`.

    :param data: the file's bytes, any ``Metadata-Version`` from 1.0 to 2.x.
    :param source: what the bytes are, for messages: a file name, path or URL.
    :raises MetadataError: ``Name`` or ``Version`` is missing or invalid, a ``Requires-Dist``
        entry is not a valid requirement even after the usual repairs, or the
        ``Metadata-Version`` has a major version above 2.
    """
    # A byte-order mark would become part of the first header's name and hide the field.
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    # Only the headers are read: the body (the long description, often tens of kilobytes)
    # would be scanned by the email parser for nothing.
    lf, crlf = data.find(b"\n\n"), data.find(b"\r\n\r\n")
    ends = [end for end in (lf + 1 if lf >= 0 else -1, crlf + 2 if crlf >= 0 else -1) if end > 0]
    if ends:
        data = data[: min(ends)]
    raw: RawMetadata
    raw, unparsed = parse_email(data)
    reader = _FieldReader(raw, unparsed, source)

    metadata_version = reader.single("metadata_version", "Metadata-Version")
    if metadata_version is None:
        reader.warnings.append("Metadata-Version is missing")
    else:
        metadata_version = _unfold(metadata_version)
        try:
            major = Version(metadata_version).major
        except InvalidVersion:
            reader.warnings.append(f"Metadata-Version {metadata_version!r} is not a version")
        else:
            if major > _MAX_METADATA_MAJOR:
                raise MetadataError(
                    source,
                    f"Metadata-Version {metadata_version} is newer than puffin can read",
                    field="Metadata-Version",
                    value=metadata_version,
                    hint="a newer puffin may read it",
                )

    name = reader.single("name", "Name")
    if name is None or not name.strip():
        raise MetadataError(source, "the Name field is missing", field="Name")
    name = _unfold(name)
    if not _NAME_RE.match(name):
        raise MetadataError(
            source, f"Name {name!r} is not a valid project name", field="Name", value=name
        )

    version_text = reader.single("version", "Version")
    if version_text is None or not version_text.strip():
        raise MetadataError(source, "the Version field is missing", field="Version")
    version_text = _unfold(version_text)
    try:
        version = Version(version_text)
    except InvalidVersion as error:
        raise MetadataError(
            source,
            f"Version {version_text!r} is not a valid version (PEP 440)",
            field="Version",
            value=version_text,
        ) from error

    requires_dist = tuple(
        _parse_requirement(text, reader)
        for text in map(_unfold, reader.multiple("requires_dist", "Requires-Dist"))
        # An empty "Requires-Dist:" line says nothing; old tools wrote them.
        if text
    )

    requires_python_text = reader.single("requires_python", "Requires-Python")
    requires_python = None
    if requires_python_text is not None and _unfold(requires_python_text):
        requires_python = _parse_requires_python(_unfold(requires_python_text), reader)

    extras = [_unfold(extra) for extra in reader.multiple("provides_extra", "Provides-Extra")]
    # PEP 685: extras compare by their normalized form; "Foo_Bar" and "foo-bar" are one extra.
    provides_extra = tuple(dict.fromkeys(canonicalize_name(extra) for extra in extras if extra))

    summary = reader.single("summary", "Summary")
    license_expression = reader.single("license_expression", "License-Expression")
    license_text = reader.single("license", "License")
    classifiers = [_unfold(c) for c in reader.multiple("classifiers", "Classifier")]
    dynamic = [_unfold(d).lower() for d in reader.multiple("dynamic", "Dynamic")]

    return CoreMetadata(
        name=name,
        normalized_name=canonicalize_name(name),
        version=version,
        metadata_version=metadata_version,
        summary=_unfold(summary) if summary is not None else None,
        requires_dist=requires_dist,
        requires_python=requires_python,
        provides_extra=provides_extra,
        license_expression=(
            _unfold(license_expression) if license_expression is not None else None
        ),
        license=_dedent_continuation(license_text) if license_text is not None else None,
        classifiers=tuple(c for c in classifiers if c),
        dynamic=_unique([d for d in dynamic if d]),
        warnings=_unique(reader.warnings),
    )
