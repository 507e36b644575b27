"""Requirement inputs: requirements.txt files, project metadata and command-line strings.

Everything is parsed into immutable values (:class:`Manifest`, :class:`RequirementEntry`) that
the resolver consumes. Importing this package loads ``packaging``; the CLI imports it lazily.
"""

from __future__ import annotations

from puffin.requirements.manifest import (
    IndexOptions,
    Manifest,
    Origin,
    ParsedFile,
    RequirementEntry,
    RequirementsError,
)
from puffin.requirements.parser import (
    parse_constraints_file,
    parse_editable_string,
    parse_requirement_string,
    parse_requirements_file,
)
from puffin.requirements.pyproject import read_pyproject, read_setup_cfg
from puffin.requirements.sources import build_manifest

__all__ = [
    "IndexOptions",
    "Manifest",
    "Origin",
    "ParsedFile",
    "RequirementEntry",
    "RequirementsError",
    "build_manifest",
    "parse_constraints_file",
    "parse_editable_string",
    "parse_requirement_string",
    "parse_requirements_file",
    "read_pyproject",
    "read_setup_cfg",
]
