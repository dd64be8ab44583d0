"""What the database holds is named once (bot/vocabulary.py), by the strings already stored, so
nothing needs migrating; an event class names the kind the trail stores for it, so renaming the
class changes nothing stored."""

from __future__ import annotations

from dataclasses import dataclass

from bot import events
from bot.events import Command, Event, LearnerRef
from bot.vocabulary import AccessKind, EventKind, NudgeKind, Nudges, NudgeStatus, Platform, Role, SessionKind, SessionStatus, Target


def test_the_stored_values_are_the_strings_already_in_databases():
    assert [m.value for m in Platform] == ["console", "telegram", "slack", "teams"]
    assert [m.value for m in Role] == ["learner", "manager", "admin"]
    assert [m.value for m in Nudges] == ["on", "dormant", "stopped"]
    assert [m.value for m in NudgeKind] == [
        "daily",
        "reminder1",
        "reminder2",
        "later",
        "reissued",
        "assigned",
        "check",
        "overdue",
        "escalation",
        "digest",
        "next_step",
    ]
    assert [m.value for m in NudgeStatus] == ["pending", "claimed", "sent", "skipped", "failed"]
    assert [m.value for m in SessionKind] == ["lesson", "review", "refresher"]
    assert [m.value for m in SessionStatus] == ["active", "completed"]
    assert [m.value for m in AccessKind] == ["signin", "session"]
    assert [m.value for m in Target] == ["credential", "pathway"]
    assert sorted(m.value for m in EventKind) == sorted(
        [
            "started",
            "lesson_started",
            "card_viewed",
            "answered",
            "stale_answer",
            "lesson_completed",
            "review_completed",
            "refresher_completed",
            "awarded",
            "renewed",
            "settings_changed",
            "skipped_today",
            "snoozed",
            "left",
            "team_summary",
            "team_synced",
            "assigned",
            "assignment_withdrawn",
            "assignment_told",
            "overdue",
            "overdue_reminded",
            "escalated",
            "next_step_offered",
            "digest_sent",
            "recertified",
            "digest_chosen",
            "job_roles_changed",
            "nudged",
            "reminded",
            "held_out",
            "start",
            "next",
            "button_pressed",
            "answer",
            "command",
            "timer_fired",
            "team_from_channel",
        ]
    )


def test_each_event_class_names_the_kind_stored_for_it():
    classes = {name: cls for name, cls in vars(events).items() if isinstance(cls, type) and issubclass(cls, Event) and cls is not Event}
    assert {name: cls.recorded_as.value for name, cls in classes.items()} == {
        "Start": "start",
        "Next": "next",
        "ButtonPressed": "button_pressed",
        "Answer": "answer",
        "Command": "command",
        "TimerFired": "timer_fired",
        "TeamFromChannel": "team_from_channel",
    }


def test_renaming_an_event_class_keeps_what_is_stored():
    @dataclass(frozen=True, kw_only=True)
    class TypedCommand(Command):  # as if `Command` had been renamed
        pass

    event = TypedCommand(learner=LearnerRef("console", "ana"), name="help")
    assert event.recorded_as == "command"


def test_a_role_may_do_what_a_lesser_role_may():
    assert Role.ADMIN.at_least(Role.MANAGER) and Role.MANAGER.at_least(Role.MANAGER)
    assert not Role.LEARNER.at_least(Role.MANAGER) and not Role.MANAGER.at_least(Role.ADMIN)


def test_only_the_daily_offer_and_its_follow_ups_are_offers():
    assert [k.value for k in NudgeKind if k.is_offer] == ["daily", "reminder1", "reminder2", "later"]
    assert [k.value for k in NudgeKind if k.is_programme] == ["check", "overdue", "escalation", "digest", "next_step"]


def test_what_the_bot_or_others_record_about_a_learner_is_not_their_activity():
    from bot.vocabulary import BOTS_OWN, LEARNING

    for kind in ("overdue", "overdue_reminded", "escalated", "next_step_offered", "digest_sent", "assigned", "assignment_withdrawn"):
        assert kind in BOTS_OWN
    assert not set(BOTS_OWN) & set(LEARNING)
