"""Built-in plugin ``index_flat``: ``--find-links`` directories and HTML pages of links.

A location is read once per command, the first time any project is asked for, and the
listing is kept in the source object, which the command shares between every resolution
(build-requirement resolutions included).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin.plugin.markers import hookimpl

# Value types are imported inside functions: every command loads built-in plugins at
# start-up, and only commands that use package sources should pay for these modules.
if TYPE_CHECKING:
    import asyncio
    from pathlib import Path

    from packaging.utils import NormalizedName

    from puffin.context import Context
    from puffin.index.flat import FlatIndex
    from puffin.types.answer import Answer
    from puffin.types.dist import DistFile
    from puffin.types.index import IndexSpec


class FlatSource:
    """One find-links location: a directory of distributions or a page of links."""

    def __init__(self, spec: IndexSpec, ctx: Context) -> None:
        self._spec = spec
        self._ctx = ctx
        self._listing: asyncio.Future[Answer[FlatIndex]] | None = None

    @property
    def spec(self) -> IndexSpec:
        """The location this source serves."""
        return self._spec

    async def listing(self) -> Answer[FlatIndex]:
        """The whole listing, read on first use and shared by every later caller."""
        import asyncio

        if self._listing is None:
            self._listing = asyncio.get_running_loop().create_future()
            try:
                self._listing.set_result(await self._read())
            except BaseException as error:
                self._listing.set_exception(error)
                raise
        return await asyncio.shield(self._listing)

    async def _read(self) -> Answer[FlatIndex]:
        from puffin.builtin._local import path_of
        from puffin.index.flat import FlatIndex
        from puffin.types.answer import Failed, Found

        if self._spec.scheme in ("http", "https"):
            client = self._ctx.client
            if client is None:
                return Failed(self._spec.url, "no HTTP client in this command")
            answer = await client.get(self._spec.url, accept="text/html")
            if not isinstance(answer, Found):
                return answer
            response = answer.value
            return Found(FlatIndex.from_html(response.content, url=response.url, source=self._spec))
        path = path_of(self._spec.url)
        if path.is_dir():
            return Found(FlatIndex.from_directory(path, self._spec))
        if path.is_file():
            return Found(
                FlatIndex.from_html(path.read_bytes(), url=path.as_uri(), source=self._spec)
            )
        return Failed(str(path), "find-links location does not exist")

    async def list_files(self, name: NormalizedName) -> Answer[tuple[DistFile, ...]]:
        """The files of ``name`` at this location."""
        from puffin.types.answer import Found, NotFound

        listing = await self.listing()
        if not isinstance(listing, Found):
            return listing
        files = listing.value.files(name)
        return Found(files) if files else NotFound(f"{name} in {self._spec.url}")

    async def fetch_metadata(self, file: DistFile) -> Answer[bytes]:
        """METADATA of a wheel, from disk or over HTTP."""
        from puffin.distribution.fetch import fetch_core_metadata

        return await fetch_core_metadata(
            file, client=self._ctx.client, cache=self._ctx.cache, writes=self._ctx.writes
        )

    def anonymous_url(self, file: DistFile) -> str | None:
        """``file``'s own http(s) URL (see :class:`~puffin.plugin.AnonymousFiles`)."""
        from puffin.builtin._local import anonymous_url

        return anonymous_url(file)

    async def fetch_file(self, file: DistFile, dest: Path) -> Answer[Path]:
        """Copy or download ``file`` to ``dest``."""
        from puffin.builtin._local import fetch_file

        return await fetch_file(self._ctx, file, dest)


@hookimpl(trylast=True)
def puffin_index_source(spec: IndexSpec, ctx: Context) -> FlatSource | None:
    """Serve find-links directories, local HTML pages and http(s) pages of links."""
    from puffin.types.index import IndexKind

    if spec.kind is not IndexKind.FLAT or spec.scheme not in ("http", "https", "file"):
        return None
    return FlatSource(spec, ctx)
