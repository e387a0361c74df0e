"""Sortition: feasibility explanations, the leximin lottery, the seeded draw and replacements."""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from deliberation import leximin
from deliberation.errors import DomainError
from deliberation.sortition import (
    PREFER_NOT_TO_SAY,
    Characteristic,
    PoolMember,
    Quota,
    check_feasibility,
    commit,
    draw,
    fair_lottery,
    replace,
    replacement_candidates,
    summarise,
    uniform_draw_probabilities,
)

ROOT = Path(__file__).resolve().parents[2]


def member(id_: str, **features: str) -> PoolMember:
    return PoolMember(id_, features)


def satisfies(pool, quotas, chosen_ids) -> bool:
    by_id = {m.id: m for m in pool}
    for q in quotas:
        n = sum(1 for i in chosen_ids if by_id[i].value_of(q.characteristic) == q.value)
        if not q.min <= n <= q.max:
            return False
    return True


def nine_from_one_region():
    """Nine nominees from region A, one from each of eight other regions, one seat per region at most."""
    regions = "ABCDEFGHI"
    pool = [member(f"a{i}", region="A") for i in range(9)]
    pool += [member(f"s{r}", region=r) for r in regions[1:]]
    quotas = [Quota("region", r, 0, 1) for r in regions]
    return pool, quotas, [Characteristic("region", tuple(regions))]


# --- feasibility ----------------------------------------------------------------------------


def test_a_minimum_above_the_people_holding_it_is_named():
    pool = [member("p1", gender="woman"), member("p2", gender="man"), member("p3", gender="man")]
    result = check_feasibility(pool, [Quota("gender", "woman", 2, 3)], 2)
    assert not result.feasible
    [problem] = result.problems
    assert (problem.code, problem.characteristic, problem.value) == ("min_above_holders", "gender", "woman")
    assert "only 1 people" in problem.message
    assert [c.message for c in result.changes] == ["lower the minimum for gender woman from 2 to 1"]


def test_minimums_that_add_up_to_more_than_the_seats_are_named():
    pool = [member(f"w{i}", gender="woman") for i in range(3)] + [member(f"m{i}", gender="man") for i in range(3)]
    quotas = [Quota("gender", "woman", 2, 3), Quota("gender", "man", 2, 3)]
    result = check_feasibility(pool, quotas, 3)
    assert [p.code for p in result.problems] == ["minimums_exceed_seats"]
    assert result.problems[0].characteristic == "gender"
    assert sum(c.current - c.proposed for c in result.changes if c.bound == "min") == 1


def test_maximums_that_cannot_fill_the_seats_are_named():
    pool = [member(f"r{i}", region=f"R0{i}") for i in range(1, 4)] + [member("x", region="R01")]
    quotas = [Quota("region", f"R0{i}", 0, 1) for i in range(1, 4)]
    result = check_feasibility(pool, quotas, 4)
    assert [p.code for p in result.problems] == ["maximums_below_seats"]
    assert [c.message for c in result.changes] == ["raise the maximum for region R01 from 1 to 2"]


def test_quotas_that_only_fail_together_get_the_smallest_relaxation():
    # Both first-timers are women from R01; seating both breaks the one-seat cap on R01.
    pool = [
        member("p1", region="R01", gender="woman", first_time="yes"),
        member("p2", region="R01", gender="woman", first_time="yes"),
        member("p3", region="R02", gender="man", first_time="no"),
        member("p4", region="R03", gender="man", first_time="no"),
    ]
    quotas = [
        Quota("region", "R01", 0, 1),
        Quota("gender", "woman", 2, 2),
        Quota("first_time", "yes", 2, 2),
    ]
    result = check_feasibility(pool, quotas, 2)
    assert not result.feasible
    assert [p.code for p in result.problems] == ["quotas_conflict"]
    assert [c.message for c in result.changes] == ["raise the maximum for region R01 from 1 to 2"]
    with pytest.raises(DomainError) as caught:
        draw(pool, quotas, 2, "seed")
    assert caught.value.code == "quotas_infeasible"
    assert caught.value.params["changes"] == ["raise the maximum for region R01 from 1 to 2"]
    assert "raise the maximum for region R01 from 1 to 2" in caught.value.message


def test_workable_quotas_are_reported_feasible():
    pool, quotas, chars = nine_from_one_region()
    assert check_feasibility(pool, quotas, 4, characteristics=chars).feasible


@pytest.mark.parametrize(
    "pool, quotas, seats, code",
    [
        ([], [], 1, "empty_pool"),
        ([member("a", g="x")], [], 2, "pool_too_small"),
        ([member("a", g="x")], [], 0, "no_seats"),
        ([member("a", g="x"), member("b", g="x")], [Quota("g", "x", 2, 1)], 1, "quota_min_above_max"),
        ([member("a", g="x"), member("b", g="x")], [Quota("g", "x", 2, 2)], 1, "quota_min_above_seats"),
        ([member("a", g="x"), member("b", g="x")], [Quota("g", "x", -1, 1)], 1, "quota_negative"),
        ([member("a", g="zz")], [], 1, "unknown_value"),
        ([member("a", g="x")], [Quota("g", "zz", 0, 1)], 1, "unknown_value"),
        ([member("a", h="x")], [], 1, "unknown_characteristic"),
        ([member("a", g="x")], [Quota("g", "x", 0, 1), Quota("g", "x", 0, 1)], 1, "duplicate_quota"),
        ([member("a", g="x"), member("a", g="y")], [], 1, "duplicate_member"),
    ],
)
def test_bad_input_is_refused_with_a_stable_code(pool, quotas, seats, code):
    chars = [Characteristic("g", ("x", "y"))]
    with pytest.raises(DomainError) as caught:
        check_feasibility(pool, quotas, seats, characteristics=chars)
    assert caught.value.code == code


def test_prefer_not_to_say_is_always_on_the_list_and_is_the_default():
    gender = Characteristic("gender", ("woman", "man"))
    assert gender.values[-1] == PREFER_NOT_TO_SAY
    assert member("a").value_of("gender") == PREFER_NOT_TO_SAY


# --- the fair lottery -----------------------------------------------------------------------


def test_nine_nominees_sharing_one_seat_each_get_one_in_nine_and_are_told_why():
    pool, quotas, chars = nine_from_one_region()
    lottery = fair_lottery(pool, quotas, 4, characteristics=chars)
    for i in range(9):
        assert lottery.probabilities[f"a{i}"] == pytest.approx(1 / 9, abs=1e-6)
        cap = lottery.caps[f"a{i}"]
        assert (cap.characteristic, cap.value, cap.max, cap.holders) == ("region", "A", 1, 9)
        assert "1 in 9" in cap.message
    for r in "BCDEFGHI":
        # The three other seats are shared by eight single nominees.
        assert lottery.probabilities[f"s{r}"] == pytest.approx(3 / 8, abs=1e-6)
        assert f"s{r}" not in lottery.caps
    assert lottery.summary.minimum == pytest.approx(1 / 9, abs=1e-6)
    assert lottery.summary.maximum == pytest.approx(3 / 8, abs=1e-6)


def test_without_quotas_everyone_gets_seats_over_pool_size():
    pool = [member(f"m{i}", region=f"R{i % 3}") for i in range(10)]
    lottery = fair_lottery(pool, [], 4)
    assert len(lottery.probabilities) == 10
    assert all(p == pytest.approx(0.4, abs=1e-9) for p in lottery.probabilities.values())
    assert lottery.caps == {}


def test_panel_weights_are_whole_units_that_sum_to_one():
    pool, quotas, chars = nine_from_one_region()
    lottery = fair_lottery(pool, quotas, 4, characteristics=chars)
    assert sum(p.weight for p in lottery.panels) == 1_000_000_000
    assert list(lottery.panels) == sorted(lottery.panels, key=lambda p: p.seats_per_type)


# --- small random pools ---------------------------------------------------------------------

REGIONS = ("R1", "R2", "R3")
GENDERS = ("woman", "man")
CHARS = [Characteristic("region", REGIONS), Characteristic("gender", GENDERS)]


@st.composite
def small_draws(draw_):
    size = draw_(st.integers(2, 8))
    pool = [
        member(
            f"p{i}",
            region=draw_(st.sampled_from(REGIONS + (PREFER_NOT_TO_SAY,))),
            gender=draw_(st.sampled_from(GENDERS + (PREFER_NOT_TO_SAY,))),
        )
        for i in range(size)
    ]
    seats = draw_(st.integers(1, min(4, size)))
    quotas = []
    for name, values in (("region", REGIONS), ("gender", GENDERS)):
        for value in values:
            if draw_(st.booleans()):
                low = draw_(st.integers(0, seats))
                quotas.append(Quota(name, value, low, draw_(st.integers(low, seats))))
    return pool, quotas, seats


def best_smallest_chance(pool, quotas, seats) -> float:
    """Brute force: every valid panel of members, and an LP maximising the smallest member chance."""
    ids = [m.id for m in pool]
    panels = [c for c in itertools.combinations(ids, seats) if satisfies(pool, quotas, c)]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n = len(panels)
    h.addVars(n + 1, np.zeros(n + 1), np.full(n + 1, 1.0))
    h.changeColsCost(1, np.array([n], dtype=np.int32), np.array([1.0]))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.addRow(1.0, 1.0, n, np.arange(n, dtype=np.int32), np.ones(n))
    for i in ids:
        cols = [j for j, p in enumerate(panels) if i in p] + [n]
        vals = [1.0] * (len(cols) - 1) + [-1.0]
        h.addRow(0.0, highspy.kHighsInf, len(cols), np.array(cols, dtype=np.int32), np.array(vals))
    h.run()
    return h.getInfo().objective_function_value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_draws())
def test_lottery_is_a_valid_fair_distribution_over_quota_panels(case):
    pool, quotas, seats = case
    assume(check_feasibility(pool, quotas, seats, characteristics=CHARS).feasible)
    lottery = fair_lottery(pool, quotas, seats, characteristics=CHARS)
    probs = lottery.probabilities
    assert all(-1e-9 <= p <= 1 + 1e-9 for p in probs.values())
    assert sum(probs.values()) == pytest.approx(seats, abs=1e-6)
    by_id = {m.id: m for m in pool}
    for chance in lottery.panels:
        assert sum(chance.seats_per_type) == seats
        seated = []
        for member_type, count in zip(lottery.types, chance.seats_per_type):
            assert 0 <= count <= len(member_type.member_ids)
            seated += list(member_type.member_ids[:count])
        assert satisfies(pool, quotas, seated)
        assert all(by_id[i] for i in seated)
    # Nobody's chance can be raised beyond what the best distribution over all panels gives the worst-off.
    assert min(probs.values()) == pytest.approx(best_smallest_chance(pool, quotas, seats), abs=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_draws(), st.integers(0, 10_000))
def test_fair_lottery_never_does_worse_for_the_worst_off_than_the_plain_draw(case, rng_seed):
    pool, quotas, seats = case
    assume(check_feasibility(pool, quotas, seats, characteristics=CHARS).feasible)
    fair = fair_lottery(pool, quotas, seats, characteristics=CHARS).summary.minimum
    samples = 600
    plain = uniform_draw_probabilities(
        pool, quotas, seats, random.Random(rng_seed), samples, characteristics=CHARS
    )
    assert sum(plain.values()) == pytest.approx(seats)
    worst = min(plain.values())
    # Four standard errors of the estimate, for one type of one member at worst.
    tolerance = 4 * (max(worst, 1e-3) * (1 - worst) / samples) ** 0.5
    assert fair >= worst - tolerance


# --- the draw -------------------------------------------------------------------------------


def test_commit_publishes_the_sha256_of_the_seed():
    assert commit("assembly-2021-07-22") == hashlib.sha256(b"assembly-2021-07-22").hexdigest()


def test_draw_seats_a_quota_panel_and_reports_the_evidence():
    pool, quotas, chars = nine_from_one_region()
    result = draw(pool, quotas, 4, "the published seed", characteristics=chars)
    assert len(result.panel) == 4 == len(set(result.panel))
    assert satisfies(pool, quotas, result.panel)
    assert result.commitment == commit("the published seed")
    assert result.probabilities["a0"] == pytest.approx(1 / 9, abs=1e-6)


def test_draws_follow_the_lottery_across_seeds():
    pool, quotas, chars = nine_from_one_region()
    seats_for_a = sum(
        any(i.startswith("a") for i in draw(pool, quotas, 4, f"seed-{s}", characteristics=chars).panel)
        for s in range(200)
    )
    assert seats_for_a == 200  # region A always gets its seat in the fair lottery
    counts = {f"a{i}": 0 for i in range(9)}
    for s in range(200):
        for i in draw(pool, quotas, 4, f"seed-{s}", characteristics=chars).panel:
            if i in counts:
                counts[i] += 1
    assert min(counts.values()) > 0  # every one of the nine gets a turn


SUBPROCESS_DRAW = """
import json, random
from deliberation.sortition import PoolMember, Quota, draw
rng = random.Random(7)
regions = [f"R{i:02d}" for i in range(1, 13)]
pool = [PoolMember(f"n{i:03d}", {"region": rng.choice(regions), "gender": rng.choice(["woman", "man"])})
        for i in range(40)]
quotas = [Quota("region", r, 0, 1) for r in regions] + [Quota("gender", "woman", 4, 8)]
print(json.dumps(list(draw(pool, quotas, 8, "seed-of-the-day").panel)))
"""


def run_draw_in_fresh_process(hash_seed: str) -> list[str]:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", SUBPROCESS_DRAW], capture_output=True, text=True, env=env, check=True, cwd=ROOT
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_the_same_seed_draws_the_same_panel_in_another_process():
    printed: list[str] = []
    exec(SUBPROCESS_DRAW, {"print": printed.append})
    first = run_draw_in_fresh_process("1")
    second = run_draw_in_fresh_process("2")
    assert first == second == json.loads(printed[0])
    assert len(first) == 8


# --- replacements ---------------------------------------------------------------------------


def test_a_replacement_keeps_the_quotas_and_is_reproducible():
    pool = [member(f"w{i}", gender="woman") for i in range(4)] + [member(f"m{i}", gender="man") for i in range(4)]
    quotas = [Quota("gender", "woman", 2, 2), Quota("gender", "man", 2, 2)]
    panel = ["m0", "m1", "w0", "w1"]
    chosen = replace(pool, quotas, 4, panel, "w1", "seed")
    assert chosen in {"w2", "w3"}
    assert chosen == replace(pool, quotas, 4, panel, "w1", "seed")
    assert satisfies(pool, quotas, [i for i in panel if i != "w1"] + [chosen])
    picks = {replace(pool, quotas, 4, panel, "w1", f"seed-{s}") for s in range(30)}
    assert picks == {"w2", "w3"}


def test_no_replacement_left_within_the_quotas_exhausts_the_pool():
    pool = [member("w0", gender="woman"), member("w1", gender="woman"), member("m0", gender="man")]
    quotas = [Quota("gender", "woman", 2, 2)]
    with pytest.raises(DomainError) as caught:
        replace(pool, quotas, 2, ["w0", "w1"], "w0", "seed")
    assert caught.value.code == "pool_exhausted"


def test_only_a_seated_member_can_be_replaced():
    pool = [member("a", g="x"), member("b", g="x"), member("c", g="x")]
    with pytest.raises(DomainError) as caught:
        replace(pool, [], 2, ["a", "b"], "c", "seed")
    assert caught.value.code == "not_seated"


def test_replacement_candidates_are_who_keeps_the_quotas_and_nobody_when_exhausted():
    pool = [member(f"w{i}", gender="woman") for i in range(3)] + [member(f"m{i}", gender="man") for i in range(3)]
    quotas = [Quota("gender", "woman", 2, 2), Quota("gender", "man", 2, 2)]
    assert replacement_candidates(pool, quotas, 4, ["m0", "m1", "w0", "w1"], "w1") == ("w2",)
    assert replacement_candidates(pool, quotas, 4, ["m0", "m1", "w0", "w2"], "w2") == ("w1",)
    assert replacement_candidates(pool[:2] + pool[3:5], quotas, 4, ["m0", "m1", "w0", "w1"], "w0") == ()


# --- the engine on types, and the spread of chances --------------------------------------------


def test_the_engine_gives_a_capped_type_every_seat_its_quota_allows():
    # Two people of each of two types, two seats, at most one for the first type.
    problem = leximin.TypeProblem(2, (2, 2), (leximin.Bounds(0, 1, (0,)),))
    panels, shares = leximin.solve(problem)
    expected_seats = [sum(p[t] * s for p, s in zip(panels, shares)) for t in range(2)]
    assert expected_seats == pytest.approx([1.0, 1.0])


def test_the_smallest_fix_lowers_a_minimum_the_pool_cannot_meet():
    # One person of the first type, but at least two seats asked for it.
    problem = leximin.TypeProblem(2, (1, 3), (leximin.Bounds(2, 2, (0,)),))
    assert leximin.find_panel(problem, [0.0, 0.0]) is None
    assert leximin.smallest_fix(problem) == [(1, 0)]


def test_summarise_gives_the_quartiles_of_the_chances():
    spread = summarise([0.5, 0.1, 0.3, 0.2, 0.4])
    assert (spread.minimum, spread.lower_quartile, spread.median, spread.upper_quartile, spread.maximum) == (
        pytest.approx(0.1), pytest.approx(0.2), pytest.approx(0.3), pytest.approx(0.4), pytest.approx(0.5))
    assert summarise([0.25]).median == 0.25
