"""The anchors of an HTML page (PEP 503 project pages, ``--find-links`` pages), for
:mod:`puffin.index.simple`, which imports this module only when a page is HTML."""

from __future__ import annotations

from html.parser import HTMLParser

__all__ = ["Anchor", "LinkParser"]

Anchor = tuple[dict[str, str | None], list[str]]
"""An anchor's attributes and the pieces of its text."""


class LinkParser(HTMLParser):
    """Collects anchors (attributes and text), the first ``<base href>`` and the API version.

    HTMLParser lowercases tag and attribute names, unescapes attribute values and tolerates
    unclosed tags; an anchor left open ends at the next ``<a>``.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[Anchor] = []
        self.base_href: str | None = None
        self.api_version: str | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            attributes = dict(attrs)
            if attributes.get("href"):
                self._text = []
                self.anchors.append((attributes, self._text))
            else:
                self._text = None
        elif tag == "base":
            # Only the first <base href> counts (HTML's rule).
            href = dict(attrs).get("href")
            if href and self.base_href is None:
                self.base_href = href.strip()
        elif tag == "meta":
            attributes = dict(attrs)
            if attributes.get("name") == "pypi:repository-version":
                self.api_version = attributes.get("content")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)
