"""Amendments to a text, as members make them: propose (by choosing words, or by editing a clause)
and vote. What the pages show is in amendment_pages; dispositions and composites in drafting.

The rules live in deliberation.texts (validate, apply, conflicts) and deliberation.phases (who may
act when); each use case loads rows through forum.records, calls the core, writes back in one
transaction and then announces to the text's room.
"""
from __future__ import annotations

import json
import re
from typing import Sequence

from deliberation import scores, texts
from deliberation.errors import Conflict, DomainError
from deliberation.phases import Action
from forum import announce
from forum.records import sessions as session_records
from forum.extensions import db, transaction
from forum.models import Amendment, AmendmentVote, Proposal
from forum.permissions import can, require
from forum.records import amendments as records
from forum.records import conventions, votes
from forum.records import texts as text_records
from forum.records.amendments import CHANGES, DECISION_LABELS, Draft  # noqa: F401  (the pages' words)
from forum.records.votes import Score

# Sent after the commit (sender: the text's id) with the new amendment's id, so other rooms (open live sessions
# deliberating the text) can show it too without this module knowing them.


def _announce_proposed(row: Amendment, clause: str | None) -> None:
    announce.to_text(row.proposal_id, "amendment_proposed", {"id": row.id, "clause": clause})
    # Open live sessions deliberating this text show it at its clause too.
    announce.to_sessions("amendment_proposed", session_records.amendment_notices(row.id))


def _origin(actor, proposal: Proposal) -> str:
    timeline = conventions.timeline(conventions.of(proposal.convention_id))
    return records.origin_for(proposal, timeline, conventions.now(), can(actor, "draft_text", proposal),
                              can(actor, "amend_as_leadership"))


# ----- proposing -----

def propose_amendment(actor, proposal_id: int, draft: Draft) -> Amendment:
    with transaction():
        proposal = text_records.get_proposal(proposal_id)
        require(actor, "propose_amendment", proposal)
        origin = _origin(actor, proposal)
        row = _store_new(actor, proposal, draft, origin)
    _announce_proposed(row, row.clause_key or row.after_key)
    return row


def propose_edit(actor, proposal_id: int, clause_key: str, new_body: str, rationale: str,
                 base_version: int) -> Amendment:
    """A member edited a clause's wording in place: the word-level change becomes the amendment.

    The core finds the changed stretches (amendments_from_edit); one proposal is one amendment, so
    several stretches become one replacement from the first to the last changed word.
    """
    with transaction():
        proposal = text_records.get_proposal(proposal_id)
        require(actor, "propose_amendment", proposal)
        origin = _origin(actor, proposal)
        version = text_records.version_value(text_records.version_row(proposal.id, proposal.current_version))
        if base_version != version.number or version.clause(clause_key) is None:
            # A stale version or a clause not (or no longer) in the text: the core says which, in its words.
            probe = texts.DeleteClause(clause_key, base_version=base_version, rationale="-", ref="amendment:new")
            texts.validate(probe, version, known_keys=text_records.known_keys(proposal.id))
        regions = texts.amendments_from_edit(version, clause_key, new_body, rationale, "amendment:new")
        if not regions:
            raise DomainError("amendment_changes_nothing", "The wording is unchanged, so there is nothing to propose.")
        draft = _merge_regions(version, clause_key, new_body, regions, rationale, base_version)
        row = _store_new(actor, proposal, draft, origin)
    _announce_proposed(row, row.clause_key)
    return row


def _merge_regions(version: texts.Version, clause_key: str, new_body: str, regions: Sequence[texts.ReplaceWords],
                   rationale: str, base_version: int) -> Draft:
    if len(regions) == 1:
        r = regions[0]
        return Draft("replace_words", rationale, base_version, clause_key=clause_key, start=r.start, end=r.end,
                     text=r.text)
    clause = version.clause(clause_key)
    assert clause is not None, "the regions were found in this clause"
    old_count = len(texts.words(clause.body))
    new_words = list(re.finditer(r"\S+", new_body))  # words as deliberation.texts counts them
    first, last = regions[0].start, regions[-1].end
    upto = len(new_words) - (old_count - last)  # the words after the last change are unchanged
    text = new_body[new_words[first].start():new_words[upto - 1].end()] if upto > first else ""
    return Draft("replace_words", rationale, base_version, clause_key=clause_key, start=first, end=last, text=text)


def _store_new(actor, proposal: Proposal, draft: Draft, origin: str) -> Amendment:
    version = text_records.version_value(text_records.version_row(proposal.id, proposal.current_version))
    rationale = (draft.rationale or "").strip()
    text = (draft.text or "").strip()
    core = records.core(draft.kind, "amendment:new", draft.base_version, rationale, draft.clause_key,
                        draft.after_key, draft.start, draft.end, text)
    texts.validate(core, version, known_keys=text_records.known_keys(proposal.id))
    row = Amendment(proposal_id=proposal.id, base_version=draft.base_version, kind=draft.kind, origin=origin,
                    clause_key=draft.clause_key, after_key=draft.after_key, start=draft.start, end=draft.end,
                    text=text, rationale=rationale, author_id=actor.id, status="pending",
                    ops_json=json.dumps(records.ops(core, version)))
    db.session.add(row)
    db.session.flush()
    return row


# ----- voting -----

def vote_amendment(actor, amendment_id: int, value: int) -> Score:
    """Vote up (1) or down (-1), change the vote, or withdraw it (0). One vote per member."""
    scores.check(value)
    with transaction():
        row = records.get(amendment_id)
        require(actor, "vote_amendment", row)
        conventions.require_phase(conventions.of(row.proposal.convention_id), Action.VOTE_AMENDMENT)
        if row.status != "pending":
            raise Conflict("amendment_disposed",
                           f"This amendment was {DECISION_LABELS[row.status].lower()}, so its votes are closed.")
        score = votes.cast(row, AmendmentVote, "amendment_id", actor.id, value)
    announce.to_text(score.proposal_id, "amendment_scored", score.as_dict())
    return score
