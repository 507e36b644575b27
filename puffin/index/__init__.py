"""Index listings: parse simple-API pages and find-links, choose files, combine sources.

Pure code over bytes and :class:`~puffin.types.DistFile` values; fetching is the job of the
index sources (``puffin_index_source``). The modules, one job each:

* :mod:`~puffin.index.filenames`: what a wheel or sdist file name says;
* :mod:`~puffin.index.simple`: PEP 503 HTML and PEP 691 JSON project pages;
* :mod:`~puffin.index.flat`: ``--find-links`` directories and pages (:class:`FlatIndex`);
* :mod:`~puffin.index.selection`: files by version, and the best file for a target;
* :mod:`~puffin.index.strategy`: several indexes as one (:class:`IndexSet`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin._lazy import lazy_exports

if TYPE_CHECKING:
    from puffin.index.filenames import DistFilename, parse_dist_filename
    from puffin.index.flat import FlatIndex
    from puffin.index.selection import (
        TagPriority,
        group_by_version,
        incompatible_wheels,
        prefer_find_links,
        rank_files,
    )
    from puffin.index.simple import (
        IndexPageError,
        ProjectPage,
        parse_html_links,
        parse_project_list,
        parse_project_page,
    )
    from puffin.index.strategy import IndexSet, IndexStrategy

# Imported on first use: a command that reads one page should not load the whole package.
_LAZY = {
    "DistFilename": "puffin.index.filenames",
    "FlatIndex": "puffin.index.flat",
    "IndexPageError": "puffin.index.simple",
    "IndexSet": "puffin.index.strategy",
    "IndexStrategy": "puffin.index.strategy",
    "ProjectPage": "puffin.index.simple",
    "TagPriority": "puffin.index.selection",
    "group_by_version": "puffin.index.selection",
    "incompatible_wheels": "puffin.index.selection",
    "parse_dist_filename": "puffin.index.filenames",
    "parse_html_links": "puffin.index.simple",
    "parse_project_list": "puffin.index.simple",
    "parse_project_page": "puffin.index.simple",
    "prefer_find_links": "puffin.index.selection",
    "rank_files": "puffin.index.selection",
}

__getattr__ = lazy_exports(__name__, _LAZY)

__all__ = [
    "DistFilename",
    "FlatIndex",
    "IndexPageError",
    "IndexSet",
    "IndexStrategy",
    "ProjectPage",
    "TagPriority",
    "group_by_version",
    "incompatible_wheels",
    "parse_dist_filename",
    "parse_html_links",
    "parse_project_list",
    "parse_project_page",
    "prefer_find_links",
    "rank_files",
]
