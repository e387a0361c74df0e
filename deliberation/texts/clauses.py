"""Clauses and versions of a text: splitting Markdown into clauses, keys, numbering, aligning edits.

A text is an ordered list of clauses. Each clause has a key ("c1", "c2", ...) that never
changes and is never reused within its text, so comments, clarifications and amendments
that point at a clause keep pointing at it across versions. A `Version` is one numbered
state of the text; accepting amendments produces the next version, and every clause
records in `sources` which submissions and amendments shaped it.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from deliberation.errors import DomainError

MAX_CLAUSES = 500
MAX_CLAUSE_CHARS = 10_000

_FENCE = re.compile(r"^\s*(```|~~~)")
_ORDERED_ITEM = re.compile(r"^\s{0,3}\d{1,3}[.)]\s+")
_BULLET_ITEM = re.compile(r"^\s{0,3}[-*+]\s+")


@dataclass(frozen=True)
class Clause:
    key: str
    body: str
    # Provenance: refs such as "submission:12" or "amendment:40" that shaped this clause.
    sources: frozenset[str] = frozenset()


def split_into_clauses(markdown: str) -> list[str]:
    """Split Markdown into clause bodies: one per paragraph-like block, one per top-level list item.

    Ordered-list numbers are dropped because Convene numbers clauses itself.
    """
    text = markdown.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[list[str]] = []
    current: list[str] = []
    in_fence = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and not line.strip():
            if current:
                blocks.append(current)
                current = []
            continue
        current.append(line.rstrip())
    if current:
        blocks.append(current)

    bodies: list[str] = []
    for block in blocks:
        bodies.extend(_split_list_block(block))
    return [b for b in (body.strip("\n") for body in bodies) if b.strip()]


def _split_list_block(block: list[str]) -> list[str]:
    if not (_ORDERED_ITEM.match(block[0]) or _BULLET_ITEM.match(block[0])):
        return ["\n".join(block)]
    items: list[list[str]] = []
    for line in block:
        if _ORDERED_ITEM.match(line):
            items.append([_ORDERED_ITEM.sub("", line, count=1)])
        elif _BULLET_ITEM.match(line) and not line.startswith("    "):
            items.append([_BULLET_ITEM.sub("", line, count=1)])
        else:
            items[-1].append(line.strip())
    return [" ".join(item).strip() for item in items]


def validate_bodies(bodies: Sequence[str]) -> None:
    if not bodies:
        raise DomainError("text_empty", "A text needs at least one clause with some words in it.")
    if len(bodies) > MAX_CLAUSES:
        raise DomainError(
            "text_too_long",
            f"A text may have at most {MAX_CLAUSES} clauses; this one has {len(bodies)}.",
            limit=MAX_CLAUSES,
        )
    for number, body in enumerate(bodies, start=1):
        if len(body) > MAX_CLAUSE_CHARS:
            raise DomainError(
                "clause_too_long",
                f"Clause {number} is {len(body):,} characters long; the limit is {MAX_CLAUSE_CHARS:,}.",
                clause=number,
                limit=MAX_CLAUSE_CHARS,
            )


def clause_key(number: int) -> str:
    return f"c{number}"


def key_number(key: str) -> int:
    return int(key[1:])


def next_key_number(keys: Iterable[str]) -> int:
    return max((key_number(k) for k in keys), default=0) + 1


def number_clauses(bodies: Sequence[str], first: int = 1) -> list[Clause]:
    """Give fresh keys to the clauses of a new text."""
    validate_bodies(bodies)
    return [Clause(clause_key(first + i), body) for i, body in enumerate(bodies)]


def align_clauses(old: Sequence[Clause], new_bodies: Sequence[str], next_number: int) -> list[Clause]:
    """Carry clause keys from the old version onto an edited one.

    Unchanged clauses keep their key; a clause edited in place keeps its key; clauses that
    were inserted get fresh keys starting at `next_number`. Keys of deleted clauses are
    simply not used again.
    """
    validate_bodies(new_bodies)
    matcher = difflib.SequenceMatcher(a=[c.body for c in old], b=list(new_bodies), autojunk=False)
    result: list[Clause] = []
    fresh = next_number
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(Clause(old[i1 + k].key, new_bodies[j1 + k]) for k in range(j2 - j1))
        elif tag == "replace":
            for k in range(j2 - j1):
                if i1 + k < i2:
                    result.append(Clause(old[i1 + k].key, new_bodies[j1 + k]))
                else:
                    result.append(Clause(clause_key(fresh), new_bodies[j1 + k]))
                    fresh += 1
        elif tag == "insert":
            for k in range(j2 - j1):
                result.append(Clause(clause_key(fresh), new_bodies[j1 + k]))
                fresh += 1
    return result


def as_markdown(clauses: Sequence[Clause]) -> str:
    """The editable Markdown of a version: clauses separated by blank lines."""
    return "\n\n".join(c.body for c in clauses)


@dataclass(frozen=True)
class Version:
    """One numbered state of a text: its clauses in reading order."""

    number: int
    clauses: tuple[Clause, ...]

    def __post_init__(self) -> None:
        # Accept any sequence but store a tuple, so versions stay hashable and immutable.
        object.__setattr__(self, "clauses", tuple(self.clauses))
        keys = [c.key for c in self.clauses]
        if len(set(keys)) != len(keys):
            duplicate = next(k for k in keys if keys.count(k) > 1)
            raise DomainError(
                "clause_key_duplicate",
                f"Clause key {duplicate} appears twice in version {self.number}.",
                key=duplicate,
            )

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.clauses)

    def clause(self, key: str) -> Optional[Clause]:
        return next((c for c in self.clauses if c.key == key), None)

    def position(self, key: str) -> int:
        """The clause's number as members see it (1-based), or 0 if it is not in this version."""
        return next((i for i, c in enumerate(self.clauses, start=1) if c.key == key), 0)
