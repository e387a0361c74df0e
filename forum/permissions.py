"""May this person do this, here, now? Deny by default.

Every page, API call and socket event asks `require(user, action, target)`. The answer depends on
who the person is (roles) and what the target is (author, state); phase rules join here when the
convention's phases are enforced.
"""
from __future__ import annotations

from enum import Enum
from typing import Any, Callable

from deliberation.errors import NotAllowed


class LoginRequired(NotAllowed):
    status = 401


class Role(str, Enum):
    MEMBER = "member"
    REPRESENTATIVE = "representative"
    FACILITATOR = "facilitator"
    LEADERSHIP = "leadership"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.MEMBER: "Member",
    Role.REPRESENTATIVE: "Local-group representative",
    Role.FACILITATOR: "Facilitator",
    Role.LEADERSHIP: "Leadership",
    Role.ADMIN: "Administrator",
}
GRANTABLE = [Role.REPRESENTATIVE, Role.FACILITATOR, Role.LEADERSHIP, Role.ADMIN]
MODERATORS = {Role.FACILITATOR.value, Role.ADMIN.value}


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _is_author(user, target) -> bool:
    return _signed_in(user) and getattr(target, "author_id", None) == user.id


def _moderates(user, target=None) -> bool:
    return _signed_in(user) and user.has_role(*MODERATORS)


def _admin(user, target=None) -> bool:
    return _signed_in(user) and user.has_role(Role.ADMIN.value)


def _leads(user, target=None) -> bool:
    return _signed_in(user) and user.has_role(Role.LEADERSHIP.value)


def _edits_proposal(user, proposal) -> bool:
    if proposal.origin == "convention":
        return _moderates(user)  # texts of the convention belong to the assembly's drafters
    return _is_author(user, proposal) or _admin(user)


def _answers_clarification(user, clarification) -> bool:
    proposal = clarification.proposal
    if proposal.origin == "convention" or proposal.author_id is None:
        return _moderates(user)
    return proposal.author_id == user.id or _moderates(user)


def _votes_clarification(user, clarification) -> bool:
    return _signed_in(user) and clarification.author_id != user.id


def _drafts(user, target) -> bool:
    """A drafter of the target's area: a seated assembly member, the area's facilitator, or a facilitator."""
    if not _signed_in(user):
        return False
    if user.has_role(Role.FACILITATOR.value):
        return True
    from forum.records.assemblies import facilitates, is_seated  # records load models; keep this module light
    area_id = getattr(target, "area_id", None) or getattr(target, "id", None)
    return is_seated(user, area_id) or facilitates(user, area_id)


# Each action: (who may, what they are told otherwise). Anything not listed is refused.
RULES: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    "create_proposal": (lambda u, t: _signed_in(u), "Log in to submit a proposal."),
    "edit_proposal": (_edits_proposal, "Only the proposer (or, for texts of the convention, a facilitator) may edit this text."),
    "comment": (lambda u, t: _signed_in(u), "Log in to join the discussion."),
    "edit_comment": (lambda u, c: _is_author(u, c), "Only the author may edit a comment."),
    "delete_comment": (lambda u, c: _is_author(u, c) or _moderates(u), "Only the author or a moderator may delete a comment."),
    "ask_clarification": (lambda u, t: _signed_in(u), "Log in to ask a clarification."),
    "answer_clarification": (_answers_clarification, "Only the proposer answers clarifications on this text."),
    "vote_clarification": (_votes_clarification, "You cannot vote on your own clarification."),
    "propose_amendment": (lambda u, t: _signed_in(u), "Log in to propose an amendment."),
    "vote_amendment": (lambda u, a: _signed_in(u) and a.author_id != u.id, "You cannot vote on your own amendment."),
    "draft_text": (_drafts, "Only the assembly's drafters (its seated members and facilitators) may do this."),
    "manage_members": (_admin, "Only administrators manage members, roles and groups."),
    # The lifecycle: supports, the tracker, the convention's setup and its exports.
    "support_submission": (lambda u, p: _signed_in(u) and p.author_id != u.id,
                           "You cannot support your own submission; other members add their support."),
    "steer_text": (_moderates, "Only facilitators and administrators record consensus checks and promote texts."),
    "table_counter_proposal": (_leads, "Only the leadership tables counter-proposals."),
    "amend_as_leadership": (_leads, "Only the leadership amends final proposals in the leadership round."),
    "submit_for_group": (lambda u, t: _signed_in(u) and u.has_role(Role.REPRESENTATIVE.value) and u.local_group_id is not None,
                         "Only a local-group representative can submit on behalf of a group."),
    "view_dashboard": (_moderates, "Only facilitators and administrators see the tracker dashboard."),
    "manage_convention": (_admin, "Only administrators set up the convention."),
    "export": (_admin, "Only administrators export the convention's records."),
    "read_audit": (_admin, "Only administrators read the whole audit trail."),
    # Live sessions: the target is the person's standing in the session's assembly
    # (forum.records.sessions.Standing: seated, facilitates, public).
    "schedule_session": (lambda u, s: _signed_in(u) and s.facilitates, "Only the assembly's facilitator schedules its sessions."),
    "run_session": (lambda u, s: _signed_in(u) and s.facilitates, "Only the facilitator runs the session."),
    "take_part_in_session": (lambda u, s: _signed_in(u) and s.seated, "Only seated members of this assembly take part; you are watching."),
    "watch_session": (lambda u, s: _signed_in(u) and (s.public or s.seated or s.facilitates),
                      "This session is closed to observers; only the assembly takes part."),
    "chat_in_session": (lambda u, s: _signed_in(u) and (s.seated or s.facilitates), "Only the assembly and its facilitator write in the chat."),
    "manage_ballots": (_admin, "Only administrators set up ballots and see their turnout."),
    "cast_ballot": (lambda u, t: _signed_in(u), "Log in to vote."),
}


def can(user, action: str, target: Any = None) -> bool:
    rule = RULES.get(action)
    return bool(rule and rule[0](user, target))


def require(user, action: str, target: Any = None) -> None:
    rule = RULES.get(action)
    if rule is None or not rule[0](user, target):
        message = rule[1] if rule else "You are not allowed to do that."
        if not _signed_in(user):
            raise LoginRequired("login_required", "Please log in first.")
        raise NotAllowed("not_allowed", message)

# The draw by lot: administrators seat assemblies; representatives nominate; members volunteer.
RULES.update({
    "manage_draws": (_admin, "Only administrators set seats, quotas and draws."),
    "nominate": (lambda u, t: _signed_in(u) and u.has_role(Role.REPRESENTATIVE.value) and u.local_group_id is not None,
                 "Only a local group's representative nominates the group's members to an assembly pool."),
    "volunteer": (lambda u, t: _signed_in(u), "Log in to volunteer for the draw."),
})


def enter_session(actor, session_id: int, action: str, must_be_open: bool = True):
    """Lock and load a live session, then ask whether `actor` may do `action` in it now: by their
    standing in its assembly (read afresh, so a seat or role removed counts at once) and, for most
    actions, only while it is open. Returns the loaded room (forum.records.sessions.Room)."""
    from forum.records import sessions as session_records  # records load models; keep this module light

    room = session_records.locked(session_id, actor)
    require(actor, action, room.standing)
    if must_be_open:
        session_records.require_open(room)
    return room
