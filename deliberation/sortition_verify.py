"""Re-run a published draw from its inputs file and say whether it gives the published panel.

    python -m deliberation.sortition_verify draw-7-inputs.json

The file is the one a draw's page offers for download: the seats, the characteristics and their
values, the quotas, the pool under opaque ids with each one's characteristics, the commitment, and
(once the draw has run) the seed and the panel. A replacement's file also names the panel it
changed ("panel"), the opaque id that stood down ("withdrawn"), pool members seated elsewhere meanwhile
("unavailable"), and once run the panel after the replacement ("panel_after"). The check needs
nothing but this package and HiGHS.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from deliberation import sortition
from deliberation.errors import DomainError


@dataclass(frozen=True)
class Outcome:
    """What the re-run found: the panel it drew, the one published, and whether the seed fits the commitment."""

    panel: list[str]
    published: list[str]
    commitment_ok: bool
    chosen: str | None = None

    @property
    def matches(self) -> bool:
        return self.commitment_ok and sorted(self.panel) == sorted(self.published)


def verify(inputs: Mapping[str, Any]) -> Outcome:
    """Re-draw from the inputs and compare with the published panel (pure: no files, no clock)."""
    if "seed" not in inputs:
        raise DomainError("seed_not_published", "This draw has not run yet: its seed is not published.")
    seed = inputs["seed"]
    if inputs.get("algorithm", sortition.ALGORITHM) != sortition.ALGORITHM:
        raise DomainError("algorithm_changed",
                          f"This draw was made with “{inputs['algorithm']}”; this copy of Convene draws with "
                          f"“{sortition.ALGORITHM}”. Re-run it with the Convene version that made it.")
    members = [sortition.PoolMember(m["id"], m["features"]) for m in inputs["pool"]]
    quotas = [sortition.Quota(q["characteristic"], q["value"], int(q["min"]), int(q["max"]))
              for q in inputs["quotas"]]
    chars = [sortition.Characteristic(c["name"], tuple(c["values"])) for c in inputs["characteristics"]]
    seats = int(inputs["seats"])
    commitment_ok = sortition.commit(seed) == inputs.get("commitment")
    if "withdrawn" in inputs:
        unavailable = set(inputs.get("unavailable", []))
        left = [m for m in members if m.id not in unavailable]
        chosen = sortition.replace(left, quotas, seats, inputs["panel"], inputs["withdrawn"], seed,
                                   characteristics=chars)
        panel = sorted([i for i in inputs["panel"] if i != inputs["withdrawn"]] + [chosen])
        return Outcome(panel, list(inputs.get("panel_after", [])), commitment_ok, chosen)
    result = sortition.draw(members, quotas, seats, seed, characteristics=chars)
    return Outcome(list(result.panel), list(inputs.get("panel", [])), commitment_ok)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m deliberation.sortition_verify <inputs.json>", file=sys.stderr)
        return 2
    inputs = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    try:
        outcome = verify(inputs)
    except DomainError as err:
        print(err.message, file=sys.stderr)
        return 2
    print(f"commitment: {'matches the seed' if outcome.commitment_ok else 'DOES NOT match the seed'}")
    if outcome.chosen is not None:
        print(f"replacement drawn: {outcome.chosen}")
    print("panel drawn:     " + " ".join(outcome.panel))
    print("panel published: " + " ".join(outcome.published))
    print("the same panel: yes" if outcome.matches else "the same panel: NO")
    return 0 if outcome.matches else 1


if __name__ == "__main__":
    raise SystemExit(main())
