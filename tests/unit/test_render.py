"""The Markdown renderer lives in forum/ but is pure enough to test without an app."""
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from forum.render import markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<div><p><iframe src='https://evil.example'></iframe></p></div>",
    "<svg><script>alert(1)</script></svg>",
    "| a | b |\n|---|\n| <script>x</script> | [y](javascript:z) |\n|||",
    "<<script>script>alert(1)<</script>/script>",
    "[x](&#106;avascript:alert(1))",
    "<style>body{display:none}</style>",
    "<form action=/logout><button>go</button></form>",
    "`<script>` and ```\n<script>alert(1)</script>\n```",
]

SAFE_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
             "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "s"}


class ElementCollector(HTMLParser):
    """What a browser would build: the elements and attributes, not the escaped text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements_of(html):
    collector = ElementCollector()
    collector.feed(html)
    return collector.elements


@pytest.mark.parametrize("payload", PAYLOADS)
def test_attack_payloads_render_inert(payload):
    html = str(markdown(payload))
    for tag, attrs in elements_of(html):
        assert tag in SAFE_TAGS, html
        assert not any(name.startswith("on") or name in {"style", "src"} for name in attrs), html
        href = attrs.get("href", "")
        assert urlsplit(href.strip()).scheme.lower() in {"", "http", "https", "mailto"}, html
    assert "<script" not in html.lower()


def test_ordinary_markdown_keeps_its_meaning():
    html = str(markdown("**Campaign** for [open selections](https://example.org).\n\n- one\n- two"))
    assert "<strong>Campaign</strong>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">open selections</a>' in html
    assert "<li>one</li>" in html


def test_user_headings_never_compete_with_page_headings():
    html = str(markdown("# Big\n\n## Bigger"))
    assert "<h1>" not in html and "<h2>" not in html and html.count("<h3>") == 2
