"""Journaled deliveries worked off the request path, for the platforms that deliver by HTTP request
(Slack's requests, Teams' activities): each learner's in the order they arrived, many learners at
once. An entry is worked only after any earlier one of the same learner still in the journal (when
that one must wait for the database, so does this one: nothing overtakes); the journal's due entries
(the database was away, or the process that had them died) are taken up again every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from adapters.inbox import Entry, Inbox, JournalUnavailable, Outcome
from adapters.lanes import Lanes

log = logging.getLogger(__name__)

REDELIVER_EVERY = 2.0  # seconds between looks for journaled deliveries to process again


class JournalLanes:
    def __init__(self, *, inbox: Inbox, platform: str, settle: Callable[[Entry], Awaitable[Outcome]], concurrency: int, name: str) -> None:
        """`settle`: process one entry and settle it in the journal; DONE, LATER or FAILED. `name`:
        the platform as log lines say it."""
        self._inbox, self._platform, self._settle, self._name = inbox, platform, settle, name
        self._lanes: Lanes[Entry] = Lanes(self._work, concurrency, name=name)
        self._queued: set[int] = set()  # entries waiting in a lane or in work

    def put(self, entry: Entry) -> None:
        """Queue a journaled entry behind its learner's; never waits."""
        self._queued.add(entry.id)
        self._lanes.put(entry.conversation, entry)

    async def redeliver(self, stopping: asyncio.Event, every: float = REDELIVER_EVERY) -> None:
        """Until `stopping`: queue again what the journal holds that was not recorded."""
        while not stopping.is_set():
            try:
                for entry in await self._inbox.due(self._platform):
                    if entry.id not in self._queued:
                        self.put(entry)
                await self._inbox.forget_old()
            except JournalUnavailable as error:
                log.error("%s: %s", self._name, error)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=every)

    async def join(self) -> None:
        """Until everything queued so far (and queued meanwhile) is worked."""
        await self._lanes.join()

    async def stop(self, grace: float) -> None:
        """What is in work gets `grace` seconds to finish; what is not processed then stays in the
        journal (taken over at the next start)."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._lanes.join(), grace)
        await self._lanes.close()

    async def _work(self, entry: Entry) -> None:
        try:
            for earlier in await self._inbox.waiting_before(entry):
                if await self._settle(earlier) is Outcome.LATER:
                    await self._inbox.later(entry, "an earlier delivery of this learner waits for the database")
                    return
            await self._settle(entry)
        except JournalUnavailable as error:
            log.error("%s: %s", self._name, error)
        finally:
            self._queued.discard(entry.id)
