"""``puffin pip compile``'s own pieces: the requirements.txt it writes and the pins it keeps.

:func:`format_resolution` turns a :class:`~puffin.types.resolution.Resolution` into the text
of a pip-tools style requirements file laid out as ``uv pip compile`` lays it out;
:func:`read_preferences` and :func:`apply_upgrades` turn an existing output file into the
preferred versions of the next resolution. Everything here is pure: no network, and the only
file read is the output file named by the caller.
"""

from __future__ import annotations

from puffin.compile.output import (
    AnnotationStyle,
    CompileOutputOptions,
    format_resolution,
    source_label,
    strip_credentials,
    via_sources_from_manifest,
)
from puffin.compile.preferences import apply_upgrades, read_preferences

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
