"""Who a Slack user is (name, timezone, language), asked of Slack once and kept, not at every event.

users.info is asked on the reply's path only when the bot has never read the user's profile:
their first message (the greeting names them and their timezone), or a learner imported from a
CSV. After that the learner row keeps name and timezone for every process and across restarts,
and the profile is read again at most daily, in the background, after the reply. The digest of
the App Home last published to each learner is kept too, so an unchanged home is not published
again. Nothing here posts to a learner's DM: posting to a user id opens it, and Slack's answer
names the channel, so no conversations.open is needed and no chat id is kept.

The user's locale (users.info with include_locale, e.g. `de-DE`) goes to the core with their
events while this process knows it; the core keeps the learner's language (bot/i18n.py), so
after a restart nothing is lost, and the daily read brings a changed locale."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.events import LearnerRef
from bot.ports import Store
from bot.vocabulary import Platform

log = logging.getLogger(__name__)

PLATFORM = Platform.SLACK
REFRESH_AFTER = timedelta(days=1)
REMEMBERED = 10_000  # users kept in memory per process


@dataclass(frozen=True)
class SlackPerson:
    """What Slack told about a user: the learner they are, and whether a person at all."""

    ref: LearnerRef
    is_person: bool  # not a bot, an app or a deactivated account


@dataclass(frozen=True)
class _Known:
    name: str
    timezone: str | None
    profile_at: datetime | None
    home_digest: str | None
    language: str | None = None  # Slack's locale, when read by this process


class Profiles:
    def __init__(self, *, store: Store, client: AsyncWebClient, clock: Clock, refresh_after: timedelta = REFRESH_AFTER) -> None:
        self._store, self._client, self._clock = store, client, clock
        self._refresh_after = refresh_after
        self._known: OrderedDict[str, _Known] = OrderedDict()
        self._read: dict[str, tuple[SlackPerson, datetime]] = {}  # read from Slack, not yet kept
        self._due: set[str] = set()  # profiles to read again once the reply is out
        self._refreshing: dict[str, asyncio.Task[None]] = {}

    async def learner(self, user: str) -> LearnerRef:
        """The learner `user` is, for the core. Asks Slack only if their profile was never read."""
        known = await self._lookup(user)
        if known is not None and known.profile_at is not None:
            if self._clock.now() - known.profile_at >= self._refresh_after and user not in self._refreshing:
                self._due.add(user)
            return LearnerRef(PLATFORM, user, known.name, known.timezone, known.language)
        return (await self._read_now(user)).ref

    def language(self, user: str) -> str | None:
        """The user's Slack locale as this process last read it, if it did: no database, no
        call to Slack (for what the app says while the database is away)."""
        known, read = self._known.get(user), self._read.get(user)
        return (known.language if known is not None else None) or (read[0].ref.language if read is not None else None)

    async def kept(self, user: str) -> None:
        """After the core handled the user's event (so they are a learner now): keep what was
        read from Slack for them, if anything."""
        read = self._read.pop(user, None)
        if read is None:
            return
        person, at = read
        async with self._store.transaction() as tx:
            if await tx.slack.keep_profile(user, at=at, name=person.ref.display_name or None):
                home_digest = (self._known.get(user) or _EMPTY).home_digest
                self._remember(user, _Known(person.ref.display_name, person.ref.timezone, at, home_digest, person.ref.language))

    async def person(self, user: str) -> SlackPerson:
        """For a team: a learner the bot knows is a person; anyone else is asked of Slack."""
        known = await self._lookup(user)
        if known is not None:
            return SlackPerson(LearnerRef(PLATFORM, user, known.name, known.timezone, known.language), True)
        return await self._read_now(user, keep=False)

    async def home_digest(self, user: str) -> str | None:
        known = await self._lookup(user)
        return None if known is None else known.home_digest

    async def keep_home(self, user: str, digest: str) -> None:
        async with self._store.transaction() as tx:
            if not await tx.slack.keep_home(user, digest):
                return
        known = self._known.get(user)
        if known is not None:
            self._remember(user, replace(known, home_digest=digest))

    async def close(self) -> None:
        tasks = list(self._refreshing.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # --- inside ---------------------------------------------------------------------------------
    async def _lookup(self, user: str) -> _Known | None:
        known = self._known.get(user)
        if known is not None:
            self._known.move_to_end(user)
            return known
        async with self._store.transaction() as tx:
            row = await tx.slack.learner(user)
        if row is None:
            return None
        return self._remember(user, _Known(row.display_name, row.timezone, row.profile_at, row.home_digest))

    def _remember(self, user: str, known: _Known) -> _Known:
        self._known[user] = known
        self._known.move_to_end(user)
        if len(self._known) > REMEMBERED:
            self._known.popitem(last=False)
        return known

    async def _read_now(self, user: str, keep: bool = True) -> SlackPerson:
        waiting = self._read.get(user)
        if waiting is not None:
            return waiting[0]
        person = await self._ask_slack(user)
        if keep and person.ref.timezone is not None:  # a read that failed is not kept: asked again next time
            self._read[user] = (person, self._clock.now())
        return person

    async def _ask_slack(self, user: str) -> SlackPerson:
        try:
            info = (await self._client.users_info(user=user, include_locale=True)).get("user") or {}
        except SlackApiError as error:
            log.warning("Slack users.info failed for a user: %s", error.response.get("error"))
            return SlackPerson(LearnerRef(PLATFORM, user), True)
        name = (info.get("profile") or {}).get("display_name") or info.get("real_name") or info.get("name") or ""
        person = not (info.get("is_bot") or info.get("deleted"))
        return SlackPerson(LearnerRef(PLATFORM, user, str(name), info.get("tz") or None, info.get("locale") or None), person)

    def replied(self, user: str) -> None:
        """The reply to the user is out: now is the time to read a stale profile again."""
        if user in self._due and user not in self._refreshing:
            self._due.discard(user)
            self._refreshing[user] = asyncio.get_running_loop().create_task(self._refresh(user))

    async def _refresh(self, user: str) -> None:
        """Off the reply's path: Slack's profile again (a new display name is taken)."""
        try:
            person = await self._ask_slack(user)
            at = self._clock.now()
            async with self._store.transaction() as tx:
                await tx.slack.keep_profile(user, at=at, name=person.ref.display_name or None)
            known = self._known.get(user)
            if known is not None:
                language = person.ref.language or known.language
                self._remember(user, replace(known, name=person.ref.display_name or known.name, profile_at=at, language=language))
        except Exception as error:  # a refresh is a courtesy: the next one tries again
            log.warning("Slack: a profile refresh failed: %s", type(error).__name__)
        finally:
            del self._refreshing[user]


_EMPTY = _Known("", None, None, None)
