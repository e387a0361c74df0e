"""An administrator sets up the convention: settings and rules, dated phases, the framework of
areas and topics, and the assembly that takes up each area."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Mapping
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from deliberation import phases, tracker
from deliberation.errors import DomainError, NotFound
from forum.extensions import db, transaction
from forum.models import Area, Assembly, Convention, Phase, Topic
from forum.models.lifecycle import ConventionRules
from forum.permissions import require
from forum.records import audit


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "item"


def _name(value: str, what: str, limit: int = 120) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise DomainError("name_missing", f"Give the {what} a name.")
    if len(value) > limit:
        raise DomainError("name_too_long", f"The name of the {what} is limited to {limit} characters.")
    return value


def _convention(convention_id: int) -> Convention:
    convention = db.session.get(Convention, convention_id)
    if convention is None:
        raise NotFound("convention_not_found", "There is no such convention.")
    return convention


def rules_row(convention_id: int) -> ConventionRules:
    return db.session.get(ConventionRules, convention_id) or ConventionRules(
        convention_id=convention_id, quorum_fraction=0.5, agreement_threshold=0.75, blocks_stop=True,
        stand_asides_count=False, silent_counts=True)


def save_settings(actor, convention_id: int, name: str, description: str, timezone: str, support_threshold: int,
                  quorum_fraction: float, agreement_threshold: float, blocks_stop: bool, *,
                  stand_asides_count: bool = False, silent_counts: bool = True) -> Convention:
    require(actor, "manage_convention")
    name = _name(name, "convention", 160)
    # The core checks the zone and the rules, so a bad value is refused before anything is saved.
    phases.Timeline((), timezone)
    tracker.Rules(quorum_fraction=quorum_fraction, agreement_threshold=agreement_threshold,
                  blocks_stop=blocks_stop, support_threshold=support_threshold,
                  stand_asides_count=stand_asides_count, silent_counts=silent_counts)
    with transaction():
        convention = _convention(convention_id)
        convention.name, convention.description = name, (description or "").strip()
        convention.timezone, convention.support_threshold = timezone, support_threshold
        row = db.session.get(ConventionRules, convention.id)
        if row is None:
            row = ConventionRules(convention_id=convention.id)
            db.session.add(row)
        before = {"name": convention.name, "timezone": convention.timezone, **_rules_of(convention, row)}
        convention.name, convention.description = name, (description or "").strip()
        convention.timezone, convention.support_threshold = timezone, support_threshold
        row.quorum_fraction, row.agreement_threshold, row.blocks_stop = quorum_fraction, agreement_threshold, blocks_stop
        row.stand_asides_count, row.silent_counts = stand_asides_count, silent_counts
        after = {"name": convention.name, "timezone": convention.timezone, **_rules_of(convention, row)}
        if after != before:
            audit.record(actor, "settings_changed", f"convention {convention.id}",
                         "Changed " + ", ".join(k.replace("_", " ") for k in after if after[k] != before[k]) + ".",
                         before=before, after=after)
    return convention


def _rules_of(convention: Convention, row: ConventionRules) -> dict:
    return {"support_threshold": convention.support_threshold, "quorum_fraction": row.quorum_fraction,
            "agreement_threshold": row.agreement_threshold, "blocks_stop": row.blocks_stop,
            "stand_asides_count": row.stand_asides_count, "silent_counts": row.silent_counts}


def local_dates(convention: Convention) -> dict[str, tuple[datetime, datetime]]:
    """Each scheduled phase's dates as the administrator enters them: in the convention's zone, no zone."""
    zone = ZoneInfo(convention.timezone)
    rows = db.session.scalars(select(Phase).where(Phase.convention_id == convention.id))
    return {r.kind: (r.opens_at.astimezone(zone).replace(tzinfo=None), r.closes_at.astimezone(zone).replace(tzinfo=None))
            for r in rows}


def save_timeline(actor, convention_id: int,
                  entries: Mapping[str, tuple[datetime | None, datetime | None]]) -> phases.Timeline:
    """Replace the phases with the dates given in the convention's zone; a phase left blank is not held."""
    require(actor, "manage_convention")
    with transaction():
        convention = _convention(convention_id)
        zone = ZoneInfo(convention.timezone)
        chosen = []
        for kind in phases.PhaseKind:
            opens, closes = entries.get(kind.value, (None, None))
            if opens is None and closes is None:
                continue
            if opens is None or closes is None:
                raise DomainError("phase_dates_missing", f"Give the {phases.LABELS[kind]} both an opening and a closing "
                                  "date, or leave both empty.", phase=kind.value)
            chosen.append(phases.Phase(kind, opens.replace(tzinfo=zone), closes.replace(tzinfo=zone)))
        timeline = phases.Timeline(tuple(chosen), convention.timezone)  # validates, or says what is wrong
        before = {k: [o.isoformat(), c.isoformat()] for k, (o, c) in local_dates(convention).items()}
        after = {p.kind.value: [p.opens_at.replace(tzinfo=None).isoformat(),
                                p.closes_at.replace(tzinfo=None).isoformat()] for p in timeline.phases}
        if after != before:
            audit.record(actor, "timeline_changed", f"convention {convention.id}", "Changed the dates of "
                         + (", ".join(phases.LABELS[phases.PhaseKind(k)] for k in sorted(set(before) | set(after))
                                      if before.get(k) != after.get(k))) + ".", before=before, after=after)
        db.session.execute(delete(Phase).where(Phase.convention_id == convention.id))
        for phase in timeline.phases:
            db.session.add(Phase(convention_id=convention.id, kind=phase.kind.value, opens_at=phase.opens_at,
                                 closes_at=phase.closes_at))
    return timeline


def add_area(actor, convention_id: int, name: str, description: str = "") -> Area:
    require(actor, "manage_convention")
    name = _name(name, "area")
    with transaction():
        convention = _convention(convention_id)
        slug = _slug(name)
        if db.session.scalar(select(Area.id).where(Area.convention_id == convention.id, Area.slug == slug)):
            raise DomainError("area_exists", f"The framework already has an area called {name}.")
        position = db.session.scalar(select(func.count()).where(Area.convention_id == convention.id)) or 0
        area = Area(convention_id=convention.id, slug=slug, name=name, description=(description or "").strip(),
                    position=position)
        db.session.add(area)
    return area


def rename_area(actor, area_id: int, name: str, description: str | None = None) -> Area:
    require(actor, "manage_convention")
    name = _name(name, "area")
    with transaction():
        area = db.session.get(Area, area_id)
        if area is None:
            raise NotFound("area_not_found", "There is no such area.")
        area.name = name  # the slug stays, so links to the area keep working
        if description is not None:
            area.description = description.strip()
    return area


def add_topic(actor, area_id: int, name: str) -> Topic:
    require(actor, "manage_convention")
    name = _name(name, "topic")
    with transaction():
        area = db.session.get(Area, area_id)
        if area is None:
            raise NotFound("area_not_found", "There is no such area.")
        slug = _slug(name)
        if db.session.scalar(select(Topic.id).where(Topic.area_id == area.id, Topic.slug == slug)):
            raise DomainError("topic_exists", f"{area.name} already has a topic called {name}.")
        position = db.session.scalar(select(func.count()).where(Topic.area_id == area.id)) or 0
        topic = Topic(area_id=area.id, slug=slug, name=name, position=position)
        db.session.add(topic)
    return topic


def rename_topic(actor, topic_id: int, name: str) -> Topic:
    require(actor, "manage_convention")
    name = _name(name, "topic")
    with transaction():
        topic = db.session.get(Topic, topic_id)
        if topic is None:
            raise NotFound("topic_not_found", "There is no such topic.")
        topic.name = name
    return topic


def save_assembly(actor, convention_id: int, area_id: int, name: str) -> Assembly:
    """The assembly that takes up one framework area: created, or renamed if it exists."""
    require(actor, "manage_convention")
    name = _name(name, "assembly")
    with transaction():
        area = db.session.get(Area, area_id)
        if area is None or area.convention_id != convention_id:
            raise NotFound("area_not_found", "Choose an area of this convention's framework.")
        assembly = db.session.scalar(select(Assembly).where(Assembly.convention_id == convention_id,
                                                            Assembly.area_id == area.id))
        if assembly is None:
            assembly = Assembly(convention_id=convention_id, area_id=area.id, name=name)
            db.session.add(assembly)
        assembly.name = name
    return assembly


def assemblies(convention_id: int) -> dict[int, Assembly]:
    """Each area's assembly with its seats, in one query each however many assemblies there are."""
    return {a.area_id: a for a in db.session.scalars(
        select(Assembly).where(Assembly.convention_id == convention_id).options(selectinload(Assembly.seats)))}


def framework(convention_id: int) -> list[Area]:
    """The convention's areas in order, each with its topics."""
    return list(db.session.scalars(select(Area).where(Area.convention_id == convention_id)
                                   .order_by(Area.position).options(selectinload(Area.topics))))
