"""Built-in plugin ``index_registry``: PEP 503 / PEP 691 simple-API indexes.

Serves every ``--index-url`` / ``--extra-index-url`` with an ``http``, ``https`` or
``file`` scheme, registered ``trylast`` so a plugin can claim any URL first (for instance
to add its own authentication or transport).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin.plugin.markers import hookimpl

# Value types are imported inside functions: every command loads built-in plugins at
# start-up, and only commands that use package sources should pay for these modules.
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from packaging.utils import NormalizedName

    from puffin.context import Context
    from puffin.types.answer import Answer
    from puffin.types.dist import DistFile
    from puffin.types.index import IndexSpec

ACCEPT = (
    "application/vnd.pypi.simple.v1+json, "
    "application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)
"""PEP 691 content negotiation: JSON preferred, HTML (either spelling) accepted."""


class RegistrySource:
    """One simple-API index. Lists a project's files; fetches metadata and files."""

    def __init__(self, spec: IndexSpec, ctx: Context) -> None:
        self._spec = spec
        self._ctx = ctx
        self._base = spec.url if spec.url.endswith("/") else spec.url + "/"

    @property
    def spec(self) -> IndexSpec:
        """The index this source serves."""
        return self._spec

    def project_url(self, name: NormalizedName) -> str:
        """The project page: ``<index>/<normalized-name>/`` (PEP 503)."""
        return f"{self._base}{name}/"

    async def list_files(self, name: NormalizedName) -> Answer[Sequence[DistFile]]:
        """Every file of ``name`` on this index (NotFound for a 404 or a page that lists
        nothing), grouped by version and each built when first read: a JSON page as an
        :class:`~puffin.index.unread_page.UnreadPage`, read only as far as needed; an
        HTML page read at once."""
        from puffin.builtin._local import read_local_page
        from puffin.client import CacheMode
        from puffin.index.simple import JSON_CONTENT_TYPES, split_content_type
        from puffin.index.unread_page import UnreadPage
        from puffin.types.answer import Failed, Found, NotFound

        url = self.project_url(name)
        if self._spec.scheme == "file":
            local = read_local_page(url)
            if not isinstance(local, Found):
                return local
            content, content_type, final_url = local.value
        else:
            client = self._ctx.client
            if client is None:
                return Failed(url, "no HTTP client in this command")
            options = self._ctx.source_options
            refresh = options is not None and name in options.refresh_packages
            answer = await client.get(
                url, accept=ACCEPT, cache=CacheMode.REVALIDATE if refresh else CacheMode.DEFAULT
            )
            if not isinstance(answer, Found):
                return answer
            response = answer.value
            content = response.content
            content_type = response.headers.get("content-type", "text/html")
            final_url = response.url
        # Read only as far as the resolutions need: a pinned version's files are found in
        # a JSON page's bytes (see puffin.index.unread_page).
        page = UnreadPage(
            self._ctx.cache,
            content,
            content_type=content_type,
            url=final_url,
            source=self._spec,
            project=name,
            writes=self._ctx.writes,
            readers=self._ctx.page_readers,
        )
        if split_content_type(content_type)[0] in JSON_CONTENT_TYPES and page.lists_files():
            return Found(page)
        files = await page.listing()
        versions = page.versions
        if not files and not versions:
            return NotFound(url)
        return Found(files)

    async def fetch_metadata(self, file: DistFile) -> Answer[bytes]:
        """METADATA of a wheel: PEP 658 file, else range requests, else the whole wheel."""
        from puffin.distribution.fetch import fetch_core_metadata

        return await fetch_core_metadata(
            file, client=self._ctx.client, cache=self._ctx.cache, writes=self._ctx.writes
        )

    def anonymous_url(self, file: DistFile) -> str | None:
        """``file``'s own http(s) URL (see :class:`~puffin.plugin.AnonymousFiles`)."""
        from puffin.builtin._local import anonymous_url

        return anonymous_url(file)

    async def fetch_file(self, file: DistFile, dest: Path) -> Answer[Path]:
        """Download ``file`` to ``dest``, checking every hash the index gave."""
        from puffin.builtin._local import fetch_file

        return await fetch_file(self._ctx, file, dest)


@hookimpl(trylast=True)
def puffin_index_source(spec: IndexSpec, ctx: Context) -> RegistrySource | None:
    """Serve simple-API indexes reached over http, https or file URLs."""
    from puffin.types.index import IndexKind

    if spec.kind is not IndexKind.SIMPLE or spec.scheme not in ("http", "https", "file"):
        return None
    return RegistrySource(spec, ctx)
