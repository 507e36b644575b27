"""The global cache: versioned buckets under one root directory."""

from __future__ import annotations

from puffin.cache.dirs import Cache, default_cache_dir

__all__ = ["Cache", "default_cache_dir"]
