"""The context object: everything a command shares, passed explicitly, never global.

One :class:`Context` is made per command. Settings, hooks, reporter and cache travel in it
to every layer and to every hook that takes ``ctx``. The HTTP client, the index set and
the in-flight map join it for the duration of a command's event loop, so the command's
resolution and every build-requirement sub-resolution share one of each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from puffin.build.options import BuildOptions
    from puffin.cache.dirs import Cache
    from puffin.cache.writes import WriteBehind
    from puffin.client import HttpClient
    from puffin.concurrency import InFlight
    from puffin.config.load import ConfigLayers
    from puffin.config.settings import Settings
    from puffin.index.page_worker import PageReaders
    from puffin.index.strategy import IndexSet
    from puffin.install.unpack_workers import UnpackWorkers
    from puffin.plugin.hooks import Hooks
    from puffin.plugin.protocols import Reporter
    from puffin.sources import SourceOptions


class Context(NamedTuple):
    """What one command runs with. Immutable; derive a changed one with ``ctx._replace(...)``.

    A NamedTuple rather than a dataclass: it is made on every run, and a frozen dataclass
    costs measurably more start-up time to define.
    """

    settings: Settings
    hooks: Hooks
    reporter: Reporter
    cache: Cache
    config: ConfigLayers
    """The config files read, so commands can resolve their own settings the same way."""
    environ: Mapping[str, str]
    """A snapshot of the process environment taken when the command started."""
    cwd: Path
    source_options: SourceOptions | None = None
    """Where packages come from (indexes, find-links, refresh, offline), for commands that
    use package sources."""
    client: HttpClient | None = None
    """The HTTP client, for commands that use the network, while their event loop runs.

    Commands that need it open one with :func:`puffin.client.open_client` and derive a
    context that carries it (``ctx._replace(client=client)``); index sources and
    credential plugins receive that context.
    """
    index_set: IndexSet | None = None
    """The command's indexes and find-links, shared by every resolution in it."""
    inflight: InFlight | None = None
    """Work done once per command (metadata, downloads, unpacking, builds, build
    environments), shared by the top-level resolution and every build."""
    build: BuildOptions | None = None
    """How this command builds, for commands that may build."""
    build_chain: tuple[str, ...] = ()
    """The builds this context works for, outermost first: a build whose requirements
    need a build already in the chain is a cycle."""
    writes: WriteBehind | None = None
    """Cache files the command stores without waiting (pages, their readings, wheel
    metadata), written on a background thread; the command waits for them at its end."""
    page_readers: PageReaders | None = None
    """The worker process that reads large index pages on another core, for commands
    that use package sources."""
    unpackers: UnpackWorkers | None = None
    """Worker processes that unpack wheels, while an install unpacks many megabytes
    (None: wheels are unpacked on threads)."""
