"""Typed ORM models. Uniqueness that matters lives in constraints, not only in Python."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.vocabulary import Nudges, NudgeStatus, Role, SessionStatus

# SQLite has no BIGINT autoincrement; PostgreSQL event tables grow past 2**31.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class LearnerRow(Base):
    __tablename__ = "learners"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id", name="uq_learner_identity"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    timezone_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    daily_time: Mapped[str] = mapped_column(String(5), default="09:00")
    working_days: Mapped[str] = mapped_column(String(7), default="12345")  # ISO weekdays
    announce: Mapped[bool] = mapped_column(Boolean, default=True)  # badges in the team channel
    nudges: Mapped[str] = mapped_column(String(8), default=Nudges.ON, server_default=Nudges.ON.value)  # bot.vocabulary.Nudges
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    role: Mapped[str] = mapped_column(String(16), default=Role.LEARNER, server_default=Role.LEARNER.value)  # bot.vocabulary.Role
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The latest run of learning days (`bot.streaks.Run`), kept up to date as events are
    # recorded, so that a streak (a whole team's, every team's) is read without the history.
    streak_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    streak_last_day: Mapped[date | None] = mapped_column(Date)
    streak_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_learned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # "active this week"
    # What the learner's credentials name them by: random, never derived from a platform id, and
    # forgotten (None) when they leave, so a public credential cannot be traced back to them.
    subject_id: Mapped[str | None] = mapped_column(String(36), default=lambda: str(uuid.uuid4()))
    # The learner's choice: credentials issued from now on carry their display name (migration 0018).
    name_on_credentials: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The latest delivery's source id and its replies (JSON), for a redelivery after a crash
    # between recording it and sending them (bot/core.py Core.handle).
    kept_source: Mapped[str | None] = mapped_column(String(128))
    kept_replies: Mapped[str | None] = mapped_column(Text)
    # The language they are spoken to in (bot/i18n.py; NULL: not known, English) and whether they
    # chose it in /settings, so the platform's language no longer changes it (migration 0023).
    language: Mapped[str | None] = mapped_column(String(16))
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class EventRow(Base):
    """The audit trail: every answer, card, start and completion, with its time."""

    __tablename__ = "events"
    __table_args__ = (
        # The same platform message counts once. NULL source ids (events the core derives,
        # such as a completion) are distinct on both backends.
        UniqueConstraint("learner_id", "source_id", name="uq_event_source"),
        Index("ix_events_learner_time", "learner_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    source_id: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))  # bot.vocabulary.EventKind
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    local_date: Mapped[date] = mapped_column(Date)
    lesson_id: Mapped[str | None] = mapped_column(String(64))
    lesson_version: Mapped[str | None] = mapped_column(String(64))
    check_key: Mapped[str | None] = mapped_column(String(80))
    correct: Mapped[bool | None] = mapped_column(Boolean)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The item analytics' columns (bot/store/analytics.py), copied from the payload of answers and
    # card views as they are written (bot/store/trail.py): a review reads them without decoding
    # every payload. Migration 0025 filled them for the events before it.
    session_id: Mapped[int | None] = mapped_column(Integer)  # payload "session"
    wording: Mapped[int | None] = mapped_column(BigInteger)  # payload "wording" (bot.analytics_records.wording_number)
    choices: Mapped[int | None] = mapped_column(Integer)  # payload "choices": option n chosen is bit n


class SessionRow(Base):
    """A learner's place in a lesson or a review: a snapshot of its steps and a position.

    The snapshot is what makes a lesson edited mid-way harmless: the learner finishes the
    version they started."""

    __tablename__ = "learning_sessions"
    __table_args__ = (
        Index(
            "uq_one_active_session",
            "learner_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_sessions_learner_kind_status", "learner_id", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # bot.vocabulary.SessionKind
    credential_id: Mapped[str | None] = mapped_column(String(64))  # the badge a refresher renews
    lesson_id: Mapped[str | None] = mapped_column(String(64))
    lesson_version: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)
    correct_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.ACTIVE)  # bot.vocabulary.SessionStatus
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ItemStateRow(Base):
    """FSRS memory state of one check item for one learner."""

    __tablename__ = "item_states"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    check_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    card: Mapped[str] = mapped_column(Text)  # fsrs.Card.to_dict() as JSON
    skills: Mapped[list[str]] = mapped_column(JSON)  # the skills this item gives evidence for
    due: Mapped[datetime] = mapped_column(UTCDateTime())
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    last_correct: Mapped[bool] = mapped_column(Boolean)
    last_review: Mapped[datetime] = mapped_column(UTCDateTime())


class SkillStateRow(Base):
    """BKT knowledge probability of one skill for one learner."""

    __tablename__ = "skill_states"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    p_known: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HoldRow(Base):
    """A vacation hold on the streak."""

    __tablename__ = "streak_holds"
    # Every turn's lock asks whether the learner has any (bot/store/learners.py).
    __table_args__ = (Index("ix_streak_holds_learner", "learner_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)


class AwardRow(Base):
    """A badge or certificate awarded to a learner. One row per learner, definition and
    renewal: the unique constraint is what makes an award happen exactly once, also when two
    processes evaluate the same learner at the same moment."""

    __tablename__ = "awards"
    __table_args__ = (
        UniqueConstraint("learner_id", "definition_id", "renewal", name="uq_award_once"),
        UniqueConstraint("public_id", name="uq_award_public_id"),
    )

    # Also the credential's index in the issuer's status list.
    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(36))
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    definition_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # badge | certificate
    renewal: Mapped[int] = mapped_column(Integer, default=0)
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(String(500))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    credential: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the signed OpenBadgeCredential
    # Signed when credentials still named the learner by a hash of their platform id: to be
    # signed again with their random subject (bot/awards.py `renew_stale_subjects`).
    subject_stale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class NudgeRow(Base):
    """A message the bot starts (the daily lesson offer, a reminder), due at an instant.

    Several processes deliver from one database: a worker claims due rows for a short lease
    (row locks with SKIP LOCKED on PostgreSQL; SQLite serialises writers), sends, and marks them
    sent. A worker that dies leaves its claims to expire and be claimed again, so nothing is
    lost. The unique constraint keeps two planners from scheduling the same nudge twice."""

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("learner_id", "kind", "due_at", name="uq_nudge_once"),
        Index("ix_nudges_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # bot.vocabulary.NudgeKind
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=NudgeStatus.PENDING)  # bot.vocabulary.NudgeStatus
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(300))


class TeamRow(Base):
    """A team: learners belong to one; managers see the teams they manage."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("name", name="uq_team_name"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))


class ManagedTeamRow(Base):
    """A manager (a person with a chat identity, so the bot can send them a sign-in link) and
    a team they manage."""

    __tablename__ = "managed_teams"
    __table_args__ = (UniqueConstraint("learner_id", "team_id", name="uq_managed_team"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))


class AccessTokenRow(Base):
    """A dashboard sign-in link (single use, 15 minutes) or a signed-in browser session. Only
    a hash of the token is stored: a copy of the database signs nobody in."""

    __tablename__ = "access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # bot.vocabulary.AccessKind
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WalletClaimRow(Base):
    """A one-time link to claim one award's credential into a wallet (single use, 15 minutes).
    Only a hash of the token is stored: a copy of the database claims nothing."""

    __tablename__ = "wallet_claims"
    __table_args__ = (Index("ix_wallet_claims_award", "award_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    holder: Mapped[str | None] = mapped_column(String(300))  # the wallet's DID, once used


class SendRateRow(Base):
    """A platform's overall send rate, shared by every process of the bot: the next free
    moment to send a message (see bot/store/send_rate.py)."""

    __tablename__ = "send_rates"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())


class XapiForwardingRow(Base):
    """How far the learning record has reached one LRS (see bot/store/forwarding.py): every
    event up to `last_event_id` has been forwarded, except ids in `gaps` that were not yet
    committed when the cursor passed them ([id, first seen as ISO 8601] pairs)."""

    __tablename__ = "xapi_forwarding"

    endpoint: Mapped[str] = mapped_column(String(300), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    gaps: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    forwarded: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # statements the LRS stored
    skipped: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # statements it refused
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(300))
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SentPollRow(Base):
    """A poll the bot sent (a check asked as a Telegram poll): its answers arrive with only the
    poll's id, at any process (see bot/store/polls.py)."""

    __tablename__ = "sent_polls"
    __table_args__ = (Index("ix_sent_polls_sent_at", "platform", "sent_at"),)

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    poll_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    ref: Mapped[str] = mapped_column(String(40))  # the lesson step the poll asks
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SlackLearnerRow(Base):
    """What the Slack adapter keeps per learner so that it asks Slack once, not at every event:
    when their profile (name, timezone: kept in `learners`) was last read from users.info, and a
    digest of the App Home last published to them (published again only when it changes)."""

    __tablename__ = "slack_learners"

    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True)
    profile_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    home_digest: Mapped[str | None] = mapped_column(String(64))


class AssignmentRow(Base):
    """Someone must earn a credential or finish a pathway by a date (bot/records.py Assignment).
    Added and withdrawn, never otherwise changed: the history answers for any date."""

    __tablename__ = "assignments"
    __table_args__ = (
        Index("ix_assignments_learner", "learner_id"),
        Index("ix_assignments_target", "target_id"),  # which credentials anyone in a scope is assigned (bot/store/compliance.py)
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(16))  # bot.vocabulary.Target
    target_id: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)  # the last day, in the learner's timezone
    origin: Mapped[str] = mapped_column(String(80))  # manager, admin, csv, dashboard, role:<id>, recertification
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("learners.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JobRoleRow(Base):
    """A job role a person holds (until is NULL) or held: kept when it ends, for as-of questions."""

    __tablename__ = "job_roles"
    __table_args__ = (
        Index("ix_job_roles_learner", "learner_id"),
        Index("ix_job_roles_role", "role_id"),
        # One current holding of a role per person; ended ones may repeat.
        Index(
            "uq_job_role_current",
            "learner_id",
            "role_id",
            unique=True,
            sqlite_where=text("until IS NULL"),
            postgresql_where=text("until IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    role_id: Mapped[str] = mapped_column(String(64))
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HoldoutRow(Base):
    """A share of learners held out of daily offers for a period (bot/holdout.py). Kept when it
    ends: its seed says, for ever, who it held out (bot/uplift.py reads the past from it)."""

    __tablename__ = "holdouts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    share: Mapped[float] = mapped_column(Float)
    seed: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TeamsConversationRow(Base):
    """A Microsoft Teams conversation the bot was in (its reference: where to send, at which
    service URL), kept so that any `serve` process can start a message there: a learner's daily
    nudge in their personal chat (`user_id` set), a badge announcement in a team channel."""

    __tablename__ = "teams_conversations"
    __table_args__ = (Index("ix_teams_conversations_user", "user_id"),)

    conversation_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(200))  # personal chats: the learner's Teams id
    kind: Mapped[str] = mapped_column(String(16))  # personal, channel, groupChat (Teams' conversationType)
    service_url: Mapped[str] = mapped_column(String(300))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
