"""The simple repository API: project pages (PEP 503 HTML, PEP 691 JSON) into DistFiles.

Pure parsing: the caller fetches the page and passes its bytes, its ``Content-Type`` and its
*final* URL (after redirects), against which relative links are resolved. The metadata of
PEP 592 (yanked), PEP 629 (api-version), PEP 658 / PEP 714 (core metadata) and PEP 700
(versions, size, upload time) is read from both formats.

Pages for big projects list tens of thousands of files, so each file costs a few dictionary
look-ups and one object: the full parse of its name (project, version, tags) is left to
:mod:`puffin.index.selection`, which only does it for the versions a resolver looks at.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit, uses_relative

from packaging.utils import canonicalize_name

from puffin._values import value_type
from puffin.errors import PuffinError
from puffin.index.filenames import has_dist_suffix
from puffin.types.dist import DistFile

if TYPE_CHECKING:
    from collections.abc import Callable

    from packaging.utils import NormalizedName

    from puffin.index.html_links import Anchor, LinkParser
    from puffin.types.index import IndexSpec

__all__ = [
    "HTML_CONTENT_TYPES",
    "JSON_CONTENT_TYPES",
    "IndexPageError",
    "ProjectPage",
    "parse_html_links",
    "parse_project_list",
    "parse_project_page",
]

JSON_CONTENT_TYPES = frozenset(
    {"application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.latest+json"}
)
"""PEP 691 JSON responses (``latest`` should never be sent back, but costs nothing to read)."""

HTML_CONTENT_TYPES = frozenset(
    {
        "text/html",
        "application/vnd.pypi.simple.v1+html",
        "application/vnd.pypi.simple.latest+html",
    }
)
"""PEP 503 HTML responses, in the legacy and the PEP 691 spelling."""

# hashlib's guaranteed names, spelled out: importing hashlib loads OpenSSL, and a page
# parser has no other use for it. Hashes under other names are dropped, since nothing
# could verify them.
_HASH_NAMES = frozenset(
    {
        "md5",
        "sha1",
        "sha224",
        "sha256",
        "sha384",
        "sha512",
        "sha3_224",
        "sha3_256",
        "sha3_384",
        "sha3_512",
        "blake2b",
        "blake2s",
    }
)
_HTTP_PREFIXES = ("https://", "http://")
_RELATIVE_SCHEMES = frozenset(uses_relative)
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_FRACTION = re.compile(r"\.(\d+)")


class IndexPageError(PuffinError):
    """A page or listing that cannot be read: malformed JSON, an unknown content type."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot read the index page {url}: {reason}")
        self.url = url
        self.reason = reason


@value_type
class ProjectPage:
    """One project's page on a simple index.

    ``files`` are the links whose names end like a wheel or sdist, in page order; they are
    not checked against the project name (see :func:`puffin.index.selection.group_by_version`).
    """

    name: NormalizedName
    files: tuple[DistFile, ...]
    versions: tuple[str, ...] = ()
    """PEP 700 ``versions`` (JSON api-version 1.1 and later); empty when not given."""
    api_version: str | None = None
    """PEP 629 ``api-version`` (``meta`` in JSON, ``pypi:repository-version`` in HTML)."""


def parse_project_page(
    content: bytes,
    *,
    content_type: str,
    url: str,
    source: IndexSpec,
    project: str | None = None,
) -> ProjectPage:
    """Parse a project page, PEP 691 JSON or PEP 503 HTML according to ``content_type``.

    :param content: the response body.
    :param content_type: the ``Content-Type`` header; parameters such as ``charset`` allowed.
    :param url: the page's final URL, **after redirects**: relative links are resolved
        against it (after any ``<base href>``), and ``/simple/foo`` and ``/simple/foo/``
        resolve ``../x`` differently.
    :param source: the index the page belongs to, stored in every :class:`DistFile`.
    :param project: the project asked for; otherwise the JSON ``name`` or the last segment
        of ``url`` names the page.
    :raises IndexPageError: the content type is not a simple-API type, or the JSON is
        malformed (the message names ``url``).
    """
    media_type, charset = split_content_type(content_type)
    if media_type in JSON_CONTENT_TYPES:
        return _parse_json_page(content, url=url, source=source, project=project)
    if media_type in HTML_CONTENT_TYPES:
        parser = _parse_html(content, charset)
        base = _absolute_url(url, parser.base_href) if parser.base_href else url
        files = tuple(_html_files(parser.anchors, base, source))
        name = canonicalize_name(project) if project is not None else _name_from_url(url)
        return ProjectPage(name, files, (), parser.api_version)
    raise IndexPageError(url, f"unexpected content type {content_type!r}")


def parse_html_links(
    content: bytes, *, url: str, source: IndexSpec, content_type: str = "text/html"
) -> tuple[DistFile, ...]:
    """Every distribution linked from an HTML page, by the PEP 503 anchor rules.

    For ``--find-links`` pages, which are plain HTML with no required structure. ``url`` is
    the page's final URL (after redirects); ``content_type`` supplies the charset.
    """
    _, charset = split_content_type(content_type)
    parser = _parse_html(content, charset)
    base = _absolute_url(url, parser.base_href) if parser.base_href else url
    return tuple(_html_files(parser.anchors, base, source))


def parse_project_list(content: bytes, *, content_type: str, url: str) -> tuple[str, ...]:
    """The project names on an index's root page, as the index spells them (not normalized).

    :raises IndexPageError: unknown content type or malformed JSON.
    """
    media_type, charset = split_content_type(content_type)
    if media_type in JSON_CONTENT_TYPES:
        document = _load_json(content, url)
        projects = document.get("projects")
        if not isinstance(projects, list):
            raise IndexPageError(url, "the JSON has no 'projects' list")
        names = tuple(
            entry["name"]
            for entry in projects
            if isinstance(entry, dict) and isinstance(entry.get("name"), str)
        )
        if len(names) != len(projects):
            raise IndexPageError(url, "a 'projects' entry has no 'name'")
        return names
    if media_type in HTML_CONTENT_TYPES:
        parser = _parse_html(content, charset)
        texts = ("".join(text).strip() for _, text in parser.anchors)
        return tuple(text for text in texts if text)
    raise IndexPageError(url, f"unexpected content type {content_type!r}")


# --------------------------------------------------------------------------- shared


def split_content_type(content_type: str) -> tuple[str, str]:
    """The lowercased media type and the charset (utf-8 when absent)."""
    media_type, _, parameters = content_type.partition(";")
    charset = "utf-8"
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media_type.strip().lower(), charset


def _absolute_url(base: str, href: str) -> str:
    """``href`` resolved against ``base`` (RFC 3986), for any scheme.

    urljoin resolves only for the schemes it knows, and returns ``../x`` unchanged against
    an ``s3://`` base; plugin indexes may use such schemes, so those are resolved as if
    they were https, which has the generic syntax they share.
    """
    if href.startswith(_HTTP_PREFIXES):
        return href
    scheme, separator, rest = base.partition("://")
    if not separator or scheme.lower() in _RELATIVE_SCHEMES:
        return urljoin(base, href)
    if _URL_SCHEME.match(href):
        return href
    joined = urljoin("https://" + rest, href)
    return scheme + "://" + joined[len("https://") :]


def _hash_from_fragment(fragment: str) -> tuple[tuple[str, str], ...]:
    name, separator, digest = fragment.partition("=")
    name = name.lower()
    if separator and digest and name in _HASH_NAMES:
        return ((name, digest.lower()),)
    return ()


def _name_from_url(url: str) -> NormalizedName:
    """The project a page is for, from its URL: ``.../simple/Foo/`` or ``.../foo/index.html``."""
    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    if len(segments) > 1 and segments[-1].startswith("index."):
        segments.pop()
    return canonicalize_name(unquote(segments[-1]) if segments else "")


# --------------------------------------------------------------------------- JSON


_decode_json: Callable[[bytes], Any]
try:
    # orjson decodes index pages at 850 MB/s, the standard json at 350 to 550 (a cold
    # compile of the web set: 600 against 649 ms). A dependency where it has wheels.
    from orjson import loads as _decode_json
except ImportError:
    _decode_json = json.loads


def _load_json(content: bytes, url: str) -> dict[str, Any]:
    try:
        document = _decode_json(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise IndexPageError(url, f"malformed JSON ({error})") from None
    if not isinstance(document, dict):
        raise IndexPageError(url, "the JSON document is not an object")
    return document


def _parse_json_page(
    content: bytes, *, url: str, source: IndexSpec, project: str | None
) -> ProjectPage:
    document = _load_json(content, url)
    raw_files = document.get("files")
    if not isinstance(raw_files, list):
        raise IndexPageError(url, "the JSON has no 'files' list")
    files: list[DistFile] = []
    for position, entry in enumerate(raw_files):
        try:
            file = _json_file(entry, url, source)
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            # A wrong type anywhere in an entry surfaces as one of these; checking every
            # field up front would cost more than the parse on pages of 10,000 files.
            raise IndexPageError(
                url, f"malformed entry {position} in 'files' ({error!r})"
            ) from None
        if file is not None:
            files.append(file)

    name: str | None = project
    if name is None:
        listed = document.get("name")
        name = listed if isinstance(listed, str) else None
    meta = document.get("meta")
    api_version = meta.get("api-version") if isinstance(meta, dict) else None
    versions = document.get("versions")
    return ProjectPage(
        name=canonicalize_name(name) if name is not None else _name_from_url(url),
        files=tuple(files),
        versions=tuple(str(v) for v in versions) if isinstance(versions, list) else (),
        api_version=api_version if isinstance(api_version, str) else None,
    )


def json_file_entries(content: bytes, *, url: str) -> tuple[list[Any], tuple[str, ...]]:
    """A PEP 691 page's ``files`` entries as decoded, and its PEP 700 ``versions``.

    For :mod:`puffin.index.page_cache`, which groups the entries by file name and makes a
    file of an entry (:func:`json_file_reader`) only when its version is read.

    :raises IndexPageError: malformed JSON, or no ``files`` list.
    """
    document = _load_json(content, url)
    raw_files = document.get("files")
    if not isinstance(raw_files, list):
        raise IndexPageError(url, "the JSON has no 'files' list")
    versions = document.get("versions")
    return raw_files, tuple(str(v) for v in versions) if isinstance(versions, list) else ()


def json_file_reader(
    page_url: str, source: IndexSpec
) -> Callable[[dict[str, Any]], DistFile | None]:
    """A function making the :class:`DistFile` of one PEP 691 ``files`` entry of the page
    at ``page_url`` (None for a file that is not a wheel or sdist).

    The function raises :class:`IndexPageError`, naming the page and the file, for a
    malformed entry.
    """

    def read(entry: dict[str, Any]) -> DistFile | None:
        try:
            return _json_file(entry, page_url, source)
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            name = entry.get("filename") if isinstance(entry, dict) else None
            raise IndexPageError(
                page_url, f"malformed entry {name!r} in 'files' ({error!r})"
            ) from None

    return read


def _json_file(entry: dict[str, Any], page_url: str, source: IndexSpec) -> DistFile | None:
    """One ``files`` entry; None for a file that is not a wheel or sdist.

    Raises KeyError/TypeError/AttributeError for a malformed entry. This runs once per
    file of every page (10,000+ for large projects), so the common PyPI shapes take the
    shortest path: one sha256 hash, an absolute https URL, no fragment.
    """
    filename = entry["filename"]
    if not isinstance(filename, str):
        raise TypeError("'filename' is not a string")
    if not (filename.endswith(".whl") or has_dist_suffix(filename)):
        return None
    href = entry["url"]
    if not isinstance(href, str):
        raise TypeError("'url' is not a string")
    raw_hashes = entry.get("hashes")
    hashes: tuple[tuple[str, str], ...]
    if not raw_hashes:
        hashes = ()
    elif len(raw_hashes) == 1 and isinstance(sha256 := raw_hashes.get("sha256"), str):
        hashes = (("sha256", sha256.lower()),)
    else:
        hashes = tuple(
            (algorithm, digest.lower())
            for algorithm, digest in raw_hashes.items()
            if algorithm in _HASH_NAMES and isinstance(digest, str)
        )
    if "#" in href:
        # Not expected in JSON, but a hash in the fragment is as good as one in 'hashes'.
        href, _, fragment = href.partition("#")
        if not hashes:
            hashes = _hash_from_fragment(fragment)
    requires_python = entry.get("requires-python")
    # PEP 714: "core-metadata" is the name; "dist-info-metadata" is what older servers send.
    metadata = entry.get("core-metadata")
    if metadata is None:
        metadata = entry.get("dist-info-metadata")
    size = entry.get("size")
    upload_time = entry.get("upload-time")
    yanked = entry.get("yanked")
    return DistFile(
        filename,
        href if href.startswith(_HTTP_PREFIXES) else _absolute_url(page_url, href),
        source,
        hashes,
        # "" is no constraint at all; None says so without a specifier to parse.
        requires_python if requires_python and isinstance(requires_python, str) else None,
        None if yanked is False or yanked is None else _json_yanked(yanked),
        None if upload_time is None else _parse_time(upload_time),
        size if type(size) is int else None,
        metadata is True or isinstance(metadata, dict),
    )


def _json_yanked(value: object) -> str | None:
    """PEP 592 in JSON: false or absent, true (no reason given), or the reason."""
    if value is True:
        return ""
    return value if isinstance(value, str) else None


def _parse_time(value: object) -> datetime | None:
    """A PEP 700 upload time (``2024-01-02T03:04:05.123456Z``) as an aware datetime.

    None for anything unreadable: an odd time stamp is no reason to refuse the page.
    """
    if not isinstance(value, str):
        return None
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        # Python 3.10 reads only 3 or 6 fraction digits; other writers use any number.
        padded = _FRACTION.sub(lambda match: "." + (match.group(1) + "000000")[:6], text, 1)
        try:
            moment = datetime.fromisoformat(padded)
        except ValueError:
            return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


# --------------------------------------------------------------------------- HTML


def _parse_html(content: bytes, charset: str) -> LinkParser:
    # Imported here: most indexes answer in JSON, and html.parser with its entity table
    # costs every command about 2 ms to import.
    from puffin.index.html_links import LinkParser

    try:
        text = content.decode(charset, errors="replace")
    except LookupError:  # an unknown charset name in the header
        text = content.decode("utf-8", errors="replace")
    parser = LinkParser()
    parser.feed(text)
    parser.close()
    return parser


def _unescaped(value: str) -> str:
    # HTMLParser has unescaped attribute values once; pages that escape twice
    # (``&amp;gt;=3.8``) exist, and pip unescapes again for them.
    if "&" not in value:
        return value
    from html import unescape

    return unescape(value)


def _html_files(anchors: list[Anchor], base: str, source: IndexSpec) -> list[DistFile]:
    files: list[DistFile] = []
    for attributes, text in anchors:
        href = attributes["href"]
        assert href is not None  # the parser keeps only anchors with an href
        url, _, fragment = _absolute_url(base, href.strip()).partition("#")
        # The file name is the URL's last path segment (what a download gets, and what pip
        # and uv use); the anchor text is the fallback for URLs like ``.../download?id=1``.
        filename = url.partition("?")[0].rpartition("/")[2]
        if "%" in filename:
            filename = unquote(filename)
        if not has_dist_suffix(filename):
            filename = "".join(text).strip()
            if not has_dist_suffix(filename):
                continue
        requires_python = attributes.get("data-requires-python")
        if requires_python:
            requires_python = _unescaped(requires_python).strip() or None
        metadata = attributes.get("data-core-metadata")
        if metadata is None:
            metadata = attributes.get("data-dist-info-metadata")
        yanked: str | None = None
        if "data-yanked" in attributes:
            # A bare ``data-yanked`` (value None) is a yank without a reason.
            yanked = _unescaped(attributes["data-yanked"] or "")
        files.append(
            DistFile(
                filename=filename,
                url=url,
                source=source,
                hashes=_hash_from_fragment(fragment) if fragment else (),
                requires_python=requires_python or None,
                yanked=yanked,
                has_core_metadata=_html_has_metadata(metadata),
            )
        )
    return files


def _html_has_metadata(value: str | None) -> bool:
    """PEP 658/714 in HTML: ``true``, or ``<hash>=<digest>``; absent (or bare) means none."""
    if value is None:
        return False
    value = value.strip()
    return value.lower() == "true" or "=" in value
