"""Clauses, versions and amendments of a text: split, number, amend, carry forward, diff.

A text is an ordered list of clauses. Each clause has a key ("c1", "c2", ...) that never
changes and is never reused within its text, so comments, clarifications and amendments
that point at a clause keep pointing at it across versions. A `Version` is one numbered
state of the text; accepting amendments produces the next version, and every clause
records in `sources` which submissions and amendments shaped it.

Words. A clause body is read as words (runs of non-whitespace) separated by whitespace.
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

Conflicts. Two amendments made against the same version conflict when:
- both change words of one clause and their spans overlap; an insertion point counts as
  touching the words on both of its sides, so an insertion conflicts with another
  insertion at the same point and with any change at or right next to it;
- one deletes a clause the other changes, deletes or moves;
- one deletes or moves the clause another places a clause after (its anchor moves away);
- both move the same clause.
Two insertions (or moves) after the same clause do NOT conflict: both are kept, in the
order of their refs ("amendment:9" before "amendment:10"), because adding two new clauses
in one place is a common and compatible wish, and the drafter can move them afterwards.
Rewording a clause and moving it do not conflict either: one changes what it says, the
other where it stands, and they compose without ambiguity.

Word diffs use the standard library's difflib: no dependency to install or audit, and its
SequenceMatcher is good enough, and fast enough, on clause-sized inputs (a clause is at
most 10,000 characters, usually a few dozen words).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from enum import Enum
from typing import Callable, Iterable, Optional, Sequence

from deliberation.errors import Conflict, DomainError

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


# --- Versions -------------------------------------------------------------------------

RATIONALE_LIMIT = 2_000


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


# --- Words ----------------------------------------------------------------------------

_WORD = re.compile(r"\S+")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def words(body: str) -> list[str]:
    """The words of a clause body: its runs of non-whitespace, in order."""
    return _WORD.findall(body)


def _spans(body: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(body)]


def _replace_words(body: str, start: int, end: int, text: str) -> str:
    """Replace words [start, end) of body by text, following the conventions in the module docstring."""
    spans = _spans(body)
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


# --- Amendments -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Amendment:
    """What every amendment carries: the version it was made against, why, and its ref.

    `ref` (e.g. "amendment:40") goes into the provenance of the clauses it shapes and
    orders clauses placed at the same spot. Several amendments may share a ref when one
    proposal makes several changes (an edit of a clause in two places).
    """

    base_version: int
    rationale: str
    ref: str


@dataclass(frozen=True)
class ReplaceWords(Amendment):
    """Replace words [start, end) of a clause by `text`; an insertion when start == end,
    a deletion when text is empty."""

    clause_key: str
    start: int
    end: int
    text: str

    @property
    def is_insertion(self) -> bool:
        return self.start == self.end

    @property
    def is_deletion(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class InsertClause(Amendment):
    """Add a new clause after `after_key` (None: at the start of the text)."""

    after_key: Optional[str]
    body: str


@dataclass(frozen=True)
class DeleteClause(Amendment):
    """Remove a whole clause."""

    clause_key: str


@dataclass(frozen=True)
class MoveClause(Amendment):
    """Move a whole clause to stand after `after_key` (None: at the start of the text)."""

    clause_key: str
    after_key: Optional[str]


def _natural(ref: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that puts "amendment:9" before "amendment:10"."""
    parts = re.split(r"(\d+)", ref)
    return tuple((0, int(p), p) if i % 2 else (1, 0, p) for i, p in enumerate(parts))


def _placement_order(a: Amendment) -> tuple:
    """Where an insertion or move stands among others placed after the same clause."""
    if isinstance(a, InsertClause):
        return (_natural(a.ref), 0, a.body)
    assert isinstance(a, MoveClause)
    return (_natural(a.ref), 1, a.clause_key)


def _anchor_of(a: Amendment) -> tuple[bool, Optional[str]]:
    if isinstance(a, (InsertClause, MoveClause)):
        return True, a.after_key
    return False, None


# --- Validation -----------------------------------------------------------------------


def _require_clause(version: Version, key: str, known_keys: Optional[Iterable[str]]) -> Clause:
    clause = version.clause(key)
    if clause is not None:
        return clause
    if known_keys is not None and key in set(known_keys):
        raise DomainError(
            "clause_deleted",
            f"Clause {key} was deleted before version {version.number}, so it can no longer be amended.",
            clause=key,
            version=version.number,
        )
    raise DomainError(
        "clause_unknown",
        f"Clause {key} is not part of this text.",
        clause=key,
    )


def _check_body(body: str, what: str) -> None:
    if len(body) > MAX_CLAUSE_CHARS:
        raise DomainError(
            "clause_too_long",
            f"{what} would be {len(body):,} characters long; the limit is {MAX_CLAUSE_CHARS:,}.",
            limit=MAX_CLAUSE_CHARS,
        )


def _validate_replace(a: ReplaceWords, version: Version, known_keys: Optional[Iterable[str]]) -> None:
    clause = _require_clause(version, a.clause_key, known_keys)
    number = version.position(a.clause_key)
    n = len(words(clause.body))
    if a.start < 0 or a.end < a.start or a.end > n:
        raise DomainError(
            "span_out_of_range",
            f"Clause {number} has {n} words; words {a.start + 1} to {a.end} are not a span of it.",
            clause=a.clause_key,
            start=a.start,
            end=a.end,
            words=n,
        )
    text = a.text.strip()
    if a.start == a.end and not text:
        raise DomainError(
            "span_empty",
            "Choose at least one word to change, or type the words to insert.",
            clause=a.clause_key,
        )
    if not text and a.start == 0 and a.end == n:
        raise DomainError(
            "clause_would_be_empty",
            f"This would remove every word of clause {number}; propose deleting the clause instead.",
            clause=a.clause_key,
        )
    if _BLANK_LINE.search(text):
        raise DomainError(
            "clause_would_split",
            "A blank line would split the clause in two; propose a new clause instead.",
            clause=a.clause_key,
        )
    result = _replace_words(clause.body, a.start, a.end, a.text)
    if result == clause.body:
        raise DomainError(
            "amendment_changes_nothing",
            f"The new words are the same as the words of clause {number} they would replace.",
            clause=a.clause_key,
        )
    _check_body(result, f"Clause {number}")


def _validate_insert(a: InsertClause, version: Version, known_keys: Optional[Iterable[str]]) -> None:
    if a.after_key is not None:
        _require_clause(version, a.after_key, known_keys)
    if not a.body.strip():
        raise DomainError("clause_empty", "A new clause needs some words in it.")
    found = len(split_into_clauses(a.body))
    if found != 1:
        raise DomainError(
            "clause_would_split",
            f"This would add {found} clauses; propose one new clause per amendment.",
            clauses=found,
        )
    _check_body(a.body, "The new clause")
    if len(version.clauses) >= MAX_CLAUSES:
        raise DomainError(
            "text_too_long",
            f"A text may have at most {MAX_CLAUSES} clauses; this one already has {len(version.clauses)}.",
            limit=MAX_CLAUSES,
        )


def _validate_delete(a: DeleteClause, version: Version, known_keys: Optional[Iterable[str]]) -> None:
    _require_clause(version, a.clause_key, known_keys)
    if len(version.clauses) == 1:
        raise DomainError("text_empty", "A text needs at least one clause; this would delete the last one.")


def _validate_move(a: MoveClause, version: Version, known_keys: Optional[Iterable[str]]) -> None:
    _require_clause(version, a.clause_key, known_keys)
    if a.after_key is not None:
        _require_clause(version, a.after_key, known_keys)
    if a.after_key == a.clause_key:
        raise DomainError(
            "move_onto_itself",
            "A clause cannot be moved after itself; choose the clause it should follow.",
            clause=a.clause_key,
        )


_VALIDATORS: dict[type, Callable[..., None]] = {
    ReplaceWords: _validate_replace,
    InsertClause: _validate_insert,
    DeleteClause: _validate_delete,
    MoveClause: _validate_move,
}


def validate(
    amendment: Amendment,
    version: Version,
    rationale_limit: int = RATIONALE_LIMIT,
    known_keys: Optional[Iterable[str]] = None,
) -> None:
    """Refuse an amendment that cannot be applied to `version`, with a DomainError saying why.

    `known_keys` (every key the text ever used) tells a clause deleted earlier
    (clause_deleted) from a key that never belonged to this text (clause_unknown).
    """
    if amendment.base_version != version.number:
        if amendment.base_version < version.number:
            message = (
                f"This amendment was made against version {amendment.base_version}; the text is now "
                f"at version {version.number}. It must be carried onto the new version first."
            )
        else:
            message = (
                f"This amendment was made against version {amendment.base_version}, "
                f"but the text is only at version {version.number}."
            )
        raise DomainError(
            "amendment_stale_version",
            message,
            base_version=amendment.base_version,
            version=version.number,
        )
    if not amendment.rationale.strip():
        raise DomainError("rationale_missing", "Say in a few words why this amendment improves the text.")
    if len(amendment.rationale) > rationale_limit:
        raise DomainError(
            "rationale_too_long",
            f"The rationale is {len(amendment.rationale):,} characters long; the limit is {rationale_limit:,}.",
            limit=rationale_limit,
        )
    _VALIDATORS[type(amendment)](amendment, version, known_keys)


# --- Conflicts ------------------------------------------------------------------------


def _word_clash(a: Amendment, b: Amendment) -> Optional[str]:
    if not (isinstance(a, ReplaceWords) and isinstance(b, ReplaceWords)) or a.clause_key != b.clause_key:
        return None
    if a.is_insertion and b.is_insertion:
        return "Both insert words at the same place in the same clause." if a.start == b.start else None
    if a.is_insertion or b.is_insertion:
        point, span = (a, b) if a.is_insertion else (b, a)
        if span.start <= point.start <= span.end:
            return (
                f"One inserts words right at or inside words {span.start + 1} to {span.end} "
                "of the same clause, which the other changes."
            )
        return None
    if a.start < b.end and b.start < a.end:
        first, last = max(a.start, b.start) + 1, min(a.end, b.end)
        where = f"word {first}" if first == last else f"words {first} to {last}"
        return f"Both change {where} of the same clause."
    return None


def _deleted_target(a: Amendment, b: Amendment) -> Optional[str]:
    if not isinstance(a, DeleteClause):
        return None
    if isinstance(b, DeleteClause) and b.clause_key == a.clause_key:
        return "Both delete the same clause."
    if isinstance(b, MoveClause) and b.clause_key == a.clause_key:
        return "One deletes the clause the other moves."
    if isinstance(b, ReplaceWords) and b.clause_key == a.clause_key:
        return "One deletes the clause the other rewords."
    return None


def _anchor_removed(a: Amendment, b: Amendment) -> Optional[str]:
    placed, anchor = _anchor_of(b)
    if not placed or anchor is None:
        return None
    if isinstance(a, DeleteClause) and a.clause_key == anchor:
        return "One deletes the clause the other places a clause after."
    if isinstance(a, MoveClause) and a.clause_key == anchor:
        return "One moves the clause the other places a clause after."
    return None


def _same_move(a: Amendment, b: Amendment) -> Optional[str]:
    if isinstance(a, MoveClause) and isinstance(b, MoveClause) and a.clause_key == b.clause_key:
        return "Both move the same clause."
    return None


# Each rule is tried both ways round; the first that fires gives the reason.
_CONFLICT_RULES: tuple[Callable[[Amendment, Amendment], Optional[str]], ...] = (
    _word_clash,
    _deleted_target,
    _anchor_removed,
    _same_move,
)


def conflict_reason(a: Amendment, b: Amendment) -> Optional[str]:
    """Why two amendments made against the same version conflict, in a member's words, or None."""
    for rule in _CONFLICT_RULES:
        reason = rule(a, b) or rule(b, a)
        if reason:
            return reason
    return None


def conflicts(a: Amendment, b: Amendment) -> bool:
    """Whether two amendments made against the same version touch the same span."""
    return conflict_reason(a, b) is not None


@dataclass(frozen=True)
class AmendmentConflict:
    first: str
    second: str
    reason: str


def explain_conflicts(amendments: Sequence[Amendment]) -> list[AmendmentConflict]:
    """Every conflicting pair among `amendments`, with the reason, in ref order, each pair once."""
    ordered = sorted(amendments, key=lambda a: _natural(a.ref))
    found: dict[tuple[str, str], AmendmentConflict] = {}
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            reason = conflict_reason(a, b)
            if reason and (a.ref, b.ref) not in found:
                found[(a.ref, b.ref)] = AmendmentConflict(a.ref, b.ref, reason)
    return list(found.values())


def find_conflicts(amendments: Sequence[Amendment]) -> list[tuple[str, str]]:
    """The refs of every conflicting pair among `amendments`, in ref order."""
    return [(c.first, c.second) for c in explain_conflicts(amendments)]


# --- Applying -------------------------------------------------------------------------


def apply(
    version: Version,
    amendments: Sequence[Amendment],
    next_number: int,
    *,
    known_keys: Optional[Iterable[str]] = None,
    rationale_limit: int = RATIONALE_LIMIT,
) -> Version:
    """Apply accepted, non-conflicting amendments made against `version`; the order given does not matter.

    New clauses take fresh keys from `next_number` in reading order. Every clause an
    amendment rewords, moves or inserts gets the amendment's ref in its sources.
    """
    for amendment in amendments:
        validate(amendment, version, rationale_limit, known_keys)
    clashes = explain_conflicts(amendments)
    if clashes:
        listed = "; ".join(f"{c.first} and {c.second}: {c.reason}" for c in clashes)
        raise Conflict(
            "amendments_conflict",
            f"These amendments conflict, so the drafter must choose between them: {listed}",
            pairs=[(c.first, c.second) for c in clashes],
        )
    lowest = next_key_number(version.keys)
    if next_number < lowest:
        raise DomainError(
            "key_number_taken",
            f"New clauses must be numbered from {lowest} or later; {next_number} is already taken.",
            next_number=next_number,
        )
    clauses = _rebuild(version, amendments, next_number)
    return Version(version.number + 1, clauses)


def _rebuild(version: Version, amendments: Sequence[Amendment], next_number: int) -> tuple[Clause, ...]:
    edits: dict[str, list[ReplaceWords]] = {}
    removed: set[str] = set()
    moved_by: dict[str, str] = {}
    placed: dict[Optional[str], list[Amendment]] = {}
    for a in amendments:
        if isinstance(a, ReplaceWords):
            edits.setdefault(a.clause_key, []).append(a)
        elif isinstance(a, DeleteClause):
            removed.add(a.clause_key)
        elif isinstance(a, MoveClause):
            removed.add(a.clause_key)
            moved_by[a.clause_key] = a.ref
            placed.setdefault(a.after_key, []).append(a)
        elif isinstance(a, InsertClause):
            placed.setdefault(a.after_key, []).append(a)

    sequence: list[Amendment | Clause] = []

    def place_after(anchor: Optional[str]) -> None:
        sequence.extend(sorted(placed.get(anchor, []), key=_placement_order))

    place_after(None)
    for clause in version.clauses:
        if clause.key not in removed:
            sequence.append(clause)
            place_after(clause.key)

    by_key = {c.key: c for c in version.clauses}
    result: list[Clause] = []
    fresh = next_number
    for item in sequence:
        if isinstance(item, InsertClause):
            result.append(Clause(clause_key(fresh), item.body, frozenset({item.ref})))
            fresh += 1
            continue
        clause = by_key[item.clause_key] if isinstance(item, MoveClause) else item
        assert isinstance(clause, Clause)
        body = clause.body
        sources = set(clause.sources)
        # Right to left, so the word indexes of the edits still to do are not shifted.
        for edit in sorted(edits.get(clause.key, []), key=lambda e: (e.start, e.end), reverse=True):
            body = _replace_words(body, edit.start, edit.end, edit.text)
            sources.add(edit.ref)
        if clause.key in moved_by:
            sources.add(moved_by[clause.key])
        result.append(Clause(clause.key, body, frozenset(sources)))

    for number, clause in enumerate(result, start=1):
        if not words(clause.body):
            raise DomainError(
                "clause_would_be_empty",
                f"Together these amendments remove every word of clause {number}; delete the clause instead.",
                clause=clause.key,
            )
        _check_body(clause.body, f"Clause {number}")
    validate_bodies([c.body for c in result])
    return tuple(result)


# --- Carrying amendments onto a newer version -----------------------------------------


def carry(amendment: Amendment, base: Version, newer: Version, applied: Sequence[Amendment]) -> Amendment:
    """Rebase an amendment made against `base` onto `newer`, which `applied` produced from base.

    Word indexes are shifted past the words the applied amendments added or removed before
    the span; a new or moved clause keeps its place among clauses placed after the same
    clause. Raises Conflict (amendment_conflicts) naming the applied amendment that touched
    its span: such an amendment is for the drafter to redo, never to guess.
    """
    if amendment.base_version != base.number:
        raise DomainError(
            "amendment_wrong_base",
            f"This amendment was made against version {amendment.base_version}, not version {base.number}.",
            base_version=amendment.base_version,
            version=base.number,
        )
    for other in applied:
        reason = conflict_reason(amendment, other)
        if reason:
            raise Conflict(
                "amendment_conflicts",
                f"{amendment.ref} conflicts with {other.ref}, which was accepted into version "
                f"{newer.number}: {reason} The drafter must look at it again.",
                amendment=amendment.ref,
                conflicting=other.ref,
                version=newer.number,
            )
    if isinstance(amendment, ReplaceWords):
        shift = sum(
            len(words(o.text)) - (o.end - o.start)
            for o in applied
            if isinstance(o, ReplaceWords) and o.clause_key == amendment.clause_key and o.end <= amendment.start
        )
        return replace(
            amendment, base_version=newer.number, start=amendment.start + shift, end=amendment.end + shift
        )
    if isinstance(amendment, (InsertClause, MoveClause)):
        after_key = _carried_anchor(amendment, newer, applied)
        return replace(amendment, base_version=newer.number, after_key=after_key)
    return replace(amendment, base_version=newer.number)


def _carried_anchor(amendment: InsertClause | MoveClause, newer: Version, applied: Sequence[Amendment]) -> Optional[str]:
    # In `newer`, the clauses the applied amendments placed after this anchor follow it in
    # placement order; this one goes after those that order before it.
    anchor = amendment.after_key
    mine = _placement_order(amendment)
    before = sum(
        1
        for o in applied
        if isinstance(o, (InsertClause, MoveClause)) and o.after_key == anchor and _placement_order(o) < mine
    )
    if before == 0:
        return anchor
    if anchor is None:
        index = -1
    else:
        index = newer.position(anchor) - 1
        if index < 0:
            raise DomainError(
                "version_mismatch",
                f"Version {newer.number} was not produced by the amendments given: clause {anchor} is missing.",
                clause=anchor,
            )
    return newer.clauses[index + before].key


@dataclass(frozen=True)
class FlaggedAmendment:
    """A pending amendment that could not be carried onto the new version, and why."""

    amendment: Amendment
    code: str
    reason: str
    conflicting: Optional[str] = None


@dataclass(frozen=True)
class CarryResult:
    carried: tuple[Amendment, ...]
    flagged: tuple[FlaggedAmendment, ...]


def carry_pending(
    pending: Sequence[Amendment], base: Version, newer: Version, applied: Sequence[Amendment]
) -> CarryResult:
    """Carry every pending amendment onto `newer`; flag, never drop, those that cannot be carried."""
    carried: list[Amendment] = []
    flagged: list[FlaggedAmendment] = []
    for amendment in pending:
        try:
            moved = carry(amendment, base, newer, applied)
            _VALIDATORS[type(moved)](moved, newer, None)
        except DomainError as err:
            flagged.append(FlaggedAmendment(amendment, err.code, err.message, err.params.get("conflicting")))
        else:
            carried.append(moved)
    return CarryResult(tuple(carried), tuple(flagged))


# --- Word diffs -----------------------------------------------------------------------

EQUAL, DELETE, INSERT = "equal", "delete", "insert"
WordOp = tuple[str, str]


def _leading_space(s: str) -> str:
    return s[: len(s) - len(s.lstrip())]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def diff_words(old: str, new: str) -> list[WordOp]:
    """Word-level diff: ("equal"|"delete"|"insert", text) ops.

    Joining the equal and delete texts gives `old` exactly; joining the equal and insert
    texts gives `new` exactly. Words are never split between ops, so rendering deleted text
    struck through and inserted text marked shows every word once.
    """
    old_spans, new_spans = _spans(old), _spans(new)
    matcher = difflib.SequenceMatcher(
        a=[old[s:e] for s, e in old_spans], b=[new[s:e] for s, e in new_spans], autojunk=False
    )
    ops: list[WordOp] = []

    def emit(tag: str, text: str) -> None:
        if not text:
            return
        if ops and ops[-1][0] == tag:
            ops[-1] = (tag, ops[-1][1] + text)
        else:
            ops.append((tag, text))

    def between(o: str, n: str) -> None:
        # Keep the whitespace both sides share as context; the rest is deleted or inserted.
        lead = _common_prefix(_leading_space(o), _leading_space(n))
        emit(EQUAL, o[:lead])
        o, n = o[lead:], n[lead:]
        tail = _common_prefix(o[::-1][: len(o) - len(o.rstrip())], n[::-1][: len(n) - len(n.rstrip())])
        tail = min(tail, len(o), len(n))
        emit(DELETE, o[: len(o) - tail])
        emit(INSERT, n[: len(n) - tail])
        emit(EQUAL, o[len(o) - tail :])

    old_at = new_at = 0
    for i, j, size in matcher.get_matching_blocks():
        if size == 0:
            between(old[old_at:], new[new_at:])
            break
        between(old[old_at : old_spans[i][0]], new[new_at : new_spans[j][0]])
        for k in range(size):
            if k:
                old_gap = old[old_spans[i + k - 1][1] : old_spans[i + k][0]]
                new_gap = new[new_spans[j + k - 1][1] : new_spans[j + k][0]]
                if old_gap == new_gap:
                    emit(EQUAL, old_gap)
                else:
                    emit(DELETE, old_gap)
                    emit(INSERT, new_gap)
            s, e = old_spans[i + k]
            emit(EQUAL, old[s:e])
        old_at, new_at = old_spans[i + size - 1][1], new_spans[j + size - 1][1]
    return ops


def old_text(ops: Sequence[WordOp]) -> str:
    """The text before the change: equal and deleted parts."""
    return "".join(text for tag, text in ops if tag != INSERT)


def new_text(ops: Sequence[WordOp]) -> str:
    """The text after the change: equal and inserted parts."""
    return "".join(text for tag, text in ops if tag != DELETE)


# --- Comparing versions ---------------------------------------------------------------


class ClauseStatus(Enum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    INSERTED = "inserted"
    DELETED = "deleted"
    MOVED = "moved"


@dataclass(frozen=True)
class ClauseDiff:
    """One clause of a comparison between two versions.

    `ops` is the word diff (for an inserted clause one insert op, for a deleted one one
    delete op). Side by side: the old column shows equal+delete ops, the new column
    equal+insert ops; inline: all ops in order. A moved clause may also be reworded.
    """

    key: str
    status: ClauseStatus
    ops: tuple[WordOp, ...]
    old_number: Optional[int]
    new_number: Optional[int]
    sources: frozenset[str] = frozenset()

    @property
    def old_body(self) -> Optional[str]:
        return None if self.status is ClauseStatus.INSERTED else old_text(self.ops)

    @property
    def new_body(self) -> Optional[str]:
        return None if self.status is ClauseStatus.DELETED else new_text(self.ops)

    @property
    def old_ops(self) -> tuple[WordOp, ...]:
        return tuple(op for op in self.ops if op[0] != INSERT)

    @property
    def new_ops(self) -> tuple[WordOp, ...]:
        return tuple(op for op in self.ops if op[0] != DELETE)

    @property
    def reworded(self) -> bool:
        return self.status not in (ClauseStatus.INSERTED, ClauseStatus.DELETED) and any(
            tag != EQUAL for tag, _ in self.ops
        )


def _staying_keys(a: Version, b: Version) -> set[str]:
    """Clauses in both versions that kept their relative order; the other common ones moved."""
    b_keys = set(b.keys)
    a_common = [k for k in a.keys if k in b_keys]
    a_set = set(a.keys)
    b_common = [k for k in b.keys if k in a_set]
    matcher = difflib.SequenceMatcher(a=a_common, b=b_common, autojunk=False)
    return {a_common[blk.a + k] for blk in matcher.get_matching_blocks() for k in range(blk.size)}


def diff_versions(a: Version, b: Version) -> list[ClauseDiff]:
    """Compare two versions clause by clause, in the reading order of `b`.

    A deleted clause is listed after the clause that preceded it in `a`.
    """
    staying = _staying_keys(a, b)
    b_keys = set(b.keys)
    deleted_after: dict[Optional[str], list[ClauseDiff]] = {}
    anchor: Optional[str] = None
    for number, clause in enumerate(a.clauses, start=1):
        if clause.key in staying:
            anchor = clause.key
        elif clause.key not in b_keys:
            deleted_after.setdefault(anchor, []).append(
                ClauseDiff(clause.key, ClauseStatus.DELETED, ((DELETE, clause.body),), number, None, clause.sources)
            )

    result: list[ClauseDiff] = list(deleted_after.get(None, []))
    for number, clause in enumerate(b.clauses, start=1):
        old = a.clause(clause.key)
        if old is None:
            result.append(
                ClauseDiff(clause.key, ClauseStatus.INSERTED, ((INSERT, clause.body),), None, number, clause.sources)
            )
        else:
            ops = tuple(diff_words(old.body, clause.body))
            if clause.key not in staying:
                status = ClauseStatus.MOVED
            elif old.body == clause.body:
                status = ClauseStatus.UNCHANGED
            else:
                status = ClauseStatus.CHANGED
            result.append(ClauseDiff(clause.key, status, ops, a.position(clause.key), number, clause.sources))
        result.extend(deleted_after.get(clause.key, []))
    return result


# --- Amendments from edits ------------------------------------------------------------


def _edge_space(body: str) -> tuple[str, str]:
    stripped = body.strip()
    if not stripped:
        return body, ""
    lead = body[: len(body) - len(body.lstrip())]
    trail = body[len(body.rstrip()) :]
    return lead, trail


def _edit_regions(old: str, new: str) -> list[tuple[int, int, str]]:
    """Word spans of `old` and the text replacing each, such that applying them gives `new`.

    Starts from difflib's matching words and gives up a matching word whenever the
    whitespace around it could not come out right under the ReplaceWords conventions.
    """
    old_spans, new_spans = _spans(old), _spans(new)
    n, m = len(old_spans), len(new_spans)
    matcher = difflib.SequenceMatcher(
        a=[old[s:e] for s, e in old_spans], b=[new[s:e] for s, e in new_spans], autojunk=False
    )
    anchors = [(blk.a + k, blk.b + k) for blk in matcher.get_matching_blocks() for k in range(blk.size)]

    def inner(text: str, spans: list[tuple[int, int]], left: int, right: int) -> str:
        lo = spans[left][1] if left >= 0 else 0
        hi = spans[right][0] if right < len(spans) else len(text)
        return text[lo:hi]

    def replacement(left: tuple[int, int], right: tuple[int, int]) -> str:
        if left[1] + 1 >= right[1]:
            return ""
        return new[new_spans[left[1] + 1][0] : new_spans[right[1] - 1][1]]

    def region_ok(left: tuple[int, int], right: tuple[int, int]) -> bool:
        (ia, ja), (ib, jb) = left, right
        text = replacement(left, right)
        lo = old_spans[ia][1] if ia >= 0 else 0
        hi = old_spans[ib][0] if ib < n else len(old)
        if ia + 1 < ib:
            first, last = old_spans[ia + 1][0], old_spans[ib - 1][1]
            if text:
                result = old[lo:first] + text + old[last:hi]
            elif ib < n:
                result = old[lo:first]
            elif ia >= 0:
                result = old[last:hi]
            else:
                result = old[lo:first] + old[last:hi]
        elif not text:
            result = old[lo:hi]
        elif n == 0:
            result = old[lo:hi] + text
        elif ib < n:
            result = old[lo:hi] + text + " "
        else:
            result = " " + text + old[lo:hi]
        return result == inner(new, new_spans, ja, jb)

    start, finish = (-1, -1), (n, m)
    kept = [start]
    for anchor in anchors:
        if region_ok(kept[-1], anchor):
            kept.append(anchor)
        elif len(kept) > 1 and region_ok(kept[-2], anchor):
            kept[-1] = anchor  # the previous word's trailing whitespace was what changed
    while not region_ok(kept[-1], finish):
        kept.pop()  # (start, finish) always works: one replacement of every word
    kept.append(finish)

    regions = []
    for left, right in zip(kept, kept[1:]):
        if left[0] + 1 < right[0] or left[1] + 1 < right[1]:
            regions.append((left[0] + 1, right[0], replacement(left, right)))
    return regions


def amendments_from_edit(
    version: Version, clause_key: str, new_body: str, rationale: str, ref: str
) -> list[ReplaceWords]:
    """The word-level amendments that turn a clause into `new_body` (a member's in-place edit).

    One ReplaceWords per changed stretch, all sharing `ref`; applied together they give
    `new_body` exactly, except that the clause keeps its own leading and trailing
    whitespace. No change gives no amendments.
    """
    clause = _require_clause(version, clause_key, None)
    if not words(new_body) and words(clause.body):
        raise DomainError(
            "clause_would_be_empty",
            f"This would remove every word of clause {version.position(clause_key)}; "
            "propose deleting the clause instead.",
            clause=clause_key,
        )
    lead, trail = _edge_space(clause.body)
    target = lead + new_body.strip() + trail
    return [
        ReplaceWords(clause_key, start, end, text, base_version=version.number, rationale=rationale, ref=ref)
        for start, end, text in _edit_regions(clause.body, target)
    ]


def amendments_between(
    a: Version,
    b: Version,
    *,
    rationale: str = "Changes made by the drafters between the two versions.",
    ref_prefix: str = "edit",
) -> list[Amendment]:
    """The amendments that turn version `a` into version `b`.

    `apply(a, amendments_between(a, b), n)` has b's clauses, keys and bodies in b's order,
    provided b numbers its new clauses in reading order from n (as `apply` and
    `align_clauses` do) and reworded clauses keep their edge whitespace. Refs are
    "<ref_prefix>:1", "<ref_prefix>:2", ... in b's reading order, so clauses placed at the
    same spot keep b's order.
    """
    staying = _staying_keys(a, b)
    a_keys = set(a.keys)
    result: list[Amendment] = []
    counter = 0

    def next_ref() -> str:
        nonlocal counter
        counter += 1
        return f"{ref_prefix}:{counter}"

    anchor: Optional[str] = None
    for clause in b.clauses:
        if clause.key not in a_keys:
            result.append(
                InsertClause(anchor, clause.body, base_version=a.number, rationale=rationale, ref=next_ref())
            )
            continue
        if clause.key not in staying:
            result.append(
                MoveClause(clause.key, anchor, base_version=a.number, rationale=rationale, ref=next_ref())
            )
        else:
            anchor = clause.key
        old = a.clause(clause.key)
        assert old is not None
        if old.body != clause.body:
            result.extend(amendments_from_edit(a, clause.key, clause.body, rationale, next_ref()))
    b_keys = set(b.keys)
    for clause in a.clauses:
        if clause.key not in b_keys:
            result.append(DeleteClause(clause.key, base_version=a.number, rationale=rationale, ref=next_ref()))
    return result


# --- Composite drafts -----------------------------------------------------------------


def compose(parts: Sequence[tuple[str, Clause]], first_number: int) -> list[Clause]:
    """A composite draft built clause by clause from picks of (source ref, clause).

    Each clause gets a fresh key; its sources are the ref it was picked from plus the
    picked clause's own sources, so the draft remembers which submissions fed it.
    """
    validate_bodies([clause.body for _, clause in parts])
    return [
        Clause(clause_key(first_number + i), clause.body, frozenset({source}) | clause.sources)
        for i, (source, clause) in enumerate(parts)
    ]
