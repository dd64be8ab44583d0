"""A learner works through the shipped curriculum in the console, five minutes a working day,
over simulated weeks, and earns every badge and the certificate that stacks them."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from adapters.console.app import ConsoleBot
from bot.clock import ManualClock
from bot.core import Core
from bot.events import LearnerRef
from content.loader import load_curriculum
from tests.conftest import PROJECT_DIR
from tests.support import found

QUESTION = re.compile(r"❓ (.+?)\n\n((?:  \d+\) .+\n)+)", re.S)


class Learner:
    """Reads the terminal and types what a diligent learner would."""

    def __init__(self, bot: ConsoleBot, out: io.StringIO, curriculum) -> None:
        self.bot, self.out, self.curriculum = bot, out, curriculum
        self.transcript = ""

    def read(self) -> str:
        text = self.out.getvalue()
        self.out.seek(0)
        self.out.truncate()
        self.transcript += text
        return text

    def answer_for(self, screen: str) -> str | None:
        found = QUESTION.findall(screen)
        if not found:
            return None
        question = found[-1][0]
        for lesson in self.curriculum.lessons.values():
            for check in lesson.checks:
                if question.startswith(" ".join(check.question.split())):
                    return ",".join(str(i + 1) for i in sorted(check.correct_indices))
        raise AssertionError(f"no check reads {question!r}")

    async def five_minutes(self) -> None:
        """/next, then Enter through cards and answer checks until the lesson or re-check ends."""
        await self.bot.say("/next")
        for _ in range(40):
            screen = self.read().rstrip()
            if screen.endswith("(Type the number of your answer)") or screen.endswith("e.g. 1,3)"):
                await self.bot.say(self.answer_for(screen.rsplit("─" * 60, 1)[-1]) or "")
            elif screen.endswith("(or press Enter)"):
                await self.bot.say("")
            else:
                return


async def test_shipped_curriculum_awards_every_badge_and_the_certificate(store, database_url):
    curriculum = found(load_curriculum(PROJECT_DIR / "content").curriculum)
    clock = ManualClock(datetime(2026, 3, 2, 8, tzinfo=UTC))  # Monday 09:00 in Berlin
    out = io.StringIO()
    bot = ConsoleBot(
        core=Core(curriculum=curriculum, store=store, clock=clock),
        learner=LearnerRef("console", "mia", "Mia"),
        stdin=io.StringIO(),
        stdout=out,
        timezone="Europe/Berlin",
    )
    learner = Learner(bot, out, curriculum)
    await bot.begin()
    learner.read()
    earned_on: dict[str, int] = {}
    for day in range(70):
        if clock.now().isoweekday() <= 5:
            for _ in range(3):  # the re-checks that are due, then the day's lesson
                await learner.five_minutes()
                for title in re.findall(r"You earned the (.+?) (?:badge|certificate)!", learner.transcript):
                    earned_on.setdefault(title, day)
                if "Lesson complete" in learner.transcript.rsplit("/next", 1)[-1]:
                    break
        if "Plant Operations Certificate" in earned_on:
            break
        clock.advance(days=1)

    assert set(earned_on) == {
        "Workplace Safety Foundations",
        "Lockout/Tagout Practitioner",
        "Maintenance Fundamentals",
        "Plant Operations Certificate",
    }, learner.transcript[-3000:]
    # Scarce: nothing on the first days of lessons; the certificate only after its badges.
    assert min(earned_on.values()) >= 7
    assert earned_on["Plant Operations Certificate"] == max(earned_on.values())
    assert "📣 [team channel] 🎉 Mia earned the Plant Operations Certificate certificate!" in learner.transcript
    await bot.say("/badges")
    badges = learner.read()
    for title in earned_on:
        assert f"🏅 {title} (earned" in badges
    print("earned on day:", earned_on)
