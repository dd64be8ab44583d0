"""Issue 17's test of a learner in their own language, at the wire: a learner whose Telegram
client is German (from.language_code "de") is spoken to in German from the first message,
learns until they earn a badge, switches to English in /settings, and their streak, mastery and
badges carry over; their client still saying German changes nothing after that choice. On
SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from adapters.telegram.bot import TelegramBot, TelegramSettings
from bot.clock import ManualClock
from bot.core import Core
from bot.published import BakedImages
from bot.store.store import SqlStore
from content.model import Check, Curriculum
from fakes.telegram_api import FakeTelegram
from tests.integration.test_issuing_on_award import issuer_for
from tests.support import found
from tests.telegram.client import TelegramUser, _text_of
from tests.telegram.test_telegram_bot import GROUP, PUBLIC_URL, TOKEN, fake, fast_limiter  # noqa: F401


def check_of(curriculum: Curriculum, message: dict[str, Any]) -> Check:
    """The check a question shows, in whichever language it is shown."""
    text = message["poll"]["question"] if "poll" in message else _text_of(message)
    for view in (curriculum.in_language(language) for language in curriculum.languages):
        for lesson in view.lessons.values():
            for check in lesson.checks:
                if check.question in text:
                    return check
    raise AssertionError(f"no check in {text!r}")


async def answer_correctly(learner: TelegramUser, curriculum: Curriculum) -> list[str]:
    message = learner.last_message()
    correct = [i for i, option in enumerate(check_of(curriculum, message).options) if option.correct]
    if "poll" in message:
        return await learner.answers_poll(correct)
    return await learner.presses(f"{correct[0] + 1})")


def progress_figures(text: str) -> tuple[str, list[str]]:
    """The streak's days and each skill's mastery share (names differ by language), from /progress."""
    streak = found(re.search(r"🔥 \w+: (\d+)", text))[1]
    return streak, re.findall(r"[▓░]+ (\d+%)", text)


async def test_a_learner_with_a_german_client_learns_in_german_then_switches_to_english_keeping_their_progress(
    fake: FakeTelegram,
    store: SqlStore,
    curriculum: Curriculum,
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    fake.user_speaks(4242, "de")
    core = Core(curriculum=curriculum, store=store, clock=clock, issuer=issuer_for(tmp_path, PUBLIC_URL))
    bot = TelegramBot(
        core=core,
        images=BakedImages(store).png,
        rate_limiter=fast_limiter(),
        settings=TelegramSettings(token=TOKEN, api_base_url=fake.base_url, announce_chat=GROUP, poll_timeout=1),
    )
    await bot.start()
    ana = TelegramUser(fake, core)
    try:
        # The command menu in German for German clients, beside the English one.
        menus = {call.params.get("language_code"): call.params["commands"] for call in fake.sent("setMyCommands")}
        assert {c["command"]: c["description"] for c in menus["de"]}[
            "next"
        ] == "Weitermachen, wo du gerade bist (oder die nächste Lektion starten)"
        assert {c["command"]: c["description"] for c in menus[None]}["next"] == "Continue where you are (or start the next lesson)"

        [greeting] = await ana.says("/start")
        assert greeting.startswith("Hallo Ana! Ich bin dein Lernbegleiter: jeden Tag eine Fünf-Minuten-Lektion")
        assert greeting.endswith("Zuerst: Wo bist du? Dann kann ich dir deine tägliche Lektion zu einer Uhrzeit schicken, die dir passt.")
        [zones] = await ana.presses("Europa")
        assert zones.startswith("Europa: Wähle den Ort, dessen Uhrzeit zu deiner passt")
        [when] = await ana.presses("Berlin")
        assert when == "Zeitzone: Europe/Berlin. Wann möchtest du deine tägliche Fünf-Minuten-Lektion?"
        [time_set] = await ana.presses("08:00")  # and the first lesson offered, in one message
        assert time_set.startswith(
            "Tägliche Lektion um 08:00 (Europe/Berlin), Montag bis Freitag. Du kannst das jederzeit mit /settings ändern."
        )
        assert "\nZuerst: " in time_set

        said: list[str] = []
        for _ in range(30):  # a lesson, then re-checks on the days they fall due, until the badge
            said += await ana.says("/next")
            while ana.asks_a_question():
                said += await answer_correctly(ana, curriculum)
            if any("Du hast das Abzeichen" in text for text in said):
                # The badge and the certificate it completes, each announced in the group.
                await fake.wait_for(lambda f: len(f.messages_to(GROUP)) == 2, timeout=15)
                said += await ana.says("/help")  # and the certificate's notice is in before what follows
                break
            clock.advance(days=1)
        else:
            raise AssertionError("no badge in 30 days:\n" + "\n".join(said))
        everything = "\n".join(said)
        # The lesson itself in German (content-i18n's translation), its checks too.
        assert "📘 Gezeiten · 2 Min. · Seemannschaft L1 (Lektion 1 von 2)" in everything
        assert "Wie viele Hochwasser gibt es an den meisten Küsten pro Tag?" in everything
        assert "How many high tides" not in everything
        assert "📊 Welche Tiden haben den größten Tidenhub? Wähle alle zutreffenden Antworten." in everything
        assert "(Wähle alle" not in everything and "Choose all that apply" not in everything, "the hint once, in German"
        assert "✅ Lektion abgeschlossen: " in everything and "2 von 2 richtig." in everything
        assert "🔁 Wiederholung abgeschlossen: 2 von 2 richtig." in everything
        assert "🏅 Du hast das Abzeichen Decksmann erworben!" in everything, "the badge's German title"
        assert "Das verstehe ich:\n/start: anfangen oder dort weitermachen, wo du aufgehört hast" in everything

        [german_progress] = await ana.says("/progress")
        assert german_progress.startswith("Dein Fortschritt\n🔥 Serie: ")
        [german_badges] = await ana.says("/badges")
        assert german_badges.startswith("Deine Abzeichen\n🏅 Decksmann (erworben am ")

        [settings] = await ana.says("/settings")
        assert "Sprache: Deutsch" in settings
        [chosen] = await ana.presses("English")
        assert chosen == "I will speak English with you from now on. Your streak, mastery and badges stay as they are."

        [english_progress] = await ana.says("/progress")  # the client still says German: her choice stays
        assert english_progress.startswith("Your progress\n🔥 Streak: ")
        assert progress_figures(english_progress) == progress_figures(german_progress)
        assert progress_figures(english_progress)[0] != "0" and progress_figures(english_progress)[1]
        # The next re-check comes in English and counts for the same checks as the German ones.
        for _ in range(30):
            clock.advance(days=1)
            recheck = await ana.says("/next")
            if ana.asks_a_question():
                break
        assert any("Quick re-check" in text for text in recheck), recheck
        assert not any("Wie viele" in text for text in recheck)
        while ana.asks_a_question():
            recheck += await answer_correctly(ana, curriculum)
        assert any("🔁 Re-check done: " in text for text in recheck), recheck
        [english_badges] = await ana.says("/badges")
        assert english_badges.startswith("Your badges\n🏅 Deckhand (earned ")
        [settings] = await ana.says("/settings")
        assert "Language: English" in settings
    finally:
        await bot.stop()

    async with store.transaction() as tx:
        learner = found(await tx.learners.find("telegram", "4242"))
        awards = await tx.awards.of(learner.id)
    assert (learner.language, learner.language_chosen) == ("en", True)
    assert {award.definition_id for award in awards} >= {"deckhand"}, "the badge earned in German is the same badge"
