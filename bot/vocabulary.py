"""The values the bot stores and compares: platforms, roles, runtime states and kinds.

Each is a StrEnum whose values are exactly the strings in the database and the audit trail, so
nothing needs migrating, and renaming a member (or an event's class) never changes what is
stored. Members are strings: they compare equal to what the database hands back, and are
written, logged and put in JSON as their values."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """Where a learner talks to the bot (`learners.platform`)."""

    CONSOLE = "console"
    TELEGRAM = "telegram"
    SLACK = "slack"
    TEAMS = "teams"  # Microsoft Teams


class Role(StrEnum):
    """`learners.role`. A manager sees their teams; an admin sees every team and makes teams."""

    LEARNER = "learner"
    MANAGER = "manager"
    ADMIN = "admin"

    def at_least(self, needed: Role) -> bool:
        """Whether this role may do what `needed` may (an admin may do what a manager may)."""
        order = list(Role)
        return order.index(self) >= order.index(needed)


class Nudges(StrEnum):
    """`learners.nudges`: whether the bot starts conversations with the learner."""

    ON = "on"
    DORMANT = "dormant"  # ignored several daily offers: left alone until they come back
    STOPPED = "stopped"  # said /stop: left alone until /resume


class NudgeKind(StrEnum):
    """`nudges.kind`: a message the bot starts."""

    DAILY = "daily"  # the daily lesson offer
    REMINDER1 = "reminder1"  # the offer's reminders, when the learner did not react
    REMINDER2 = "reminder2"
    LATER = "later"  # the snooze the learner asked for with Later
    REISSUED = "reissued"  # their credentials were signed again after a key was withdrawn (bot/reissuing.py)
    ASSIGNED = "assigned"  # a manager assigned them something (bot/assigning.py)
    # The programme's own rhythm (bot/programme.py).
    CHECK = "check"  # the daily look at one person's programme: sends nothing, plans what follows
    OVERDUE = "overdue"  # an assignment past its due date: a reminder to the learner
    ESCALATION = "escalation"  # to a manager: overdue work in their teams (the row's learner is the manager)
    DIGEST = "digest"  # a manager's weekly digest
    NEXT_STEP = "next_step"  # drifted at the end of a unit: the next step offered once more

    @property
    def is_offer(self) -> bool:
        """The daily offer and what follows it up; the others are notices."""
        return self in (NudgeKind.DAILY, NudgeKind.REMINDER1, NudgeKind.REMINDER2, NudgeKind.LATER)

    @property
    def is_programme(self) -> bool:
        """What bot/programme.py composes (and CHECK, which it runs), not the core's offer."""
        return self in PROGRAMME_KINDS

    @property
    def is_reminder(self) -> bool:
        return self in (NudgeKind.REMINDER1, NudgeKind.REMINDER2)


FOLLOW_UPS = (NudgeKind.REMINDER1, NudgeKind.REMINDER2, NudgeKind.LATER)  # nudges that follow up a daily offer
PROGRAMME_KINDS = (NudgeKind.CHECK, NudgeKind.OVERDUE, NudgeKind.ESCALATION, NudgeKind.DIGEST, NudgeKind.NEXT_STEP)


class NudgeStatus(StrEnum):
    """`nudges.status`."""

    PENDING = "pending"  # waiting for its moment (or to be tried again)
    CLAIMED = "claimed"  # a worker is delivering it, until its lease runs out
    SENT = "sent"
    SKIPPED = "skipped"  # not sent: not reachable, nothing to offer, or cancelled
    FAILED = "failed"  # given up after the last attempt (or waiting to be tried again)


class SessionKind(StrEnum):
    """`learning_sessions.kind` (and `payload.kind` of an answer in the trail)."""

    LESSON = "lesson"
    REVIEW = "review"  # spaced re-checks
    REFRESHER = "refresher"  # checks that renew a badge before it expires


class SessionStatus(StrEnum):
    """`learning_sessions.status`."""

    ACTIVE = "active"
    COMPLETED = "completed"


class Target(StrEnum):
    """`assignments.target_kind`: what an assignment asks a learner to earn or finish."""

    CREDENTIAL = "credential"  # a badge or certificate (content/credentials/<id>.md)
    PATHWAY = "pathway"  # every lesson of a pathway (content/pathways/<id>.md)


class AccessKind(StrEnum):
    """`access_tokens.kind`: a dashboard sign-in link, or a signed-in browser's session."""

    SIGNIN = "signin"
    SESSION = "session"


class EventKind(StrEnum):
    """`events.kind`: what the audit trail records."""

    # What the learner did or was shown.
    STARTED = "started"
    LESSON_STARTED = "lesson_started"
    CARD_VIEWED = "card_viewed"
    ANSWERED = "answered"
    STALE_ANSWER = "stale_answer"  # an answer to a question already answered or gone
    LESSON_COMPLETED = "lesson_completed"
    REVIEW_COMPLETED = "review_completed"
    REFRESHER_COMPLETED = "refresher_completed"
    AWARDED = "awarded"
    RENEWED = "renewed"
    SETTINGS_CHANGED = "settings_changed"
    SKIPPED_TODAY = "skipped_today"
    SNOOZED = "snoozed"
    LEFT = "left"
    TEAM_SUMMARY = "team_summary"
    TEAM_SYNCED = "team_synced"
    # The programme: who must earn what, by when (bot/assignments.py).
    ASSIGNED = "assigned"  # payload: assignment id, target, due date, origin, by whom
    ASSIGNMENT_WITHDRAWN = "assignment_withdrawn"
    JOB_ROLES_CHANGED = "job_roles_changed"  # payload: the job roles given and ended
    # What the bot did on its own.
    NUDGED = "nudged"
    REMINDED = "reminded"
    HELD_OUT = "held_out"  # a daily offer not sent: a holdout holds the learner out (payload: holdout, nudge; bot/holdout.py)
    ASSIGNMENT_TOLD = "assignment_told"  # it told the learner of these assignments (payload: their ids)
    # The programme's rhythm (bot/programme.py), each in the trail of the learner it is about.
    OVERDUE = "overdue"  # an assignment passed its due date unmet (once; payload: assignment, target, due date)
    OVERDUE_REMINDED = "overdue_reminded"  # the learner was reminded of these overdue assignments (payload: ids)
    ESCALATED = "escalated"  # a manager was told of this overdue assignment (payload: assignment, manager)
    NEXT_STEP_OFFERED = "next_step_offered"  # drifted after finishing a unit: the next step offered once more
    DIGEST_SENT = "digest_sent"  # in the manager's trail: their weekly digest went out (payload: counts)
    RECERTIFIED = "recertified"  # a renewal met a recertification assignment (payload: assignment, credential, award)
    DIGEST_CHOSEN = "digest_chosen"  # a manager turned their weekly digest on or off (/settings digest)
    # An inbound event that recorded nothing else, kept so that its redelivery is known
    # (bot/events.py: each event class names its own).
    START = "start"
    NEXT = "next"
    BUTTON_PRESSED = "button_pressed"
    ANSWER = "answer"
    COMMAND = "command"
    TIMER_FIRED = "timer_fired"
    TEAM_FROM_CHANNEL = "team_from_channel"


# Events that make a day a learning day (the streak, "active this week").
LEARNING = (EventKind.CARD_VIEWED, EventKind.ANSWERED, EventKind.LESSON_COMPLETED)
# Events the bot records about itself: not the learner's activity.
# (What others did about them counts neither: being assigned is not activity.)
BOTS_OWN = (
    EventKind.NUDGED,
    EventKind.REMINDED,
    EventKind.HELD_OUT,
    EventKind.ASSIGNMENT_TOLD,
    EventKind.OVERDUE,
    EventKind.OVERDUE_REMINDED,
    EventKind.ESCALATED,
    EventKind.NEXT_STEP_OFFERED,
    EventKind.DIGEST_SENT,
    EventKind.ASSIGNED,
    EventKind.ASSIGNMENT_WITHDRAWN,
    EventKind.JOB_ROLES_CHANGED,
)
