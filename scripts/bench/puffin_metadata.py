#!/usr/bin/env python3
"""Fetch the core metadata of every pin of a requirements file, the way a resolver would.

Usage: puffin_metadata.py PINNED.txt [puffin options...]

For each ``name==version`` line: list the project's files on the configured sources, pick
the best file of that version for the target, and fetch its METADATA (PEP 658 file, range
requests, or the whole wheel), all concurrently. Prints one JSON line with the counts and
the HTTP requests made, for scripts/bench/run.py. This is the work a cold resolution
cannot avoid, so it is compared with ``uv pip compile`` of the same set.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

from packaging.utils import canonicalize_name
from packaging.version import Version

from puffin.cli.app import bootstrap
from puffin.index.selection import TagPriority, group_by_version, rank_files
from puffin.sources import open_sources, source_options
from puffin.targets import target_for_args
from puffin.types import Found


def read_pins(path: str) -> list[tuple[str, str]]:
    pins = []
    with open(path, encoding="utf-8") as handle:
        lines = handle.readlines()
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if "==" in text:
            name, _, version = text.partition("==")
            pins.append((name.split("[")[0].strip(), version.split(";")[0].strip()))
    return pins


async def fetch_all(pins, ns, ctx) -> dict[str, int]:
    options = source_options(ns, ctx)
    target = target_for_args(ns, ctx)
    priority = TagPriority(target.tags)
    counts = {"pins": len(pins), "metadata": 0, "sdist_only": 0, "missing": 0}
    async with open_sources(ctx, options) as (command_ctx, index_set):

        async def one(name: str, version: str) -> None:
            project = canonicalize_name(name)
            listing = await index_set.project_files(project)
            if not isinstance(listing, Found):
                counts["missing"] += 1
                return
            files = group_by_version(listing.value, project=project).get(Version(version), ())
            ranked = rank_files(files, priority)
            wheels = [file for file in ranked if file.is_wheel]
            if not wheels:
                counts["sdist_only" if ranked else "missing"] += 1
                return
            source = index_set.source_for(wheels[0])
            assert source is not None
            answer = await source.fetch_metadata(wheels[0])
            if isinstance(answer, Found):
                counts["metadata"] += 1
            else:
                counts["missing"] += 1
                print(f"{name}=={version}: {answer}", file=sys.stderr)

        await asyncio.gather(*(one(name, version) for name, version in pins))
        assert command_ctx.client is not None
        stats = command_ctx.client.stats
        counts["http_requests"] = stats.requests
        counts["retries"] = stats.retries
        counts["cache_hits"] = stats.cache_hits
        counts["revalidations"] = stats.revalidations
        counts["bytes_downloaded"] = stats.bytes_downloaded
    return counts


def main() -> None:
    pins = read_pins(sys.argv[1])
    started = time.perf_counter()
    # Any command with index and python options parses the same flags.
    ns, ctx = bootstrap(["pip", "index", "versions", "x", *sys.argv[2:]], dict(os.environ))
    try:
        counts = asyncio.run(fetch_all(pins, ns, ctx))
    finally:
        ctx.cache.close()
    counts["seconds"] = round(time.perf_counter() - started, 3)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
