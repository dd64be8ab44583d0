"""The delivery journal (adapters/inbox.py): what a platform delivered survives the process, is
handled once, and is handed over in order when it could not be recorded."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.inbox import LEASE, RETRY_FIRST, Entry, Inbox, JournalUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def keep(inbox: Inbox, key: str, conversation: str = "42") -> Entry:
    entry = await inbox.keep(platform="telegram", key=key, conversation=conversation, payload={"update_id": key})
    assert entry is not None
    return entry


async def test_a_kept_delivery_is_on_disk_for_the_next_process_and_a_redelivery_is_dropped(tmp_path: Path):
    path, clock = tmp_path / "inbox.sqlite3", Clock()
    first = await Inbox(path, owner="host:1", clock=clock).open()
    assert not (await keep(first, "7")).taken_over, "just received: nobody handled it before"
    assert await first.keep(platform="telegram", key="7", conversation="42", payload={}) is None
    await first.close()  # as if the process ended before handling it
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, "it holds what learners wrote"

    clock.now += LEASE + 1
    second = await Inbox(path, owner="host:2", clock=clock).open()
    [taken] = await second.due("telegram")
    assert (taken.key, taken.payload, taken.taken_over) == ("7", {"update_id": "7"}, True)
    await second.done(taken)
    assert await second.due("telegram") == []
    assert await second.keep(platform="telegram", key="7", conversation="42", payload={}) is None, (
        "handled deliveries are remembered against redelivery"
    )


async def test_a_delivery_held_by_a_live_process_waits_and_one_of_a_dead_process_is_taken_at_once(tmp_path: Path):
    path = tmp_path / "inbox.sqlite3"
    me = f"{os.uname().nodename}:{os.getpid()}"
    working = await Inbox(path, owner=me).open()
    await keep(working, "1")
    dead = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = await Inbox(path, owner=f"{os.uname().nodename}:{dead.stdout.strip()}").open()
    await keep(gone, "2")
    other = await Inbox(path, owner="elsewhere:3").open()
    assert [e.key for e in await other.due("telegram")] == ["2"], "only the dead process's delivery"


async def test_a_delivery_the_database_could_not_take_comes_back_after_a_backoff_and_a_failed_one_never(tmp_path: Path):
    clock = Clock()
    inbox = await Inbox(tmp_path / "inbox.sqlite3", owner="host:1", clock=clock).open()
    waiting, broken = await keep(inbox, "1"), await keep(inbox, "2")
    await inbox.later(waiting, "database down")
    await inbox.failed(broken, "a bug")
    assert await inbox.due("telegram") == []
    clock.now += RETRY_FIRST + 0.1
    [again] = await inbox.due("telegram")
    assert (again.key, again.attempts) == ("1", 1)
    await inbox.later(again, "still down")
    clock.now += RETRY_FIRST + 0.1
    assert await inbox.due("telegram") == [], "the wait doubles"
    clock.now += RETRY_FIRST
    assert [e.key for e in await inbox.due("telegram")] == ["1"]
    assert (await inbox.backlog()).failed == 1


async def test_what_waits_before_a_delivery_is_its_own_conversations_earlier_ones_in_order(tmp_path: Path):
    inbox = await Inbox(tmp_path / "inbox.sqlite3", owner="host:1").open()
    first, other, second = await keep(inbox, "1", "ana"), await keep(inbox, "2", "bo"), await keep(inbox, "3", "ana")
    for entry in (first, other, second):
        await inbox.later(entry, "database down")
    newest = await keep(inbox, "4", "ana")
    assert [e.key for e in await inbox.waiting_before(newest)] == ["1", "3"]
    assert [e.key for e in await inbox.waiting_before(newest)] == [], "taken: not handed out twice"


async def test_a_journal_that_cannot_be_written_says_so(tmp_path: Path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(JournalUnavailable, match="cannot be written"):
        await Inbox(blocked / "inbox.sqlite3").open()
