"""Typed answers from look-ups that can fail in ordinary ways.

An index source asked for a project says *found*, *not found*, *unavailable offline* or
*failed*, instead of returning None or raising: the caller must handle each case, and the
type checker makes sure it does (``match`` on the answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Found(Generic[T]):
    """The look-up succeeded; ``value`` is the answer."""

    value: T


@dataclass(frozen=True, slots=True)
class NotFound:
    """The source answered that it does not have ``what`` (e.g. an HTTP 404)."""

    what: str


@dataclass(frozen=True, slots=True)
class Offline:
    """``what`` is not in the cache and the network may not be used (``--offline``)."""

    what: str


@dataclass(frozen=True, slots=True)
class Failed:
    """The source could not answer: ``reason`` says why (after any retries)."""

    what: str
    reason: str


Answer = Found[T] | NotFound | Offline | Failed
"""What a source returns: exactly one of the four cases."""
