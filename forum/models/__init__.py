"""SQLAlchemy tables, grouped like the core. Import every module so metadata is complete."""
from forum.models.types import UTCDateTime, utcnow  # noqa: F401
from forum.models.people import Affiliate, LocalGroup, RoleGrant, User  # noqa: F401
from forum.models.framework import Area, Convention, Phase, Topic  # noqa: F401
from forum.models.proposals import Proposal, ProposalVersion, VersionClause, proposal_topics  # noqa: F401
from forum.models.discussion import Clarification, ClarificationVote, Comment  # noqa: F401
from forum.models.amendments import Amendment, AmendmentVote  # noqa: F401
from forum.models.assemblies import Assembly, AssemblySeat  # noqa: F401
from forum.models.composites import CompositeSource  # noqa: F401
from forum.models.lifecycle import (ConventionRules, Follow, Notification, NotificationPreference, Support,  # noqa: F401
                                      Transition)
from forum.models.sessions import (CheckAnswer, ChatMessage, LiveSession, SessionCheck, SessionConnection,  # noqa: F401
                                   SessionItem, SpeakerTurn)
from forum.models.ballots import Ballot, BallotAnswer, BallotPaper, BallotQuestion, BallotSection, BallotVoter  # noqa: F401
from forum.models.draws import Draw, DrawCharacteristic, DrawQuota, PoolEntry, SeatPlan  # noqa: F401
from forum.models.audit import AuditEntry, AuditHead  # noqa: F401
