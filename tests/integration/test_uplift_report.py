"""Did the nudges work, on SQLite and PostgreSQL: a seeded trail of six learners, two of them held
out by a two-week holdout, gives the report's section its known counts and interval; the holdout
is stored, ended, and says whom it held out. Then the operator's commands on a SQLite file:
`nudges holdout` (start, show, refuse, end), `status` and `report --from --to`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.cli.holdout import holdout_command
from adapters.cli.report import nudge_uplift
from bot import holdout
from bot.events import LearnerRef
from bot.nudges import NudgeDispatcher
from bot.ports import Store
from bot.records import Holdout, TrailEvent
from bot.uplift import held_out, measure, newcombe
from bot.vocabulary import EventKind
from tests.integration.test_programme_nudges import Outbox, crew
from tests.support import found

PROJECT_DIR = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)


def at(moment: datetime, kind: EventKind, **payload: object) -> TrailEvent:
    return TrailEvent(kind, moment, moment.date(), payload=dict(payload))


async def seed(store: Store) -> tuple[Holdout, list[int], list[int]]:
    """Six learners; a holdout from START for 14 days that holds out two of them (a seed found for
    the ids the database gave). Before it, each learned once. The four nudged ones are offered
    Monday to Friday (the first of them not on Thursday, one of her days) and come back on 1, 2, 3 and 4 of those
    days; the two held out have three withheld offers each, and one came back once."""
    async with store.transaction() as tx:
        ids = [(await tx.learners.person("telegram", str(100 + n), f"Learner {n}", now=START - 7 * DAY))[0].id for n in range(6)]
    for n in range(1000):
        probe = Holdout(0, 0.5, f"seed-{n}", START, START, START)
        if [held_out(i, probe) for i in ids] == [True, True, False, False, False, False]:
            break
    out, kept = ids[:2], ids[2:]
    async with store.transaction() as tx:
        made = await tx.holdouts.add(share=0.5, seed=probe.seed, starts_at=START, ends_at=START + 14 * DAY, created_at=START)
        for learner in ids:
            await tx.trail.add(learner, at(START - 3 * DAY, EventKind.CARD_VIEWED))
        await tx.trail.add(kept[0], at(START - 4 * DAY, EventKind.NUDGED, nudge=0))  # the Thursday before: one of her days
        for k, learner in enumerate(kept):
            for d in range(5):
                if k == 0 and d == 3:
                    continue
                sent = START + d * DAY + timedelta(minutes=k)
                await tx.trail.add(learner, at(sent, EventKind.NUDGED, nudge=d))
                if d <= k:
                    await tx.trail.add(learner, at(sent + timedelta(hours=2), EventKind.ANSWERED))
        for o, learner in enumerate(out):
            for d in range(3):
                withheld = START + d * DAY + timedelta(minutes=30 + o)
                await tx.trail.add(learner, at(withheld, EventKind.HELD_OUT, holdout=made.id, nudge=d))
                if o == 0 and d == 0:
                    await tx.trail.add(learner, at(withheld + timedelta(hours=20), EventKind.LESSON_COMPLETED))
    return made, out, kept


async def test_the_report_section_from_a_seeded_trail(store):
    made, out, _ = await seed(store)
    found = await nudge_uplift(store, START, START + 7 * DAY, now=START + 30 * DAY)
    daily = found.daily.nudged
    assert (daily.units, daily.came_back, daily.learners) == (19, 10, 4)
    thursday = found.daily.not_nudged
    assert (thursday.units, thursday.came_back, thursday.learners) == (1, 0, 1), "the first nudged learner's Thursday"
    [result] = found.holdouts
    assert result.holdout == made
    nudged, withheld = result.comparison.nudged, result.comparison.not_nudged
    assert (nudged.units, nudged.came_back, nudged.learners) == (19, 10, 4)
    assert (withheld.units, withheld.came_back, withheld.learners) == (6, 1, 2)
    difference, low, high = newcombe(10, 19, 1, 6)
    assert result.comparison.difference == (difference, low, high)
    rows = dict(found.rows())
    assert rows[f"holdout {made.id}: held out"] == "1 of 6 days (17%, 95% CI 3% to 56%; 2 learners)"
    assert rows[f"holdout {made.id}: uplift"] == f"+36.0 points (95% CI {low * 100:+.1f} points to {high * 100:+.1f} points)"
    assert rows[f"holdout {made.id}: counted"] == "2026-11-02 08:00 UTC to 2026-11-09 08:00 UTC", "the part inside the period"
    # Who it holds out, from the store, while it runs and after it was ended early.
    async with store.transaction() as tx:
        shown = await holdout.latest(tx, START + DAY)
        assert shown is not None and [p.id for p in shown.held_out] == out and shown.among == 6
        ended = await holdout.end(tx, START + 2 * DAY)
        assert ended.ends_at == START + 2 * DAY and await holdout.running(tx, START + 3 * DAY) is None
        assert not await tx.holdouts.end(made.id, START + 3 * DAY), "ended once"
    shown_text = await holdout_command(store, share=None, days=None, end=False, now=START + 3 * DAY)
    assert shown_text.splitlines()[0].startswith(f"Holdout {made.id} ended on 2026-11-04 08:00 UTC (from 2026-11-02 08:00 UTC): 50%")
    assert "It held out:\n  Learner 0 (telegram 100)\n  Learner 1 (telegram 101)\n" in shown_text


def crew_and_max() -> list[LearnerRef]:
    return [*(LearnerRef("telegram", f"u{i}") for i in range(6)), LearnerRef("telegram", "max")]


async def test_two_workers_hold_the_held_out_out_of_daily_offers_and_still_remind_them_of_overdue_work(core, store, clock):
    await crew(core, store, clock, 6)  # in Berlin, Deckhand due Monday 2 March, Max (Tokyo) their manager
    async with store.transaction() as tx:
        ids = [found(await tx.learners.find(user.platform, user.user_id)).id for user in crew_and_max()]
        for n in range(1000):
            probe = Holdout(0, 0.5, f"seed-{n}", START, START, START)
            if [held_out(i, probe) for i in ids] == [True, True, False, False, False, False, False]:  # Max is not held out
                break
        made = await holdout.start(tx, share=0.5, days=28, now=clock.now(), seed=probe.seed)
    outbox = Outbox(clock)
    workers = [NudgeDispatcher(store=store, core=core, clock=clock, senders={"telegram": outbox.send}, worker=f"w{i}") for i in range(2)]
    for _ in range(24 * 8):  # to Tuesday 10 March
        clock.advance(hours=1)
        for w in workers:
            await w.run_round()
    offers = Counter(user for user, text, _ in outbox.sent if text.startswith("⏰ 5-minute lesson"))
    reminders = Counter(user for user, text, _ in outbox.sent if text.startswith("⏰ **"))
    assert offers["u0"] == offers["u1"] == 0 and all(offers[f"u{i}"] > 0 for i in range(2, 6))
    assert reminders == {f"u{i}": 2 for i in range(6)}, "overdue reminders go to the held out too"
    assert len([text for user, text, _ in outbox.sent if user == "max" and text.startswith("⚠️")]) >= 1
    async with store.transaction() as tx:
        withheld = await tx.trail.of_kinds((EventKind.HELD_OUT,), START - 365 * DAY, clock.now())
        assert {e.learner_id for e in withheld} == set(ids[:2]) and {e.payload["holdout"] for e in withheld} == {made.id}
        assert Counter(e.learner_id for e in withheld) == {ids[0]: 3, ids[1]: 3}, "Wed, Fri, Mon: then as good as dormant"
        result = await measure(tx, made.starts_at, clock.now(), clock.now() + 2 * DAY)
    [counted] = result.holdouts
    assert (counted.comparison.not_nudged.units, counted.comparison.not_nudged.learners) == (6, 2)
    nudged = counted.comparison.nudged
    assert (nudged.units, nudged.learners) == (15, 5), "four of the crew and Max, three offers each (then dormant): alike"


def run_bot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "run_bot.py"), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


async def test_the_commands_start_show_refuse_and_end_a_holdout_and_the_report_measures_it(tmp_path):
    from bot.store.database import create_engine, create_sessionmaker
    from bot.store.store import SqlStore

    env = {**os.environ, "DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"}
    assert run_bot("db", "upgrade", env=env).returncode == 0
    engine = create_engine(env["DATABASE_URL"])
    try:
        made, _, _ = await seed(SqlStore(create_sessionmaker(engine)))
    finally:
        await engine.dispose()

    report = run_bot("report", "--from", "2026-11-02", "--to", "2026-11-08", env=env)
    assert report.returncode == 0, report.stderr
    lines = report.stdout
    daily = r"nudges: daily offers \(learners active in the 14 days before\) +10 of 19 days \(53%, 95% CI 32% to 73%; 4 learners\)"
    assert re.search(daily, lines)
    assert re.search(rf"holdout {made.id} +50% of learners without daily offers, 2026-11-02 08:00 UTC to 2026-11-16 08:00 UTC", lines)
    assert re.search(rf"holdout {made.id}: held out +1 of 6 days \(17%, 95% CI 3% to 56%; 2 learners\)", lines)
    assert re.search(rf"holdout {made.id}: uplift +\+36\.0 points \(95% CI [-+]\d+\.\d points to \+\d+\.\d points\)", lines)

    assert "Holdout " + str(made.id) + " ended on 2026-11-16" in run_bot("status", env=env).stdout
    started = run_bot("nudges", "holdout", "--share", "0.2", "--days", "28", env=env)
    assert started.returncode == 0, started.stderr
    first = started.stdout.splitlines()
    assert first[0] == f"Started holdout {made.id + 1}."
    runs = rf"Holdout {made.id + 1} runs until \d{{4}}-\d\d-\d\d \d\d:\d\d UTC .*: 20% of learners get no daily offer; \d of 6 held out"
    assert re.match(runs, first[1])
    assert "Assignment notices, overdue reminders and escalations still go to everyone." in first[1]
    status = run_bot("status", env=env)
    assert f"Holdout {made.id + 1} runs until" in status.stdout

    again = run_bot("nudges", "holdout", "--share", "0.1", "--days", "7", env=env)
    assert again.returncode == 1 and f"holdout {made.id + 1} runs until" in again.stderr and "--end" in again.stderr
    for bad, said in ((("--share", "0.7", "--days", "7"), "at most 0.5"), (("--share", "0.1"), "needs both --share")):
        refused = run_bot("nudges", "holdout", *bad, env=env)
        assert refused.returncode != 0 and said in refused.stderr
    not_a_number = run_bot("nudges", "holdout", "--share", "ten", "--days", "7", env=env)
    assert not_a_number.returncode == 2 and "--share" in not_a_number.stderr

    ended = run_bot("nudges", "holdout", "--end", env=env)
    assert ended.returncode == 0 and ended.stdout.startswith(f"Ended holdout {made.id + 1}")
    assert f"Holdout {made.id + 1} ended on" in run_bot("status", env=env).stdout
    assert run_bot("nudges", "holdout", "--end", env=env).stderr.strip() == "nudges holdout: no holdout is running"
