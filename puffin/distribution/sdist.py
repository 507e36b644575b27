"""Core metadata of a source distribution without building it (PEP 643).

An sdist's ``PKG-INFO`` with Metadata-Version 2.2 or later lists which fields are
``Dynamic``; every other field is guaranteed to match the wheels a build would produce.
When ``Requires-Dist`` (and ``Requires-Python``) are not dynamic, the dependencies are
known from the archive alone, as uv and pip do.
"""

from __future__ import annotations

import tarfile
import zipfile
from typing import TYPE_CHECKING

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from pathlib import Path


def read_pkg_info(path: Path) -> bytes:
    """The top-level ``PKG-INFO`` of a ``.tar.gz`` or ``.zip`` sdist."""
    name = path.name.lower()
    try:
        if name.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    if member.count("/") == 1 and member.endswith("/PKG-INFO"):
                        return archive.read(member)
        else:
            with tarfile.open(path) as archive:
                for info in archive:
                    if (
                        info.isfile()
                        and info.name.count("/") == 1
                        and info.name.endswith("/PKG-INFO")
                    ):
                        handle = archive.extractfile(info)
                        if handle is not None:
                            return handle.read()
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as error:
        raise PuffinError(f"cannot read source distribution {path.name}: {error}") from None
    raise PuffinError(f"source distribution {path.name} has no PKG-INFO")


def static_dependencies_known(metadata_version: str | None, dynamic: tuple[str, ...]) -> bool:
    """True when PKG-INFO's dependencies can be trusted without a build (PEP 643)."""
    if metadata_version is None:
        return False
    try:
        major, minor = (int(part) for part in metadata_version.split(".")[:2])
    except ValueError:
        return False
    if (major, minor) < (2, 2):
        return False
    return "requires-dist" not in dynamic and "requires-python" not in dynamic
