"""Credentials for an index or file URL."""

from __future__ import annotations

from dataclasses import field

from puffin._values import value_type


@value_type
class Credentials:
    """A username and password (or token) for HTTP basic authentication.

    The password never appears in ``repr`` or ``str``, so a credential that ends up in a
    log or an error message stays secret.
    """

    username: str
    password: str = field(repr=False)

    def __str__(self) -> str:
        return f"{self.username}:****"
