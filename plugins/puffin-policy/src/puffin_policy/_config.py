"""The policy: where it is written, how its sources merge, and what each key means.

Sources, lowest precedence first (a later source wins per key; deny rules of every
source accumulate):

1. the ``[policy]`` table of the user's ``puffin.toml`` (``PUFFIN_CONFIG_FILE`` names
   another file, e.g. a site-wide one);
2. ``[tool.puffin.policy]`` of the project's ``pyproject.toml`` (the one puffin reads
   ``[tool.puffin]`` from);
3. the TOML file or ``http(s)://`` URL named by ``PUFFIN_POLICY``: its ``[policy]`` table,
   else its ``[tool.puffin.policy]`` table, else the whole document.

Every value remembers where it came from, so each message can say which file's rule
fired. A malformed policy is a :class:`~puffin.plugin.UsageError` naming the file and key.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from packaging.specifiers import SpecifierSet
    from packaging.utils import NormalizedName
    from packaging.version import Version
    from puffin.plugin import Context

__all__ = [
    "ENVIRONMENT_VARIABLE",
    "KNOWN_KEYS",
    "DenyRule",
    "Policy",
    "Setting",
    "load_policy",
    "parse_policy",
]

ENVIRONMENT_VARIABLE: Final = "PUFFIN_POLICY"

KNOWN_KEYS: Final = (
    "deny",
    "allow-only",
    "min-release-age-days",
    "require-upload-time",
    "require-hashes",
    "allowed-index-hosts",
    "allow-file-urls",
    "allowed-licenses",
    "allow-unknown-license",
)

# How long a policy URL may take to answer: it is fetched once per command, before
# anything else happens, so a hung server must not hang puffin.
_FETCH_TIMEOUT: Final = 30.0

# A cooldown longer than this is a typo (and would overflow a timedelta further on).
_MAX_DAYS: Final = 36_500

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Setting(Generic[T]):
    """One policy value and the source that set it (a path or URL, for messages)."""

    value: T
    origin: str


@dataclass(frozen=True, slots=True)
class DenyRule:
    """``{ package = "requests<2.31", reason = "..." }``: a name, optional versions."""

    name: NormalizedName
    specifier: SpecifierSet | None
    reason: str
    origin: str
    text: str
    """The package string as written, for messages."""

    def matches(self, name: str, version: Version) -> bool:
        """Whether ``name==version`` is denied by this rule (pre-releases included)."""
        if name != self.name:
            return False
        return self.specifier is None or self.specifier.contains(version, prereleases=True)


@dataclass(frozen=True, slots=True)
class Policy:
    """The merged policy of one command. Every field but ``deny`` is None when unset."""

    deny: tuple[DenyRule, ...] = ()
    allow_only: Setting[frozenset[NormalizedName]] | None = None
    min_release_age: Setting[timedelta] | None = None
    require_upload_time: Setting[bool] | None = None
    require_hashes: Setting[bool] | None = None
    allowed_index_hosts: Setting[tuple[str, ...]] | None = None
    allow_file_urls: Setting[bool] | None = None
    allowed_licenses: Setting[frozenset[str]] | None = None
    """Lower-cased SPDX identifiers (or ``id with exception``)."""
    allow_unknown_license: Setting[bool] | None = None
    sources: tuple[str, ...] = ()
    """Every source that had a policy table, lowest precedence first."""
    written: Mapping[str, Setting[object]] = field(default_factory=dict)
    """Each key but ``deny`` as written in the source that won, for ``puffin policy show``."""

    @property
    def empty(self) -> bool:
        """True when no rule is set: the hooks then do nothing at all."""
        return not self.deny and all(
            getattr(self, name) is None
            for name in (
                "allow_only",
                "min_release_age",
                "require_upload_time",
                "require_hashes",
                "allowed_index_hosts",
                "allow_file_urls",
                "allowed_licenses",
                "allow_unknown_license",
            )
        )

    def flag(self, name: str) -> Setting[bool] | None:
        """A boolean setting when it is set to true, else None."""
        setting: Setting[bool] | None = getattr(self, name)
        return setting if setting is not None and setting.value else None


@dataclass(frozen=True, slots=True)
class _Layer:
    """One source's policy table, with how messages name it."""

    table: Mapping[str, Any]
    origin: str
    """The path or URL, as rule messages show it."""
    label: str
    """The path or URL with the table, as error messages show it."""


def load_policy(ctx: Context) -> Policy:
    """Read and merge every source of the command's policy (see the module docstring)."""
    layers: list[_Layer] = []
    # ctx.config lists the config files highest precedence first: pyproject, then user.
    for config in reversed(ctx.config.files):
        is_project = config.path.name == "pyproject.toml" and config.label.endswith("[tool.puffin]")
        table = config.values.get("policy")
        if table is None:
            continue
        origin = str(config.path)
        label = f"{origin} [tool.puffin.policy]" if is_project else f"{origin} [policy]"
        if not isinstance(table, dict):
            raise _usage(label, "must be a table")
        layers.append(_Layer(table, origin, label))
    named = ctx.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if named:
        layers.append(_read_named(named, ctx.cwd))
    return _merge(layers)


def parse_policy(document: Mapping[str, Any], origin: str) -> Policy:
    """The policy of one TOML document (as ``PUFFIN_POLICY`` reads it); for tests."""
    return _merge([_policy_layer(document, origin, origin)])


def _read_named(value: str, cwd: Path) -> _Layer:
    """The policy named by PUFFIN_POLICY: a URL (http, https, file) or a path."""
    if "://" in value:
        origin = _redact(value)
        data = _fetch(value, origin)
    else:
        from pathlib import Path

        path = Path(value).expanduser()
        if not path.is_absolute():
            path = cwd / path
        origin = str(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise _usage(
                f"{ENVIRONMENT_VARIABLE}={value}", f"cannot read {path}: {error.strerror}"
            ) from None
    document = _parse_toml(data, origin)
    return _policy_layer(document, origin, origin)


def _policy_layer(document: Mapping[str, Any], origin: str, where: str) -> _Layer:
    """The table of a policy document: ``[policy]``, ``[tool.puffin.policy]`` or all of it."""
    if "policy" in document:
        table, label = document["policy"], f"{where} [policy]"
    else:
        tool = document.get("tool")
        puffin = tool.get("puffin") if isinstance(tool, dict) else None
        if isinstance(puffin, dict) and "policy" in puffin:
            table, label = puffin["policy"], f"{where} [tool.puffin.policy]"
        else:
            table, label = document, where
    if not isinstance(table, dict):
        raise _usage(label, "must be a table")
    return _Layer(table, origin, label)


def _parse_toml(data: bytes, origin: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise _usage(origin, "a policy file must be UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise _usage(origin, f"invalid TOML: {error}") from None


def _fetch(url: str, origin: str) -> bytes:
    """GET a policy URL (once per command); any failure stops the command (fail closed)."""
    import urllib.error
    import urllib.request
    from urllib.parse import urlsplit

    from puffin.plugin import PuffinError, UsageError

    if urlsplit(url).scheme.lower() not in ("http", "https", "file"):
        raise UsageError(
            f"{ENVIRONMENT_VARIABLE}: {origin}: a policy URL must be http://, https:// or file://"
        )
    parts = urlsplit(url)
    headers = {"User-Agent": "puffin-policy", "Accept": "application/toml, text/plain, */*"}
    authorization = None
    if "@" in parts.netloc:
        # urllib does not send userinfo by itself: https://user:token@host/policy.toml
        import base64
        from urllib.parse import unquote

        userinfo, _, hostport = parts.netloc.rpartition("@")
        user, _, password = userinfo.partition(":")
        token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode()
        authorization = f"Basic {token}"
        url = parts._replace(netloc=hostport).geturl()
    handlers: list[urllib.request.BaseHandler] = []
    if (parts.hostname or "").lower() in ("127.0.0.1", "localhost", "::1"):
        handlers.append(urllib.request.ProxyHandler({}))  # never send loopback via a proxy
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked
    if authorization is not None:
        # Unredirected: a redirect to another host must not carry the credentials along.
        request.add_unredirected_header("Authorization", authorization)
    hint = f"the organization's policy is required; check {ENVIRONMENT_VARIABLE}"
    try:
        with opener.open(request, timeout=_FETCH_TIMEOUT) as response:
            data: bytes = response.read()
    except urllib.error.HTTPError as error:
        raise PuffinError(
            f"cannot fetch the policy {origin}: HTTP {error.code} {error.reason}", hint=hint
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", None) or error
        raise PuffinError(f"cannot fetch the policy {origin}: {reason}", hint=hint) from None
    return data


def _redact(url: str) -> str:
    """``url`` without a password or token in its userinfo, for messages."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()


def _merge(layers: list[_Layer]) -> Policy:
    values: dict[str, Setting[Any]] = {}
    written: dict[str, Setting[object]] = {}
    deny: list[DenyRule] = []
    for layer in layers:
        for key, value in layer.table.items():
            if key not in KNOWN_KEYS:
                import difflib

                close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
                suggestion = f" (did you mean {close[0]!r}?)" if close else ""
                raise _usage(layer.label, f"unknown policy key {key!r}{suggestion}")
            if key == "deny":
                deny.extend(_deny_rules(value, layer))
                continue
            values[key] = Setting(_PARSERS[key](value, layer.label, key), layer.origin)
            written[key] = Setting(value, layer.origin)
    return Policy(
        deny=tuple(deny),
        allow_only=values.get("allow-only"),
        min_release_age=values.get("min-release-age-days"),
        require_upload_time=values.get("require-upload-time"),
        require_hashes=values.get("require-hashes"),
        allowed_index_hosts=values.get("allowed-index-hosts"),
        allow_file_urls=values.get("allow-file-urls"),
        allowed_licenses=values.get("allowed-licenses"),
        allow_unknown_license=values.get("allow-unknown-license"),
        sources=tuple(dict.fromkeys(layer.origin for layer in layers)),
        written=written,
    )


def _usage(where: str, problem: str) -> Exception:
    from puffin.plugin import UsageError

    return UsageError(f"{where}: {problem}", hint="see the puffin-policy README for the keys")


def _deny_rules(value: object, layer: _Layer) -> list[DenyRule]:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    if not isinstance(value, list):
        raise _usage(layer.label, "deny: expected a list of { package = ..., reason = ... }")
    rules = []
    for index, entry in enumerate(value):
        where = f"deny[{index}]"
        if isinstance(entry, str):
            package, reason = entry, ""
        elif isinstance(entry, dict):
            unknown = sorted(set(entry) - {"package", "reason"})
            if unknown:
                raise _usage(layer.label, f"{where}: unknown key {unknown[0]!r}")
            written_package, written_reason = entry.get("package"), entry.get("reason", "")
            if not isinstance(written_package, str):
                raise _usage(layer.label, f"{where}.package: expected a string such as 'leftpad'")
            if not isinstance(written_reason, str):
                raise _usage(layer.label, f"{where}.reason: expected a string")
            package, reason = written_package, written_reason
        else:
            raise _usage(
                layer.label, f"{where}: expected a table {{ package = ..., reason = ... }}"
            )
        try:
            requirement = Requirement(package)
        except InvalidRequirement:
            raise _usage(
                layer.label,
                f"{where}.package: {package!r} is not a project name with optional version "
                "specifiers (e.g. 'requests<2.31')",
            ) from None
        if requirement.url or requirement.marker is not None or requirement.extras:
            raise _usage(
                layer.label,
                f"{where}.package: {package!r}: only a name and version specifiers are allowed",
            )
        rules.append(
            DenyRule(
                canonicalize_name(requirement.name),
                requirement.specifier if str(requirement.specifier) else None,
                reason.strip(),
                layer.origin,
                package.strip(),
            )
        )
    return rules


def _string_list(value: object, where: str, key: str, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise _usage(where, f"{key}: expected a list of {what}")
    return [item.strip() for item in value]


def _names(value: object, where: str, key: str) -> frozenset[NormalizedName]:
    from packaging.utils import InvalidName, canonicalize_name

    names = set()
    for item in _string_list(value, where, key, "project names"):
        try:
            names.add(canonicalize_name(item, validate=True))
        except InvalidName:
            raise _usage(where, f"{key}: {item!r} is not a project name") from None
    return frozenset(names)


def _days(value: object, where: str, key: str) -> timedelta:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 <= value <= _MAX_DAYS
    ):
        raise _usage(where, f"{key}: expected a number of days (0 or more), got {value!r}")
    return timedelta(days=value)


def _bool(value: object, where: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise _usage(where, f"{key}: expected true or false, got {value!r}")
    return value


def _hosts(value: object, where: str, key: str) -> tuple[str, ...]:
    hosts = []
    for item in _string_list(value, where, key, "host names"):
        if "://" in item or "/" in item:
            raise _usage(where, f"{key}: {item!r} is a URL; give the host only (pypi.org)")
        hosts.append(item.lower())
    return tuple(hosts)


def _licenses(value: object, where: str, key: str) -> frozenset[str]:
    items = _string_list(value, where, key, "SPDX license identifiers")
    return frozenset(" ".join(item.split()).lower() for item in items)


_PARSERS: Final[dict[str, Any]] = {
    "allow-only": _names,
    "min-release-age-days": _days,
    "require-upload-time": _bool,
    "require-hashes": _bool,
    "allowed-index-hosts": _hosts,
    "allow-file-urls": _bool,
    "allowed-licenses": _licenses,
    "allow-unknown-license": _bool,
}
