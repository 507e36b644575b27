"""Where the HTTP client's credentials come from, and how they are remembered per host.

The order, as pip's: userinfo in the URL, then credentials remembered for the same scheme,
host and port, then ``.netrc``, then (after a 401, or when the URL names a user without a
password) the ``puffin_get_credentials`` hook. Whatever is found is remembered for the
host, so that the files an index page links to carry the page's credentials.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote, unquote, urlsplit

from puffin._values import value_type
from puffin.types.credentials import Credentials

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "CredentialStore",
    "NetrcCredentials",
    "Origin",
    "SplitUrl",
    "load_netrc",
    "split_url",
]

_DEFAULT_PORTS = MappingProxyType({"http": 80, "https": 443})


class Origin(NamedTuple):
    """Scheme, lower-case host and port (the scheme's default filled in): the unit for
    which credentials are remembered."""

    scheme: str
    host: str
    port: int | None

    def __str__(self) -> str:
        port = "" if self.port is None else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}"


@value_type
class SplitUrl:
    """A URL taken apart for a request.

    ``url`` is what goes on the wire: no userinfo, no fragment. ``username`` and
    ``password`` are the percent-decoded userinfo (None when absent).
    """

    url: str
    username: str | None
    password: str | None
    origin: Origin

    @property
    def display(self) -> str:
        """The URL for messages: :attr:`url` with the user name back in and the password
        masked, as :func:`~puffin.client.redact.redact_url` shows it."""
        if self.username is None:
            return self.url
        from puffin.client.redact import MASK

        userinfo = MASK if self.password is None else f"{quote(self.username, safe='')}:{MASK}"
        scheme, _, rest = self.url.partition("://")
        return f"{scheme}://{userinfo}@{rest}"


def split_url(url: str) -> SplitUrl:
    """Separate the userinfo (and the fragment) from ``url``.

    Raises ValueError for a URL that :func:`urllib.parse.urlsplit` rejects.
    """
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    username: str | None = None
    password: str | None = None
    if at:
        raw_user, colon, raw_password = userinfo.partition(":")
        username = unquote(raw_user)
        password = unquote(raw_password) if colon else None
    scheme = parts.scheme.lower()
    clean = parts._replace(netloc=hostport, fragment="").geturl()
    # geturl() drops an empty query's "?"; nothing on the wire depends on it.
    origin = Origin(
        scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)
    )
    return SplitUrl(clean, username, password, origin)


@value_type
class NetrcCredentials:
    """The machines of a ``.netrc`` file: host -> credentials, and the ``default`` entry."""

    path: Path
    hosts: Mapping[str, Credentials]
    default: Credentials | None = None

    def lookup(self, host: str) -> Credentials | None:
        """The credentials for ``host`` (netrc matches host names, not ports)."""
        return self.hosts.get(host.lower(), self.default)

    def secrets(self) -> tuple[str, ...]:
        """Every password in the file, for redaction."""
        found = [c.password for c in self.hosts.values()]
        if self.default is not None:
            found.append(self.default.password)
        return tuple(p for p in found if p)


def _netrc_path(environ: Mapping[str, str]) -> Path | None:
    explicit = environ.get("NETRC")
    if explicit:
        return Path(explicit).expanduser()
    home = environ.get("HOME")
    base = Path(home) if home else Path.home()
    return base / ".netrc"


def load_netrc(
    environ: Mapping[str, str], log: Callable[[str], None] | None = None
) -> NetrcCredentials | None:
    """Read ``$NETRC`` (or ``~/.netrc``); None when there is none or it is malformed.

    A malformed file is ignored with one line to ``log`` naming the file and line; the
    parser's own message is not repeated because it quotes the offending token, which may
    be a password.
    """
    import netrc

    path = _netrc_path(environ)
    if path is None or not path.is_file():
        return None
    try:
        parsed = netrc.netrc(os.fspath(path))
    except netrc.NetrcParseError as error:
        if log is not None:
            log(f"ignoring malformed netrc file {path} (line {error.lineno})")
        return None
    except (OSError, UnicodeDecodeError) as error:
        if log is not None:
            log(f"ignoring unreadable netrc file {path}: {type(error).__name__}")
        return None
    hosts: dict[str, Credentials] = {}
    default: Credentials | None = None
    for host, (login, account, password) in parsed.hosts.items():
        # netrc allows an "account" in place of a login for some services; basic auth
        # needs a user name, so fall back to it as pip does.
        credentials = Credentials(login or account or "", password or "")
        if host == "default":
            default = credentials
        else:
            hosts[host.lower()] = credentials
    return NetrcCredentials(path, MappingProxyType(hosts), default)


class CredentialStore:
    """Credentials remembered per :class:`Origin` for one client's lifetime.

    Mutable on purpose, and owned by one :class:`~puffin.client.HttpClient`: it is the
    client's memory of what worked, never shared between commands.
    """

    def __init__(
        self,
        *,
        netrc: NetrcCredentials | None,
        provider: Callable[[str, str | None], Credentials | None] | None,
    ) -> None:
        self._netrc = netrc
        self._provider = provider
        self._remembered: dict[Origin, Credentials] = {}
        self._asked: dict[Origin, Credentials | None] = {}
        self._locks: dict[Origin, asyncio.Lock] = {}
        self._secrets: set[str] = set(netrc.secrets()) if netrc is not None else set()

    @property
    def secrets(self) -> frozenset[str]:
        """Every password seen so far (URL userinfo, netrc, provider), for redaction."""
        return frozenset(self._secrets)

    def note_secret(self, password: str | None) -> None:
        """Add a password to the redaction set (from a URL that names one)."""
        if password:
            self._secrets.add(password)

    def remember(self, origin: Origin, credentials: Credentials) -> None:
        """Use ``credentials`` for every later request to ``origin``."""
        self.note_secret(credentials.password)
        self._remembered[origin] = credentials

    def initial(self, split: SplitUrl) -> Credentials | None:
        """The credentials to send with the first request for ``split`` without asking the
        provider: the URL's own (remembered for its origin), else remembered, else netrc."""
        if split.username is not None and split.password is not None:
            credentials = Credentials(split.username, split.password)
            self.remember(split.origin, credentials)
            return credentials
        remembered = self._remembered.get(split.origin)
        if remembered is not None and (
            split.username is None or split.username == remembered.username
        ):
            return remembered
        if split.username is None and self._netrc is not None:
            return self._netrc.lookup(split.origin.host)
        return None

    def remembered(self, origin: Origin) -> Credentials | None:
        """The credentials remembered for ``origin``, if any."""
        return self._remembered.get(origin)

    @property
    def has_provider(self) -> bool:
        """Whether a credentials provider (the hook) is available."""
        return self._provider is not None

    async def ask_provider(self, split: SplitUrl) -> Credentials | None:
        """Ask the provider for ``split.url``'s origin, once per origin per client.

        Concurrent requests to one host wait for a single answer, rather than all asking
        (a keyring prompt or a token helper may be slow, or interactive). The provider is
        synchronous (a pluggy hook), so it runs in a worker thread to keep other transfers
        going meanwhile. An answer is remembered for the origin.
        """
        if self._provider is None:
            return None
        lock = self._locks.setdefault(split.origin, asyncio.Lock())
        async with lock:
            if split.origin in self._asked:
                return self._asked[split.origin]
            answer = await asyncio.to_thread(self._provider, split.url, split.username)
            self._asked[split.origin] = answer
            if answer is not None:
                self.remember(split.origin, answer)
            return answer

    def asked(self, origin: Origin) -> bool:
        """Whether the provider has been asked about ``origin`` already."""
        return origin in self._asked
