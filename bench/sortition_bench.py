"""How long the fair draw takes and how much it lifts the worst-off member's chance.

Run from the repository root:  python bench/sortition_bench.py [--skip-large] [--cases 1,2,3,4] [--samples N]

Pools are generated with a seeded Random so every run measures the same pools. For each case it
prints the time to compute the leximin lottery and draw, the smallest selection chance it gives,
and, from the same run, the smallest chance under the plain quota-respecting draw (a Monte Carlo
estimate, per type) with the time that estimate took.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deliberation.sortition import (  # noqa: E402
    PREFER_NOT_TO_SAY,
    Characteristic,
    PoolMember,
    Quota,
    draw,
    uniform_draw_probabilities,
)

REGIONS = tuple(f"R{i:02d}" for i in range(1, 13))
GENDERS = ("woman", "man", "non-binary")
AGES = ("16-29", "30-44", "45-64", "65+")
ETHNICITIES = ("white", "black", "asian", "mixed", "other")
CHARACTERISTICS = (
    Characteristic("region", REGIONS),
    Characteristic("gender", GENDERS),
    Characteristic("age", AGES),
    Characteristic("ethnicity", ETHNICITIES),
)
# Membership is concentrated in a few regions (London, the North West), as in the seed process.
REGION_WEIGHTS = (22, 14, 11, 10, 9, 8, 7, 6, 5, 4, 2, 2)


def pick(rng: random.Random, values: tuple[str, ...], weights: tuple[int, ...], unsaid: int = 3) -> str:
    return rng.choices(values + (PREFER_NOT_TO_SAY,), weights + (unsaid,))[0]


def volunteers(size: int, rng: random.Random) -> list[PoolMember]:
    return [
        PoolMember(
            f"v{i:06d}",
            {
                "region": pick(rng, REGIONS, REGION_WEIGHTS, 2),
                "gender": pick(rng, GENDERS, (48, 46, 3)),
                "age": pick(rng, AGES, (20, 28, 34, 15)),
                "ethnicity": pick(rng, ETHNICITIES, (78, 5, 9, 4, 2)),
            },
        )
        for i in range(size)
    ]


def nominees(rng: random.Random) -> tuple[list[PoolMember], list[Quota], int]:
    """40 local-group representatives from 12 regions for 8 seats: one seat per region at most."""
    pool = [
        PoolMember(
            f"n{i:03d}",
            {"region": pick(rng, REGIONS, REGION_WEIGHTS, 0), "gender": pick(rng, GENDERS, (50, 47, 3))},
        )
        for i in range(40)
    ]
    quotas = [Quota("region", r, 0, 1) for r in REGIONS] + [Quota("gender", "woman", 4, 8)]
    return pool, quotas, 8


def four_seat_quotas() -> list[Quota]:
    return (
        [Quota("region", r, 0, 1) for r in REGIONS]
        + [Quota("gender", "woman", 2, 4), Quota("gender", "man", 0, 2)]
        + [Quota("age", "16-29", 1, 4), Quota("age", "65+", 0, 1)]
        + [Quota("ethnicity", "white", 0, 3)]
    )


def forty_seat_quotas() -> list[Quota]:
    return (
        [Quota("region", r, 2, 6) for r in REGIONS]
        + [Quota("gender", "woman", 19, 22), Quota("gender", "man", 16, 20), Quota("gender", "non-binary", 1, 3)]
        + [
            Quota("age", a, lo, hi)
            for a, lo, hi in (("16-29", 8, 12), ("30-44", 10, 13), ("45-64", 10, 14), ("65+", 4, 7))
        ]
        + [
            Quota("ethnicity", e, lo, hi)
            for e, lo, hi in (("white", 24, 30), ("black", 2, 4), ("asian", 3, 6), ("mixed", 1, 3), ("other", 1, 2))
        ]
    )


def measure(name: str, pool: list[PoolMember], quotas: list[Quota], seats: int, samples: int) -> None:
    started = time.perf_counter()
    result = draw(pool, quotas, seats, "bench-seed", characteristics=CHARACTERISTICS)
    fair_seconds = time.perf_counter() - started
    started = time.perf_counter()
    plain = uniform_draw_probabilities(
        pool, quotas, seats, random.Random(2021), samples, characteristics=CHARACTERISTICS
    )
    plain_seconds = time.perf_counter() - started
    lottery = result.lottery
    print(
        f"{name:<34} {len(pool):>7} {seats:>5} {len(lottery.types):>6} {len(lottery.panels):>7} "
        f"{fair_seconds:>8.2f} {result.summary.minimum:>10.6f} {result.summary.median:>10.6f} "
        f"{min(plain.values()):>10.6f} {plain_seconds:>8.2f} {seats / len(pool):>9.6f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-large", action="store_true", help="leave out the 100,000-volunteer case")
    parser.add_argument("--samples", type=int, default=10000, help="plain draws for the Monte Carlo estimate")
    parser.add_argument(
        "--cases", default="1,2,3,4",
        help="which cases to run, by number: 1 nominees, 2 2,000/4 seats, 3 2,000/40 seats, 4 100,000/40 seats",
    )
    args = parser.parse_args()
    cases = {int(c) for c in args.cases.split(",") if c.strip()}
    rng = random.Random(20210722)
    print(
        f"{'case':<34} {'pool':>7} {'seats':>5} {'types':>6} {'panels':>7} {'fair s':>8} "
        f"{'fair min':>10} {'fair med':>10} {'plain min':>10} {'plain s':>8} {'k/n':>9}"
    )
    # Pools are always generated in the same order, so a case measures the same pool when run alone.
    pool, quotas, seats = nominees(rng)
    if 1 in cases:
        measure("nominees, 12 regions, <=1 each", pool, quotas, seats, args.samples)
    crowd = volunteers(2_000, rng)
    if 2 in cases:
        measure("volunteers, 4 characteristics", crowd, four_seat_quotas(), 4, args.samples)
    if 3 in cases:
        measure("volunteers, 4 characteristics", crowd, forty_seat_quotas(), 40, args.samples)
    if 4 in cases and not args.skip_large:
        measure("volunteers, 4 characteristics", volunteers(100_000, rng), forty_seat_quotas(), 40, args.samples)


if __name__ == "__main__":
    main()
