"""The Telegram bot: python-telegram-bot's `Application` translating updates into core events
and core replies into Bot API calls. Learning happens in private chats; in groups the bot only
announces badges and points people to a private chat.

Nothing a learner does is lost: every update is put in the delivery journal (adapters/inbox.py)
before Telegram is told it arrived (the webhook's 200, the next getUpdates offset), because
both paths hand updates to the application through its update queue, and ours journals on
`put`. An update is marked done once handled; when the database could not be reached it stays
in the journal, the learner is told it will count, and it is handled again (in order, before
anything newer from the same chat) once the database is back."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Protocol, cast

from telegram import BotCommand, InlineKeyboardMarkup, InputMediaPhoto, LinkPreviewOptions, Message, Update
from telegram.constants import ChatType, ParseMode, PollType
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    BaseRateLimiter,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from adapters.inbox import Entry, Inbox, JournalUnavailable, Outcome
from adapters.media import MediaFolder
from adapters.telegram.delivery import DeliveryLimiter, Priority
from adapters.telegram.formatting import escape
from adapters.telegram.render import Out, OutAlbum, OutPhoto, OutPicture, OutPoll, OutText, joined_text, messages, render
from bot import actions, commands, i18n, texts
from bot.core import Core
from bot.events import Answer, ButtonPressed, Command, Event, LearnerRef
from bot.i18n import N_
from bot.platform_settings import TelegramSettings
from bot.ports import StoreUnavailable
from bot.replies import Announcement, Feedback, Reply, reply_from_json, reply_to_json
from bot.vocabulary import Platform

log = logging.getLogger(__name__)

PLATFORM = Platform.TELEGRAM
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.POLL_ANSWER]
SORRY = N_("Sorry, something went wrong on my side. Your progress is safe: /next continues where you are.")
TELL_AGAIN_AFTER = 600.0  # seconds: one "kept" note per chat per outage, not one per tap
REDELIVER_EVERY = 2.0  # seconds between looks for deliveries to handle again
POLL_EXPIRED = N_("That poll has expired. /next shows your current question.")
NOT_UNDERSTOOD = N_("I learn with you through the buttons: tap one above, or send /next to continue. /help lists everything.")
REMEMBERED = 10_000  # recent update ids and polls kept in memory

ImageSource = Callable[[str], Awaitable[bytes | None]]
# The journal entry of the update being handled (handlers run in the task that handles it).
_ENTRY: contextvars.ContextVar[Entry | None] = contextvars.ContextVar("telegram_entry", default=None)


Process = Callable[[object, Awaitable[Any]], Awaitable[None]]


async def _run(update: object, coroutine: Awaitable[Any]) -> None:
    await coroutine


class PerChatOrder(BaseUpdateProcessor):
    """Updates of different chats are handled concurrently; one chat's in arrival order, so a
    learner's answer is never overtaken by their next press. `process` runs one update's
    handling (the bot settles it in the journal around it)."""

    def __init__(self, max_concurrent_updates: int = 256, process: Process = _run) -> None:
        super().__init__(max_concurrent_updates)
        self._process = process
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await self._process(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] += 1
        try:
            async with lock:
                await self._process(update, coroutine)
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class JournalingQueue(asyncio.Queue[object]):  # PTB's Application.update_queue
    """The application's update queue (long polling and the webhook both `put` into it): an
    update is journaled before `put` returns, so Telegram is told "received" only then (PTB's
    Updater confirms the offset after `put`; the webhook answers 200 after it). A redelivered
    update is dropped here."""

    def __init__(self, inbox: Inbox, bot_id: str) -> None:
        super().__init__()
        self._inbox, self._bot_id = inbox, bot_id
        self.entries: dict[int, Entry] = {}  # journaled updates on their way to be handled

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            entry = await self._inbox.keep(
                platform=PLATFORM,
                key=f"{self._bot_id}:{item.update_id}",
                conversation=str(_chat_key(item)),
                payload=item.to_dict(),
            )
            if entry is None:
                log.info("Telegram update %s delivered again: ignored", item.update_id)
                return
            self.entries[item.update_id] = entry
        await super().put(item)

    async def put_kept(self, update: Update, entry: Entry) -> None:
        """A journaled update handled again (it was not recorded before)."""
        self.entries[update.update_id] = entry
        await super().put(update)


class PollMemory(Protocol):
    """Where the bot keeps the polls it sent: a poll's answer arrives with only its id.
    `serve` keeps them in the database (bot/store/polls.py), so any process understands an
    answer, also after a restart; without one they are kept in this process's memory."""

    async def remember(self, poll_id: str, chat_id: int, message_id: int, ref: str) -> None: ...

    async def recall(self, poll_id: str) -> tuple[int, int, str] | None: ...


class RecentPolls:
    """The last REMEMBERED polls, in this process's memory."""

    def __init__(self) -> None:
        self._polls: OrderedDict[str, tuple[int, int, str]] = OrderedDict()

    async def remember(self, poll_id: str, chat_id: int, message_id: int, ref: str) -> None:
        self._polls[poll_id] = (chat_id, message_id, ref)
        if len(self._polls) > REMEMBERED:
            self._polls.popitem(last=False)

    async def recall(self, poll_id: str) -> tuple[int, int, str] | None:
        return self._polls.get(poll_id)


class TelegramBot:
    def __init__(
        self,
        *,
        core: Core,
        settings: TelegramSettings,
        images: ImageSource | None = None,
        rate_limiter: BaseRateLimiter | None = None,
        polls: PollMemory | None = None,
        inbox: Inbox | None = None,
        media: MediaFolder | None = None,
    ) -> None:
        """`media`: where lesson pictures are read from to be uploaded (without it, and for a
        file that is gone, a picture is said in words)."""
        self._core = core
        self._media = media
        self._file_ids: dict[tuple[str, str], str] = {}  # (path, digest) -> Telegram's file id: each picture uploaded once
        self._settings = settings
        self._images = images
        self._inbox = inbox or Inbox(None)  # in memory: nothing to take over after a restart
        self._queue = JournalingQueue(self._inbox, settings.token.partition(":")[0])
        builder = (
            Application.builder()
            .token(settings.token)
            .rate_limiter(rate_limiter or DeliveryLimiter(overall_per_second=settings.messages_per_second))
            .update_queue(self._queue)
            .concurrent_updates(PerChatOrder(process=self._process))
            .connection_pool_size(64)
            .pool_timeout(30)
        )
        if settings.api_base_url:
            base = settings.api_base_url.rstrip("/")
            builder = builder.base_url(base).base_file_url(base.removesuffix("/bot") + "/file/bot")
        if settings.webhook_url:
            builder = builder.updater(None)
        self.application = builder.build()
        self._outcomes: dict[int, Outcome] = {}  # update id -> LATER or FAILED, set by the error handler
        self._told: dict[int, float] = {}  # chat id -> when it was last told its update was kept
        self._polls = polls or RecentPolls()
        self._username = ""
        self._add_handlers()

    # --- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> None:
        app = self.application
        await app.initialize()
        self._username = app.bot.username
        # The menu in each of the bot's languages; Telegram shows a person the one of their client's.
        await app.bot.set_my_commands([BotCommand(name, about) for name, about in commands.menu(PLATFORM)])
        for language in i18n.LANGUAGES:
            if language != i18n.DEFAULT:
                menu = commands.menu(PLATFORM, self._core.translators.of(language))
                await app.bot.set_my_commands([BotCommand(name, about) for name, about in menu], language_code=language)
        await app.start()
        if self._settings.webhook_url:
            await app.bot.set_webhook(self._settings.webhook_url, secret_token=self._settings.secret, allowed_updates=ALLOWED_UPDATES)
            log.warning("Telegram: @%s receives updates by webhook", self._username)
        else:
            assert app.updater is not None
            await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=self._settings.poll_timeout)
            log.warning("Telegram: @%s receives updates by long polling", self._username)

    async def stop(self) -> None:
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def receive(self, update_json: dict[str, Any]) -> None:
        """An update from the webhook, queued like one from long polling: journaled before this
        returns (JournalUnavailable when it cannot be: the webhook asks Telegram to retry).
        ValueError when PTB cannot read it as an update."""
        try:
            update = Update.de_json(update_json, self.application.bot)
        except Exception as error:  # a shape PTB cannot read: whatever it raises, it is no update
            raise ValueError(f"not a Telegram update ({type(error).__name__})") from None
        await self.application.update_queue.put(update)

    # --- the journal ----------------------------------------------------------------------------
    async def redeliver(self, stopping: asyncio.Event, every: float = REDELIVER_EVERY) -> None:
        """Until `stopping`: hand journaled updates that were not recorded (the database was
        away, or the process that had them died) to the application again."""
        while not stopping.is_set():
            try:
                for entry in await self._inbox.due(PLATFORM):
                    await self._queue.put_kept(Update.de_json(entry.payload, self.application.bot), entry)
                await self._inbox.forget_old()
            except JournalUnavailable as error:
                log.error("Telegram: %s", error)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=every)

    async def _process(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle one update (within its chat's turn) and settle it in the journal: first any
        earlier update of the same chat still waiting there, so nothing overtakes it."""
        entry = self._queue.entries.pop(update.update_id, None) if isinstance(update, Update) else None
        if entry is None or not isinstance(update, Update):
            await coroutine
            return
        try:
            for earlier in await self._inbox.waiting_before(entry):
                if await self._handle_again(earlier) is Outcome.LATER:
                    cast(Coroutine[Any, Any, Any], coroutine).close()  # still away: this one waits too
                    await self._inbox.later(entry, "an earlier update is still waiting for the database")
                    return
            token = _ENTRY.set(entry)
            try:
                await coroutine
            finally:
                _ENTRY.reset(token)
            await self._inbox.settle(entry, self._outcomes.pop(update.update_id, Outcome.DONE))
        except JournalUnavailable as error:
            log.error("Telegram update %s: %s", update.update_id, error)

    async def _handle_again(self, entry: Entry) -> Outcome:
        update = Update.de_json(entry.payload, self.application.bot)
        token = _ENTRY.set(entry)
        try:
            await self.application.process_update(update)
        finally:
            _ENTRY.reset(token)
        outcome = self._outcomes.pop(update.update_id, Outcome.DONE)
        await self._inbox.settle(entry, outcome)
        return outcome

    # --- inbound --------------------------------------------------------------------------------
    def _add_handlers(self) -> None:
        app = self.application
        private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
        names = [command.name for command in commands.offered(PLATFORM) if " " not in command.name]
        app.add_handler(CommandHandler(names, self._on_command, filters=private))
        app.add_handler(CommandHandler(names, self._on_group_command, filters=groups))
        app.add_handler(MessageHandler(filters.COMMAND & private, self._on_unknown_command))
        app.add_handler(MessageHandler(private & ~filters.COMMAND, self._on_text))
        app.add_handler(CallbackQueryHandler(self._on_button))
        app.add_handler(PollAnswerHandler(self._on_poll_answer))
        app.add_error_handler(self._on_error)

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        name = message.text.split()[0].lstrip("/").split("@")[0]
        command = commands.named(name, PLATFORM)
        assert command is not None  # the handler is added for the table's names only
        event = commands.event_for(command, _learner(update), f"m{message.chat_id}:{message.message_id}", " ".join(context.args or ()))
        await self._handle(event, message.chat_id)

    async def _on_unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        name = message.text.split()[0].lstrip("/").split("@")[0][:64]
        await self._handle(
            Command(learner=_learner(update), source_id=f"m{message.chat_id}:{message.message_id}", name=name),
            message.chat_id,
        )

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None:
            await self._send_out(message.chat_id, OutText(escape(self._said(update, NOT_UNDERSTOOD))))

    async def _on_group_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a group nobody's lessons or answers are shown: point to a private chat instead."""
        message = update.effective_message
        assert message is not None
        link = f"https://t.me/{self._username}?start=group"
        html = (
            f'I teach in private chats, so nobody else sees your answers: <a href="{link}">open a chat with me</a>. '
            "Here I only announce badges."
        )
        await self._send_out(message.chat_id, OutText(html))

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.from_user is not None
        message = query.message if isinstance(query.message, Message) else None
        if message is not None and message.chat.type != ChatType.PRIVATE:
            await self._acknowledge(query.answer())
            return  # buttons only live in private chats
        chat_id = message.chat_id if message is not None else query.from_user.id
        data = query.data or ""
        # Stopping the button's spinner and closing the pressed keyboard need not wait for the
        # core, nor the core for them: the reply arrives one round trip sooner. An answer is
        # shown as chosen only once it is recorded.
        side_calls = [self._acknowledge(query.answer())]
        answering = isinstance(actions.parse(data), actions.ChooseOption)
        if message is not None and not answering:
            side_calls.append(self._close_keyboard(message))
        pending = asyncio.gather(*side_calls)
        try:
            await self._handle(
                ButtonPressed(learner=_learner(update), source_id=f"c{query.id}", action=data),
                chat_id,
                answered=(lambda replies: self._show_answer(message, data, replies)) if message is not None and answering else None,
            )
        finally:
            await pending

    async def _on_poll_answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        answer = update.poll_answer
        assert answer is not None and answer.user is not None
        sent = await self._polls.recall(answer.poll_id)
        chat_id = sent[0] if sent else answer.user.id  # a private chat's id is the user's
        if sent is None or not answer.option_ids:
            if answer.option_ids:
                await self._send_out(chat_id, OutText(escape(self._said(update, POLL_EXPIRED))))
            return
        _, message_id, ref = sent
        event = Answer(
            learner=_learner(update),
            source_id=f"p{answer.poll_id}:{answer.user.id}",
            ref=ref,
            choices=tuple(answer.option_ids),
        )
        # One answer per check: the poll is closed once the answer is recorded.
        await self._handle(event, chat_id, recorded=lambda: self._acknowledge(self.application.bot.stop_poll(chat_id, message_id)))

    @staticmethod
    async def _acknowledge(call: Awaitable[Any]) -> None:
        """A courtesy call (answering a button, closing a poll) that may fail harmlessly:
        Telegram refuses to answer a press older than its timeout, e.g. one queued while the
        bot was down; the press itself still counts."""
        try:
            await call
        except TelegramError as error:
            log.info("Telegram: %s", error)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        chat = update.effective_chat if isinstance(update, Update) else None
        private = chat is not None and chat.type == ChatType.PRIVATE
        if isinstance(error, StoreUnavailable):
            # Kept in the journal and handled again once the database is back: say so, once.
            log.warning("Telegram update %s waits for the database: %s", update_id, type(error).__name__)
            if update_id is not None:
                self._outcomes[update_id] = Outcome.LATER
            if chat is None or not private or time.monotonic() - self._told.get(chat.id, -TELL_AGAIN_AFTER) < TELL_AGAIN_AFTER:
                return
            self._told[chat.id], text = time.monotonic(), self._said(update, texts.KEPT)
        else:
            log.error("Telegram update %s failed: %s: %s", update_id, type(error).__name__, error, exc_info=error)
            if update_id is not None:
                self._outcomes[update_id] = Outcome.FAILED
            if chat is None or not private:
                return
            text = self._said(update, SORRY)
        try:
            await self.application.bot.send_message(chat.id, text)
        except TelegramError:
            log.error("Telegram update %s: could not tell the learner", update_id)

    def _said(self, update: object, text: str) -> str:
        """What the adapter says itself, in the language of the person's Telegram client."""
        user = update.effective_user if isinstance(update, Update) else None
        language = i18n.supported(user.language_code if user is not None else None)
        return self._core.translators.of(language).gettext(text)

    # --- outbound -------------------------------------------------------------------------------
    async def _handle(
        self,
        event: Event,
        chat_id: int,
        recorded: Callable[[], Awaitable[None]] | None = None,
        answered: Callable[[list[Reply]], Awaitable[list[Reply]]] | None = None,
    ) -> None:
        """The core handles `event`; only once the core has recorded it, `recorded` runs
        alongside sending the replies (closing a poll), or `answered` first (showing the answer
        and its feedback on the question's message; it returns the replies still to send). The
        replies are kept in the journal until they are sent: a delivery recorded by a process that
        died before sending them is not handled twice, its replies are sent."""
        entry = _ENTRY.get()
        if entry is not None and entry.replies is not None:
            replies = [reply_from_json(reply) for reply in entry.replies]
        else:
            # Taken over from the journal: a process that died may have recorded it, not sent its replies.
            handle = self._core.handle_taken_over if entry is not None and entry.taken_over else self._core.handle
            replies = await handle(event)
            if entry is not None:
                await self._inbox.recorded(entry, [reply_to_json(reply) for reply in replies])
        if answered is not None:
            replies = await answered(replies)
        if recorded is None:
            await self.send(chat_id, replies)
        else:
            await asyncio.gather(recorded(), self.send(chat_id, replies))

    async def send(self, chat_id: int | str, replies: list[Reply], priority: Priority = Priority.REPLY) -> None:
        """Send replies in order, as few messages as read the same (render.messages);
        announcements go to the team chat (if one is set), behind anyone waiting for a reply."""
        # The learner's messages first: an announcement does not hold up their next step.
        mine = [reply for reply in replies if not isinstance(reply, Announcement)]
        for out in messages(mine, quiz_polls=self._settings.quiz_polls):
            await self._send_out(chat_id, out, priority)
        team = self._settings.announce_chat
        if team is not None:
            for announcement in (reply for reply in replies if isinstance(reply, Announcement)):
                for out in render(announcement):
                    await self._send_out(team, out, Priority.BACKGROUND)

    async def send_to_user(self, user_id: str, replies: list[Reply]) -> None:
        """Replies the bot starts (a nudge): a private chat's id is the user's id. Nobody is
        waiting for them, so learners' replies go first."""
        await self.send(int(user_id), replies, Priority.BACKGROUND)

    async def _send_out(self, chat_id: int | str, out: Out, priority: Priority = Priority.REPLY) -> None:
        bot = self.application.bot
        match out:
            case OutText():
                await bot.send_message(
                    chat_id,
                    out.html,
                    parse_mode=ParseMode.HTML,
                    reply_markup=out.keyboard,
                    link_preview_options=_NO_PREVIEW,
                    rate_limit_args=priority,
                )
            case OutPoll():
                message = await bot.send_poll(
                    chat_id,
                    out.question,
                    list(out.options),
                    is_anonymous=False,
                    type=PollType.QUIZ if out.quiz else PollType.REGULAR,
                    # PTB types an option's index as Literal[0..11]; render keeps a poll within Telegram's 12 options
                    correct_option_ids=None if out.correct_option is None else [out.correct_option],  # type: ignore[list-item]
                    allows_multiple_answers=out.multiple,
                    allows_revoting=False,  # one answer per check: the first one counts
                    rate_limit_args=priority,
                )
                if message.poll is not None:
                    await self._polls.remember(message.poll.id, message.chat_id, message.message_id, out.ref)
            case OutPhoto():
                await self._send_photo(chat_id, out, priority)
            case OutPicture():
                await self._send_picture(chat_id, out, priority)
            case OutAlbum():
                await self._send_album(chat_id, out, priority)

    async def _send_photo(self, chat_id: int | str, out: OutPhoto, priority: Priority) -> None:
        photo: bytes | str | None = None
        if self._images is not None and out.credential_id is not None:
            photo = await self._images(out.credential_id)
        if photo is None and out.url and out.url.startswith("https://"):
            photo = out.url
        if photo is not None:
            try:
                await self.application.bot.send_photo(
                    chat_id,
                    photo,
                    caption=out.caption_html,
                    parse_mode=ParseMode.HTML,
                    reply_markup=out.keyboard,
                    rate_limit_args=priority,
                )
                return
            except BadRequest as error:
                log.warning("Telegram refused the badge image (%s); sending the message without it", error)
        await self._send_out(chat_id, OutText(out.caption_html, out.keyboard), priority)

    async def _send_picture(self, chat_id: int | str, out: OutPicture, priority: Priority) -> None:
        """A lesson picture: by the file id Telegram gave it when it was first uploaded, else
        uploaded from the media folder; in words when neither is accepted."""
        async for photo in self._photo_sources(out):
            try:
                message = await self.application.bot.send_photo(
                    chat_id, photo, caption=out.caption_html, parse_mode=ParseMode.HTML, reply_markup=out.keyboard, rate_limit_args=priority
                )
            except BadRequest as error:
                log.warning("Telegram refused the picture %s (%s)", out.path, error)
                self._file_ids.pop((out.path, out.digest), None)
                continue
            self._remember_file(out, message)
            return
        await self._send_out(chat_id, OutText(out.words_html, out.keyboard), priority)

    async def _send_album(self, chat_id: int | str, out: OutAlbum, priority: Priority) -> None:
        """A card's pictures as one album (one request, where one at a time would be up to ten);
        a picture whose file cannot be read is said in words after it."""
        ready: list[tuple[OutPicture, str | bytes]] = []
        missing: list[str] = []
        for picture in out.pictures:
            source = await anext(self._photo_sources(picture), None)
            if source is None:
                missing.append(picture.words_html)
            else:
                ready.append((picture, source))
        if len(ready) == 1:
            await self._send_picture(chat_id, ready[0][0], priority)
        elif ready:
            album = [InputMediaPhoto(source, caption=picture.caption_html, parse_mode=ParseMode.HTML) for picture, source in ready]
            try:
                sent = await self.application.bot.send_media_group(chat_id, album, rate_limit_args=priority)
            except BadRequest as error:  # e.g. a file id Telegram no longer knows: one at a time, each uploaded if need be
                log.warning("Telegram refused an album (%s); sending its pictures one by one", error)
                for picture, _ in ready:
                    self._file_ids.pop((picture.path, picture.digest), None)
                    await self._send_picture(chat_id, picture, priority)
            else:
                for (picture, _), message in zip(ready, sent, strict=False):
                    self._remember_file(picture, message)
        if missing:
            await self._send_out(chat_id, OutText("\n\n".join(missing)), priority)

    async def _photo_sources(self, out: OutPicture) -> AsyncIterator[str | bytes]:
        """What to send a picture as, in turn: the file id Telegram gave it, then its bytes."""
        known = self._file_ids.get((out.path, out.digest))
        if known is not None:
            yield known
        data = await asyncio.to_thread(self._media.read, out.path) if self._media is not None else None
        if data is not None:
            yield data
        elif self._media is not None:
            log.warning("Telegram: the picture %s cannot be read from the media folder; said in words", out.path)

    def _remember_file(self, out: OutPicture, message: Message) -> None:
        if message.photo:
            self._file_ids[(out.path, out.digest)] = message.photo[-1].file_id  # the largest size: what was uploaded

    async def _close_keyboard(self, message: Message) -> None:
        """A pressed keyboard is removed, so the same button cannot be pressed twice."""
        if message.reply_markup is None:
            return
        try:
            await message.edit_reply_markup(reply_markup=None)
        except BadRequest as error:
            log.info("Telegram: keyboard of message %s not changed: %s", message.message_id, error)

    async def _show_answer(self, message: Message, data: str, replies: list[Reply]) -> list[Reply]:
        """A recorded answer: its question keeps a note of the answer given and, where it fits,
        the feedback, and loses its buttons, so it cannot be answered twice. An edit is not a
        message (Telegram does not count it), so the next step is the one new message. Returns
        the replies still to send. An answer the core did not count (a stale button) only
        closes the keyboard: the question keeps what it shows."""
        label = _label_of(message.reply_markup, data)
        if not (replies and isinstance(replies[0], Feedback) and label and message.text is not None):
            await self._close_keyboard(message)
            return replies
        noted = OutText(f"{message.text_html}\n\n➡️ <i>{escape(label)}</i>")
        feedback = messages(replies[:1])
        with_feedback = joined_text(noted, feedback[0]) if len(feedback) == 1 else None
        try:
            await message.edit_text(
                (with_feedback or noted).html, parse_mode=ParseMode.HTML, reply_markup=None, link_preview_options=_NO_PREVIEW
            )
        except BadRequest as error:
            log.info("Telegram: answered message %s not changed: %s", message.message_id, error)
            if "not modified" not in str(error):  # it does not show all that already (as after a redelivery)
                await self._close_keyboard(message)
                return replies
        return replies[1:] if with_feedback else replies


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # lesson links should not unfurl into cards


def _learner(update: Update) -> LearnerRef:
    user = update.effective_user
    assert user is not None
    return LearnerRef(PLATFORM, str(user.id), user.first_name or "", language=user.language_code)


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


def _label_of(markup: InlineKeyboardMarkup | None, data: str) -> str | None:
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
