"""Git checkouts for a command: one fetch per repository and revision, shared in flight."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from puffin.context import Context
    from puffin.vcs.git import GitCheckout


async def checkout_for_url(ctx: Context, url: str) -> GitCheckout:
    """The checkout a ``git+`` URL names, from the git cache (fetched when needed)."""
    from puffin.vcs.git import GitUrl, fetch_git

    parsed = GitUrl.parse(url)
    offline = ctx.source_options.offline if ctx.source_options is not None else False

    async def fetch() -> GitCheckout:
        return await fetch_git(
            parsed,
            ctx.cache.bucket("git-v1"),
            offline=offline,
            environ=ctx.environ,
            log=ctx.reporter.debug,
        )

    if ctx.inflight is None:
        return await fetch()
    return await ctx.inflight.run(("git", parsed), fetch)
