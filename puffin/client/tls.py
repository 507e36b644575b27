"""The TLS context of the HTTP client, in a module that imports no HTTP library.

Loading the trust store takes tens of milliseconds (OpenSSL parses every certificate, with
the GIL released), so a command may build the context on a thread while it imports the
client, and hand it to :func:`puffin.client.open_client`.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import TYPE_CHECKING

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["make_ssl_context"]


def make_ssl_context(environ: Mapping[str, str]) -> ssl.SSLContext:
    """A verifying TLS context: ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when set (and only
    them, as OpenSSL does), else the system trust store, with certifi's bundle when the
    system has none (minimal containers).

    :raises PuffinError: the named certificate file or directory cannot be loaded.
    """
    cafile = environ.get("SSL_CERT_FILE") or None
    capath = environ.get("SSL_CERT_DIR") or None
    if cafile or capath:
        try:
            return ssl.create_default_context(cafile=cafile, capath=capath)
        except (OSError, ssl.SSLError) as error:
            named = " and ".join(
                f"{var}={value}"
                for var, value in (("SSL_CERT_FILE", cafile), ("SSL_CERT_DIR", capath))
                if value
            )
            reason = getattr(error, "strerror", None) or str(error)
            raise PuffinError(
                f"cannot load TLS certificates from {named}: {reason}",
                hint="point SSL_CERT_FILE at a PEM bundle, or unset it to use the system's",
            ) from error
    context = ssl.create_default_context()
    paths = ssl.get_default_verify_paths()
    has_file = bool(paths.cafile) and Path(paths.cafile).is_file()
    capath_dir = Path(paths.capath) if paths.capath else None
    has_dir = capath_dir is not None and capath_dir.is_dir() and any(capath_dir.iterdir())
    if not (has_file or has_dir):
        import certifi

        context.load_verify_locations(certifi.where())
    return context
