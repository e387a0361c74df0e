"""The leximin engine: every HiGHS linear program of a draw, on member types.

Members who share every quoted characteristic form a *type*; by symmetry they get equal chances,
so the programs work on types (`TypeProblem`), whose number is bounded by the product of the value
counts, not by the size of the pool. `solve` finds the leximin mix of panels (Flanigan et al.,
Nature 2021): the relaxation's leximin levels and point, the point split into whole panels, then
column generation with smoothed duals; `PanelSearch` prices panels and `smallest_fix` is the small
MIP behind "the smallest change that would make the quotas workable". deliberation.sortition
turns what these return into the published lottery; it never calls the solver itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np

_INF = highspy.kHighsInf
# Column generation compares values of order 1 (probabilities are scaled so that the plain average
# chance k/n is 1); these tolerances sit well above HiGHS's own 1e-9 feasibility tolerances.
_IMPROVES = 1e-7
_TIGHT_DUAL = 1e-6
_FIX_SLACK = 1e-7
# How close the master must come to the relaxation's level to count as reaching it.
_REACHED = 5e-8
# Below this, a share of the relaxation's point counts as used up when peeling off panels.
_PEEL_TOL = 1e-7
# One-swap neighbours of each priced panel added to the master per round.
_EXTRA_COLUMNS = 4
# Weight of the best duals so far when pricing (Wentges smoothing).
_SMOOTHING = 0.8


Panel = tuple[int, ...]
"""A panel as seats per type, in the order of `TypeProblem.sizes`."""


@dataclass(frozen=True)
class Bounds:
    """One quota on types: at least `min` and at most `max` seats go to the types in `types`."""

    min: int
    max: int
    types: tuple[int, ...]


@dataclass(frozen=True)
class TypeProblem:
    """A draw as the solver sees it: `seats` to fill from types of `sizes` people, within `groups`."""

    seats: int
    sizes: tuple[int, ...]
    groups: tuple[Bounds, ...]
    # For each type, the groups it belongs to.
    type_groups: tuple[tuple[int, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        type_groups: list[list[int]] = [[] for _ in self.sizes]
        for g, group in enumerate(self.groups):
            for t in group.types:
                type_groups[t].append(g)
        object.__setattr__(self, "type_groups", tuple(tuple(gs) for gs in type_groups))

    @property
    def pool_size(self) -> int:
        return sum(self.sizes)


def find_panel(problem: TypeProblem, weights: list[float]) -> Panel | None:
    """The panel within the quotas with the most weight, or None when no panel meets them."""
    return PanelSearch(problem).best(weights)


class PanelSearch:
    """The pricing problem: the panel (seats per type, within the quotas) with the most dual weight.

    Its LP relaxation is usually integral already, so a warm-started LP answers most calls and the
    MIP only runs when the relaxation comes out fractional.
    """

    def __init__(self, problem: TypeProblem) -> None:
        n_types = len(problem.sizes)
        self.problem = problem
        self.n_types = n_types
        self.idx = np.arange(n_types, dtype=np.int32)
        self.upper = []
        for t, n in enumerate(problem.sizes):
            bound = min(n, problem.seats)
            for g in problem.type_groups[t]:
                bound = min(bound, problem.groups[g].max)
            self.upper.append(bound)
        self.relaxed = self._model(integral=False)
        self.relaxed.setOptionValue("presolve", "off")
        self.exact = self._model(integral=True)
        self.exact.setOptionValue("mip_rel_gap", 1e-9)
        self.exact.setOptionValue("mip_abs_gap", 1e-10)

    def _model(self, integral: bool) -> highspy.Highs:
        n_types = self.n_types
        h = quiet_highs()
        h.addVars(n_types, np.zeros(n_types), np.array(self.upper, dtype=np.float64))
        if integral:
            h.changeColsIntegrality(
                n_types, self.idx, np.full(n_types, highspy.HighsVarType.kInteger, dtype=np.uint8)
            )
        h.addRow(self.problem.seats, self.problem.seats, n_types, self.idx, np.ones(n_types))
        for group in self.problem.groups:
            cols = np.array(group.types, dtype=np.int32)
            h.addRow(group.min, group.max, len(cols), cols, np.ones(len(cols)))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        return h

    def best(self, weights: list[float]) -> tuple[int, ...] | None:
        costs = np.array(weights, dtype=np.float64)
        self.relaxed.changeColsCost(self.n_types, self.idx, costs)
        self.relaxed.run()
        if self.relaxed.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            values = self.relaxed.getSolution().col_value
            panel = tuple(int(round(v)) for v in values)
            if all(abs(v - x) < 1e-9 for v, x in zip(values, panel)):
                return panel
        self.exact.changeColsCost(self.n_types, self.idx, costs)
        self.exact.run()
        if self.exact.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return tuple(int(round(v)) for v in self.exact.getSolution().col_value)

    def candidates(self, weights: list[float], extra: int) -> tuple[float, list[tuple[int, ...]]]:
        """The best panel's weight, and that panel with up to `extra` of its best one-swap neighbours.

        Several columns per round cut the number of master solves; neighbours cost no solver call.
        """
        best = self.best(weights)
        if best is None:
            return -_INF, []
        value = sum(weights[t] * x for t, x in enumerate(best) if x)
        problem = self.problem
        counts = [0] * len(problem.groups)
        for t, x in enumerate(best):
            for g in problem.type_groups[t]:
                counts[g] += x
        by_weight = sorted(range(self.n_types), key=lambda t: (-weights[t], t))
        swaps: list[tuple[float, int, int]] = []
        for out in sorted(t for t, x in enumerate(best) if x):
            taken = 0
            for into in by_weight:
                if taken >= extra:
                    break
                if into == out or best[into] >= self.upper[into]:
                    continue
                if self._swap_keeps_quotas(counts, out, into):
                    swaps.append((weights[out] - weights[into], out, into))
                    taken += 1
        found = [best]
        for _, out, into in sorted(swaps)[:extra]:
            panel = list(best)
            panel[out] -= 1
            panel[into] += 1
            found.append(tuple(panel))
        return value, found

    def _swap_keeps_quotas(self, counts: list[int], out: int, into: int) -> bool:
        groups = self.problem.groups
        leaving = self.problem.type_groups[out]
        joining = self.problem.type_groups[into]
        for g in joining:
            if g not in leaving and counts[g] + 1 > groups[g].max:
                return False
        for g in leaving:
            if g not in joining and counts[g] - 1 < groups[g].min:
                return False
        return True



def smallest_fix(problem: TypeProblem) -> list[tuple[int, int]] | None:
    """Minimise the total seats by which minimums are lowered and maximums raised (a small MIP).

    For each group in order: by how many seats to lower its minimum and raise its maximum; None
    when the solver finds no fix.
    """
    n_types = len(problem.sizes)
    n_groups = len(problem.groups)
    h = quiet_highs()
    # Columns: seats per type, then for each quota how far to lower its min and raise its max.
    lower = [0.0] * (n_types + 2 * n_groups)
    upper = [float(min(n, problem.seats)) for n in problem.sizes]
    for group in problem.groups:
        upper += [float(group.min), float(problem.seats)]
    cost = [0.0] * n_types + [1.0] * (2 * n_groups)
    h.addVars(len(lower), np.array(lower), np.array(upper))
    idx = np.arange(len(lower), dtype=np.int32)
    h.changeColsCost(len(lower), idx, np.array(cost))
    h.changeColsIntegrality(len(lower), idx, np.full(len(lower), highspy.HighsVarType.kInteger, dtype=np.uint8))
    h.addRow(problem.seats, problem.seats, n_types, np.arange(n_types, dtype=np.int32), np.ones(n_types))
    for g, group in enumerate(problem.groups):
        cols = list(group.types)
        lo_col, hi_col = n_types + 2 * g, n_types + 2 * g + 1
        h.addRow(group.min, _INF, len(cols) + 1, np.array(cols + [lo_col], dtype=np.int32),
                 np.array([1.0] * len(cols) + [1.0]))
        h.addRow(-_INF, group.max, len(cols) + 1, np.array(cols + [hi_col], dtype=np.int32),
                 np.array([1.0] * len(cols) + [-1.0]))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    values = h.getSolution().col_value
    return [
        (int(round(values[n_types + 2 * g])), int(round(values[n_types + 2 * g + 1])))
        for g in range(n_groups)
    ]


def solve(problem: TypeProblem) -> tuple[list[Panel], list[float]]:
    """Column generation for each leximin level (Flanigan et al., 2021), on types.

    The master LP spreads probability over the panels found so far to lift the level z that
    every type not yet fixed reaches; the pricing MIP finds the panel its duals value most.
    When no panel lifts z, the types with positive dual weight are fixed at z and the next
    level begins. Chances are scaled so that the plain average k/n is 1. Returns the panels found
and the share of probability the master gives each (some shares may be zero).
    """
    n_types = len(problem.sizes)
    scale = [problem.pool_size / (problem.seats * n) for n in problem.sizes]
    search = PanelSearch(problem)
    master = quiet_highs()
    master.setOptionValue("presolve", "off")
    master.setOptionValue("simplex_strategy", 4)
    # Column 0 is z, the level every type not yet fixed must reach (1 = the plain average k/n).
    master.addVars(1, np.array([0.0]), np.array([_INF]))
    master.changeColsCost(1, np.array([0], dtype=np.int32), np.array([1.0]))
    master.changeObjectiveSense(highspy.ObjSense.kMaximize)
    master.addRows(
        n_types, np.zeros(n_types), np.full(n_types, _INF), n_types,
        np.arange(n_types, dtype=np.int32), np.zeros(n_types, dtype=np.int32), np.full(n_types, -1.0),
    )
    master.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))
    panels: list[tuple[int, ...]] = []
    known: set[tuple[int, ...]] = set()

    def add_panel(panel: tuple[int, ...]) -> bool:
        if panel in known:
            return False
        known.add(panel)
        panels.append(panel)
        rows = [t for t in range(n_types) if panel[t]]
        master.addCol(
            0.0, 0.0, _INF, len(rows) + 1,
            np.array(rows + [n_types], dtype=np.int32),
            np.array([panel[t] * scale[t] for t in rows] + [1.0]),
        )
        return True

    # Peeling the relaxation's leximin point into panels usually gives the whole portfolio.
    schedule, point = _relaxed_schedule(problem, search.upper, scale)
    uncovered = [1.0] * n_types
    for panel in _decompose(problem, point, search.upper) if point else []:
        add_panel(panel)
        for t in range(n_types):
            if panel[t]:
                uncovered[t] = 0.0
    # Otherwise start from panels that between them seat every type that can be seated at all:
    # until then the level is stuck at zero and each round of column generation covers one type.
    while any(uncovered):
        best = search.best(uncovered)
        assert best is not None  # feasibility was checked before
        if not any(uncovered[t] for t in range(n_types) if best[t]):
            break  # the rest cannot be seated in any panel
        add_panel(best)
        for t in range(n_types):
            if best[t]:
                uncovered[t] = 0.0
    fixed = [False] * n_types
    floor = [0.0] * n_types
    rounds = 0
    limit = 20 * n_types + 200
    # Dual smoothing (Wentges): price with a mix of the current duals and the best duals seen
    # this level. Plain simplex duals jump between vertices and column generation tails off;
    # the mix keeps them steady, and the best bound says when the level cannot rise further.
    center: list[float] | None = None
    center_bound = _INF

    def price(duals_y: list[float], current: list[float], threshold: float) -> bool:
        nonlocal center, center_bound
        value, found = search.candidates([y * s for y, s in zip(duals_y, scale)], _EXTRA_COLUMNS)
        bound = value - sum(floor[t] * duals_y[t] for t in range(n_types) if fixed[t])
        if bound < center_bound:
            center, center_bound = duals_y, bound
        added = False
        for panel in found:
            gain = sum(current[t] * x * scale[t] for t, x in enumerate(panel) if x)
            if gain > threshold:
                added = add_panel(panel) or added
        return added

    # The leximin levels of the relaxation (fractional panels allowed) bound the real ones from
    # above, stage by stage, and usually equal them. While the master keeps reaching them, a
    # stage ends as soon as its level is reached, with no pricing rounds spent proving that it
    # cannot rise further, and the relaxation's duals name the types to fix.
    stage = 0

    while True:
        master.run()
        solution = master.getSolution()
        duals = solution.row_dual
        level = master.getInfo().objective_function_value
        current = [max(0.0, -duals[t]) for t in range(n_types)]
        threshold = duals[n_types] + _IMPROVES
        rounds += 1
        target = schedule[stage][0] if stage < len(schedule) else _INF
        if level >= target - _REACHED:
            # The relaxation proves no panel mix lifts these types above the level reached.
            for t in schedule[stage][1]:
                fixed[t] = True
                floor[t] = target - _FIX_SLACK
                master.changeCoeff(t, 0, 0.0)
                master.changeRowBounds(t, floor[t], _INF)
            stage += 1
            center, center_bound = None, _INF
            if all(fixed):
                break
            continue
        added = False
        if rounds < limit and center_bound - level > _IMPROVES:
            if center is not None:
                mixed = [_SMOOTHING * c + (1 - _SMOOTHING) * y for c, y in zip(center, current)]
                added = price(mixed, current, threshold)
            if not added:
                added = price(current, current, threshold)
        if added:
            continue
        # No panel improves the level: the types with positive dual weight cannot rise above it.
        # The relaxation's level is out of reach, so its later stages no longer apply.
        schedule = []
        open_types = [t for t in range(n_types) if not fixed[t]]
        tight = [t for t in open_types if current[t] > _TIGHT_DUAL]
        if not tight:
            tight = [max(open_types, key=lambda t: (current[t], -t))]
        for t in tight:
            fixed[t] = True
            floor[t] = level - _FIX_SLACK
            master.changeCoeff(t, 0, 0.0)
            master.changeRowBounds(t, floor[t], _INF)
        center, center_bound = None, _INF
        if all(fixed):
            break
    shares = list(solution.col_value[1:])
    return panels, shares


def _relaxed_schedule(
    problem: TypeProblem, upper: list[int], scale: list[float]
) -> tuple[list[tuple[float, tuple[int, ...]]], list[float]]:
    """The leximin stages of the relaxation (each level and the types it fixes), and its point.

    Variables are expected seats per type within the quotas, fractions allowed; a small LP per
    stage, since it needs no panels. Fixing follows the same rule as the master's.
    """
    n_types = len(problem.sizes)
    h = quiet_highs()
    h.setOptionValue("presolve", "off")
    h.addVars(n_types, np.zeros(n_types), np.array(upper, dtype=np.float64))
    h.addVars(1, np.array([0.0]), np.array([_INF]))
    h.changeColsCost(1, np.array([n_types], dtype=np.int32), np.array([1.0]))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.addRow(problem.seats, problem.seats, n_types, np.arange(n_types, dtype=np.int32), np.ones(n_types))
    for group in problem.groups:
        cols = np.array(group.types, dtype=np.int32)
        h.addRow(group.min, group.max, len(cols), cols, np.ones(len(cols)))
    first = 1 + len(problem.groups)
    for t in range(n_types):
        h.addRow(0.0, _INF, 2, np.array([t, n_types], dtype=np.int32), np.array([scale[t], -1.0]))
    fixed = [False] * n_types
    stages: list[tuple[float, tuple[int, ...]]] = []
    while not all(fixed):
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return [], []  # no schedule: the master finds the levels on its own
        level = h.getInfo().objective_function_value
        duals = h.getSolution().row_dual
        weight = [abs(duals[first + t]) for t in range(n_types)]
        open_types = [t for t in range(n_types) if not fixed[t]]
        tight = [t for t in open_types if weight[t] > _TIGHT_DUAL]
        if not tight:
            tight = [max(open_types, key=lambda t: (weight[t], -t))]
        for t in tight:
            fixed[t] = True
            h.changeCoeff(first + t, n_types, 0.0)
            h.changeRowBounds(first + t, level - _FIX_SLACK, _INF)
        stages.append((level, tuple(tight)))
    return stages, list(h.getSolution().col_value[:n_types])


def _decompose(problem: TypeProblem, point: list[float], upper: list[int]) -> list[Panel]:
    """Panels whose mix gives `point` (expected seats per type), found by peeling off vertices.

    Each step takes a vertex of the smallest face of the relaxation holding the rest of the
    point and removes as much of it as keeps the rest inside; the face then shrinks, so there
    are at most as many steps as types. Vertices are almost always whole panels; at a
    fractional one the peeling stops and column generation finds what is missing.
    """
    n_types = len(problem.sizes)
    rows = [(float(problem.seats), float(problem.seats), tuple(range(n_types)))]
    rows += [(float(g.min), float(g.max), g.types) for g in problem.groups]
    idx = np.arange(n_types, dtype=np.int32)

    def model(integral: bool) -> highspy.Highs:
        h = quiet_highs()
        h.setOptionValue("presolve", "off" if not integral else "choose")
        h.addVars(n_types, np.zeros(n_types), np.array(upper, dtype=np.float64))
        if integral:
            h.changeColsIntegrality(
                n_types, idx, np.full(n_types, highspy.HighsVarType.kInteger, dtype=np.uint8)
            )
        for lo, hi, cols in rows:
            h.addRow(lo, hi, len(cols), np.array(cols, dtype=np.int32), np.ones(len(cols)))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        return h

    relaxed, exact = model(False), model(True)
    rest = list(point)
    panels: list[tuple[int, ...]] = []
    for _ in range(n_types + 1):
        # The smallest face holding `rest`: every bound it meets stays met.
        col_lo = [0.0] * n_types
        col_hi = [float(u) for u in upper]
        for t in range(n_types):
            if rest[t] <= _PEEL_TOL:
                col_hi[t] = 0.0
            elif rest[t] >= upper[t] - _PEEL_TOL:
                col_lo[t] = float(upper[t])
        sums = [sum(rest[t] for t in cols) for _, _, cols in rows]
        bounds = []
        for (lo, hi, _), total in zip(rows, sums, strict=True):
            if total <= lo + _PEEL_TOL:
                bounds.append((lo, lo))
            elif total >= hi - _PEEL_TOL:
                bounds.append((hi, hi))
            else:
                bounds.append((lo, hi))
        vertex = None
        # A vertex of the face is usually a whole panel; if not, look for a whole panel on it.
        for h in (relaxed, exact):
            h.changeColsBounds(n_types, idx, np.array(col_lo), np.array(col_hi))
            for r, (lo, hi) in enumerate(bounds):
                h.changeRowBounds(r, lo, hi)
            h.changeColsCost(n_types, idx, np.array(rest))
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                break
            values = h.getSolution().col_value
            rounded = tuple(int(round(v)) for v in values)
            if all(abs(v - x) <= 1e-9 for v, x in zip(values, rounded)):
                vertex = rounded
                break
        if vertex is None:
            break
        panels.append(vertex)
        # The largest share of the vertex that leaves the rest inside the relaxation.
        share = 1.0
        for t in range(n_types):
            if vertex[t] > rest[t] and vertex[t] > 0:
                share = min(share, rest[t] / vertex[t]) if rest[t] < vertex[t] else share
            if vertex[t] < rest[t] and upper[t] > vertex[t]:
                share = min(share, (upper[t] - rest[t]) / (upper[t] - vertex[t]))
        for (lo, hi, cols), total in zip(rows, sums):
            seats = sum(vertex[t] for t in cols)
            if seats > lo and total < seats:
                share = min(share, (total - lo) / (seats - lo))
            if seats < hi and total > seats:
                share = min(share, (hi - total) / (hi - seats))
        if share >= 1.0 - _PEEL_TOL:
            break
        rest = [
            min(float(upper[t]), max(0.0, (r - share * v) / (1.0 - share)))
            for t, (r, v) in enumerate(zip(rest, vertex))
        ]
    return panels


def quiet_highs() -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    # One thread and a fixed seed keep the solver's answers identical from run to run.
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    return h

