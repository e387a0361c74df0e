"""Words of a clause body and how a span of them is replaced (the whitespace conventions).

A clause body is read as words (runs of non-whitespace) separated by whitespace.
A word span `[start, end)` counts words, not characters, so an amendment survives edits
elsewhere in the clause once its indexes are shifted. Amendments change words, never a
clause's leading or trailing whitespace, and re-joining untouched text gives back the body
exactly.

Whitespace conventions of `ReplaceWords` (chosen so that non-conflicting amendments give the
same text whichever is applied first):
- a replacement substitutes the characters from the first to the last word of its span,
  interior whitespace included, with the new text stripped of edge whitespace;
- an insertion puts the new words, then one space, before the word at its index; at the
  end of a clause it puts one space, then the new words, after the last word;
- a deletion removes its words with the whitespace that follows them; at the end of a
  clause, with the whitespace that precedes them.
"""
from __future__ import annotations

import re

_WORD = re.compile(r"\S+")
BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def words(body: str) -> list[str]:
    """The words of a clause body: its runs of non-whitespace, in order."""
    return _WORD.findall(body)


def word_spans(body: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(body)]


def replace_words(body: str, start: int, end: int, text: str) -> str:
    """Replace words [start, end) of body by text, following the conventions in the module docstring."""
    spans = word_spans(body)
    n = len(spans)
    text = text.strip()
    if text and start < end:
        return body[: spans[start][0]] + text + body[spans[end - 1][1] :]
    if text:
        if n == 0:
            return body + text
        if start < n:
            at = spans[start][0]
            return body[:at] + text + " " + body[at:]
        at = spans[-1][1]
        return body[:at] + " " + text + body[at:]
    if start == end:
        return body
    if end < n:
        return body[: spans[start][0]] + body[spans[end][0] :]
    if start > 0:
        return body[: spans[start - 1][1]] + body[spans[-1][1] :]
    return body[: spans[0][0]] + body[spans[-1][1] :]
