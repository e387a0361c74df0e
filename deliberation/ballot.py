"""The all-member ballot: questions, majorities, casting windows, tallies, results and receipts.

A ballot has numbered sections, each with numbered questions (final proposals, and any
leadership counter-proposals). Every member answers For, Against or Abstain on the questions
they choose; a question they leave blank is one they are *not voting* on, which is not the
same as abstaining.

Majorities
    Only votes for and against decide. A question is carried when its share of For votes,
    ``for / (for + against)``, meets the question's majority, computed exactly with
    ``fractions.Fraction``:

    * simple majority (the default): carried when the share is *more than* one half, so a
      tie is not carried;
    * two-thirds majority: carried when the share is *at least* two thirds.

    Abstentions count as taking part but are not in the share; a question nobody voted for
    or against on is not carried.

Counter-proposals
    A leadership counter-proposal is its own For / Against / Abstain question, standing
    beside the proposal it answers (``Question.counter_to``). Each is first judged against
    its own majority. Then, for the pair:

    1. if neither reached its majority, neither is adopted;
    2. if only one did, that one is adopted;
    3. if both did, the one with more For votes is adopted;
    4. if their For votes are equal, the one with the larger margin (for minus against);
    5. if that is equal too, the assembly's proposal is adopted: it went through the whole
       deliberation, so it keeps the tie.

    ``decide_pair`` applies these rules and says which was adopted and why.

Windows
    Ballots may be cast from ``opens_at`` (inclusive) until ``closes_at`` (exclusive): a
    ballot arriving at exactly the closing time is refused. Members who joined on or before
    the eligibility cut-off may vote.

Receipts
    Each cast ballot gets a receipt code made from random bytes the caller supplies, written
    in Crockford's base32 (digits and capitals without I, L, O and U) in groups of four.

The results document follows the published format of seed 004: ``parse_seed_results`` reads
it, ``format_results_text`` writes it, and ``ballots_reproducing`` rebuilds individual ballots
whose tally gives exactly the published counts.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from fractions import Fraction
from typing import Callable, Iterable, Mapping, NoReturn, Sequence

from deliberation.errors import DomainError, NotAllowed


class Choice(Enum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class Majority:
    """How large a share of those voting for or against a question must vote for it."""

    share: Fraction
    strict: bool  # True: the share must be exceeded; False: reaching it is enough
    name: str

    def is_met(self, votes_for: int, against: int) -> bool:
        if votes_for + against == 0:
            return False
        got = Fraction(votes_for, votes_for + against)
        return got > self.share if self.strict else got >= self.share


SIMPLE_MAJORITY = Majority(Fraction(1, 2), strict=True, name="simple majority")
TWO_THIRDS_MAJORITY = Majority(Fraction(2, 3), strict=False, name="two-thirds majority")


@dataclass(frozen=True)
class Question:
    id: int
    number: int
    text: str
    majority: Majority = SIMPLE_MAJORITY
    counter_to: int | None = None  # the id of the proposal this counter-proposal answers

    @property
    def is_counter_proposal(self) -> bool:
        return self.counter_to is not None


@dataclass(frozen=True)
class Section:
    number: int
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class BallotWindow:
    opens_at: datetime
    closes_at: datetime

    def __post_init__(self) -> None:
        if not self.opens_at < self.closes_at:
            raise DomainError(
                "ballot_window_invalid",
                f"The ballot must close after it opens; it opens {_when(self.opens_at)} "
                f"and closes {_when(self.closes_at)}.",
                opens_at=self.opens_at,
                closes_at=self.closes_at,
            )


@dataclass(frozen=True)
class Ballot:
    title: str
    sections: tuple[Section, ...]
    window: BallotWindow
    eligible_if_joined_by: datetime  # the eligibility cut-off, inclusive

    def __post_init__(self) -> None:
        check_questions(self.questions)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)


def check_questions(questions: Iterable[Question]) -> None:
    """Refuse a set of questions whose ids repeat or whose counter-proposals don't pair up."""
    by_id: dict[int, Question] = {}
    for q in questions:
        if q.id in by_id:
            raise DomainError("question_id_repeated", f"Two questions share the id {q.id}.", question_id=q.id)
        by_id[q.id] = q
    answered: set[int] = set()
    for q in by_id.values():
        if q.counter_to is None:
            continue
        target = by_id.get(q.counter_to)
        if target is None:
            raise DomainError(
                "counter_target_unknown",
                f"Counter-proposal {q.number} answers a proposal that is not on this ballot.",
                question_id=q.id,
            )
        if target.counter_to is not None:
            raise DomainError(
                "counter_to_counter",
                f"Counter-proposal {q.number} answers another counter-proposal; "
                "a counter-proposal must answer a proposal.",
                question_id=q.id,
            )
        if target.id in answered:
            raise DomainError(
                "counter_repeated",
                f"Proposal {target.number} already has a counter-proposal; it can have only one.",
                question_id=target.id,
            )
        answered.add(target.id)


# --- eligibility and the casting window -------------------------------------------------


def is_eligible(ballot: Ballot, joined_at: datetime) -> bool:
    return joined_at <= ballot.eligible_if_joined_by


def check_eligible(ballot: Ballot, joined_at: datetime) -> None:
    if not is_eligible(ballot, joined_at):
        raise NotAllowed(
            "ballot_not_eligible",
            f"Only members who joined by {_when(ballot.eligible_if_joined_by)} can vote in this "
            f"ballot; you joined {_when(joined_at)}.",
            cutoff=ballot.eligible_if_joined_by,
        )


def is_open(window: BallotWindow, now: datetime) -> bool:
    return window.opens_at <= now < window.closes_at


def check_can_cast(window: BallotWindow, now: datetime) -> None:
    if now < window.opens_at:
        raise DomainError(
            "ballot_not_open",
            f"The ballot is not open yet; it opens {_when(window.opens_at)}.",
            opens_at=window.opens_at,
        )
    if now >= window.closes_at:
        raise DomainError(
            "ballot_closed",
            f"The ballot closed {_when(window.closes_at)}; ballots can no longer be cast.",
            closes_at=window.closes_at,
        )


def _when(moment: datetime) -> str:
    clock = f"{moment:%H:%M:%S}" if moment.second or moment.microsecond else f"{moment:%H:%M}"
    zone = f" {moment.tzname()}" if moment.tzinfo is not None else ""
    return f"at {clock}{zone} on {moment.day} {moment:%B %Y}"


# --- a member's answers -------------------------------------------------------------------


def validate_answers(questions: Iterable[Question], answers: Mapping[int | str, str | Choice]) -> dict[int, Choice]:
    """Turn submitted answers into choices by question id; blank answers are left out.

    Keys may be ids or their decimal strings (as a form sends them); values "for",
    "against", "abstain" in any case, or a Choice.
    """
    known = {q.id for q in questions}
    chosen: dict[int, Choice] = {}
    for key, value in answers.items():
        question_id = _question_id(key)
        if question_id not in known:
            raise DomainError(
                "unknown_question", f"There is no question {key!s} on this ballot.", question_id=str(key)
            )
        if isinstance(value, Choice):
            chosen[question_id] = value
            continue
        word = (value or "").strip().lower()
        if not word:
            continue  # left blank: not voting on this question
        try:
            chosen[question_id] = Choice(word)
        except ValueError:
            raise DomainError(
                "unknown_choice",
                f"'{value}' is not a choice; answer for, against or abstain.",
                question_id=question_id,
                choice=value,
            ) from None
    if not chosen:
        raise DomainError(
            "ballot_empty",
            "Your ballot has no answers. Choose for, against or abstain on at least one question.",
        )
    return chosen


def _question_id(key: int | str) -> int | None:
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    if isinstance(key, str) and key.strip().isdigit():
        return int(key.strip())
    return None


def count_choices(ballots: Iterable[Mapping[int, Choice]]) -> dict[tuple[int, Choice], int]:
    """Count validated ballots into the (question id, choice) counts that `tally` takes."""
    counts: Counter[tuple[int, Choice]] = Counter()
    for answers in ballots:
        counts.update(answers.items())
    return dict(counts)


# --- tally --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    votes_for: int = 0
    against: int = 0
    abstained: int = 0

    @property
    def answered(self) -> int:
        return self.votes_for + self.against + self.abstained


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    count: Count
    not_voting: int
    carried: bool  # reached its own majority
    reason: str
    adopted: bool  # carried, and not beaten by the other half of a counter-proposal pair


class Adopted(Enum):
    PROPOSAL = "proposal"
    COUNTER_PROPOSAL = "counter_proposal"
    NEITHER = "neither"


@dataclass(frozen=True)
class PairDecision:
    proposal_id: int
    counter_id: int
    adopted: Adopted
    reason: str


@dataclass(frozen=True)
class SectionResult:
    number: int
    title: str
    questions: tuple[QuestionResult, ...]


@dataclass(frozen=True)
class Results:
    voters_total: int
    sections: tuple[SectionResult, ...]
    pairs: tuple[PairDecision, ...] = ()

    def question(self, question_id: int) -> QuestionResult:
        for section in self.sections:
            for result in section.questions:
                if result.question.id == question_id:
                    return result
        raise KeyError(question_id)

    def pair_for(self, question_id: int) -> PairDecision | None:
        return next((p for p in self.pairs if question_id in (p.proposal_id, p.counter_id)), None)


def judge(question: Question, count: Count, voters_total: int) -> QuestionResult:
    """One question's result on its own: carried or not, and why, before any pairing."""
    carried = question.majority.is_met(count.votes_for, count.against)
    verdict = "Carried" if carried else "Not carried"
    voting = count.votes_for + count.against
    if voting == 0:
        reason = f"{verdict}: nobody voted for or against ({question.majority.name} needed)"
    else:
        share = _percent(Fraction(count.votes_for, voting), question.majority, carried)
        reason = (
            f"{verdict}: {count.votes_for} for, {count.against} against ({share} of those voting "
            f"for or against; {question.majority.name} needed)"
        )
    return QuestionResult(
        question=question,
        count=count,
        not_voting=voters_total - count.answered,
        carried=carried,
        reason=reason,
        adopted=carried,
    )


def _percent(share: Fraction, majority: Majority, carried: bool) -> str:
    """The share as a percentage, with just enough decimals not to contradict the verdict.

    Whole percentages can mislead at the boundary: 199 of 299 rounds to 67% yet falls short
    of two thirds. Compare the rounded share with the rounded threshold and add decimals until
    the comparison tells the same story as the exact one (at most four).
    """
    for decimals in range(5):
        shown, needed = _rounded(share, decimals), _rounded(majority.share, decimals)
        looks_met = shown > needed if majority.strict else shown >= needed
        # Nor should 999 for and 1 against read as 100%, or the reverse as 0%.
        looks_unanimous = shown in (0, 100) and share not in (0, 1)
        if looks_met == carried and not looks_unanimous:
            break
    units = int(shown * 10**decimals)
    whole, rest = divmod(units, 10**decimals)
    return f"{whole}.{rest:0{decimals}d}%" if decimals else f"{whole}%"


def _rounded(share: Fraction, decimals: int) -> Fraction:
    scale = 10**decimals
    # Round half up on the exact value, so 2/3 shows as 67% rather than drifting through floats.
    return Fraction(int(share * 100 * scale + Fraction(1, 2)), scale)


# The tie-breakers when both halves of a pair reach their majority, in order: the first that
# separates them decides. If none does, the assembly's proposal keeps the tie.
PAIR_TIE_BREAKERS: tuple[tuple[str, Callable[[Count], int]], ...] = (
    ("more members voted for it", lambda c: c.votes_for),
    ("its margin of votes for over votes against was larger", lambda c: c.votes_for - c.against),
)


def decide_pair(proposal: QuestionResult, counter: QuestionResult) -> PairDecision:
    """Which of a proposal and its counter-proposal is adopted, and why, in a member's words."""
    both_ids = {"proposal_id": proposal.question.id, "counter_id": counter.question.id}
    if not proposal.carried and not counter.carried:
        return PairDecision(
            **both_ids,
            adopted=Adopted.NEITHER,
            reason="Neither is adopted: neither the proposal nor the counter-proposal reached its majority.",
        )
    if proposal.carried != counter.carried:
        winner, loser = ("proposal", "counter-proposal") if proposal.carried else ("counter-proposal", "proposal")
        return PairDecision(
            **both_ids,
            adopted=Adopted.PROPOSAL if proposal.carried else Adopted.COUNTER_PROPOSAL,
            reason=f"The {winner} is adopted: it reached its majority and the {loser} did not.",
        )
    both = "Both the proposal and the counter-proposal reached their majority"
    for because, measure in PAIR_TIE_BREAKERS:
        ours, theirs = measure(proposal.count), measure(counter.count)
        if ours != theirs:
            proposal_wins = ours > theirs
            winner = "proposal" if proposal_wins else "counter-proposal"
            return PairDecision(
                **both_ids,
                adopted=Adopted.PROPOSAL if proposal_wins else Adopted.COUNTER_PROPOSAL,
                reason=f"{both}; the {winner} is adopted because {because} "
                f"({ours} for the proposal, {theirs} for the counter-proposal).",
            )
    return PairDecision(
        **both_ids,
        adopted=Adopted.PROPOSAL,
        reason=f"{both} with the same votes for and the same margin; the proposal is adopted "
        "because the assembly's proposal keeps a tie.",
    )


def tally(
    sections: Sequence[Section], counts: Mapping[tuple[int, Choice], int], voters_total: int
) -> Results:
    """Results per question, grouped by section in ballot order, with counter-proposal pairs resolved.

    `counts` maps (question id, choice) to how many ballots made that choice; missing means 0.
    """
    questions = [q for s in sections for q in s.questions]
    check_questions(questions)
    known = {q.id for q in questions}
    for (question_id, choice), n in counts.items():
        if question_id not in known:
            raise DomainError("unknown_question", f"There is no question {question_id} on this ballot.")
        if n < 0:
            raise DomainError("tally_inconsistent", f"A count cannot be negative ({n} {choice.value}).")

    results: dict[int, QuestionResult] = {}
    for q in questions:
        count = Count(
            votes_for=counts.get((q.id, Choice.FOR), 0),
            against=counts.get((q.id, Choice.AGAINST), 0),
            abstained=counts.get((q.id, Choice.ABSTAIN), 0),
        )
        if count.answered > voters_total:
            raise DomainError(
                "tally_inconsistent",
                f"Question {q.number} has {count.answered} answers but only {voters_total} people voted.",
                question_id=q.id,
            )
        results[q.id] = judge(q, count, voters_total)

    pairs = []
    for q in questions:
        if q.counter_to is None:
            continue
        decision = decide_pair(results[q.counter_to], results[q.id])
        pairs.append(decision)
        for question_id, adopted in (
            (decision.proposal_id, decision.adopted is Adopted.PROPOSAL),
            (decision.counter_id, decision.adopted is Adopted.COUNTER_PROPOSAL),
        ):
            results[question_id] = replace(results[question_id], adopted=adopted)

    return Results(
        voters_total=voters_total,
        sections=tuple(
            SectionResult(s.number, s.title, tuple(results[q.id] for q in s.questions)) for s in sections
        ),
        pairs=tuple(pairs),
    )


# --- the results document -----------------------------------------------------------------

# The order counts appear in on a count line, and the word each is written with.
COUNT_WORDS: tuple[tuple[str, str], ...] = (
    ("votes_for", "for"),
    ("against", "against"),
    ("abstained", "abstained"),
)
NO_VOTES_LINE = "no votes"


def format_count_line(count: Count) -> str:
    """'49 for; 4 against; 3 abstained', leaving out the kinds nobody chose, as the seed does."""
    parts = [f"{getattr(count, attr)} {word}" for attr, word in COUNT_WORDS if getattr(count, attr)]
    return "; ".join(parts) if parts else NO_VOTES_LINE


def format_results_text(results: Results, with_reasons: bool = False) -> str:
    """The published plain-text results, in the format of the seed results document.

    With `with_reasons`, each count line is followed by whether the question was carried and,
    for counter-proposal pairs, which was adopted.
    """
    lines = ["Results of voting:", "", f"{results.voters_total} {_people(results.voters_total)} voted in total.", ""]
    for section in results.sections:
        lines += [f"{section.number}. {section.title}", ""]
        for result in section.questions:
            lines += [f"{result.question.number}. {result.question.text}", format_count_line(result.count)]
            if with_reasons:
                lines.append(result.reason + ".")
                pair = results.pair_for(result.question.id)
                if pair is not None and pair.counter_id == result.question.id:
                    lines.append(pair.reason)
        lines.append("")
    return "\n".join(lines)


def _people(n: int) -> str:
    return "person" if n == 1 else "people"


@dataclass(frozen=True)
class SeedQuestion:
    number: int
    text: str
    count: Count


@dataclass(frozen=True)
class SeedSection:
    number: int
    title: str
    questions: tuple[SeedQuestion, ...]


@dataclass(frozen=True)
class SeedResults:
    voters_total: int
    sections: tuple[SeedSection, ...] = field(default=())


_TOTAL = re.compile(r"^(\d+) (?:people|person) voted in total\.$")
_NUMBERED = re.compile(r"^(\d+)\.\s+(.*)$")
_COUNT_PART = re.compile(r"^(\d+)\s*(for|against|abstained)$")
_COUNT_WORD_ATTR = {word: attr for attr, word in COUNT_WORDS}


def parse_count_line(line: str) -> Count | None:
    """Read '47 for ; 4 against ; 5 abstained' (spacing forgiven); None if it is not a count line."""
    if line.strip() == NO_VOTES_LINE:
        return Count()
    found: dict[str, int] = {}
    for part in line.split(";"):
        match = _COUNT_PART.match(part.strip())
        if match is None:
            return None
        attr = _COUNT_WORD_ATTR[match.group(2)]
        if attr in found:
            return None
        found[attr] = int(match.group(1))
    return Count(**found)


def parse_seed_results(text: str) -> SeedResults:
    """Read a results document like seed 004: the total, then sections of numbered questions.

    A numbered line is a section heading when the next non-blank line is a numbered line too
    (a question is always followed by more of its text or by its counts). Question text that
    runs over several lines, even across blank lines, is joined with single spaces.
    """
    lines = [(i + 1, line.strip()) for i, line in enumerate(text.splitlines()) if line.strip()]
    voters_total: int | None = None
    sections: list[tuple[int, str, list[SeedQuestion]]] = []
    pending: tuple[int, int, list[str]] | None = None  # a question waiting for its counts

    for index, (line_no, line) in enumerate(lines):
        if voters_total is None:
            total = _TOTAL.match(line)
            if total:
                voters_total = int(total.group(1))
            continue  # the preamble before the total ("Results of voting:") is not ours to check
        count = parse_count_line(line)
        if count is not None:
            if pending is None:
                _malformed(line_no, "counts without a question before them")
            number, _, words = pending
            if count.answered > voters_total:
                _malformed(line_no, f"{count.answered} answers but only {voters_total} people voted")
            sections[-1][2].append(SeedQuestion(number, " ".join(words), count))
            pending = None
            continue
        numbered = _NUMBERED.match(line)
        if pending is not None:
            if numbered:
                _malformed(line_no, f"question {pending[0]} has no counts")
            pending[2].append(line)
            continue
        if numbered is None:
            _malformed(line_no, "expected a numbered section or question")
        number, first_words = int(numbered.group(1)), numbered.group(2)
        next_line = lines[index + 1][1] if index + 1 < len(lines) else ""
        if _NUMBERED.match(next_line):
            if number != len(sections) + 1:
                _malformed(line_no, f"section {number} follows section {len(sections)}")
            sections.append((number, first_words, []))
            continue
        if not sections:
            _malformed(line_no, "a question before any section heading")
        expected = len(sections[-1][2]) + 1
        if number != expected:
            _malformed(line_no, f"question {number} where question {expected} was expected")
        pending = (number, line_no, [first_words])

    if voters_total is None:
        raise DomainError("results_malformed", "The results do not say how many people voted in total.")
    if pending is not None:
        _malformed(pending[1], f"question {pending[0]} has no counts")
    return SeedResults(
        voters_total=voters_total,
        sections=tuple(SeedSection(n, title, tuple(qs)) for n, title, qs in sections),
    )


def _malformed(line_no: int, problem: str) -> NoReturn:
    raise DomainError("results_malformed", f"Line {line_no} of the results: {problem}.", line=line_no)


def seed_sections(seed: SeedResults, first_id: int = 1) -> tuple[Section, ...]:
    """The ballot's sections for a published results document, with ids numbered from `first_id`."""
    ids = iter(range(first_id, first_id + sum(len(s.questions) for s in seed.sections)))
    return tuple(
        Section(s.number, s.title, tuple(Question(next(ids), q.number, q.text) for q in s.questions))
        for s in seed.sections
    )


def ballots_reproducing(seed: SeedResults) -> list[dict[tuple[int, int], Choice]]:
    """Individual ballots, keyed by (section number, question number), that tally to the seed's counts.

    On each question the first voters vote for, the next against, the next abstain, and any
    left over do not vote on it. Every ballot must answer something, since an empty ballot
    cannot be cast.
    """
    ballots: list[dict[tuple[int, int], Choice]] = [{} for _ in range(seed.voters_total)]
    for section in seed.sections:
        for q in section.questions:
            choices = (
                [Choice.FOR] * q.count.votes_for
                + [Choice.AGAINST] * q.count.against
                + [Choice.ABSTAIN] * q.count.abstained
            )
            for ballot, choice in zip(ballots, choices):
                ballot[(section.number, q.number)] = choice
    if any(not ballot for ballot in ballots):
        raise DomainError(
            "results_unreproducible",
            "Some voters answered no question at all, so these results cannot be rebuilt from ballots.",
        )
    return ballots


# --- receipts -----------------------------------------------------------------------------

RECEIPT_BYTES = 16
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Crockford's decoding forgives the letters people confuse with digits.
_CROCKFORD_READS = {**{c: c for c in _CROCKFORD}, "O": "0", "I": "1", "L": "1"}
RECEIPT_LENGTH = -(-RECEIPT_BYTES * 8 // 5)  # 26 characters
_GROUP = 4


def new_receipt(random_bytes: bytes) -> str:
    """A readable receipt code such as 'K7QF-3M9X-...' from the caller's random bytes."""
    if len(random_bytes) != RECEIPT_BYTES:
        raise ValueError(f"a receipt needs exactly {RECEIPT_BYTES} random bytes, got {len(random_bytes)}")
    bits = len(random_bytes) * 8
    value = int.from_bytes(random_bytes, "big") << (RECEIPT_LENGTH * 5 - bits)  # pad to whole characters
    chars = [_CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(RECEIPT_LENGTH))]
    return _grouped("".join(chars))


def normalise_receipt(text: str) -> str:
    """The canonical form of a receipt as a member typed it: any case, spaces or dashes, O for 0."""
    squeezed = re.sub(r"[\s\-]+", "", text or "").upper()
    if len(squeezed) != RECEIPT_LENGTH or any(c not in _CROCKFORD_READS for c in squeezed):
        raise DomainError(
            "receipt_malformed",
            f"That is not a receipt code. A receipt has {RECEIPT_LENGTH} letters and digits, "
            "like the one shown when you voted.",
        )
    return _grouped("".join(_CROCKFORD_READS[c] for c in squeezed))


def _grouped(chars: str) -> str:
    return "-".join(chars[i : i + _GROUP] for i in range(0, len(chars), _GROUP))
