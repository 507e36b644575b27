"""Verdicts plugins return: why a candidate is rejected, what is wrong with a result.

Each verdict names the plugin that produced it so that every explanation can say who
decided. The plugin manager fills ``plugin`` in when a hook implementation leaves it empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin._values import value_type

if TYPE_CHECKING:
    from puffin.types.dist import Candidate


@value_type
class Rejection:
    """A candidate the resolver must not choose, and why.

    ``reason`` is a short clause that reads after the candidate, e.g.
    ``"is on the deny list (CVE-2024-0001)"``.
    """

    candidate: Candidate
    reason: str
    plugin: str = ""
    rule: str = ""
    """An identifier of the rule that fired, for machine-readable output (``deny``...)."""


@value_type
class Problem:
    """Something wrong with a resolution, plan or environment that stops the command.

    ``subject`` is what the problem is about (a ``name==version`` or a path), ``message``
    says what is wrong.
    """

    subject: str
    message: str
    plugin: str = ""
    rule: str = ""

    def __str__(self) -> str:
        origin = f" [{self.plugin}]" if self.plugin else ""
        return f"{self.subject}: {self.message}{origin}"
