"""A third-party index type for tests: ``testidx://<directory>``.

It uses only ``puffin.plugin`` (and packaging), exactly as an outside plugin would: the
directory's distribution files are offered as if they came from a custom registry.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

from puffin.plugin import DistFile, Failed, Found, IndexSpec, NotFound, hookimpl


def _project(filename: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[0]
        return parse_sdist_filename(filename)[0]
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


class TestIndexSource:
    """Serves the files of one directory named by a ``testidx://`` URL."""

    def __init__(self, spec: IndexSpec) -> None:
        self._spec = spec
        self._root = Path(spec.url.removeprefix("testidx://"))

    @property
    def spec(self) -> IndexSpec:
        return self._spec

    async def list_files(self, name):  # type: ignore[no-untyped-def]
        files = tuple(
            DistFile(path.name, path.as_uri(), self._spec)
            for path in sorted(self._root.iterdir())
            if _project(path.name) == canonicalize_name(name)
        )
        return Found(files) if files else NotFound(f"{name} in {self._spec.url}")

    async def fetch_metadata(self, file):  # type: ignore[no-untyped-def]
        return Failed(file.filename, "testidx serves no metadata")

    async def fetch_file(self, file, dest):  # type: ignore[no-untyped-def]
        shutil.copyfile(self._root / file.filename, dest)
        return Found(dest)


@hookimpl
def puffin_index_source(spec: IndexSpec, ctx: object) -> TestIndexSource | None:
    if spec.scheme != "testidx":
        return None
    return TestIndexSource(spec)
