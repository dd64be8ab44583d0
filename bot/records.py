"""What the core reads from and writes to the store: plain values, no database in them.

The store (bot/store/) turns its rows into these and back; the core never sees a row, a session
or a query. A few records are mutable because a turn changes them and hands them back to be saved
(`Learner`, `LessonSession`, `Award`); the rest are frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.vocabulary import EventKind, NudgeKind, Nudges, NudgeStatus, Role, SessionKind, SessionStatus, Target


@dataclass
class Learner:
    """A person the bot teaches, with their settings and their latest run of learning days
    (`bot.streaks.Run`, kept here so a streak is read without the history)."""

    id: int
    platform: str
    platform_user_id: str
    display_name: str
    timezone: str
    timezone_confirmed: bool
    daily_time: str  # HH:MM, local
    working_days: str  # ISO weekdays, e.g. "12345"
    announce: bool  # their badges announced in the team channel
    nudges: Nudges
    team_id: int | None
    role: Role
    created_at: datetime
    streak_days: int = 0
    streak_last_day: date | None = None
    streak_ends_at: datetime | None = None
    last_learned_at: datetime | None = None  # "active this week"
    subject_id: str | None = None  # what their credentials name them by; None once they left
    # Their choice: credentials issued from now on carry their display name (off: only the
    # random subject above). Credentials already issued never change.
    name_on_credentials: bool = False
    # Their latest platform delivery and the replies it got (JSON), given again if that delivery
    # comes back because the process that recorded it died before sending them.
    kept_source: str | None = None
    kept_replies: str | None = None
    # The language they are spoken to in (bot/i18n.py: one of its LANGUAGES; None: not known,
    # English), from the platform until they choose one in /settings (`language_chosen`).
    language: str | None = None
    language_chosen: bool = False

    @property
    def left(self) -> bool:
        """They asked to be forgotten: only anonymous counts remain."""
        return self.platform_user_id.startswith("erased:")


@dataclass
class LessonSession:
    """A learner's place in a lesson, a review or a refresher: a snapshot of its steps (so a
    lesson edited mid-way is finished as it was started) and a position."""

    id: int
    learner_id: int
    kind: SessionKind
    title: str
    steps: list[dict[str, Any]]
    position: int
    correct_count: int
    status: SessionStatus
    started_at: datetime
    updated_at: datetime
    lesson_id: str | None = None
    lesson_version: str | None = None
    credential_id: str | None = None  # the badge a refresher renews
    completed_at: datetime | None = None


@dataclass(frozen=True)
class ItemMemory:
    """FSRS memory of one check for one learner."""

    check_key: str
    card: str  # fsrs.Card.to_dict() as JSON
    skills: tuple[str, ...]  # the skills it gives evidence for
    due: datetime
    reviews: int
    last_correct: bool
    last_review: datetime


@dataclass(frozen=True)
class SkillMemory:
    """BKT knowledge of one skill for one learner."""

    skill_id: str
    p_known: float
    updated_at: datetime


@dataclass
class Award:
    """A badge or certificate awarded to a learner (`id` is 0 until it is stored; it is also
    the credential's index in the issuer's status list)."""

    public_id: str
    learner_id: int
    definition_id: str
    kind: str  # badge | certificate
    renewal: int
    awarded_at: datetime
    valid_until: datetime | None
    evidence: dict[str, Any]
    id: int = 0
    revoked_at: datetime | None = None
    revocation_reason: str | None = None
    credential: dict[str, Any] | None = None  # the signed OpenBadgeCredential


@dataclass(frozen=True)
class TrailEvent:
    """One entry of the audit trail: an answer, a card, a start, a completion, an award."""

    kind: EventKind
    occurred_at: datetime
    local_date: date  # the day in the learner's timezone then
    source_id: str | None = None  # the platform's message id: the same one is recorded once
    lesson_id: str | None = None
    lesson_version: str | None = None
    check_key: str | None = None
    correct: bool | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    learner_id: int = 0
    id: int = 0


@dataclass(frozen=True)
class Team:
    id: int
    name: str


@dataclass(frozen=True)
class TeamFigures:
    learners: int
    active: int  # learned since the given instant
    on_a_streak: int
    longest_streak: int  # of those on a streak now
    lessons_done: int
    credentials: int  # held, not revoked


@dataclass(frozen=True)
class Nudge:
    """A message the bot starts (the daily offer, a reminder), due at an instant."""

    id: int
    learner_id: int
    kind: NudgeKind
    due_at: datetime
    status: NudgeStatus
    attempts: int
    claimed_by: str | None = None
    lease_until: datetime | None = None
    done_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True)
class DeliveryStatus:
    learners: dict[str, int]  # by platform
    nudge_states: dict[str, int]  # learners by on / dormant / stopped
    due: int  # waiting and due now
    overdue: int  # due more than OVERDUE ago and still not delivered
    in_flight: int  # claimed by a worker now
    sent_last_hour: int
    retrying: int  # failed to send, to be tried again
    failed_last_day: int  # given up after MAX_ATTEMPTS
    last_error: str | None
    next_due: datetime | None


@dataclass(frozen=True)
class SlackLearner:
    """A Slack user the bot has met: what the Slack adapter needs before it hands an event on."""

    learner_id: int
    display_name: str
    timezone: str
    profile_at: datetime | None  # when their profile was last read from Slack (None: never by the adapter)
    home_digest: str | None  # the App Home last published to them


@dataclass(frozen=True)
class WalletClaim:
    """A one-time link for claiming one award's credential into a wallet (bot/wallet_claims.py),
    found by the hash of its token."""

    award: Award
    expires_at: datetime
    used_at: datetime | None = None
    holder: str | None = None  # the wallet's DID it was claimed into, once used


@dataclass(frozen=True)
class Assignment:
    """Someone must earn a credential (or finish a pathway) by a date: assigned by a manager or
    admin, from L&D's spreadsheet, by a job role, or by the bot before a credential expires.

    Rows are never changed but to withdraw them: assigning the same thing again adds a row, and
    the latest one assigned (not withdrawn) is the one that counts, so the history answers "what
    was this person asked to do on 14 March" (bot/assignments.py)."""

    learner_id: int
    target_kind: Target
    target_id: str
    due_on: date  # the last day, in the learner's timezone
    origin: str  # bot.assignments.Origin: manager, admin, csv, dashboard, role:<id>, recertification
    assigned_at: datetime
    assigned_by: int | None = None  # the manager's or admin's learner id; None: L&D's file or the bot
    withdrawn_at: datetime | None = None
    id: int = 0


@dataclass(frozen=True)
class JobRoleHeld:
    """A job role (content/roles/<id>.md) a person holds or held, from `since` until `until`."""

    learner_id: int
    role_id: str
    since: datetime
    until: datetime | None = None  # None: they hold it now


@dataclass(frozen=True)
class MatrixScope:
    """Whose standing the compliance matrix reads: members of `team_ids` (None: everyone), and of
    those only the holders of `role_id` at the moment asked about, when given."""

    team_ids: frozenset[int] | None = None
    role_id: str | None = None


@dataclass(frozen=True)
class MatrixPerson:
    """A person in the compliance matrix: their team is the one they are in now (team membership
    has no history)."""

    id: int
    name: str
    team: str | None
    timezone: str


@dataclass(frozen=True)
class MatrixRecord:
    """What the compliance matrix reads of the people in a scope, as the record stood at a moment:
    people there then (not left since), the job roles they had been given by then, for each
    credential the latest assignment made by then, the awards made by then (revoked ones too,
    without their signed credential or evidence), and the lessons started and completed by then."""

    people: list[MatrixPerson]
    roles: dict[int, list[JobRoleHeld]]
    assignments: dict[int, list[Assignment]]
    awards: dict[int, list[Award]]
    started: dict[int, set[str]]
    completed: dict[int, set[str]]


@dataclass(frozen=True)
class Holdout:
    """A share of learners who get no daily offer from `starts_at` to `ends_at` (bot/holdout.py),
    so that what the nudge does can be measured against them (bot/uplift.py). Who is held out is
    a hash of the learner's id and `seed`: the same answer in every process and after it ended."""

    id: int
    share: float  # 0 < share <= bot.holdout.MAX_SHARE
    seed: str
    starts_at: datetime
    ends_at: datetime  # moved to the moment it was ended, when ended early
    created_at: datetime

    def running(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class ConversationReference:
    """Where Microsoft Teams lets the bot send: a conversation it was in, and the service URL that
    conversation is served from (both arrive with every activity; adapters/teams/)."""

    conversation_id: str
    service_url: str
    kind: str  # personal, channel, groupChat
    user_id: str | None = None  # a personal chat's learner
    tenant_id: str | None = None
