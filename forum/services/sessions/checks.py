"""Consensus checks in a live session: open, answer, close, and the record the tracker keeps."""
from __future__ import annotations

import json
from typing import Any

from deliberation import consensus, tracker
from deliberation import sessions as core
from deliberation.errors import Conflict, DomainError, NotFound
from forum import announce
from forum.extensions import db, transaction
from forum.models import Amendment, CheckAnswer, SessionCheck
from forum.permissions import enter_session, require
from forum.records import sessions as records
from forum.records import tracker as tracker_records
from forum.records.conventions import now


def open_check(actor, session_id: int, amendment: int | None = None) -> dict[str, Any]:
    """Open a consensus check on the current agenda text, or on one amendment pending on it."""
    with transaction():
        room = enter_session(actor, session_id, "run_session")
        if records.open_check_row(session_id) is not None:
            raise Conflict("check_already_open", "A consensus check is already open; close it first.")
        proposal = room.item.proposal
        if amendment is None:
            subject = f"text:{proposal.id}@{proposal.current_version}"
            label = f"{proposal.title} (version {proposal.current_version})"
        else:
            row = db.session.get(Amendment, amendment)
            if row is None or row.proposal_id != proposal.id:
                raise NotFound("amendment_not_found", "That amendment is not on the text under deliberation.")
            subject, label = row.ref, f"Amendment {row.id} to {proposal.title}"
        check, _ = core.ConsensusCheck.open(room.attendance, subject, actor.id, now())
        row = SessionCheck(session_id=room.id, item=check.item, subject=check.subject, label=label[:300],
                           proposal_id=proposal.id, amendment_id=amendment, opened_by_id=actor.id,
                           opened_at=check.opened_at)
        records.store_roll(row, check)
        db.session.add(row)
        db.session.flush()
        room.save()
        payload = room.check_state(row)
    announce.to_session(room.id, "check_opened", payload)
    return payload


def answer_check(actor, session_id: int, response: str, reason: str | None = None) -> dict[str, Any]:
    """A seated member present agrees, agrees with reservations, stands aside or blocks (with a reason)."""
    with transaction():
        room = enter_session(actor, session_id, "take_part_in_session")
        row = records.open_check_row(session_id)
        if row is None:
            raise Conflict("no_open_check", "No consensus check is open.")
        rows = records.answers_of(row)
        check, events = records.check_value(row, rows).answer(room.attendance, actor.id, response, reason)
        if events:
            answer = check.answer_of(actor.id)
            assert answer is not None, "the core just recorded this answer"
            stored = next((a for a in rows if a.user_id == actor.id), None)
            if stored is None:
                db.session.add(CheckAnswer(check_id=row.id, user_id=actor.id, response=answer.response.value,
                                           reason=answer.reason, answered_at=now()))
            else:
                stored.response, stored.reason, stored.answered_at = answer.response.value, answer.reason, now()
            db.session.flush()
        records.store_roll(row, check)
        room.save()
        payload = room.check_state(row, check)
    announce.to_session(room.id, "tally_changed", payload)
    return payload


def close_check(actor, session_id: int) -> dict[str, Any]:
    """Close the open check; its outcome is kept with it (and reported in the minutes), and a check
    on the text itself goes to the consensus tracker in the same transaction. If the tracker cannot
    take it now (its phase, or the text's state), the check still closes and says why."""
    tracked = None
    with transaction():
        room = enter_session(actor, session_id, "run_session")
        row = records.open_check_row(session_id)
        if row is None:
            raise Conflict("no_open_check", "No consensus check is open.")
        answers = records.answers_of(row)
        check, outcome, _ = records.check_value(row, answers).close(room.attendance, actor.id, now(), room.rule)
        row.closed_at, row.closed_by_id = check.closed_at, actor.id
        result = outcome.to_dict()
        if row.amendment_id is None:
            tracked, result["tracker"] = _feed_tracker(actor, row, outcome, answers)
        row.reached, row.outcome_json = outcome.reached, json.dumps(result)
        room.save()
        payload = room.check_state(row)
    announce.to_session(room.id, "check_closed", payload)
    if tracked is not None:
        announce.to_text(tracked.proposal.id, "text_tracked", tracked.payload())
    return payload


def _feed_tracker(actor, row: SessionCheck, outcome: core.CheckOutcome, answers: list[CheckAnswer]):
    """Hand a closed check on a text to the tracker, in a savepoint so a refusal leaves the check."""
    counts = outcome.counts
    reasons = [a.reason for a in answers if a.response == "block" and a.reason]
    try:
        with db.session.begin_nested():
            ctx = tracker_records.load(row.proposal_id)
            require(actor, "steer_text", ctx.proposal)
            event = tracker.ConsensusChecked({r: counts.count(r) for r in consensus.Response}, counts.seats,
                                             tuple(reasons), counts.present_seated, outcome.interrupted)
            transition = tracker_records.record_check(ctx, event, actor.id, f"session:{row.session_id}")
    except DomainError as err:
        return None, f"Not recorded by the tracker: {err.message}"
    return ctx, transition.reason
