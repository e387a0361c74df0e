"""The minutes of a session: speakers, checks and decisions by agenda item, and their Markdown."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from deliberation.errors import DomainError
from deliberation.sessions.events import plain_dict
from deliberation.sessions.queue import HandKind


@dataclass(frozen=True)
class MinutesCheck:
    subject: str
    reached: bool
    reason: str


@dataclass(frozen=True)
class MinutesItem:
    number: int
    title: str
    speakers: tuple[str, ...]
    checks: tuple[MinutesCheck, ...]
    decisions: tuple[str, ...]


@dataclass(frozen=True)
class Minutes:
    title: str
    held_on: str | None
    facilitators: tuple[str, ...]
    present: tuple[str, ...]
    absent: tuple[str, ...]
    observers: int
    items: tuple[MinutesItem, ...]

    def to_dict(self) -> dict[str, Any]:
        return plain_dict(
            {
                "title": self.title,
                "held_on": self.held_on,
                "facilitators": self.facilitators,
                "present": self.present,
                "absent": self.absent,
                "observers": self.observers,
                "items": [
                    {
                        "number": i.number,
                        "title": i.title,
                        "speakers": i.speakers,
                        "checks": [{"subject": c.subject, "reached": c.reached, "reason": c.reason} for c in i.checks],
                        "decisions": i.decisions,
                    }
                    for i in self.items
                ],
            }
        )


def minutes(record: Mapping[str, Any]) -> Minutes:
    """Minutes from a plain record of the session, grouped by agenda item.

    The record, as the shell assembles it from its rows (names already resolved)::

        {"title": str, "held_on": str | None,
         "agenda": [str, ...],
         "attendance": {"facilitators": [str], "present": [str], "absent": [str], "observers": int},
         "speakers": [{"item": int, "name": str, "kind": "ordinary" | ...}, ...],   # in call order
         "checks": [{"item": int, "subject": str, "outcome": CheckOutcome.to_dict()}, ...],
         "decisions": [{"item": int, "text": str}, ...]}

    Items are counted from 0 as in the session; minutes number them from 1.
    """
    try:
        agenda = [str(t) for t in record["agenda"]]
        attendance = record.get("attendance", {})
        speakers = list(record.get("speakers", ()))
        checks = list(record.get("checks", ()))
        decisions = list(record.get("decisions", ()))
        by_item: dict[int, dict[str, list[Any]]] = {
            i: {"speakers": [], "checks": [], "decisions": []} for i in range(len(agenda))
        }
        for s in speakers:
            kind = HandKind(s["kind"]) if s.get("kind") else None
            label = str(s["name"]) if kind in (None, HandKind.ORDINARY) else f"{s['name']} ({kind.words})"
            _slot(by_item, s, "speakers").append(label)
        for c in checks:
            outcome = c["outcome"]
            _slot(by_item, c, "checks").append(
                MinutesCheck(str(c["subject"]), bool(outcome["reached"]), str(outcome["reason"]))
            )
        for d in decisions:
            _slot(by_item, d, "decisions").append(str(d["text"]))
        return Minutes(
            title=str(record.get("title") or "Session minutes"),
            held_on=record.get("held_on"),
            facilitators=tuple(str(n) for n in attendance.get("facilitators", ())),
            present=tuple(str(n) for n in attendance.get("present", ())),
            absent=tuple(str(n) for n in attendance.get("absent", ())),
            observers=int(attendance.get("observers", 0)),
            items=tuple(
                MinutesItem(
                    number=i + 1,
                    title=agenda[i],
                    speakers=tuple(by_item[i]["speakers"]),
                    checks=tuple(by_item[i]["checks"]),
                    decisions=tuple(by_item[i]["decisions"]),
                )
                for i in range(len(agenda))
            ),
        )
    except (KeyError, TypeError, ValueError) as missing:
        raise DomainError("invalid_record", f"The session record is incomplete or malformed ({missing}).") from None


def _slot(by_item: dict[int, dict[str, list[Any]]], entry: Mapping[str, Any], kind: str) -> list[Any]:
    item = int(entry["item"])
    if item not in by_item:
        raise DomainError(
            "invalid_record", f"The record mentions agenda item {item + 1}, which the agenda does not have.", item=item
        )
    return by_item[item][kind]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]#<>|])")


def _md(text: str) -> str:
    """Member-written words as literal Markdown text: no headings, links or tables sneak in."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _names(names: Sequence[str]) -> str:
    return ", ".join(_md(n) for n in names) if names else "none"


def minutes_markdown(m: Minutes) -> str:
    """The minutes as a Markdown document for export."""
    lines = [f"# {_md(m.title)}", ""]
    if m.held_on:
        lines += [f"Held on {_md(m.held_on)}.", ""]
    lines += [
        "## Attendance",
        "",
        f"- Facilitators: {_names(m.facilitators)}",
        f"- Present ({len(m.present)}): {_names(m.present)}",
        f"- Absent ({len(m.absent)}): {_names(m.absent)}",
        f"- Observers: {m.observers}",
        "",
    ]
    for item in m.items:
        lines += [f"## {item.number}. {_md(item.title)}", ""]
        lines.append(f"Speakers, in order: {_names(item.speakers)}.")
        lines.append("")
        if item.checks:
            lines += ["Consensus checks:", ""]
            lines += [f"- {_md(c.subject)}: {_md(c.reason)}" for c in item.checks]
            lines.append("")
        if item.decisions:
            lines += ["Decisions:", ""]
            lines += [f"- {_md(d)}" for d in item.decisions]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
