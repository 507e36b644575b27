"""The solver's packages: projects, their extras, the root and the target Python."""

from __future__ import annotations

from typing import Final, NamedTuple

from packaging.utils import canonicalize_name

# Normalized project names are [a-z0-9-] only, so these can never clash with a project.
_ROOT_NAME: Final = ":root:"
_PYTHON_NAME: Final = ":python:"


class Package(NamedTuple):
    """A package the solver chooses one version of.

    ``name`` is a normalized project name and ``extra`` a PEP 685-normalized extra.
    ``name[extra]`` is a virtual package: the provider makes it depend on ``name`` at the
    same version, and the solver treats it like any other package. Two special packages
    exist, :data:`ROOT` (the user's requirements) and :data:`PYTHON` (the target Python,
    whose single version is the target's, so ``Requires-Python`` conflicts are ordinary
    incompatibilities).

    A named tuple: hashing and equality run in C, and the solver hashes packages a lot.
    """

    name: str
    extra: str | None = None

    @classmethod
    def project(cls, name: str, extra: str | None = None) -> Package:
        """A package from unnormalized names (``Foo_Bar``, ``[Security]``)."""
        return cls(canonicalize_name(name), None if extra is None else canonicalize_name(extra))

    @property
    def is_root(self) -> bool:
        """Whether this is :data:`ROOT`."""
        return self.name == _ROOT_NAME

    @property
    def is_python(self) -> bool:
        """Whether this is :data:`PYTHON`."""
        return self.name == _PYTHON_NAME

    @property
    def base(self) -> Package:
        """The project itself, without the extra."""
        return self if self.extra is None else Package(self.name)

    def __str__(self) -> str:
        if self.name == _ROOT_NAME:
            return "the root"
        if self.name == _PYTHON_NAME:
            return "Python"
        if self.extra is None:
            return self.name
        return f"{self.name}[{self.extra}]"

    def __repr__(self) -> str:
        if self.extra is None:
            return f"Package({self.name!r})"
        return f"Package({self.name!r}, {self.extra!r})"


ROOT: Final = Package(_ROOT_NAME)
"""The user's requirements: the package every resolution starts from."""

PYTHON: Final = Package(_PYTHON_NAME)
"""The target Python; the provider answers its only version, the target's."""
