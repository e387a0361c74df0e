"""The up/down vote rule: one vote per member, up (1), down (-1) or none (0), changeable and
withdrawable; what a change does to a score and its up and down counts."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from deliberation.errors import DomainError

UP, NONE, DOWN = 1, 0, -1
VALUES = (DOWN, NONE, UP)


@dataclass(frozen=True)
class Counts:
    """A scored item's counts: score is ups minus downs."""

    score: int = 0
    ups: int = 0
    downs: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.score + other.score, self.ups + other.ups, self.downs + other.downs)


def check(value: object) -> int:
    """The vote as an int, or the refusal in a member's words."""
    if value not in VALUES:
        raise DomainError("vote_invalid", "A vote is up (1), down (-1) or withdrawn (0).")
    return int(value)


def counts(ups: int, downs: int) -> Counts:
    """The counts of `ups` votes up and `downs` votes down."""
    return Counts(ups - downs, ups, downs)


def counts_of(value: int) -> Counts:
    """What one member's vote adds to the counts."""
    return Counts(value, int(value == UP), int(value == DOWN))


def change(old: int, new: int) -> Counts:
    """How the counts move when a member's vote goes from `old` to `new` (0 = no vote)."""
    check(old)
    check(new)
    if new == old:
        raise DomainError("vote_unchanged",
                          "You have already voted this way." if new else "You have no vote to withdraw.")
    before, after = counts_of(old), counts_of(new)
    return Counts(after.score - before.score, after.ups - before.ups, after.downs - before.downs)


def tally(votes: Iterable[int]) -> Counts:
    """The counts of a set of standing votes (one per member)."""
    total = Counts()
    for value in votes:
        total = total + counts_of(check(value))
    return total
