"""From options to package sources: which indexes and find-links a command uses.

The command line, ``PUFFIN_*`` variables, ``[tool.puffin]`` and requirement files all
name indexes; this module settles them into :class:`SourceOptions`, turns those into
:class:`~puffin.types.IndexSpec` values, asks the ``puffin_index_source`` hook for the
object that serves each one, and combines them into one :class:`~puffin.index.IndexSet`.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from puffin._values import value_type
from puffin.config.definitions import Kind, SettingDef
from puffin.config.load import resolve
from puffin.errors import PuffinError, UsageError

if TYPE_CHECKING:
    import argparse
    import ssl
    from collections.abc import AsyncIterator

    from puffin.context import Context
    from puffin.index.strategy import IndexSet
    from puffin.plugin.protocols import IndexSource
    from puffin.requirements.manifest import IndexOptions
    from puffin.types import Credentials, IndexSpec

DEFAULT_INDEX_URL = "https://pypi.org/simple/"
"""PyPI's simple API: the default pip uses."""

INDEX_URL = SettingDef("index_url", Kind.STRING, "the main package index")
EXTRA_INDEX_URL = SettingDef("extra_index_url", Kind.LIST, "more indexes", default=())
FIND_LINKS = SettingDef("find_links", Kind.LIST, "find-links locations", default=())
NO_INDEX = SettingDef("no_index", Kind.BOOL, "ignore every index", default=False)
INDEX_STRATEGY = SettingDef(
    "index_strategy",
    Kind.CHOICE,
    "how several indexes combine",
    ("first-index", "unsafe-best-match"),
    "first-index",
)
OFFLINE = SettingDef("offline", Kind.BOOL, "use only the cache", default=False)
HTTP_TIMEOUT = SettingDef("http_timeout", Kind.FLOAT, "HTTP timeout in seconds", default=30.0)

SOURCE_SETTINGS = (INDEX_URL, EXTRA_INDEX_URL, FIND_LINKS, NO_INDEX, INDEX_STRATEGY, OFFLINE)


@value_type
class SourceOptions:
    """Every option that decides where packages come from, after precedence."""

    index_url: str = DEFAULT_INDEX_URL
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    index_strategy: str = "first-index"
    offline: bool = False
    refresh: bool = False
    refresh_packages: frozenset[str] = frozenset()
    http_timeout: float = 30.0
    index_url_is_default: bool = True

    def specs(self) -> tuple[IndexSpec, ...]:
        """The configured locations in priority order: indexes first, then find-links."""
        from puffin.types import IndexKind, IndexSpec

        specs: list[IndexSpec] = []
        if not self.no_index:
            urls = (self.index_url, *self.extra_index_urls)
            for position, url in enumerate(dict.fromkeys(urls)):
                specs.append(
                    IndexSpec(
                        url,
                        IndexKind.SIMPLE,
                        position,
                        is_default=position == 0 and self.index_url_is_default,
                    )
                )
        for location in dict.fromkeys(self.find_links):
            specs.append(IndexSpec(location, IndexKind.FLAT, len(specs)))
        return tuple(specs)


def _unique(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


def source_options(
    args: argparse.Namespace, ctx: Context, files: IndexOptions | None = None
) -> SourceOptions:
    """Settle the source options of ``args`` with the environment, config and ``files``.

    The index URL: an explicit ``--index-url`` wins, then one from a requirement file, then
    ``PUFFIN_INDEX_URL``, then ``[tool.puffin] index-url``, then PyPI. Extra indexes and
    find-links accumulate from every source, in that order, without repeats.
    """

    def setting(definition: SettingDef, cli_value: Any) -> Any:
        value, _ = resolve(definition, {definition.name: cli_value}, ctx.environ, ctx.config)
        return value

    cli_index = getattr(args, "index_url", None)
    file_index = files.index_url if files is not None else None
    configured_index = setting(INDEX_URL, None)
    index_url = cli_index or file_index or configured_index
    extra = _unique(
        tuple(getattr(args, "extra_index_urls", None) or ()),
        tuple(setting(EXTRA_INDEX_URL, None) or ()),
        files.extra_index_urls if files is not None else (),
    )
    find_links = _unique(
        tuple(_absolute(item, ctx) for item in getattr(args, "find_links", None) or ()),
        tuple(_absolute(item, ctx) for item in setting(FIND_LINKS, None) or ()),
        files.find_links if files is not None else (),
    )
    no_index = bool(
        setting(NO_INDEX, getattr(args, "no_index", None)) or (files is not None and files.no_index)
    )
    refresh_packages = getattr(args, "refresh_packages", None) or ()
    from packaging.utils import canonicalize_name

    try:
        timeout = float(setting(HTTP_TIMEOUT, None))
    except ValueError:
        raise UsageError("PUFFIN_HTTP_TIMEOUT must be a number of seconds") from None
    return SourceOptions(
        index_url=index_url or DEFAULT_INDEX_URL,
        extra_index_urls=extra,
        find_links=find_links,
        no_index=no_index,
        index_strategy=setting(INDEX_STRATEGY, getattr(args, "index_strategy", None)),
        offline=bool(setting(OFFLINE, getattr(args, "offline", None))),
        refresh=bool(getattr(args, "refresh", None)),
        refresh_packages=frozenset(canonicalize_name(name) for name in refresh_packages),
        http_timeout=timeout,
        index_url_is_default=not index_url,
    )


def _absolute(location: str, ctx: Context) -> str:
    """A relative find-links path is relative to the working directory."""
    if "://" in location:
        return location
    from pathlib import Path

    path = Path(location).expanduser()
    return str(path if path.is_absolute() else ctx.cwd / path)


class NoSourceForLocation(PuffinError):
    """No plugin claimed an index or find-links location."""


def _claim_locations(
    ctx: Context, options: SourceOptions
) -> tuple[list[IndexSource], list[IndexSource]]:
    """The source serving each index and each find-links location, in order.

    :raises NoSourceForLocation: no plugin claims a location.
    """
    from puffin.client.redact import redact_url
    from puffin.types import IndexKind

    simple: list[IndexSource] = []
    flat: list[IndexSource] = []
    for spec in options.specs():
        source = ctx.hooks.index_source(spec, ctx)
        if source is None:
            kind = "index" if spec.kind is IndexKind.SIMPLE else "find-links location"
            raise NoSourceForLocation(
                f"no plugin serves the {kind} {redact_url(spec.url)} (scheme {spec.scheme!r})",
                hint="install a plugin that handles this scheme, or check the URL",
            )
        (simple if spec.kind is IndexKind.SIMPLE else flat).append(source)
    return simple, flat


@asynccontextmanager
async def open_sources(
    ctx: Context, options: SourceOptions, *, ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[Context, IndexSet]]:
    """Open the HTTP client and every configured source, for one command's event loop.

    Yields a context that carries the client, the source options (index sources and
    credential plugins receive it), the :class:`~puffin.index.strategy.IndexSet` and the
    in-flight map that the command and all its resolutions and builds share, and that
    index set again. Each location is served by the first plugin
    whose ``puffin_index_source`` claims it; a location nobody claims is a user error.
    """
    from puffin import __version__
    from puffin.client import ClientOptions, open_client
    from puffin.index.strategy import IndexSet, IndexStrategy

    client_options = ClientOptions(
        timeout=options.http_timeout,
        offline=options.offline,
        refresh=options.refresh,
        user_agent=f"puffin/{__version__}",
    )

    contexts: list[Context] = []
    from puffin.cache.writes import WriteBehind
    from puffin.index.page_worker import PageReaders

    writes = WriteBehind(on_error=ctx.reporter.debug)
    readers = PageReaders()

    def credentials(url: str, username: str | None) -> Credentials | None:
        # Called only once the client below is open: plugins get the command's context
        # (with its client and source options), as the hook's contract says.
        return ctx.hooks.get_credentials(url, contexts[-1] if contexts else ctx, username=username)

    try:
        async with open_client(
            client_options,
            cache_dir=ctx.cache.root,
            credentials=credentials,
            log=ctx.reporter.debug,
            environ=ctx.environ,
            writes=writes,
            ssl_context=ssl_context,
        ) as client:
            command_ctx = ctx._replace(
                client=client, source_options=options, writes=writes, page_readers=readers
            )
            contexts.append(command_ctx)
            simple, flat = _claim_locations(command_ctx, options)
            from puffin.concurrency import InFlight

            index_set = IndexSet(simple, flat, IndexStrategy(options.index_strategy))
            inflight = InFlight()
            try:
                yield command_ctx._replace(index_set=index_set, inflight=inflight), index_set
            finally:
                # Work nobody awaits any more (prefetches, builds after a failure) stops here,
                # before the client closes under it.
                await inflight.cancel_all()
    finally:
        readers.close()
        # Every cache file of the command is on disk before it returns (the next command,
        # or this one's install step, may read them).
        writes.close()
