"""The seam between the core and the store: what the core may ask of it, in plain values.

A `Store` opens one `UnitOfWork` per inbound event (a transaction: everything in it lands
together or not at all). The unit of work offers one small repository per concern, each speaking
in the records of bot/records.py. bot/store/ implements these with SQLAlchemy on SQLite and
PostgreSQL; tests/memory_store.py implements them in memory, so the core's flows are unit-tested
in milliseconds. Domain rules (a streak, an award, a schedule) live in the core, never here."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from bot.analytics_records import TrailMoment
from bot.events import LearnerRef
from bot.records import (
    Assignment,
    Award,
    ConversationReference,
    DeliveryStatus,
    Holdout,
    ItemMemory,
    JobRoleHeld,
    Learner,
    LessonSession,
    MatrixPerson,
    MatrixRecord,
    MatrixScope,
    Nudge,
    SkillMemory,
    SlackLearner,
    Team,
    TeamFigures,
    TrailEvent,
    WalletClaim,
)
from bot.streaks import Hold
from bot.vocabulary import AccessKind, EventKind, NudgeKind, NudgeStatus, SessionKind

if TYPE_CHECKING:  # numpy's columns: imported only where a review runs
    from bot.analytics_columns import ReviewColumns


class DuplicateEvent(Exception):
    """The platform delivered an event that was already recorded: the transaction changed nothing."""

    def __init__(self, source_id: str) -> None:
        super().__init__(f"event {source_id!r} was already recorded")
        self.source_id = source_id


class StoreUnavailable(Exception):
    """The database cannot be reached now; nothing of this transaction was written."""


class Learners(Protocol):
    async def locked(self, ref: LearnerRef, *, now: datetime) -> tuple[Learner, bool]:
        """The learner, locked for this transaction (a learner's events are handled one at a
        time across processes), created on first contact. (learner, created)."""

    async def find(self, platform: str, user_id: str) -> Learner | None: ...

    async def by_id(self, learner_id: int) -> Learner | None: ...

    async def person(self, platform: str, user_id: str, name: str, *, now: datetime) -> tuple[Learner, bool]:
        """Someone from an import or a channel: found, or created as first contact would."""

    async def save(self, learner: Learner) -> None:
        """Write what changed of the learner (nothing when nothing changed)."""


class Teams(Protocol):
    async def ids_by_name(self, names: Collection[str]) -> dict[str, int]:
        """Team ids by name; teams not there yet are created."""

    async def set_managed(self, learner_id: int, team_ids: Collection[int]) -> None: ...

    async def all(self, team_ids: Collection[int] | None = None) -> list[Team]:
        """Teams by name (only `team_ids`, when given)."""

    async def managed_ids(self, learner_id: int) -> set[int]: ...

    async def managed_names(self, learner_id: int) -> list[str]: ...

    async def members(self, team_id: int) -> list[Learner]:
        """The team's learners (not those who left), by name."""

    async def name_of(self, learner_id: int) -> str | None:
        """The name of the learner's team."""

    async def figures(self, team_ids: Collection[int], now: datetime, active_since: datetime) -> dict[int, TeamFigures]: ...

    async def activity_counts(self, learner_ids: Collection[int]) -> dict[int, tuple[int, int]]:
        """Per learner: lessons completed, credentials held (not revoked)."""


class Access(Protocol):
    """Dashboard sign-in links and browser sessions, kept as hashes of their tokens."""

    async def add(self, token_hash: str, learner_id: int, kind: AccessKind, expires_at: datetime) -> None: ...

    async def use_signin(self, token_hash: str, now: datetime) -> int | None:
        """The learner a sign-in link is for, once: used or expired links give None."""

    async def signin_learner(self, token_hash: str, now: datetime) -> Learner | None:
        """Whom an unused, unexpired sign-in link is for, without spending it."""

    async def session_learner(self, token_hash: str, now: datetime) -> Learner | None: ...

    async def end_session(self, token_hash: str) -> None: ...

    async def end_all(self, learner_id: int) -> int:
        """Every session and sign-in link of a person, ended at once. How many there were."""

    async def purge_expired(self, now: datetime) -> int: ...


class Trail(Protocol):
    """The audit trail: every answer, card, start, completion and award, with its time."""

    async def add(self, learner_id: int, event: TrailEvent) -> None:
        """Written with the transaction; a platform message id recorded before fails it
        (DuplicateEvent)."""

    async def of(self, learner_id: int) -> list[TrailEvent]:
        """The learner's whole trail, oldest first."""

    async def after(self, last_id: int, limit: int) -> list[TrailEvent]:
        """Everyone's events after `last_id`, oldest first (exports in batches)."""

    async def count(self) -> int: ...

    async def for_report(self, before: datetime) -> list[TrailEvent]:
        """Learning events and awards of everyone before `before`, oldest first."""

    async def learning_days(self, learner_id: int) -> set[date]: ...

    async def recent(self, learner_id: int, kinds: Collection[EventKind], limit: int) -> list[TrailEvent]:
        """The learner's latest events of these kinds, newest first."""

    async def lesson_completions(self, learner_id: int) -> dict[str, datetime]:
        """When the learner first completed each lesson they completed."""

    async def completion_days(self, learner_id: int) -> dict[str, date]:
        """Lesson id -> the learner's local date of its first completion."""

    async def correct_recheck_days(self, learner_id: int) -> list[tuple[str, date]]:
        """(check key, local date) of every correct answer in a spaced re-check."""

    async def inactive_since(self, learner_ids: Collection[int], since: datetime) -> set[int]:
        """Those of `learner_ids` with no learning event since `since`."""

    async def who_started(self, learner_ids: Collection[int]) -> set[int]:
        """Those of `learner_ids` who started a lesson."""

    async def nudge_history(self, learner_id: int) -> tuple[datetime | None, list[datetime]]:
        """The learner's last own activity, and the daily nudges sent since (oldest first)."""

    async def of_kinds(self, kinds: Collection[EventKind], since: datetime, before: datetime) -> list[TrailEvent]:
        """Everyone's events of these kinds in [since, before), oldest first (bot/uplift.py)."""


class Sessions(Protocol):
    async def active(self, learner_id: int) -> LessonSession | None: ...

    async def open(
        self,
        learner_id: int,
        kind: SessionKind,
        title: str,
        steps: list[dict[str, Any]],
        *,
        now: datetime,
        lesson_id: str | None = None,
        lesson_version: str | None = None,
        credential_id: str | None = None,
    ) -> LessonSession:
        """A new active session, with its id (it goes into the step buttons)."""

    async def save(self, session: LessonSession) -> None:
        """Write what changed of the session (its position, score, status)."""

    async def completed_lessons(self, learner_id: int) -> set[str]: ...

    async def completed_lessons_of(self, learner_ids: Collection[int]) -> dict[int, set[str]]: ...


class Memory(Protocol):
    """What each learner remembers: FSRS per check, BKT per skill."""

    async def items(self, learner_id: int) -> dict[str, ItemMemory]: ...

    async def due(self, learner_id: int, now: datetime, limit: int) -> list[ItemMemory]:
        """Items due for a re-check by `now`, soonest first."""

    async def skills(self, learner_id: int) -> dict[str, SkillMemory]: ...

    async def put_item(self, learner_id: int, item: ItemMemory) -> None: ...

    async def put_skill(self, learner_id: int, skill: SkillMemory) -> None: ...


class Awards(Protocol):
    async def of(self, learner_id: int) -> list[Award]:
        """The learner's awards, oldest first (revoked ones too)."""

    async def of_many(self, learner_ids: Collection[int]) -> dict[int, list[Award]]:
        """`of` for many learners at once (revoked ones too), in a few queries however many."""

    async def held_by(self, learner_ids: Collection[int]) -> list[Award]:
        """Credentials (not revoked) of many learners, oldest first: a team's over time."""

    async def add(self, award: Award) -> bool:
        """Store the award unless this learner already has it (same definition and renewal):
        the database decides, so two processes cannot both award. Sets `award.id`."""

    async def store_credential(self, award_id: int, credential: dict[str, Any]) -> None: ...

    async def by_public_id(self, public_id: str) -> Award | None: ...

    async def revoke(self, award_id: int, *, at: datetime, reason: str) -> None: ...

    async def revoked_indices(self) -> list[int]:
        """Status list indices (award ids) of every revoked credential."""

    async def holders(self, definition_id: str, *, now: datetime) -> int:
        """How many learners hold this badge or certificate at `now`: an award of it that is
        neither revoked nor expired (each learner counted once, renewals or not)."""

    async def of_kind(self, kind: str) -> list[Award]:
        """Every award of a kind (badge | certificate), revoked ones too, oldest first."""

    async def after(self, award_id: int, limit: int) -> list[Award]:
        """Awards with an id above `award_id`, in id order, at most `limit`: a pass over every
        credential in batches (a key withdrawn as compromised: what it signed is signed again)."""

    async def stale_subjects(self, limit: int) -> list[tuple[Award, Learner]]:
        """Credentials that still name their learner by a hash of their platform id, locked."""

    async def renew_subject(self, award_id: int, credential: dict[str, Any] | None) -> None:
        """The credential signed again with the learner's random subject (or left as it is: None)."""


class Holds(Protocol):
    """Vacation holds and pauses: the streak waits, no nudges."""

    async def of(self, learner_id: int) -> list[Hold]: ...

    async def of_many(self, learner_ids: Collection[int]) -> dict[int, list[Hold]]: ...

    async def add(self, learner_id: int, start: date, end: date) -> None: ...

    async def end(self, learner_id: int, today: date) -> None:
        """End holds today: days already held stay held, future ones are dropped."""

    async def delete_all(self, learner_id: int) -> None: ...


class NudgeQueue(Protocol):
    """Messages the bot starts, claimed by one process at a time."""

    async def to_plan(self, platforms: Collection[str], limit: int) -> list[Learner]:
        """Learners on these platforms, nudges on, with no daily nudge waiting."""

    async def to_check(self, platforms: Collection[str], limit: int, *, now: datetime) -> list[Learner]:
        """People on these platforms with a programme to look at (an assignment not withdrawn, a
        credential valid at `now` that expires, or a team they manage) and no daily check waiting."""

    async def waiting(self, learner_id: int, kinds: Collection[NudgeKind]) -> list[Nudge]:
        """The learner's nudges of these kinds still to be sent (pending or claimed)."""

    async def schedule(self, learner_id: int, kind: NudgeKind, due_at: datetime) -> bool:
        """False when that nudge is already scheduled."""

    async def schedule_many(self, nudges: Collection[tuple[int, NudgeKind, datetime]]) -> int:
        """How many were new."""

    async def claim(
        self, *, now: datetime, worker: str, lease: timedelta, limit: int, platforms: Collection[str] | None = None
    ) -> list[tuple[Nudge, Learner]]:
        """Due nudges, claimed by `worker` until now + lease (expired claims taken over)."""

    async def renew_claims(self, ids: Collection[int], *, worker: str, now: datetime, lease: timedelta) -> set[int]:
        """Extend the claims this worker still holds; returns those."""

    async def finish(
        self,
        nudge_id: int,
        *,
        worker: str,
        status: NudgeStatus,
        at: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool:
        """Mark a claimed nudge done (or pending again at `retry_at`). False when the claim was lost."""

    async def cancel(self, learner_id: int, kinds: Collection[NudgeKind], at: datetime) -> None: ...

    async def all(self, learner_id: int | None = None) -> list[Nudge]: ...

    async def delivery_status(self, now: datetime) -> DeliveryStatus: ...


class TeamsConversations(Protocol):
    """Microsoft Teams' conversation references, kept where every `serve` process finds them (Teams
    lets a bot start a message only in a conversation it was in, at that conversation's service URL).
    Each call is a transaction of its own."""

    async def keep(self, reference: ConversationReference) -> None: ...

    async def personal(self, user_id: str) -> ConversationReference | None:
        """The learner's personal chat with the bot, the one heard from last."""

    async def find(self, conversation_id: str) -> ConversationReference | None: ...


class SlackLearners(Protocol):
    """What the Slack adapter keeps per learner, so it asks Slack once, not at every event."""

    async def learner(self, user_id: str) -> SlackLearner | None: ...

    async def keep_profile(self, user_id: str, *, at: datetime, name: str | None = None) -> bool: ...

    async def keep_home(self, user_id: str, digest: str) -> bool: ...


class WalletClaims(Protocol):
    """One-time links that let a learner claim a credential into their wallet, kept as hashes of
    their tokens (as the dashboard's sign-in links are)."""

    async def add(self, token_hash: str, award_id: int, expires_at: datetime, *, now: datetime) -> None: ...

    async def find(self, token_hash: str) -> WalletClaim | None:
        """The link and its award, used or not, expired or not; None when there is no such link
        or its learner has left."""

    async def use(self, token_hash: str, *, holder: str, now: datetime) -> bool:
        """Spend an unused, unexpired link for the wallet DID `holder`, once: the update is
        conditional, so of two wallets racing with one link only one gets True."""

    async def purge_expired(self, now: datetime) -> int:
        """Delete links that can no longer be used (expired, used ones included). How many."""


class Holdouts(Protocol):
    """Shares of learners held out of daily offers for a period (bot/holdout.py): added, ended
    early, never deleted, so who was held out when can be told afterwards."""

    async def add(self, *, share: float, seed: str, starts_at: datetime, ends_at: datetime, created_at: datetime) -> Holdout:
        """Stored, with its id."""

    async def all(self) -> list[Holdout]:
        """Every holdout, oldest first."""

    async def end(self, holdout_id: int, at: datetime) -> bool:
        """Ended at `at` (its end moved there) unless it ended before. False when it had."""

    async def people(self) -> list[Learner]:
        """Everyone who has not left, by id: those a holdout may hold out."""


class Assignments(Protocol):
    """Who must earn what by when. Rows are added, and withdrawn, never changed otherwise: the
    history is the audit trail of the programme (bot/assignments.py reads it as of any date)."""

    async def add(self, assignment: Assignment) -> Assignment:
        """Stored, with its id."""

    async def withdraw(self, assignment_id: int, *, at: datetime) -> bool:
        """False when there is no such assignment or it was withdrawn before."""

    async def of(self, learner_id: int) -> list[Assignment]:
        """Every assignment of the learner, withdrawn ones too, oldest first."""

    async def of_many(self, learner_ids: Collection[int]) -> dict[int, list[Assignment]]:
        """The same for many learners in one query (learners with none are left out)."""


class JobRoles(Protocol):
    """Which job roles (content/roles/<id>.md) people hold, and held: a role ended is kept, with
    its end, so a role's people can be told as of a date."""

    async def of(self, learner_id: int) -> list[JobRoleHeld]:
        """The learner's roles, ended ones too, oldest first."""

    async def of_many(self, learner_ids: Collection[int]) -> dict[int, list[JobRoleHeld]]: ...

    async def give(self, learner_id: int, role_id: str, *, at: datetime) -> bool:
        """False when they hold it already."""

    async def end(self, learner_id: int, role_id: str, *, at: datetime) -> bool:
        """False when they do not hold it."""

    async def holders(self, role_id: str, *, at: datetime) -> list[int]:
        """Learner ids of those who held the role at `at` (and have not left), in id order."""


class Compliance(Protocol):
    """The compliance matrix's bulk reads (bot/compliance.py): a whole scope, or a page of it, in
    a few queries however many people, where the per-person reads above would make one round per
    person. Each reads the record as it stood at `at`; people are those in `scope` then: not left,
    there by then, in its teams now (membership has no history), holding its role then."""

    async def count(self, scope: MatrixScope, at: datetime) -> int:
        """How many people are in the scope."""

    async def people(self, scope: MatrixScope, at: datetime, *, offset: int = 0, limit: int | None = None) -> list[MatrixPerson]:
        """The people of the scope by name (then id), the matrix's rows in order: all of them, or
        `limit` after the first `offset`."""

    async def required(self, scope: MatrixScope, at: datetime, credentials: Collection[str]) -> tuple[set[str], set[str]]:
        """What anyone in the scope was asked for at `at`: the job roles held then, and those of
        `credentials` with an assignment made by then and not withdrawn by then (a superset of
        what `bot.assignments.current` counts: one superseded by a later assignment, withdrawn
        since, is in it)."""

    async def matrix(self, scope: MatrixScope, at: datetime, learner_ids: Collection[int] | None = None) -> MatrixRecord:
        """The people of the scope (only `learner_ids` of them, when given), by name, with what the
        record held of them at `at`: the job roles given by then (ended ones too), every credential
        assignment made by then (withdrawn ones too: `bot.assignments.current` tells which counts),
        the awards made by then (revoked ones too, without credential or evidence), and the lessons
        they had started and completed by then."""


class Analytics(Protocol):
    """The item analytics' bulk read (bot/analytics.py turns it into figures and findings)."""

    async def columns(self, checks: Sequence[str]) -> ReviewColumns:
        """Every answer, every learning session's place and every card shown, as columns
        (bot/analytics_columns.py), in a few queries however many learners. `checks`: the check
        keys the content has now (a store may code them in this order; others follow)."""

    async def steps_shown(self, wanted: Collection[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """A step (bot.snapshot.step_to_json) of each (check key, wording) as a session showed it,
        in the source's words when any session did; none for a wording no session shows."""

    async def moments(self, kinds: Collection[EventKind], since: datetime, before: datetime) -> list[TrailMoment]:
        """The events of these kinds in [since, before), in no particular order, as moments (who,
        what, when): what the nudges' uplift reads, without the rest of each event."""


class UnitOfWork(Protocol):
    """One transaction's repositories."""

    # Read-only (properties), so a unit of work may hold any implementation of each: a plain
    # attribute in a Protocol is mutable, hence invariant, and SqlLearners would not be Learners.
    @property
    def learners(self) -> Learners: ...
    @property
    def teams(self) -> Teams: ...
    @property
    def access(self) -> Access: ...
    @property
    def trail(self) -> Trail: ...
    @property
    def sessions(self) -> Sessions: ...
    @property
    def memory(self) -> Memory: ...
    @property
    def awards(self) -> Awards: ...
    @property
    def holds(self) -> Holds: ...
    @property
    def nudges(self) -> NudgeQueue: ...
    @property
    def slack(self) -> SlackLearners: ...
    @property
    def wallet(self) -> WalletClaims: ...
    @property
    def assignments(self) -> Assignments: ...
    @property
    def job_roles(self) -> JobRoles: ...
    @property
    def compliance(self) -> Compliance: ...
    @property
    def holdouts(self) -> Holdouts: ...
    @property
    def analytics(self) -> Analytics: ...

    async def ping(self) -> None:
        """A round trip to the database (for the health endpoint)."""


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """One transaction. DuplicateEvent for a platform message recorded before;
        StoreUnavailable when the database cannot be reached (nothing was written)."""

    def reading(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A transaction for long reads (the item analytics): every read sees the database as it was
        at the first, so figures from several reads describe one moment; it never holds up the bot's
        writes meanwhile; and nothing done in it is kept (it is rolled back). StoreUnavailable when
        the database cannot be reached."""


__all__: Sequence[str] = (
    "Access",
    "Analytics",
    "Assignments",
    "Awards",
    "Compliance",
    "DuplicateEvent",
    "Holdouts",
    "Holds",
    "JobRoles",
    "Learners",
    "Memory",
    "NudgeQueue",
    "Sessions",
    "SlackLearners",
    "Store",
    "StoreUnavailable",
    "Teams",
    "TeamsConversations",
    "Trail",
    "UnitOfWork",
    "WalletClaims",
)
