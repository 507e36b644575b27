"""Typed answers from look-ups that can fail in ordinary ways.

An index source asked for a project says *found*, *not found*, *unavailable offline* or
*failed*, instead of returning None or raising: the caller must handle each case, and the
type checker makes sure it does (``match`` on the answer).
"""

from __future__ import annotations

from typing import Generic, TypeVar

from puffin._values import value_type

T = TypeVar("T")


@value_type
class Found(Generic[T]):
    """The look-up succeeded; ``value`` is the answer."""

    value: T


@value_type
class NotFound:
    """The source answered that it does not have ``what`` (e.g. an HTTP 404)."""

    what: str


@value_type
class Offline:
    """``what`` is not in the cache and the network may not be used (``--offline``)."""

    what: str


@value_type
class Failed:
    """The source could not answer: ``reason`` says why (after any retries)."""

    what: str
    reason: str


Answer = Found[T] | NotFound | Offline | Failed
"""What a source returns: exactly one of the four cases."""
