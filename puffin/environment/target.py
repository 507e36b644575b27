"""The environment a resolution is for: marker values and wheel tags.

Usually that is exactly an interpreter's (:meth:`TargetEnvironment.from_interpreter`).
With ``--python-version`` it is the interpreter's platform with another Python version
(:meth:`TargetEnvironment.for_python_version`), which is then not exact: puffin can
resolve for it but must not claim that an install into the interpreter will work.
"""

from __future__ import annotations

import re
from dataclasses import field
from types import MappingProxyType
from typing import TYPE_CHECKING

from puffin._values import value_type
from puffin.environment.query import MIN_TARGET_PYTHON
from puffin.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from packaging.tags import Tag

    from puffin.environment.query import Interpreter
    from puffin.index.selection import TagPriority

_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


@value_type
class TargetEnvironment:
    """Marker environment and supported wheel tags that a resolution must satisfy."""

    interpreter: Interpreter
    """The interpreter this target was derived from (and installs go to)."""
    markers: Mapping[str, str] = field(hash=False)
    """PEP 508 marker values (read-only); pass ``dict(markers)`` to ``Marker.evaluate``."""
    tags: tuple[Tag, ...] = field(repr=False)
    """Supported wheel tags, best first."""
    python_version: tuple[int, ...]
    """``(3, 11, 7)`` from an interpreter; ``(3, 12)`` or ``(3, 12, 3)`` as requested."""
    is_exact: bool
    """False when built from ``--python-version``: markers and tags are a projection."""
    priority: TagPriority = field(init=False, repr=False, compare=False, hash=False)
    """:attr:`tags` ranked for look-ups, made once per target: ranking one version's files
    (:func:`~puffin.index.selection.rank_files`) then costs a few dictionary look-ups."""

    def __post_init__(self) -> None:
        from puffin.index.selection import TagPriority

        object.__setattr__(self, "priority", TagPriority(self.tags))

    @property
    def python_full_version(self) -> str:
        """The ``python_full_version`` marker: what ``Requires-Python`` is checked against."""
        return self.markers["python_full_version"]

    def describe(self) -> str:
        """For messages: ``CPython 3.11.7 on Linux x86_64`` (``Python 3.12`` when projected)."""
        implementation = self.markers.get("platform_python_implementation", "Python")
        platform = (
            f"{self.markers.get('platform_system', '')} {self.markers.get('platform_machine', '')}"
        )
        version = (
            self.python_full_version if self.is_exact else ".".join(map(str, self.python_version))
        )
        return f"{implementation} {version} on {platform.strip()}"

    @classmethod
    def from_interpreter(cls, interpreter: Interpreter) -> TargetEnvironment:
        """The target that is exactly ``interpreter``."""
        return cls(
            interpreter=interpreter,
            markers=interpreter.markers,
            tags=interpreter.tags,
            python_version=interpreter.version,
            is_exact=True,
        )

    @classmethod
    def for_python_version(cls, interpreter: Interpreter, version: str) -> TargetEnvironment:
        """``interpreter``'s platform with Python ``version`` (``"3.12"`` or ``"3.12.3"``).

        ``python_version``, ``python_full_version`` (``3.12`` becomes ``3.12.0``) and, for
        CPython, ``implementation_version`` are replaced; the tags are recomputed for that
        version (``cp312`` ABI, same platforms).

        :raises UsageError: ``version`` is malformed or older than Python 3.8.
        """
        from puffin.environment.tags import compute_tags

        parsed = parse_python_version(version)
        full_version = ".".join(map(str, (*parsed, 0)[:3]))
        markers = dict(interpreter.markers)
        markers["python_version"] = f"{parsed[0]}.{parsed[1]}"
        markers["python_full_version"] = full_version
        # implementation_version is the Python version only for CPython; PyPy's is its own
        # release number, which --python-version says nothing about.
        if interpreter.implementation_name == "cpython":
            markers["implementation_version"] = full_version
        return cls(
            interpreter=interpreter,
            markers=MappingProxyType(markers),
            tags=compute_tags(interpreter.tag_facts, (parsed[0], parsed[1])),
            python_version=parsed,
            is_exact=False,
        )


def for_platform(target: TargetEnvironment, name: str) -> TargetEnvironment:
    """``target`` moved to another OS or architecture (``--python-platform NAME``).

    The Python version (and implementation) stay ``target``'s; the platform markers and
    the wheel tags become those of ``name``.
    """
    from puffin.environment.platforms import parse_platform, project_facts
    from puffin.environment.tags import compute_tags

    platform = parse_platform(name)
    markers = {**target.markers, **platform.markers}
    facts = project_facts(target.interpreter.tag_facts, platform)
    version = (target.python_version[0], target.python_version[1])
    return TargetEnvironment(
        interpreter=target.interpreter,
        markers=MappingProxyType(markers),
        # linux_<arch> names wheels built on one machine for itself; another machine's
        # platform cannot use them (uv leaves them out of projected targets too).
        tags=tuple(
            tag for tag in compute_tags(facts, version) if not tag.platform.startswith("linux_")
        ),
        python_version=target.python_version,
        is_exact=False,
    )


def parse_python_version(text: str) -> tuple[int, ...]:
    """``"3.12"`` -> ``(3, 12)``, ``"3.12.3"`` -> ``(3, 12, 3)``.

    :raises UsageError: not ``X.Y`` or ``X.Y.Z``, or older than Python 3.8.
    """
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise UsageError(
            f"Invalid Python version {text!r}: expected MAJOR.MINOR or MAJOR.MINOR.PATCH, "
            "such as 3.12 or 3.12.3"
        )
    version = tuple(int(part) for part in match.groups() if part is not None)
    if version[0] != 3 or version[:2] < MIN_TARGET_PYTHON:
        minimum = ".".join(map(str, MIN_TARGET_PYTHON))
        raise UsageError(
            f"Unsupported Python version {text!r}: puffin targets Python {minimum} and newer"
        )
    return version
