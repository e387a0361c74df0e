"""Sortition: pools, quotas, feasibility and a seeded draw by lot that anyone can reproduce from the seed.

An assembly category (say eight local-group representatives) is filled from a pool of nominees or
volunteers who declared characteristics such as region or age band. Quotas give, for a value of a
characteristic, the fewest and most seats it may take. This room answers four questions:

* can the quotas be met by this pool at all, and if not, which quota fails and what is the smallest
  change that would make them work (`check_feasibility`);
* how to give every pool member the best chance the quotas allow: the draw maximises the smallest
  selection probability, then the next smallest, and so on (leximin, after Flanigan et al.,
  Nature 2021) and reports each member's chance and, where a quota caps it, why (`fair_lottery`);
* how to draw one panel so that anyone holding the seed gets the same one (`commit`, `draw`);
* who takes a seat that someone gives up (`replace`).

Members who share every quoted characteristic form a *type*; by symmetry they get equal chances,
so the work is done on types, whose number is bounded by the product of the value counts, not by
the size of the pool. The linear programs on types, solved with HiGHS, are the leximin engine's
(deliberation.leximin); this module validates the inputs, explains infeasibility, publishes the
engine's mix as a lottery in whole units and draws from it.
"""
from __future__ import annotations

import bisect
import hashlib
import random
import statistics
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from deliberation import leximin
from deliberation.errors import DomainError

PREFER_NOT_TO_SAY = "prefer not to say"

# Probabilities of the published lottery are whole multiples of 1/WEIGHT_UNITS, so that the draw
# is exact integer arithmetic and tiny solver differences cannot change which panel a seed picks.
WEIGHT_UNITS = 1_000_000_000

_CAP_MATCH = 1e-6


# --- values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Characteristic:
    """A self-declared characteristic with its fixed list of values; 'prefer not to say' is always one."""

    name: str
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        values = tuple(self.values)
        if PREFER_NOT_TO_SAY not in values:
            values = values + (PREFER_NOT_TO_SAY,)
        if len(set(values)) != len(values):
            raise DomainError(
                "duplicate_value",
                f"The characteristic '{self.name}' lists a value twice.",
                characteristic=self.name,
            )
        object.__setattr__(self, "values", values)


@dataclass(frozen=True)
class PoolMember:
    """Someone in the pool; `features` maps characteristic name to the value they declared.

    A characteristic a member left out counts as 'prefer not to say'.
    """

    id: str
    features: Mapping[str, str] = field(default_factory=dict)

    def value_of(self, characteristic: str) -> str:
        return self.features.get(characteristic, PREFER_NOT_TO_SAY)


@dataclass(frozen=True)
class Quota:
    """At least `min` and at most `max` seats go to people with `value` for `characteristic`."""

    characteristic: str
    value: str
    min: int
    max: int


@dataclass(frozen=True)
class QuotaProblem:
    """One reason the quotas cannot be met, in words a member can read."""

    code: str
    characteristic: str
    value: str | None
    message: str


@dataclass(frozen=True)
class QuotaChange:
    """One step of the smallest change that makes the quotas workable."""

    characteristic: str
    value: str
    bound: str  # "min" or "max"
    current: int
    proposed: int
    message: str


@dataclass(frozen=True)
class Feasibility:
    """Whether the pool can meet the quotas; if not, why and the smallest change that would fix it."""

    feasible: bool
    problems: tuple[QuotaProblem, ...] = ()
    changes: tuple[QuotaChange, ...] = ()

    @property
    def message(self) -> str:
        if self.feasible:
            return "The quotas can be met by this pool."
        lines = [p.message for p in self.problems]
        if self.changes:
            lines.append(
                "The smallest change that would make them workable: "
                + "; ".join(c.message for c in self.changes)
                + "."
            )
        return " ".join(lines)


@dataclass(frozen=True)
class MemberType:
    """Pool members who share every quoted characteristic; `features` follow the quota order."""

    features: tuple[tuple[str, str], ...]
    member_ids: tuple[str, ...]


@dataclass(frozen=True)
class PanelChance:
    """A panel as seats per type (in `Lottery.types` order) and its chance, in 1/WEIGHT_UNITS."""

    seats_per_type: tuple[int, ...]
    weight: int

    @property
    def probability(self) -> float:
        return self.weight / WEIGHT_UNITS


@dataclass(frozen=True)
class QuotaCap:
    """A quota that holds a member's chance down: `max` seats shared by `holders` people."""

    characteristic: str
    value: str
    max: int
    holders: int
    message: str


@dataclass(frozen=True)
class ProbabilitySummary:
    """The spread of selection chances over the pool."""

    minimum: float
    lower_quartile: float
    median: float
    upper_quartile: float
    maximum: float


@dataclass(frozen=True)
class Lottery:
    """The leximin distribution over panels and what it means for each member."""

    seats: int
    types: tuple[MemberType, ...]
    panels: tuple[PanelChance, ...]
    probabilities: Mapping[str, float]
    caps: Mapping[str, QuotaCap]
    summary: ProbabilitySummary


@dataclass(frozen=True)
class DrawResult:
    """The panel drawn by lot, with the evidence anyone can check against the published seed."""

    commitment: str
    seed: str
    panel: tuple[str, ...]
    probabilities: Mapping[str, float]
    summary: ProbabilitySummary
    caps: Mapping[str, QuotaCap]
    lottery: Lottery


# --- public functions -----------------------------------------------------------------------


# Which lottery construction this module implements. The same inputs and seed give the same panel
# only under the same construction, so published draw inputs carry it and a re-run checks it.
ALGORITHM = "leximin-columns/2 (relaxation schedule, panel splitting, column generation on HiGHS)"


def commit(seed: str) -> str:
    """The sha256 hex digest of the seed, published before the draw so the seed cannot be swapped."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def check_feasibility(
    pool: Sequence[PoolMember],
    quotas: Sequence[Quota],
    seats: int,
    *,
    characteristics: Sequence[Characteristic] | None = None,
) -> Feasibility:
    """Say whether the pool can meet the quotas, which quota fails, and the smallest fix if not.

    Malformed input (empty pool, a minimum above its maximum, an unknown value...) raises
    DomainError; quotas that merely cannot be met are reported, never silently relaxed.
    """
    problem = _Problem.build(pool, quotas, seats, characteristics)
    return problem.feasibility()


def fair_lottery(
    pool: Sequence[PoolMember],
    quotas: Sequence[Quota],
    seats: int,
    *,
    characteristics: Sequence[Characteristic] | None = None,
) -> Lottery:
    """The leximin lottery over panels: the smallest chance as large as the quotas allow, then the next.

    Raises DomainError(code="quotas_infeasible") with the explanation when the quotas cannot be met.
    """
    problem = _Problem.build(pool, quotas, seats, characteristics)
    problem.require_feasible()
    return problem.lottery()


def draw(
    pool: Sequence[PoolMember],
    quotas: Sequence[Quota],
    seats: int,
    seed: str,
    *,
    characteristics: Sequence[Characteristic] | None = None,
) -> DrawResult:
    """Draw one panel by lot from the fair lottery; the same inputs and seed give the same panel anywhere."""
    lottery = fair_lottery(pool, quotas, seats, characteristics=characteristics)
    rng = random.Random(_seed_number(seed, "draw"))
    panel = _sample_panel(lottery, rng)
    return DrawResult(
        commitment=commit(seed),
        seed=seed,
        panel=panel,
        probabilities=lottery.probabilities,
        summary=lottery.summary,
        caps=lottery.caps,
        lottery=lottery,
    )


def replace(
    pool: Sequence[PoolMember],
    quotas: Sequence[Quota],
    seats: int,
    panel: Sequence[str],
    withdrawn_id: str,
    seed: str,
    *,
    characteristics: Sequence[Characteristic] | None = None,
) -> str:
    """Draw, reproducibly from the seed, someone not yet seated who keeps the quotas met without `withdrawn_id`.

    Every eligible person has the same chance. Raises DomainError(code="pool_exhausted") when nobody
    left in the pool can take the seat within the quotas.
    """
    eligible = replacement_candidates(
        pool, quotas, seats, panel, withdrawn_id, characteristics=characteristics
    )
    if not eligible:
        raise DomainError(
            "pool_exhausted",
            "Nobody left in the pool can take this seat without breaking a quota.",
            withdrawn_id=withdrawn_id,
        )
    rng = random.Random(_seed_number(seed, "replace:" + withdrawn_id))
    return eligible[rng.randrange(len(eligible))]


def replacement_candidates(
    pool: Sequence[PoolMember],
    quotas: Sequence[Quota],
    seats: int,
    panel: Sequence[str],
    withdrawn_id: str,
    *,
    characteristics: Sequence[Characteristic] | None = None,
) -> tuple[str, ...]:
    """Who, not yet seated, could take the seat `withdrawn_id` gives up and keep every quota met.

    Lets a replacement be refused ("the pool is exhausted") before any seed is committed to it.
    """
    problem = _Problem.build(pool, quotas, seats, characteristics)
    seated = list(panel)
    if len(set(seated)) != len(seated) or len(seated) != seats:
        raise DomainError(
            "panel_size_mismatch",
            f"The panel must hold {seats} different people; it holds {len(set(seated))}.",
            seats=seats,
        )
    unknown = [i for i in seated if i not in problem.member_type]
    if unknown:
        raise DomainError(
            "not_in_pool", f"'{unknown[0]}' is on the panel but not in the pool.", member_id=unknown[0]
        )
    if withdrawn_id not in seated:
        raise DomainError(
            "not_seated", f"'{withdrawn_id}' does not hold a seat on this panel.", member_id=withdrawn_id
        )
    staying = [i for i in seated if i != withdrawn_id]
    counts = [0] * len(problem.groups)
    for member_id in staying:
        for g in problem.type_groups[problem.member_type[member_id]]:
            counts[g] += 1
    taken = set(seated)
    eligible = []
    for member_id in sorted(problem.member_type):
        if member_id in taken:
            continue
        with_them = list(counts)
        for g in problem.type_groups[problem.member_type[member_id]]:
            with_them[g] += 1
        if all(grp.min <= c <= grp.max for grp, c in zip(problem.groups, with_them)):
            eligible.append(member_id)
    return tuple(eligible)


def uniform_draw_probabilities(
    pool: Sequence[PoolMember],
    quotas: Sequence[Quota],
    seats: int,
    rng: random.Random,
    samples: int,
    *,
    characteristics: Sequence[Characteristic] | None = None,
) -> Mapping[str, float]:
    """Estimate each member's chance under a plain draw that only respects the quotas.

    The plain draw takes people one at a time, uniformly among those who can still join without
    breaking a maximum or leaving too few seats for the unmet minimums, and starts again on a dead
    end. It treats people of one type alike, so each member's estimate is their type's share
    (less noisy than counting individuals). This is the baseline the fair lottery is compared with.
    """
    problem = _Problem.build(pool, quotas, seats, characteristics)
    problem.require_feasible()
    chosen = [0] * len(problem.types)
    done = 0
    attempts = 0
    while done < samples:
        attempts += 1
        if attempts > 50 * samples + 1000:
            raise DomainError(
                "plain_draw_stuck",
                "The plain draw keeps running into dead ends with these quotas.",
            )
        panel = problem.plain_panel(rng)
        if panel is None:
            continue
        for t in panel:
            chosen[t] += 1
        done += 1
    result: dict[str, float] = {}
    for t, member_type in enumerate(problem.types):
        share = chosen[t] / (samples * len(member_type.member_ids))
        for member_id in member_type.member_ids:
            result[member_id] = share
    return result


# --- the problem on types -------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """The types holding one quoted value, with that quota's bounds."""

    quota: Quota
    types: tuple[int, ...]
    holders: int

    @property
    def min(self) -> int:
        return self.quota.min

    @property
    def max(self) -> int:
        return self.quota.max


class _Problem:
    """The validated pool grouped into types, with one group per quota."""

    def __init__(
        self,
        seats: int,
        quotas: tuple[Quota, ...],
        characteristics: tuple[Characteristic, ...],
        types: tuple[MemberType, ...],
        groups: tuple[_Group, ...],
        member_type: dict[str, int],
    ) -> None:
        self.seats = seats
        self.quotas = quotas
        self.characteristics = characteristics
        self.types = types
        self.groups = groups
        self.member_type = member_type
        # What the solver needs to know: how many people of each type, and the quotas on types.
        self.shape = leximin.TypeProblem(
            seats,
            tuple(len(t.member_ids) for t in types),
            tuple(leximin.Bounds(g.min, g.max, g.types) for g in groups),
        )
        self.sizes = self.shape.sizes
        self.type_groups = self.shape.type_groups
        self._flat: list[int] | None = None

    # building and validating

    @classmethod
    def build(
        cls,
        pool: Sequence[PoolMember],
        quotas: Sequence[Quota],
        seats: int,
        characteristics: Sequence[Characteristic] | None,
    ) -> "_Problem":
        members = list(pool)
        quota_list = tuple(quotas)
        if seats < 1:
            raise DomainError("no_seats", "A category needs at least one seat to draw.", seats=seats)
        if not members:
            raise DomainError("empty_pool", "The pool is empty: nobody can be drawn.")
        if len(members) < seats:
            raise DomainError(
                "pool_too_small",
                f"The pool has {len(members)} people for {seats} seats.",
                pool=len(members),
                seats=seats,
            )
        ids = [m.id for m in members]
        if len(set(ids)) != len(ids):
            duplicate = next(i for i in sorted(ids) if ids.count(i) > 1)
            raise DomainError(
                "duplicate_member", f"'{duplicate}' is in the pool twice.", member_id=duplicate
            )
        chars = (
            tuple(characteristics)
            if characteristics is not None
            else _infer_characteristics(members, quota_list)
        )
        by_name = {c.name: c for c in chars}
        if len(by_name) != len(chars):
            raise DomainError("duplicate_characteristic", "A characteristic is listed twice.")
        for member in members:
            for name, value in sorted(member.features.items()):
                _require_known(by_name, name, value, f"pool member '{member.id}'")
        seen: set[tuple[str, str]] = set()
        for quota in quota_list:
            _require_known(by_name, quota.characteristic, quota.value, "a quota")
            pair = (quota.characteristic, quota.value)
            if pair in seen:
                raise DomainError(
                    "duplicate_quota",
                    f"There are two quotas for {quota.characteristic} '{quota.value}'.",
                    characteristic=quota.characteristic,
                    value=quota.value,
                )
            seen.add(pair)
            if quota.min < 0 or quota.max < 0:
                raise DomainError(
                    "quota_negative",
                    f"The quota for {quota.characteristic} '{quota.value}' cannot be negative.",
                    characteristic=quota.characteristic,
                    value=quota.value,
                )
            if quota.min > quota.max:
                raise DomainError(
                    "quota_min_above_max",
                    f"The quota for {quota.characteristic} '{quota.value}' asks for at least "
                    f"{quota.min} but at most {quota.max} seats.",
                    characteristic=quota.characteristic,
                    value=quota.value,
                    min=quota.min,
                    max=quota.max,
                )
            if quota.min > seats:
                raise DomainError(
                    "quota_min_above_seats",
                    f"The quota for {quota.characteristic} '{quota.value}' asks for at least "
                    f"{quota.min} seats, but there are only {seats}.",
                    characteristic=quota.characteristic,
                    value=quota.value,
                    min=quota.min,
                    seats=seats,
                )
        # Only quoted characteristics tell members apart; in the order the characteristics are listed.
        quoted = tuple(c.name for c in chars if any(q.characteristic == c.name for q in quota_list))
        by_key: dict[tuple[str, ...], list[str]] = {}
        for member in members:
            key = tuple(member.value_of(name) for name in quoted)
            by_key.setdefault(key, []).append(member.id)
        keys = sorted(by_key)
        types = tuple(
            MemberType(features=tuple(zip(quoted, key)), member_ids=tuple(sorted(by_key[key])))
            for key in keys
        )
        member_type = {m: t for t, mt in enumerate(types) for m in mt.member_ids}
        groups = []
        for quota in quota_list:
            position = quoted.index(quota.characteristic)
            holding = tuple(t for t, key in enumerate(keys) if key[position] == quota.value)
            groups.append(
                _Group(quota, holding, sum(len(types[t].member_ids) for t in holding))
            )
        return cls(seats, quota_list, chars, types, tuple(groups), member_type)

    # feasibility

    def feasibility(self) -> Feasibility:
        problems = self._single_problems()
        if not problems and self._find_panel([0.0] * len(self.types)) is not None:
            return Feasibility(True)
        if not problems:
            problems = [
                QuotaProblem(
                    "quotas_conflict",
                    "",
                    None,
                    "Each quota can be met on its own, but not all of them together with this pool.",
                )
            ]
        return Feasibility(False, tuple(problems), self._smallest_change())

    def require_feasible(self) -> None:
        result = self.feasibility()
        if not result.feasible:
            raise DomainError(
                "quotas_infeasible",
                result.message,
                problems=[p.message for p in result.problems],
                changes=[c.message for c in result.changes],
            )

    def _single_problems(self) -> list[QuotaProblem]:
        problems = []
        for group in self.groups:
            q = group.quota
            if q.min > group.holders:
                problems.append(
                    QuotaProblem(
                        "min_above_holders",
                        q.characteristic,
                        q.value,
                        f"At least {q.min} seats must go to {q.characteristic} '{q.value}', but only "
                        f"{group.holders} people in the pool have it.",
                    )
                )
        for char in self.characteristics:
            groups = [g for g in self.groups if g.quota.characteristic == char.name]
            if not groups:
                continue
            minimums = sum(g.min for g in groups)
            if minimums > self.seats:
                problems.append(
                    QuotaProblem(
                        "minimums_exceed_seats",
                        char.name,
                        None,
                        f"The minimums for {char.name} add up to {minimums} seats, but there are "
                        f"only {self.seats}.",
                    )
                )
            # Values without a quota can take as many seats as they have people.
            quoted_values = {g.quota.value for g in groups}
            unquoted_people = sum(
                n for t, n in enumerate(self.sizes)
                if dict(self.types[t].features)[char.name] not in quoted_values
            )
            room = sum(min(g.max, g.holders) for g in groups) + unquoted_people
            if room < self.seats:
                problems.append(
                    QuotaProblem(
                        "maximums_below_seats",
                        char.name,
                        None,
                        f"The maximums for {char.name}, counting only people in the pool, allow "
                        f"{room} seats, but {self.seats} must be filled.",
                    )
                )
        return problems

    def _smallest_change(self) -> tuple[QuotaChange, ...]:
        """The quota changes, fewest seats in all, that make the quotas workable (leximin.smallest_fix)."""
        fix = leximin.smallest_fix(self.shape)
        if fix is None:
            return ()
        changes = []
        for group, (lowered, raised) in zip(self.groups, fix):
            q = group.quota
            if lowered:
                changes.append(QuotaChange(
                    q.characteristic, q.value, "min", q.min, q.min - lowered,
                    f"lower the minimum for {q.characteristic} {q.value} from {q.min} to {q.min - lowered}",
                ))
            if raised:
                changes.append(QuotaChange(
                    q.characteristic, q.value, "max", q.max, q.max + raised,
                    f"raise the maximum for {q.characteristic} {q.value} from {q.max} to {q.max + raised}",
                ))
        return tuple(changes)

    # the fair lottery

    def _find_panel(self, weights: list[float]) -> tuple[int, ...] | None:
        return leximin.find_panel(self.shape, weights)

    def lottery(self) -> Lottery:
        """The leximin lottery: the engine's mix of panels, published in whole units."""
        panels, shares = leximin.solve(self.shape)
        return self._lottery(panels, shares)

    def _lottery(self, panels: list[tuple[int, ...]], shares: list[float]) -> Lottery:
        # Canonical order and whole units: the published lottery must not depend on solver noise.
        positive = sorted((p, s) for p, s in zip(panels, shares) if s > 0.5 / WEIGHT_UNITS)
        total = sum(s for _, s in positive)
        weights = [int(round(s / total * WEIGHT_UNITS)) for _, s in positive]
        largest = max(range(len(weights)), key=lambda i: (weights[i], -i))
        weights[largest] += WEIGHT_UNITS - sum(weights)
        chances = tuple(
            PanelChance(p, w) for (p, _), w in zip(positive, weights) if w > 0
        )
        expected = [0] * len(self.types)
        for chance in chances:
            for t, seats in enumerate(chance.seats_per_type):
                expected[t] += seats * chance.weight
        type_prob = [e / (WEIGHT_UNITS * n) for e, n in zip(expected, self.sizes)]
        probabilities: dict[str, float] = {}
        caps: dict[str, QuotaCap] = {}
        for t, member_type in enumerate(self.types):
            cap = self._cap(t)
            binding = cap is not None and abs(type_prob[t] - cap.max / cap.holders) <= _CAP_MATCH * max(
                type_prob[t], 1e-12
            ) + 1e-12
            for member_id in member_type.member_ids:
                probabilities[member_id] = type_prob[t]
                if binding and cap is not None:
                    caps[member_id] = cap
        return Lottery(
            seats=self.seats,
            types=self.types,
            panels=chances,
            probabilities=probabilities,
            caps=caps,
            summary=summarise([type_prob[self.member_type[m]] for m in sorted(probabilities)]),
        )

    def _cap(self, t: int) -> QuotaCap | None:
        """The quota maximum that most limits the type: its seats shared among everyone holding the value."""
        best: tuple[float, _Group] | None = None
        for g in self.type_groups[t]:
            group = self.groups[g]
            ratio = group.max / group.holders
            if ratio < 1 and (best is None or ratio < best[0]):
                best = (ratio, group)
        if best is None:
            return None
        q = best[1].quota
        holders = best[1].holders
        seats_word = "seat" if q.max == 1 else "seats"
        return QuotaCap(
            q.characteristic, q.value, q.max, holders,
            f"{q.characteristic} {q.value} may take at most {q.max} {seats_word} and {holders} people "
            f"in the pool have it, so each of them can be chosen with a chance of at most "
            f"{q.max} in {holders}.",
        )

    # the plain draw

    def plain_panel(self, rng: random.Random) -> list[int] | None:
        """One plain quota-respecting panel as a list of type indices, or None on a dead end."""
        flat = self._flat_types()
        counts = [0] * len(self.groups)
        taken_from = [0] * len(self.types)
        picked: set[int] = set()
        panel: list[int] = []
        chars = self._group_chars()
        for step in range(self.seats):
            left_after = self.seats - step - 1
            # A characteristic is tight when its unmet minimums fill every seat still open.
            deficits = [sum(max(0, self.groups[g].min - counts[g]) for g in gs) for gs in chars]

            def acceptable(t: int) -> bool:
                if taken_from[t] >= self.sizes[t]:
                    return False
                mine = self.type_groups[t]
                if any(counts[g] >= self.groups[g].max for g in mine):
                    return False
                for c, gs in enumerate(chars):
                    relief = sum(1 for g in gs if g in mine and counts[g] < self.groups[g].min)
                    if deficits[c] - relief > left_after:  # noqa: B023 (called within this step only)
                        return False
                return True

            choice = None
            for _ in range(200):
                i = rng.randrange(len(flat))
                if i not in picked and acceptable(flat[i]):
                    choice = i
                    break
            if choice is None:
                # Many refusals in a row: list who can still join, and stop if nobody can.
                open_members = [i for i in range(len(flat)) if i not in picked and acceptable(flat[i])]
                if not open_members:
                    return None
                choice = open_members[rng.randrange(len(open_members))]
            picked.add(choice)
            t = flat[choice]
            taken_from[t] += 1
            panel.append(t)
            for g in self.type_groups[t]:
                counts[g] += 1
        if all(grp.min <= c for grp, c in zip(self.groups, counts)):
            return panel
        return None

    def _flat_types(self) -> list[int]:
        cached = self._flat
        if cached is None:
            cached = [t for t, n in enumerate(self.sizes) for _ in range(n)]
            self._flat = cached
        return cached

    def _group_chars(self) -> list[list[int]]:
        names = sorted({g.quota.characteristic for g in self.groups})
        return [[g for g, grp in enumerate(self.groups) if grp.quota.characteristic == n] for n in names]


# --- helpers --------------------------------------------------------------------------------


def _seed_number(seed: str, purpose: str) -> int:
    # sha256 rather than hash(): str hashes change between processes.
    return int.from_bytes(hashlib.sha256(f"convene:{purpose}:{seed}".encode("utf-8")).digest(), "big")


def _sample_panel(lottery: Lottery, rng: random.Random) -> tuple[str, ...]:
    cumulative = []
    running = 0
    for chance in lottery.panels:
        running += chance.weight
        cumulative.append(running)
    pick = bisect.bisect_right(cumulative, rng.randrange(WEIGHT_UNITS))
    chosen = lottery.panels[pick]
    members: list[str] = []
    for member_type, seats in zip(lottery.types, chosen.seats_per_type):
        if seats:
            members.extend(rng.sample(list(member_type.member_ids), seats))
    return tuple(sorted(members))


def summarise(values: Sequence[float]) -> ProbabilitySummary:
    """The smallest, quartiles, median and largest of some chances (at least one)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        only = ordered[0]
        return ProbabilitySummary(only, only, only, only, only)
    q1, q2, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return ProbabilitySummary(ordered[0], q1, q2, q3, ordered[-1])


def _infer_characteristics(
    members: list[PoolMember], quotas: tuple[Quota, ...]
) -> tuple[Characteristic, ...]:
    values: dict[str, set[str]] = {}
    for member in members:
        for name, value in member.features.items():
            values.setdefault(name, set()).add(value)
    for quota in quotas:
        values.setdefault(quota.characteristic, set()).add(quota.value)
    return tuple(Characteristic(name, tuple(sorted(vals))) for name, vals in sorted(values.items()))


def _require_known(by_name: dict[str, Characteristic], name: str, value: str, where: str) -> None:
    if name not in by_name:
        raise DomainError(
            "unknown_characteristic",
            f"'{name}' in {where} is not one of the characteristics of this draw.",
            characteristic=name,
        )
    if value not in by_name[name].values:
        raise DomainError(
            "unknown_value",
            f"'{value}' in {where} is not on the list of values for {name}.",
            characteristic=name,
            value=value,
        )
