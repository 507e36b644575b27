"""Reading index pages and files from the local file system (``file:`` URLs and paths)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from puffin.types.answer import Failed, Found, NotFound

if TYPE_CHECKING:
    from puffin.context import Context
    from puffin.types.answer import Answer
    from puffin.types.dist import DistFile


def path_of(location: str) -> Path:
    """The path a ``file:`` URL or a plain path names."""
    from puffin.distribution.fetch import local_path

    return local_path(location) or Path(location).expanduser()


def read_local_page(url: str) -> Answer[tuple[bytes, str, str]]:
    """A project page of a simple index on disk: ``index.html`` in the project directory.

    Returns the content, its content type and the page's URL (for relative links).
    """
    directory = path_of(url)
    for name, content_type in (
        ("index.json", "application/vnd.pypi.simple.v1+json"),
        ("index.html", "text/html"),
    ):
        page = directory / name
        try:
            return Found((page.read_bytes(), content_type, page.as_uri()))
        except FileNotFoundError:
            continue
        except OSError as error:
            return Failed(str(page), error.strerror or str(error))
    return NotFound(str(directory))


def copy_local_file(file: DistFile, dest: Path) -> Answer[Path]:
    """Copy a local distribution to ``dest``, checking the hashes the source gave."""
    source = path_of(file.url)
    if not source.is_file():
        return NotFound(str(source))
    temporary = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, temporary)
        for algorithm, expected in file.hashes:
            actual = hashlib.new(algorithm, temporary.read_bytes()).hexdigest()
            if actual != expected:
                temporary.unlink(missing_ok=True)
                return Failed(
                    file.filename,
                    f"hash mismatch for {file.filename}: expected {algorithm}:{expected}, "
                    f"got {algorithm}:{actual}",
                )
        os.replace(temporary, dest)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        return Failed(str(source), error.strerror or str(error))
    return Found(dest)


async def fetch_file(ctx: Context, file: DistFile, dest: Path) -> Answer[Path]:
    """Copy a local file or download a remote one to ``dest``, checking its hashes.

    Shared by the built-in index sources: where a file lives decides how it is fetched,
    not which kind of source listed it.
    """
    if file.url.startswith("file:"):
        return copy_local_file(file, dest)
    client = ctx.client
    if client is None:
        return Failed(file.url, "no HTTP client in this command")
    return await client.download(file.url, dest, hashes=dict(file.hashes))


def anonymous_url(file: DistFile) -> str | None:
    """The URL the built-in sources fetch ``file`` from, when it is an http(s) URL: they
    add nothing but the client's own credentials, which decide whether a bare GET will do
    (:meth:`~puffin.client.HttpClient.plain_request`)."""
    url = file.url.partition("#")[0]
    return url if url.startswith(("https://", "http://")) else None
