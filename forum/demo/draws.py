"""The demo's draws by lot: local groups nominate, members volunteer during the nominations period,
and once it closes the administrator sets quotas, commits a seed and draws each assembly's
local-group and individual seats, through the same use cases as the pages."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from forum.demo import lifecycle
from forum.demo.content import DRAW_POOLS, DRAW_QUOTAS, POOL_FIRST_NAMES, POOL_LAST_NAMES, REGION_MAX
from forum.extensions import db, transaction
from forum.models import RoleGrant, User

# Self-declared characteristics of the demo's pool members, in realistic proportions (per 100).
SHARES = {
    "gender": [("woman", 49), ("man", 44), ("non-binary", 4), ("prefer not to say", 3)],
    "ethnicity": [("White", 70), ("Asian or Asian British", 11), ("Black, African, Caribbean or Black British", 8),
                  ("Mixed or multiple ethnic groups", 5), ("Another ethnic group", 2), ("prefer not to say", 4)],
    "age band": [("18-29", 30), ("30-44", 33), ("45-64", 25), ("65 and over", 9), ("prefer not to say", 3)],
    "first-time participant": [("yes", 45), ("no", 50), ("prefer not to say", 5)],
}


def _declared(name: str, region: str) -> dict[str, str]:
    """The characteristics a demo member declares: fixed by their name, so every load is the same."""
    features = {"region": region}
    for characteristic, shares in SHARES.items():
        roll = int(hashlib.sha256(f"{name}:{characteristic}".encode()).hexdigest(), 16) % 100
        for value, share in shares:
            if roll < share:
                features[characteristic] = value
                break
            roll -= share
    return features


def _extra_members(count: int, groups: list, password: str, today) -> list[User]:
    people = []
    for i in range(count):
        name = f"{POOL_FIRST_NAMES[i % len(POOL_FIRST_NAMES)]} {POOL_LAST_NAMES[(7 * i) % len(POOL_LAST_NAMES)]}"
        group = groups[i % len(groups)]
        people.append(User(name=name, email=name.lower().replace(" ", ".") + "@members.example.org",
                           password_hash=password, local_group=group, region=group.region,
                           joined_on=today - timedelta(days=200 + 3 * i)))
    return people


def load_draws(users: dict, groups: dict, assemblies: dict, dates: dict, password: str, today) -> None:
    """Fill the pools, then draw the local-group and individual seats of each assembly."""
    from forum.services import draws, pools

    admin = users["admin"]
    group_list = list(groups.values())
    extra_needed = sum(p["nominee_count"] - len(p["nominees"]) + p["volunteer_count"] - len(p["volunteers"])
                       for p in DRAW_POOLS.values())
    with transaction():
        extra = _extra_members(extra_needed, group_list, password, today)
        db.session.add_all(extra)
    spare = iter(extra)
    entries: dict[str, dict[str, list[User]]] = {}
    for slug, plan in DRAW_POOLS.items():
        nominees = [users[k] for k in plan["nominees"]]
        used = {u.local_group_id for u in nominees}
        open_groups = [g for g in group_list if g.id not in used]
        for g in open_groups[: plan["nominee_count"] - len(nominees)]:
            person = next(spare)
            person.local_group, person.region = g, g.region
            nominees.append(person)
        volunteers = [users[k] for k in plan["volunteers"]]
        volunteers += [next(spare) for _ in range(plan["volunteer_count"] - len(volunteers))]
        entries[slug] = {"local_group": nominees, "individual": volunteers}
    with transaction():
        for people in entries.values():
            for person in people["local_group"]:
                if "representative" not in person.roles:
                    person.grants.append(RoleGrant(role="representative"))

    for a, (slug, people) in enumerate(entries.items()):
        assembly = assemblies[slug]
        for i, person in enumerate(people["local_group"]):
            with lifecycle.clock_at(lifecycle.when(dates, "nominations", days=3 + (i + a) % 30)):
                pools.nominate(person, assembly.id, person.email, _declared(person.name, person.local_group.region))
        for i, person in enumerate(people["individual"]):
            with lifecycle.clock_at(lifecycle.when(dates, "nominations", days=2 + (2 * i + a) % 35)):
                pools.volunteer(person, assembly.id, _declared(person.name, person.local_group.region))

    regions = next(c for c in pools.characteristics(assembly.convention_id) if c.name == "region").values
    closed = lifecycle.when(dates, "nominations", closing=True)
    for a, (slug, plan) in enumerate(DRAW_POOLS.items()):
        assembly = assemblies[slug]
        for c, category in enumerate(("local_group", "individual")):
            rows = [(ch, v, lo, hi) for ch, v, lo, hi in DRAW_QUOTAS[category]]
            rows += [("region", r, None, REGION_MAX[category]) for r in regions if r != "prefer not to say"]
            at = closed + timedelta(days=1, hours=2 * (2 * a + c))
            with lifecycle.clock_at(at):
                pools.save_quotas(admin, assembly.id, category, rows)
                row = draws.commit_seed(admin, assembly.id, category, plan["seeds"][category])
            with lifecycle.clock_at(at + timedelta(days=2)):
                draws.run_draw(row.id)
