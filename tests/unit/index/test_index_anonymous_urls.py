"""The built-in sources offer their files' http(s) URLs for fetching in a worker
(puffin.plugin.AnonymousFiles); the client decides whether a bare GET will do."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pytest

from puffin.builtin.index_flat import FlatSource
from puffin.builtin.index_registry import RegistrySource
from puffin.plugin import AnonymousFiles
from puffin.types.dist import DistFile
from puffin.types.index import IndexKind, IndexSpec

if TYPE_CHECKING:
    from puffin.context import Context

SIMPLE = IndexSpec("https://index.test/simple/", IndexKind.SIMPLE)
FLAT = IndexSpec("https://links.test/wheels/", IndexKind.FLAT)


@pytest.mark.parametrize(
    ("source", "spec"), [(RegistrySource, SIMPLE), (FlatSource, FLAT)], ids=["simple", "flat"]
)
def test_builtin_sources_offer_their_files_urls(source: type, spec: IndexSpec) -> None:
    # The sources keep the context for their fetches; naming a URL needs none.
    served = source(spec, cast("Context", None))
    assert isinstance(served, AnonymousFiles)
    wheel = "demo-1.0-py3-none-any.whl"
    remote = DistFile(wheel, f"https://files.test/p/{wheel}#sha256=ab", spec)
    assert served.anonymous_url(remote) == f"https://files.test/p/{wheel}"
    plain = DistFile(wheel, f"http://files.test/p/{wheel}", spec)
    assert served.anonymous_url(plain) == f"http://files.test/p/{wheel}"
    local = DistFile(wheel, f"file:///wheels/{wheel}", spec)
    assert served.anonymous_url(local) is None
