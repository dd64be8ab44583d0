"""Button actions are typed values with one encoding (bot/actions.py). The strings are already in
chats, so every kind of action must keep its string exactly, read back to the same action, and
fit Telegram's 64 bytes of callback data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import actions
from bot.actions import Mode, StepRef
from bot.i18n import LANGUAGES, SOURCE
from bot.preferences import DAILY_TIMES, PAUSES, REGIONS, region_picker, time_picker, zone_picker

# Every kind of button the bot has ever sent, with the string it carries.
IN_CHATS = [
    (actions.CONTINUE, "go"),
    (actions.LATER, "later"),
    (actions.SKIP_TODAY, "skip"),
    (actions.NextCard(StepRef(7, 1)), "next:7.1"),
    (actions.ChooseOption(StepRef(7, 3), 2), "ans:7.3:2"),
    (actions.RunCommand("badges"), "cmd:badges"),
    (actions.RunCommand("path"), "cmd:path"),
    (actions.ChooseLesson(None), "pick"),
    (actions.ChooseLesson("workplace-safety"), "pick:workplace-safety"),
    (actions.StartLesson("lockout-tagout"), "les:lockout-tagout"),
    (actions.StartLesson("a" * 40), "les:" + "a" * 40),
    (actions.PickRegion(Mode.ONBOARDING, 2), "tzr:o:2"),
    (actions.PickRegion(Mode.SETTINGS, None), "tzr:s:"),
    (actions.PickZone(Mode.ONBOARDING, "Europe/Berlin"), "tz:o:Europe/Berlin"),
    (actions.PickZone(Mode.SETTINGS, "America/Argentina/Buenos_Aires"), "tz:s:America/Argentina/Buenos_Aires"),
    (actions.PickTime(Mode.ONBOARDING, "08:00"), "time:o:08:00"),
    (actions.PickTime(Mode.SETTINGS, "17:00"), "time:s:17:00"),
    (actions.AskTime(), "set:time"),
    (actions.AskPause(), "set:pause"),
    (actions.Pause(14), "pause:14"),
    (actions.EndPause(), "pause:off"),
    (actions.Announce(True), "ann:on"),
    (actions.Announce(False), "ann:off"),
    (actions.NameOnCredentials(True), "name:on"),
    (actions.ChooseLanguage("de"), "lang:de"),
    (actions.NameOnCredentials(False), "name:off"),
    (actions.AskLeave(), "set:leave"),
    (actions.ConfirmLeave(), "leave:yes"),
    (actions.LeaveNow(), "leave:now"),
    (actions.Stay(), "leave:no"),
]


@pytest.mark.parametrize(("action", "text"), IN_CHATS, ids=[text for _, text in IN_CHATS])
def test_each_action_keeps_the_string_buttons_in_chats_carry(action: actions.Action, text: str):
    assert actions.encode(action) == text
    assert actions.parse(text) == action


@pytest.mark.parametrize(
    "text",
    [
        "",
        "nonsense",
        "next:",
        "pick:",
        "les:",
        "les:Lockout",
        "les:" + "a" * 41,
        "pick:a b",
        "next:7",
        "next:x.1",
        "ans:7.3",
        "ans:7.3:x",
        "ans:7.²:1",
        "ans:1.1:" + "9" * 40,
        "cmd:",
        "tzr:x:1",
        "tz:1:Europe/Berlin",
        "time:",
        "pause:",
        "pause:week",
        "ann:maybe",
        "name:maybe",
        "leave:later",
        "set:colour",
    ],
)
def test_a_string_no_button_of_ours_carries_is_no_action(text: str):
    """A forged or mangled button is refused as a whole (the core says it is no longer valid),
    never half-read or a crash."""
    assert actions.parse(text) is None


def test_every_button_the_pickers_offer_fits_telegrams_callback_data():
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    pickers = [region_picker(SOURCE, "Where?", mode) for mode in Mode]
    pickers += [zone_picker(SOURCE, i, mode, now) for i in range(len(REGIONS)) for mode in Mode]
    pickers += [time_picker("When?", mode) for mode in Mode]
    offered = [button.action for picker in pickers for button in picker.buttons]
    offered += [actions.encode(actions.Pause(days)) for _, days in PAUSES]
    offered += [actions.encode(actions.ChooseLanguage(language)) for language in LANGUAGES]
    assert len(offered) == 2 * (len(REGIONS) + sum(len(zones) + 1 for _, zones in REGIONS) + len(DAILY_TIMES)) + len(PAUSES) + len(
        LANGUAGES
    )
    longest = max(offered, key=lambda text: len(text.encode()))
    assert len(longest.encode()) <= 64, longest
    assert all(actions.parse(text) is not None for text in offered)


def test_the_ids_in_a_step_button_may_grow_large_and_still_fit():
    """Session ids grow with the database; an answer button stays far below 64 bytes."""
    text = actions.encode(actions.ChooseOption(StepRef(2**63 - 1, 99), 9))
    assert len(text.encode()) <= 64 and actions.parse(text) == actions.ChooseOption(StepRef(2**63 - 1, 99), 9)


def test_a_lesson_or_pathway_button_fits_for_the_longest_id_content_allows():
    """Choosing a lesson carries its id (content/lint.py caps ids at MAX_ID_LENGTH): the longest
    still fits Telegram's 64 bytes, and one longer than content allows is no button of ours."""
    from content.lint import MAX_ID_LENGTH

    longest = "a" * MAX_ID_LENGTH
    for action in (actions.StartLesson(longest), actions.ChooseLesson(longest)):
        text = actions.encode(action)
        assert len(text.encode()) <= 64 and actions.parse(text) == action
    assert actions.parse(actions.encode(actions.StartLesson(longest + "a"))) is None
