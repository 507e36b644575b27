"""puffin-keyring: credentials for package indexes from the ``keyring`` library.

A puffin plugin (entry point ``keyring`` in the ``puffin`` group) implementing one hook,
``puffin_get_credentials``. puffin asks it only when a request has no usable credentials
of its own (URL userinfo, ``.netrc``): after the server answered 401, or before the first
request when the index URL names a user without a password. puffin remembers the answer
for the host for the rest of the command.

The keyring service names tried, in order, stopping at the first that has an entry
(pip's and uv's conventions):

1. the URL being requested (without userinfo), as uv does;
2. the configured index (or find-links) URL on the same host that the request belongs
   to, as pip does, spelled with and without its trailing slash;
3. the host, with the port when the URL names one (``host`` or ``host:port``).

The user name passed to :func:`keyring.get_credential` is the one in the configured index
URL on the same host (``https://alice@host/simple/``), else None; backends that support
it (macOS, Windows, Secret Service, most third-party ones) then return whichever entry
they hold for the service.

This module imports nothing at import time beyond :mod:`puffin.plugin`: every puffin
command loads its plugins, and ``keyring`` (with its backends) is imported only when a
server actually asks for credentials.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from puffin.plugin import hookimpl

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from puffin.plugin import Credentials, Reporter

__all__ = ["LookupPlan", "lookup_plan", "puffin_get_credentials"]

__version__ = "0.1.0"


class _Context(Protocol):
    """What this plugin reads of puffin's command context."""

    @property
    def reporter(self) -> Reporter: ...


class LookupPlan:
    """The keyring service names to try for one URL, in order, and the user name to ask
    for (None: any user the backend has for the service)."""

    __slots__ = ("services", "username")

    def __init__(self, services: tuple[str, ...], username: str | None) -> None:
        self.services = services
        self.username = username

    def __repr__(self) -> str:
        return f"LookupPlan(services={self.services!r}, username={self.username!r})"


@hookimpl
def puffin_get_credentials(url: str, username: str | None, ctx: _Context) -> Credentials | None:
    """Credentials for ``url`` from the keyring, or None (puffin then goes on without).

    The user is the one the requested URL named, else the one of the configured index
    URL the request belongs to, else any user the keyring has for the service.

    Never raises: a missing, locked or broken keyring backend is reported at debug level
    (``-vv``) and answers None. Passwords never reach the reporter.
    """
    report = ctx.reporter.debug
    try:
        plan = lookup_plan(url, _configured_locations(ctx))
    except ValueError:
        report(f"keyring: not looking up credentials for an unparsable URL {url}")
        return None
    if username is not None:
        plan = LookupPlan(plan.services, username)
    try:
        return _lookup(plan, report)
    except Exception as error:  # any backend failure (none, locked, D-Bus): never crash
        report(
            f"keyring: lookup failed ({type(error).__name__}: {_one_line(error)}); "
            "going on without credentials from the keyring"
        )
        return None


def lookup_plan(url: str, locations: Iterable[str] = ()) -> LookupPlan:
    """The service names to try for ``url`` and the user name to ask for.

    :param url: the URL being requested, without userinfo (as puffin passes it).
    :param locations: the configured index and find-links URLs, userinfo included; the one
        on ``url``'s host with the longest common path is the index ``url`` belongs to.

    Raises ValueError for a URL that :func:`urllib.parse.urlsplit` rejects.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    origin = _origin(parts.scheme, parts.hostname, parts.port)
    services = [url]
    username: str | None = None
    index = _matching_location(origin, parts.path, locations)
    if index is not None:
        index_url, username = index
        services.append(index_url)
        services.append(
            index_url.rstrip("/") if index_url.endswith("/") else f"{index_url}/",
        )
    if netloc:
        services.append(netloc)
    return LookupPlan(tuple(dict.fromkeys(services)), username)


def _lookup(plan: LookupPlan, report: Callable[[str], None]) -> Credentials | None:
    import keyring
    from puffin.plugin import Credentials

    backend = keyring.get_keyring()
    who = "any user" if plan.username is None else f"user {plan.username!r}"
    report(f"keyring: looking up {who} in {type(backend).__module__}.{type(backend).__qualname__}")
    for service in plan.services:
        credential = keyring.get_credential(service, plan.username)
        if credential is None:
            report(f"keyring: nothing stored for {service}")
            continue
        username = credential.username or plan.username or ""
        report(f"keyring: using the credentials of user {username!r} stored for {service}")
        return Credentials(username, credential.password or "")
    return None


def _configured_locations(ctx: _Context) -> tuple[str, ...]:
    """The index and find-links URLs of the command, when the context carries them.

    Read structurally (``ctx.source_options``) and defensively: the hook does not pass the
    index a URL belongs to, and a context without source options is simply no help.
    """
    options = getattr(ctx, "source_options", None)
    if options is None:
        return ()
    found: list[str] = []
    for name in ("index_url", "extra_index_urls", "find_links"):
        value = getattr(options, name, None)
        values = (value,) if isinstance(value, str) else value
        if not isinstance(values, (tuple, list)):
            continue
        found.extend(item for item in values if isinstance(item, str) and "://" in item)
    return tuple(found)


def _origin(scheme: str, host: str | None, port: int | None) -> tuple[str, str, int | None]:
    scheme = scheme.lower()
    default_port = {"http": 80, "https": 443}.get(scheme)
    return scheme, (host or "").lower(), port or default_port


def _matching_location(
    origin: tuple[str, str, int | None], path: str, locations: Iterable[str]
) -> tuple[str, str | None] | None:
    """The configured location on ``origin`` sharing the longest path with ``path``, as
    (its URL without userinfo, the user name in its userinfo or None), as pip picks it."""
    from urllib.parse import unquote, urlsplit

    best: tuple[int, str, str | None] | None = None
    wanted = path.split("/")
    for location in locations:
        try:
            parts = urlsplit(location)
            candidate = _origin(parts.scheme, parts.hostname, parts.port)
        except ValueError:
            continue
        if candidate != origin:
            continue
        userinfo, at, hostport = parts.netloc.rpartition("@")
        raw_user = userinfo.partition(":")[0]
        username = unquote(raw_user) if at and raw_user else None
        clean = parts._replace(netloc=hostport, fragment="").geturl()
        shared = _shared_segments(wanted, parts.path.rstrip("/").split("/"))
        if best is None or shared > best[0]:
            best = (shared, clean, username)
    return None if best is None else (best[1], best[2])


def _shared_segments(first: list[str], second: list[str]) -> int:
    """How many leading path segments ``first`` and ``second`` have in common."""
    count = 0
    for mine, theirs in zip(first, second, strict=False):
        if mine != theirs:
            break
        count += 1
    return count


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= 200 else f"{text[:197]}..."
