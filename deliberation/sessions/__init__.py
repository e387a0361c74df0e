"""Live assembly sessions, one concern a module: attendance and quorum, the speaker queue, the
speaking timer, consensus checks, chat and minutes, and the events they report.

Everything here is pure. The web shell keeps each piece of state in the database, rebuilds it
from rows on every event (`from_dict`), calls one operation, stores the result (`to_dict`) and
emits the returned events (`event.to_dict()`) to the session's room. Time arrives as `now`; who
is a facilitator is the shell's question, but operations take the actor's id so events can say
who did what. Consensus itself is decided in `deliberation.consensus`, for the room and the
tracker alike.
"""
from deliberation.consensus import CheckOutcome, ConsensusRule, QuorumStatus, Response, Tally, quorum_status
from deliberation.sessions.attendance import DEFAULT_QUORUM, MAX_AGENDA_ITEM_CHARS, Session
from deliberation.sessions.chat import MAX_MESSAGE_CHARS, Chat, Message, remove_message
from deliberation.sessions.checks import MAX_REASON_CHARS, MAX_SUBJECT_CHARS, Answer, ConsensusCheck
from deliberation.sessions.events import (
                                          AgendaItemOpened,
                                          ChatLocked,
                                          ChatUnlocked,
                                          CheckClosed,
                                          CheckOpened,
                                          Event,
                                          HandLowered,
                                          HandRaised,
                                          MemberArrived,
                                          MemberId,
                                          MemberLeft,
                                          MessagePosted,
                                          MessageRemoved,
                                          ObserversCounted,
                                          ParticipantMuted,
                                          ParticipantUnmuted,
                                          QueueCleared,
                                          QueueReordered,
                                          ResponseGiven,
                                          SpeakerCalled,
                                          SpeakerSkipped,
                                          TurnFinished,
)
from deliberation.sessions.minutes import Minutes, MinutesCheck, MinutesItem, minutes, minutes_markdown
from deliberation.sessions.queue import HAND_PRIORITY, Hand, HandKind, Speaker, SpeakerQueue, parse_hand_kind
from deliberation.sessions.timer import MAX_TIMER_SECONDS, Timer, TimerState

__all__ = [
    "DEFAULT_QUORUM", "HAND_PRIORITY", "MAX_AGENDA_ITEM_CHARS", "MAX_MESSAGE_CHARS", "MAX_REASON_CHARS",
    "MAX_SUBJECT_CHARS", "MAX_TIMER_SECONDS", "AgendaItemOpened", "Answer", "Chat", "ChatLocked", "ChatUnlocked",
    "CheckClosed", "CheckOpened", "CheckOutcome", "ConsensusCheck", "ConsensusRule", "Event", "Hand", "HandKind",
    "HandLowered", "HandRaised", "MemberArrived", "MemberId", "MemberLeft", "Message", "MessagePosted",
    "MessageRemoved", "Minutes", "MinutesCheck", "MinutesItem", "ObserversCounted", "ParticipantMuted",
    "ParticipantUnmuted", "QueueCleared", "QueueReordered", "QuorumStatus", "Response", "ResponseGiven", "Session",
    "Speaker", "SpeakerCalled", "SpeakerQueue", "SpeakerSkipped", "Tally", "Timer", "TimerState", "TurnFinished",
    "minutes", "minutes_markdown", "parse_hand_kind", "quorum_status", "remove_message",
]
