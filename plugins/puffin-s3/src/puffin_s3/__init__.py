"""puffin-s3: package indexes and find-links locations in S3 buckets (``s3://``).

A puffin plugin, written against the public plugin API (:mod:`puffin.plugin`) only::

    puffin pip install --index-url s3://my-bucket/simple my-package
    puffin pip install --find-links s3://my-bucket/wheels my-package

This module is what the ``s3`` entry point loads, on every puffin command: it holds the
hooks and nothing heavy. The source (:mod:`puffin_s3.source`) and botocore are imported
only when a command uses an ``s3://`` location.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from puffin.plugin import hookimpl

if TYPE_CHECKING:
    from puffin.plugin import IndexSpec, OptionRegistry

    from puffin_s3.source import Context, S3IndexSource

__version__ = "0.1.0"

__all__ = ["__version__", "puffin_add_options", "puffin_index_source"]


@hookimpl
def puffin_add_options(parser: OptionRegistry) -> None:
    """``--s3-addressing-style`` and ``--s3-no-sign-request`` (and their variables)."""
    parser.add_option(
        "s3_addressing_style",
        help="S3 URL style: path (default with AWS_ENDPOINT_URL), virtual, or auto (AWS)",
        choices=("auto", "path", "virtual"),
    )
    parser.add_option(
        "s3_no_sign_request",
        help="read s3:// locations anonymously (public buckets), without AWS credentials",
        kind="bool",
        default=False,
    )


@hookimpl
def puffin_index_source(spec: IndexSpec, ctx: Context) -> S3IndexSource | None:
    """Serve ``s3://bucket/prefix`` index URLs and find-links locations."""
    if spec.scheme != "s3":
        return None
    from puffin_s3.source import S3IndexSource

    return S3IndexSource(spec, ctx)
