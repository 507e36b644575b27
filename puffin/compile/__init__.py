"""``puffin pip compile``'s own pieces: the requirements.txt it writes and the pins it keeps.

:func:`format_resolution` turns a :class:`~puffin.types.resolution.Resolution` into the text
of a pip-tools style requirements file laid out as ``uv pip compile`` lays it out;
:func:`read_preferences` and :func:`apply_upgrades` turn an existing output file into the
preferred versions of the next resolution. Everything here is pure: no network, and the only
file read is the output file named by the caller.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin._lazy import lazy_exports

if TYPE_CHECKING:
    from puffin.compile.output import (
        AnnotationStyle,
        CompileOutputOptions,
        format_resolution,
        source_label,
        strip_credentials,
        via_sources_from_manifest,
    )
    from puffin.compile.preferences import apply_upgrades, read_preferences

# Imported on first use: ``pip install`` reads preferences and never formats output.
_LAZY = {
    "AnnotationStyle": "puffin.compile.output",
    "CompileOutputOptions": "puffin.compile.output",
    "apply_upgrades": "puffin.compile.preferences",
    "format_resolution": "puffin.compile.output",
    "read_preferences": "puffin.compile.preferences",
    "source_label": "puffin.compile.output",
    "strip_credentials": "puffin.compile.output",
    "via_sources_from_manifest": "puffin.compile.output",
}
__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "AnnotationStyle",
    "CompileOutputOptions",
    "apply_upgrades",
    "format_resolution",
    "read_preferences",
    "source_label",
    "strip_credentials",
    "via_sources_from_manifest",
]
