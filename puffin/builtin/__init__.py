"""Built-in plugins: ordinary plugin modules, registered before any other, all ``trylast``.

Each entry maps the name used by ``-p no:NAME`` to the module.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

BUILTIN_PLUGINS: Mapping[str, str] = MappingProxyType(
    {
        "reporter": "puffin.builtin.reporter",
        "index_registry": "puffin.builtin.index_registry",
        "index_flat": "puffin.builtin.index_flat",
        "bytecode": "puffin.builtin.bytecode",
        "build_isolation": "puffin.builtin.build_isolation",
        "pep517": "puffin.builtin.pep517",
    }
)
"""Plugin name -> module, in registration order."""

ESSENTIAL_PLUGINS = frozenset({"reporter"})
"""Built-ins that ``-p no:NAME`` may not block: puffin cannot run without them."""
