"""Markdown to sanitised HTML: the only place user text becomes markup.

markdown-it-py renders with raw HTML disabled, then bleach keeps only a short list of tags,
attributes and URL schemes, so script tags, event handlers and javascript:/data: links never
reach a page even if the renderer let something through.
"""
from __future__ import annotations

from functools import lru_cache

import bleach
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "s",
})
ALLOWED_ATTRIBUTES = {"a": ["href", "title"], "th": ["align"], "td": ["align"], "ol": ["start"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"])


def _link_attrs(attrs, new=False):
    attrs[(None, "rel")] = "nofollow noopener noreferrer"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS, strip=True,
    filters=[lambda source: bleach.linkifier.LinkifyFilter(source, callbacks=[_link_attrs], skip_tags={"pre", "code"})],
)


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    html = _md.render(text)
    # Headings in user text start at h3: the page owns h1 and h2, so the outline stays sane.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return _cleaner.clean(html)


def markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    return Markup(_render(text))


def markdown_inline(text: str | None) -> Markup:
    """A clause rendered without its wrapping paragraph, for numbered lists of clauses."""
    html = str(markdown(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)
