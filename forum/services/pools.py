"""Who may be drawn: the characteristics a convention asks, members nominated or volunteering into
an assembly's pool, the characteristics they declare, and the quotas a draw must meet."""
from __future__ import annotations

import json

from sqlalchemy import select

from deliberation import phases, sortition
from deliberation.errors import Conflict, DomainError, NotAllowed, NotFound
from forum.extensions import db, transaction
from forum.models import Assembly, Convention, User
from forum.models.draws import DrawCharacteristic, DrawQuota, PoolEntry
from forum.permissions import require
from forum.records import conventions
from forum.records import draws as records


def characteristics(convention_id: int) -> list[sortition.Characteristic]:
    """What the convention asks pool members, for the forms that ask it."""
    return records.characteristics(convention_id)


def assemblies(convention_id: int) -> list[Assembly]:
    """The assemblies whose pools a member can join."""
    return records.assemblies(convention_id)


# ----- characteristics ------------------------------------------------------------------------

def parse_characteristics(text: str) -> list[tuple[str, list[str]]]:
    """'name: value, value' a line, as the administrator's form sends it."""
    parsed = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, values = line.partition(":")
        items = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or not name.strip() or not items:
            raise DomainError("characteristic_unreadable",
                              f"Line {number} should read 'name: value, value, ...' with at least one value.")
        parsed.append((name.strip().lower()[:60], [v[:120] for v in items]))
    if not parsed:
        raise DomainError("no_characteristics", "List at least one characteristic.")
    return parsed


def save_characteristics(actor, convention_id: int, text: str) -> list[sortition.Characteristic]:
    with transaction():
        require(actor, "manage_draws")
        parsed = parse_characteristics(text)
        chars = [sortition.Characteristic(n, tuple(v)) for n, v in parsed]  # refuses a value listed twice
        if len({c.name for c in chars}) != len(chars):
            raise DomainError("duplicate_characteristic", "A characteristic is listed twice.")
        if db.session.scalar(select(PoolEntry.id).where(PoolEntry.convention_id == convention_id).limit(1)):
            raise Conflict("characteristics_in_use",
                           "Members have already joined a pool with the current characteristics; "
                           "they cannot change until the pools are empty.")
        db.session.execute(DrawCharacteristic.__table__.delete().where(
            DrawCharacteristic.convention_id == convention_id))
        for position, c in enumerate(chars):
            values = [v for v in c.values if v != sortition.PREFER_NOT_TO_SAY]
            db.session.add(DrawCharacteristic(convention_id=convention_id, name=c.name, values_json=json.dumps(values),
                                              position=position))
    return chars


def _clean_features(chars: list[sortition.Characteristic], raw: dict[str, str]) -> dict[str, str]:
    """Every characteristic the convention asks for, each a value on its list."""
    known = {c.name: c for c in chars}
    for name in raw:
        if name not in known:
            raise DomainError("unknown_characteristic", f"'{name}' is not one of the characteristics asked for.")
    features = {}
    for c in chars:
        value = (raw.get(c.name) or sortition.PREFER_NOT_TO_SAY).strip()
        if value not in c.values:
            raise DomainError("unknown_value", f"'{value}' is not on the list of values for {c.name}.",
                              characteristic=c.name, value=value)
        features[c.name] = value
    return features


# ----- the pools ---------------------------------------------------------------------------------

def _add_entry(assembly: Assembly, category: str, member: User, features: dict[str, str], nominator=None) -> PoolEntry:
    records.refuse_if_seated(assembly.convention_id, member.id)
    if db.session.scalar(select(PoolEntry.id).where(PoolEntry.convention_id == assembly.convention_id,
                                                    PoolEntry.user_id == member.id)):
        raise Conflict("already_in_pool", f"{member.name} is already in a pool of this convention: "
                                          "each member enters one pool once.")
    entry = PoolEntry(convention_id=assembly.convention_id, assembly_id=assembly.id, category=category,
                      user_id=member.id, local_group_id=member.local_group_id if category == "local_group" else None,
                      nominated_by_id=nominator.id if nominator else None, features_json=json.dumps(features),
                      created_at=conventions.now())
    db.session.add(entry)
    return entry


def nominate(actor, assembly_id: int, nominee_email: str, raw_features: dict[str, str] | None = None) -> PoolEntry:
    """A local group's representative nominates one of its members (or themself) into the pool."""
    with transaction():
        assembly = records.assembly(assembly_id)
        require(actor, "nominate")
        conventions.require_phase(records.convention_of(assembly), phases.Action.NOMINATE)
        nominee = db.session.scalar(select(User).where(User.email == (nominee_email or "").strip().lower()))
        if nominee is None:
            raise DomainError("member_not_found", f"No member has the email {(nominee_email or '').strip()}.")
        if nominee.local_group_id != actor.local_group_id:
            raise NotAllowed("not_your_group", "You can nominate only members of your own local group.")
        chars = records.characteristics(assembly.convention_id)
        raw = dict(raw_features or {})
        if nominee.local_group and "region" in {c.name for c in chars} and not raw.get("region"):
            region = nominee.local_group.region
            if region in next(c for c in chars if c.name == "region").values:
                raw["region"] = region
        entry = _add_entry(assembly, "local_group", nominee, _clean_features(chars, raw), nominator=actor)
    return entry


def volunteer(actor, assembly_id: int, raw_features: dict[str, str]) -> PoolEntry:
    """A member offers to be drawn as an individual member of one assembly."""
    with transaction():
        assembly = records.assembly(assembly_id)
        require(actor, "volunteer")
        conventions.require_phase(records.convention_of(assembly), phases.Action.VOLUNTEER)
        entry = _add_entry(assembly, "individual", actor,
                           _clean_features(records.characteristics(assembly.convention_id), raw_features))
    return entry


def declare(actor, convention_id: int, raw_features: dict[str, str]) -> PoolEntry:
    """A pool member updates the characteristics they declare (a nominee declares their own)."""
    with transaction():
        entry = records.my_entry(actor, convention_id)
        if entry is None:
            raise NotFound("no_entry", "You are not in a pool.")
        conventions.require_phase(db.session.get(Convention, convention_id), phases.Action.VOLUNTEER)
        entry.features_json = json.dumps(_clean_features(records.characteristics(convention_id), raw_features))
    return entry


def withdraw_entry(actor, convention_id: int) -> None:
    with transaction():
        entry = records.my_entry(actor, convention_id)
        if entry is None:
            raise NotFound("no_entry", "You are not in a pool.")
        conventions.require_phase(db.session.get(Convention, convention_id), phases.Action.VOLUNTEER)
        db.session.delete(entry)


# ----- quotas ------------------------------------------------------------------------------------

def save_quotas(actor, assembly_id: int, category: str,
                rows: list[tuple[str, str, int | None, int | None]]) -> list[sortition.Quota]:
    """Replace the category's quotas. A row with neither bound is no quota; a missing minimum is 0,
    a missing maximum is every seat."""
    with transaction():
        require(actor, "manage_draws")
        assembly = records.assembly(assembly_id)
        records.drawn_category(category)
        if records.live_draw_exists(assembly_id, category):
            raise Conflict("draw_committed", "A seed is already committed for this category: its quotas are fixed.")
        seats = records.seat_plan(assembly_id)[category]
        known = {c.name: c for c in records.characteristics(assembly.convention_id)}
        result = []
        for name, value, low, high in rows:
            if low is None and high is None:
                continue
            if name not in known or value not in known[name].values:
                raise DomainError("unknown_value", f"'{value}' is not on the list of values for {name}.")
            low = 0 if low is None else low
            high = seats if high is None else high
            if low < 0 or high < 0:
                raise DomainError("quota_negative", f"The quota for {name} {value} cannot be negative.")
            if low > high:
                raise DomainError("quota_min_above_max", f"The quota for {name} {value} asks for at least {low} "
                                                         f"but at most {high} seats.")
            if low > seats:
                raise DomainError("quota_min_above_seats", f"The quota for {name} {value} asks for at least {low} "
                                                           f"seats, but there are only {seats}.")
            result.append(sortition.Quota(name, value, low, high))
        db.session.execute(DrawQuota.__table__.delete().where(DrawQuota.assembly_id == assembly_id,
                                                              DrawQuota.category == category))
        for q in result:
            db.session.add(DrawQuota(assembly_id=assembly_id, category=category, characteristic=q.characteristic,
                                     value=q.value, min=q.min, max=q.max))
    return result
