"""The one consensus rule: the answers to a consensus check, the rule as data, tally -> outcome.

The live room and the consensus tracker both decide through `evaluate`, so the room's screen and
the text's record can never disagree about the same answers. A rule is data a convention sets
(quorum, threshold, whether one block stops consensus, how stand-asides and silent members count);
the outcome says why in a member's words, and carries a stable code and figures for translations.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from enum import Enum
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Mapping

from deliberation.errors import DomainError


class Response(Enum):
    AGREE = "agree"
    AGREE_WITH_RESERVATIONS = "agree_with_reservations"
    STAND_ASIDE = "stand_aside"
    BLOCK = "block"


# Other spellings clients and stored records use for the same answers.
_ALIASES: Mapping[str, Response] = MappingProxyType({"reservations": Response.AGREE_WITH_RESERVATIONS})


class ReasonRule(Enum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


# A block stops the room, so the room must hear why; reservations and stand asides may say why;
# a plain agree needs no reason.
REASON_RULES: Mapping[Response, ReasonRule] = MappingProxyType(
    {
        Response.AGREE: ReasonRule.NONE,
        Response.AGREE_WITH_RESERVATIONS: ReasonRule.OPTIONAL,
        Response.STAND_ASIDE: ReasonRule.OPTIONAL,
        Response.BLOCK: ReasonRule.REQUIRED,
    }
)


def parse_response(response: Response | str) -> Response:
    """The answer named by `response` ('agree', 'agree_with_reservations' or 'reservations', ...)."""
    if isinstance(response, Response):
        return response
    if isinstance(response, str) and response in _ALIASES:
        return _ALIASES[response]
    try:
        return Response(response)
    except ValueError:
        known = ", ".join(r.value for r in Response)
        raise DomainError(
            "unknown_response", f"'{response}' is not an answer to a consensus check; choose one of: {known}.",
            response=str(response),
        ) from None


def as_fraction(value: Fraction | int | float | str) -> Fraction:
    """An exact fraction; floats go through their decimal text so 0.1 means one tenth."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def _members(n: int) -> str:
    return "member" if n == 1 else "members"


# --------------------------------------------------------------------------- quorum


@dataclass(frozen=True)
class QuorumStatus:
    met: bool
    needed: int
    present: int
    words: str

    def to_dict(self) -> dict[str, Any]:
        return {"met": self.met, "needed": self.needed, "present": self.present, "words": self.words}


def quorum_needed(seats: int, share: Fraction | float | str) -> int:
    """How many seated members must be present: ceil(share × seats), and never fewer than one,
    because a room with nobody seated in it decides nothing."""
    fraction = as_fraction(share)
    if not 0 < fraction <= 1:
        raise DomainError(
            "invalid_quorum_rule",
            f"A quorum is a share of the seats above 0 and at most 1, not {fraction}.",
            fraction=str(fraction),
        )
    return max(1, math.ceil(fraction * seats))


def quorum_status(seats: int, present_seated: int, share: Fraction | float | str) -> QuorumStatus:
    """Whether enough seated members are present to decide, in numbers and in words."""
    if seats < 0 or not 0 <= present_seated <= seats:
        raise DomainError(
            "invalid_attendance",
            f"{present_seated} present out of {seats} seats does not add up.",
            seats=seats,
            present=present_seated,
        )
    needed = quorum_needed(seats, share)
    met = present_seated >= needed
    room = f"{present_seated} of {seats} seated {_members(seats)} present"
    if met:
        words = f"Quorate: {room}; {needed} needed."
    else:
        words = f"Not quorate: {room}; {needed} needed, {needed - present_seated} more to go."
    return QuorumStatus(met=met, needed=needed, present=present_seated, words=words)


# --------------------------------------------------------------------------- the rule


@dataclass(frozen=True)
class ConsensusRule:
    """When a consensus check reaches consensus; the defaults follow the seed process.

    - `quorum`: the share of seated members who must be present for the check to decide anything.
    - `threshold`: the share of the counted answers that must support (agree, with or without
      reservations).
    - `blocks_stop`: one block stops consensus; otherwise a block counts as an answer against.
    - `stand_asides_count`: whether stand-asides are in the denominator. By default they are not:
      standing aside means "I will not stand in the way", and counting it against would make it a
      soft no.
    - `silent_counts`: whether members present who did not answer are in the denominator. By
      default they are: silence is not consent.
    """

    quorum: Fraction = Fraction(1, 2)
    threshold: Fraction = Fraction(3, 4)
    blocks_stop: bool = True
    stand_asides_count: bool = False
    silent_counts: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "quorum", as_fraction(self.quorum))
        object.__setattr__(self, "threshold", as_fraction(self.threshold))
        if not 0 < self.quorum <= 1:
            raise DomainError("invalid_consensus_rule", "A quorum is a share of the seats above 0 and at most 1.")
        if not 0 < self.threshold <= 1:
            raise DomainError("invalid_consensus_rule", "A consensus threshold is a share above 0 and at most 1.")

    def to_dict(self) -> dict[str, Any]:
        return {"quorum": str(self.quorum), "threshold": str(self.threshold), "blocks_stop": self.blocks_stop,
                "stand_asides_count": self.stand_asides_count, "silent_counts": self.silent_counts}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConsensusRule:
        default = cls()
        return cls(
            quorum=Fraction(str(data.get("quorum", default.quorum))),
            threshold=Fraction(str(data.get("threshold", default.threshold))),
            blocks_stop=bool(data.get("blocks_stop", default.blocks_stop)),
            stand_asides_count=bool(data.get("stand_asides_count", default.stand_asides_count)),
            silent_counts=bool(data.get("silent_counts", default.silent_counts)),
        )

    def words(self) -> str:
        """The rule in a sentence, for the pages that show it."""
        parts = [
            f"at least {_percent_up(self.quorum)}% of seated members present",
            f"at least {_percent_up(self.threshold)}% of counted answers agreeing",
            "one block stops consensus" if self.blocks_stop else "a block counts as an answer against",
            "stand-asides are counted" if self.stand_asides_count else "stand-asides are not counted",
            "members who stay silent count as not agreeing" if self.silent_counts
            else "members who stay silent are not counted",
        ]
        return "Consensus needs " + ", ".join(parts[:2]) + "; " + "; ".join(parts[2:]) + "."


def _percent_up(share: Fraction) -> int:
    return math.ceil(share * 100)


# --------------------------------------------------------------------------- tally and outcome


@dataclass(frozen=True)
class Tally:
    """The answers of the seated members on a check's roll, and how many of them stayed silent."""

    agree: int
    reservations: int
    stand_aside: int
    block: int
    not_answered: int
    present_seated: int
    seats: int

    def __post_init__(self) -> None:
        if any(getattr(self, f.name) < 0 for f in fields(self)):
            raise DomainError("response_count_negative", "Counts in a consensus check cannot be negative.")
        if self.answered + self.not_answered != self.present_seated:
            raise DomainError(
                "fewer_present_than_responses",
                f"{self.answered} answers were counted but {self.present_seated} members were present.",
                present=self.present_seated, responded=self.answered,
            )
        if self.present_seated > self.seats:
            raise DomainError(
                "more_responses_than_seats",
                f"{self.present_seated} members were counted present but the assembly has only {self.seats} "
                "seated members.",
                present=self.present_seated, seated=self.seats,
            )

    @classmethod
    def from_counts(cls, counts: Mapping[Response, int], seats: int, present: int | None = None) -> Tally:
        """A tally from counts per answer; `present` defaults to those who answered."""
        if seats < 1:
            raise DomainError("seats_missing", "A consensus check needs an assembly with at least one seated member.")
        if any(n < 0 for n in counts.values()):
            raise DomainError("response_count_negative", "Counts in a consensus check cannot be negative.")
        by = {r: int(counts.get(r, 0)) for r in Response}
        answered = sum(by.values())
        present = answered if present is None else present
        if present < answered:
            raise DomainError(
                "fewer_present_than_responses",
                f"{answered} answers were counted but only {present} members were present.",
                present=present, responded=answered,
            )
        return cls(agree=by[Response.AGREE], reservations=by[Response.AGREE_WITH_RESERVATIONS],
                   stand_aside=by[Response.STAND_ASIDE], block=by[Response.BLOCK],
                   not_answered=present - answered, present_seated=present, seats=seats)

    @property
    def answered(self) -> int:
        return self.agree + self.reservations + self.stand_aside + self.block

    @property
    def support(self) -> int:
        return self.agree + self.reservations

    def count(self, response: Response) -> int:
        return {Response.AGREE: self.agree, Response.AGREE_WITH_RESERVATIONS: self.reservations,
                Response.STAND_ASIDE: self.stand_aside, Response.BLOCK: self.block}[response]

    def words(self) -> str:
        parts = [
            f"{self.agree} agree",
            f"{self.reservations} with reservations",
            f"{self.stand_aside} standing aside",
            "no block" if self.block == 0 else f"{self.block} blocking",
        ]
        if self.not_answered:
            parts.append(f"{self.not_answered} silent")
        return f"{', '.join(parts)}; {self.present_seated} of {self.seats} seated {_members(self.seats)} present"

    def to_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tally:
        return cls(**{f.name: int(data[f.name]) for f in fields(cls)})


@dataclass(frozen=True)
class CheckOutcome:
    """What a check decided. `code` is stable ('consensus_reached', 'not_quorate', 'blocked',
    'nobody_counted', 'below_threshold'); `reason` says it in words; `params` holds the figures."""

    reached: bool
    quorate: bool
    counts: Tally
    threshold: Fraction
    reason: str
    code: str = "consensus_reached"
    params: Mapping[str, Any] = field(default_factory=dict)
    interrupted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "reached": self.reached,
            "quorate": self.quorate,
            "counts": self.counts.to_dict(),
            "threshold": str(self.threshold),
            "reason": self.reason,
            "code": self.code,
            "params": dict(self.params),
            "interrupted": self.interrupted,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckOutcome:
        return cls(
            reached=bool(data["reached"]),
            quorate=bool(data["quorate"]),
            counts=Tally.from_dict(data["counts"]),
            threshold=Fraction(str(data["threshold"])),
            reason=str(data["reason"]),
            code=str(data.get("code", "consensus_reached" if data["reached"] else "below_threshold")),
            params=dict(data.get("params", {})),
            interrupted=bool(data.get("interrupted", False)),
        )


INTERRUPTED_WORDS = ("The server restarted while this check was open; the roll of who was present when it "
                     "was taken was kept.")


def evaluate(rule: ConsensusRule, tally: Tally, interrupted: bool = False) -> CheckOutcome:
    """Did the check reach consensus under `rule`, was it quorate, and why, in plain words.

    In order: a check without quorum decides nothing; then one block stops it when the rule says
    so; then the share of counted answers that support must reach the threshold."""
    status = quorum_status(tally.seats, tally.present_seated, rule.quorum)
    words = tally.words()

    def outcome(reached: bool, code: str, reason: str, **params: Any) -> CheckOutcome:
        if interrupted:
            reason = f"{reason} {INTERRUPTED_WORDS}"
        return CheckOutcome(reached=reached, quorate=status.met, counts=tally, threshold=rule.threshold,
                            reason=reason, code=code, params=params, interrupted=interrupted)

    if not status.met:
        return outcome(
            False, "not_quorate",
            f"Not quorate: {tally.present_seated} of {tally.seats} seated {_members(tally.seats)} present; "
            f"at least {status.needed} needed. A check without quorum decides nothing.",
            present=tally.present_seated, seats=tally.seats, needed=status.needed,
        )
    if rule.blocks_stop and tally.block:
        return outcome(False, "blocked", f"No consensus: {tally.block} {_members(tally.block)} blocked ({words}).",
                       blocks=tally.block)
    counted = tally.support + tally.block
    counted += tally.stand_aside if rule.stand_asides_count else 0
    counted += tally.not_answered if rule.silent_counts else 0
    if counted == 0:
        return outcome(False, "nobody_counted", f"No consensus: nobody took a side ({words}).")
    share = Fraction(tally.support, counted)
    percent, needed = math.floor(share * 100), _percent_up(rule.threshold)
    figures = f"{tally.support} of the {counted} counted agree ({percent}%; at least {needed}% needed)"
    params = {"support": tally.support, "counted": counted, "percent": percent, "needed_percent": needed}
    if share >= rule.threshold:
        return outcome(True, "consensus_reached", f"Consensus reached: {words}; {figures}.", **params)
    return outcome(False, "below_threshold", f"No consensus: {words}; only {figures}.", **params)
