"""Fetching one distribution file into the cache, once per command however many ask.

Wheels and sdists land in the ``archive-v1`` bucket under their sha256 (or, when the index
gives no hash, :func:`~puffin.distribution.fetch.unhashed_file_key`), so a file fetched
once is never fetched again.
Within a command the in-flight map makes concurrent requests for one file (the
top-level install and ten build environments all wanting setuptools) share one download.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin.errors import PuffinError

if TYPE_CHECKING:
    from pathlib import Path

    from puffin.context import Context
    from puffin.types import Answer, DistFile

ARCHIVE_BUCKET = "archive-v1"


class DownloadFailed(PuffinError):
    """A distribution file could not be fetched; the message names it and why."""


def archive_path(ctx: Context, file: DistFile) -> Path:
    """Where ``file`` is kept in the cache."""
    from puffin.distribution.fetch import unhashed_file_key

    key = file.hash("sha256") or unhashed_file_key(file)
    return ctx.cache.bucket(ARCHIVE_BUCKET) / key[:32] / file.filename


async def fetch_distribution(ctx: Context, file: DistFile) -> Path:
    """The local path of ``file`` in the cache, fetched (hash-checked) if not there yet.

    Fetched by the index source that listed the file, or directly for the files of
    ``name @ url`` requirements and paths. Raises :class:`DownloadFailed`.
    """
    dest = archive_path(ctx, file)
    if dest.is_file():
        return dest  # fetched and checked by an earlier command
    if ctx.inflight is None:
        return await _fetch(ctx, file, dest)
    return await ctx.inflight.run(("download", dest), lambda: _fetch(ctx, file, dest))


async def _fetch(ctx: Context, file: DistFile, dest: Path) -> Path:
    from puffin.types import Found

    dest.parent.mkdir(parents=True, exist_ok=True)
    source = ctx.index_set.source_for(file) if ctx.index_set is not None else None
    answer: Answer[Path]
    if source is None:
        from puffin.builtin._local import fetch_file

        answer = await fetch_file(ctx, file, dest)
    else:
        answer = await source.fetch_file(file, dest)
    if not isinstance(answer, Found):
        reason = getattr(answer, "reason", None) or "not in the cache (offline)"
        raise DownloadFailed(f"could not fetch {file.filename}: {reason}")
    return answer.value
