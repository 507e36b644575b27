"""Keep secrets out of everything the HTTP client says.

Passwords and tokens reach the client in URLs (``https://user:secret@host/simple/``), in
``.netrc`` files and from credential plugins. Every log line, ``Failed`` reason and exception
message the client produces passes through these functions first.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MASK", "basic_auth_token", "redact_text", "redact_url", "secret_forms"]

MASK = "****"
"""What a secret is replaced with."""

# scheme://user:password@ inside free text (an exception message quoting a URL, say). The
# password part stops at the first "@" or whitespace, so an "@" inside a percent-encoded
# password (%40) is handled, and a raw one would be a malformed URL anyway.
_USERINFO_IN_TEXT = re.compile(r"(?P<prefix>[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:)[^\s/@]*@")


def redact_url(url: str) -> str:
    """``url`` with the password of its userinfo replaced by ``****`` (the username stays).

    A userinfo without a password (``https://token@host/``) is masked whole, since a lone
    user name is commonly a token. A URL without userinfo comes back unchanged, and so does
    a string that is not a URL.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        # Not parseable as a URL (e.g. an unbalanced "[" in the host): mask what looks like
        # userinfo in it rather than give up.
        return _USERINFO_IN_TEXT.sub(rf"\g<prefix>{MASK}@", url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    username, colon, _ = userinfo.partition(":")
    if not colon:
        # A lone user name is often a token (``https://<token>@host/``), as pip assumes:
        # mask it whole.
        return url.replace(parts.netloc, f"{MASK}@{hostport}", 1)
    # Replace the netloc in place rather than re-serializing: urlunsplit would normalize
    # other parts (an empty "?" or "#"), and the caller should see its own URL.
    return url.replace(parts.netloc, f"{username}:{MASK}@{hostport}", 1)


def secret_forms(secret: str) -> tuple[str, ...]:
    """The spellings in which ``secret`` may show up in text: as is and percent-encoded."""
    if not secret:
        return ()
    forms = {secret, quote(secret, safe=""), quote(secret)}
    return tuple(sorted(forms, key=len, reverse=True))


def basic_auth_token(username: str, password: str) -> str:
    """The base64 token of an HTTP basic ``Authorization`` header (itself a secret)."""
    return base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every URL password and every one of ``secrets`` replaced by ``****``.

    ``secrets`` are matched literally and in percent-encoded form; empty ones are ignored.
    Longer secrets are replaced first, so a secret containing another is masked whole.
    """
    text = _USERINFO_IN_TEXT.sub(rf"\g<prefix>{MASK}@", text)
    forms = {form for secret in secrets for form in secret_forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text
