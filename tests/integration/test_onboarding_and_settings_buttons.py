"""First contact on a platform that does not know the learner's timezone (Telegram): the bot asks
with buttons, then the daily time, then offers the first lesson. /settings offers the same
buttons, a pause, and leaving (which deletes who the learner is)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.events import ButtonPressed, Command, LearnerRef, Start
from tests.support import Chat, buttons_of


async def test_onboarding_asks_timezone_then_time_then_offers_the_first_lesson(core, store, clock):
    chat = Chat(core)
    await chat.start(timezone=None)
    assert "where are you" in chat.text
    await chat.press("Europe")
    berlin = chat.button("Berlin")
    local = clock.now().astimezone(ZoneInfo("Europe/Berlin"))
    assert berlin.label == f"Berlin · {local:%H:%M}", "each place shows its clock, so the learner can match theirs"
    assert all(len(b.action.encode()) <= 64 for r in chat.last for b in buttons_of(r))
    await chat.press("Berlin")
    assert "Timezone: **Europe/Berlin**" in chat.text and "When would you like" in chat.text
    await chat.press("08:00")
    assert "Daily lesson at **08:00** (Europe/Berlin), Monday to Friday" in chat.text
    assert "First up: **Tides**" in chat.text
    await chat.press("Start now")
    assert chat.card.lesson_title == "Tides"
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        assert (learner.timezone, learner.timezone_confirmed, learner.daily_time) == ("Europe/Berlin", True, "08:00")


async def test_a_platform_that_knows_the_timezone_skips_the_question(core):
    chat = Chat(core)
    await chat.start(timezone="Asia/Tokyo")
    assert "Daily lesson time:** 09:00 (Asia/Tokyo)" in chat.text
    assert chat.button("Start now")


async def test_settings_buttons_change_timezone_time_announce_and_pause(core, store, clock):
    chat = Chat(core)
    await chat.start()
    await chat.command("settings")
    assert "Your settings" in chat.text
    await chat.press("Timezone")
    await chat.press("Americas")
    await chat.press("New York")
    assert "Timezone set to America/New_York" in chat.text
    await chat.command("settings")
    await chat.press("Daily time")
    await chat.press("17:00")
    assert "Daily lesson at **17:00** (America/New_York)" in chat.text
    assert "First up" not in chat.text, "outside onboarding, setting the time only confirms"
    await chat.command("settings")
    await chat.press("Announce my badges: turn off")
    assert "no longer be announced" in chat.text
    await chat.command("settings")
    await chat.press("Pause")
    await chat.press("2 weeks")
    assert "Paused until" in chat.text
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        assert (learner.timezone, learner.daily_time, learner.announce) == ("America/New_York", "17:00", False)
        [hold] = await tx.holds.of(learner.id)
        assert (hold.end - hold.start).days == 13
    await chat.command("settings")
    await chat.press("Resume")
    assert "Welcome back" in chat.text
    async with store.transaction() as tx:
        [hold] = await tx.holds.of((await tx.learners.find("test", "ana")).id)
        assert hold.end <= clock.now().astimezone(ZoneInfo("America/New_York")).date()


async def test_a_forged_timezone_button_is_refused(core, store):
    chat = Chat(core)
    await chat.start(timezone=None)
    await chat.send(ButtonPressed(learner=chat.learner, source_id="forged", action="tz:s:Mars/Olympus_Mons"))
    assert "not one I know" in chat.text
    async with store.transaction() as tx:
        assert (await tx.learners.find("test", "ana")).timezone_confirmed is False


async def test_leaving_deletes_who_the_learner_is_and_a_new_start_is_a_new_learner(core, store):
    chat = Chat(core)
    await chat.start(timezone="Europe/Berlin")
    await chat.take_next_lesson()
    async with store.transaction() as tx:
        learner_id = (await tx.learners.find("test", "ana")).id
    await chat.command("settings")
    await chat.press("Leave and delete my data")
    assert "Leave now?" in chat.text
    await chat.press("No, stay")
    async with store.transaction() as tx:
        assert await tx.learners.find("test", "ana") is not None
    await chat.command("settings")
    await chat.press("Leave and delete my data")
    await chat.press("Yes, delete my data")
    await chat.press("Delete my data now")
    assert "your personal data is deleted" in chat.text
    async with store.transaction() as tx:
        assert await tx.learners.find("test", "ana") is None
        assert await tx.sessions.completed_lessons(learner_id) == {"tides"}, "the anonymous record stays for counts"
        assert await tx.holds.of(learner_id) == []
    replies = await core.handle(Start(learner=LearnerRef("test", "ana", "Ana"), source_id="again", timezone="UTC"))
    assert "Hi Ana!" in replies[0].text, "coming back starts afresh"


async def test_deleting_needs_a_second_explicit_answer_and_staying_keeps_everything(core, store):
    chat = Chat(core)
    await chat.start(timezone="Europe/Berlin")
    await chat.take_next_lesson()
    await chat.command("settings")
    await chat.press("Leave and delete my data")
    assert [(b.label, b.destructive) for b in buttons_of(chat.last[-1])] == [("Yes, delete my data", False), ("No, stay", False)]
    await chat.press("Yes, delete my data")
    # The first yes only asks again, with a last warning and the one button that deletes.
    assert chat.text == (
        "Last check: this cannot be undone. Your name, chat id, settings and streak are deleted for good, "
        "and your progress can no longer be linked to you. Delete your data now?"
    )
    assert [(b.label, b.destructive) for b in buttons_of(chat.last[-1])] == [("Delete my data now", True), ("No, stay", False)]
    async with store.transaction() as tx:
        assert await tx.learners.find("test", "ana") is not None, "one yes deleted nothing"
    await chat.press("No, stay")
    assert chat.text == "Glad you are staying! Nothing was deleted; /next continues where you are."
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        assert (learner.display_name, learner.timezone) == ("Ana", "Europe/Berlin")
        assert await tx.sessions.completed_lessons(learner.id) == {"tides"}


async def test_a_timezone_the_platform_knows_is_taken_on_first_contact_whatever_the_event(core, store):
    ref = LearnerRef("slack", "U1", "Bo", timezone="America/Chicago")
    await core.handle(Command(learner=ref, source_id="first", name="path"))
    async with store.transaction() as tx:
        learner = await tx.learners.find("slack", "U1")
        assert (learner.timezone, learner.timezone_confirmed) == ("America/Chicago", True)


async def test_home_shows_next_step_pathway_progress_and_badges_and_records_nothing(core, store):
    chat = Chat(core)
    await chat.start()
    await chat.take_next_lesson()
    async with store.transaction() as tx:
        learner = await tx.learners.find("test", "ana")
        events_before = len(await tx.trail.of(learner.id))
    home = await core.home(chat.learner)
    titles = [title for title, _ in home.sections]
    assert titles == ["Next step", "Pathway", "Streak and mastery", "Badges"]
    sections = dict(home.sections)
    assert "Knots" in sections["Next step"] and "✅" in sections["Pathway"]
    assert "Deckhand" in sections["Badges"]
    assert [b.label for b in home.buttons] == ["Start now"]
    async with store.transaction() as tx:
        assert len(await tx.trail.of(learner.id)) == events_before
