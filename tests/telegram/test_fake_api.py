"""The fake Telegram server, driven by the real python-telegram-bot client over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time
from collections.abc import AsyncIterator, Iterator
from io import BytesIO

import httpx
import pytest
from PIL import Image
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from fakes.telegram_api import FakeTelegram, Upload, running_fake_telegram
from tests.support import found

# PTB's own RetryAfter constructor reads the deprecated int form of retry_after.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456:TEST-TOKEN"
CHAT = 42
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go:1")]])


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with running_fake_telegram(TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url) as bot:
        yield bot


def seconds(period: int | dtm.timedelta) -> float:
    return period.total_seconds() if isinstance(period, dtm.timedelta) else float(period)


def retry_after_seconds(error: RetryAfter) -> float:
    return seconds(error.retry_after)  # an int, or a timedelta with PTB_TIMEDELTA set


def png(width: int = 64, height: int = 32) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


async def test_get_me_and_wrong_token_and_unknown_method(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.username, me.is_bot, me.id) == ("microbadge_bot", True, 123456)
    assert fake.sent("getMe")
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert fake.calls[-1].status == 404


async def test_wrong_token_is_unauthorized(fake: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=fake.base_url):  # initialize() calls getMe
            pass
    assert fake.calls[-1].status == 401


async def test_raw_http_json_get_and_error_bodies(fake: FakeTelegram) -> None:
    """Clients other than PTB may send JSON bodies or GET with a query string."""
    async with httpx.AsyncClient() as client:
        api = f"{fake.base_url}{TOKEN}"
        markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        sent = await client.post(f"{api}/sendMessage", json={"chat_id": "42", "text": "123", "reply_markup": markup})
        assert sent.status_code == 200 and sent.json()["result"]["reply_markup"] == markup
        assert fake.calls[-1].params["text"] == "123" and fake.messages_to(42)
        got = await client.get(f"{api}/getUpdates", params={"timeout": "0", "offset": "5"})
        assert got.json() == {"ok": True, "result": []} and fake.calls[-1].params == {"timeout": 0, "offset": 5}
        wrong = await client.post(f"{fake.base_url}999:WRONG/getMe")
        assert (wrong.status_code, wrong.json()) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        unknown = await client.post(f"{api}/noSuchMethod")
        assert (unknown.status_code, unknown.json()) == (
            404,
            {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
        )


async def test_html_message_with_keyboard_is_recorded(fake: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_message(CHAT, "<b>Hi</b> &lt;you&gt; &amp; <i>😀</i>", parse_mode=ParseMode.HTML, reply_markup=KEYBOARD)
    assert message.text == "Hi <you> & 😀"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 0, 2), ("italic", 11, 2)]
    assert message.reply_markup == KEYBOARD and found(message.from_user).username == "microbadge_bot"
    [call] = fake.messages_to(CHAT)
    assert call.method == "sendMessage" and call.params["parse_mode"] == "HTML" and call.params["chat_id"] == CHAT
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "Go", "callback_data": "go:1"}]]}
    assert call.result["message_id"] == message.message_id == 1

    second = await bot.send_message(CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    assert second.message_id == 2  # ids per chat increase; tags do not count towards the limit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<b>unclosed", 'can\'t find end tag corresponding to start tag "b"'),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("AT&T", 'unescaped "&"'),
        ("line<br>break", 'unsupported start tag "br"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ('<span class="x">s</span>', 'tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_bad_html_is_rejected_like_telegram(bot: Bot, text: str, expected: str) -> None:
    with pytest.raises(BadRequest) as raised:
        await bot.send_message(CHAT, text, parse_mode=ParseMode.HTML)
    assert raised.value.message.lower().startswith("can't parse entities:")
    assert expected.lower() in raised.value.message.lower()


async def test_supported_html_and_length_rules(bot: Bot) -> None:
    rich = (
        '<a href="https://e.x/?a=1&b=2">link</a> <pre><code class="language-py">x = 1</code></pre> '
        '<tg-spoiler>s</tg-spoiler> <span class="tg-spoiler">t</span> <blockquote>q</blockquote> &#128512;'
    )
    message = await bot.send_message(CHAT, rich, parse_mode=ParseMode.HTML)
    assert message.entities[0].url == "https://e.x/?a=1&b=2"
    assert message.entities[1].type == "pre" and message.entities[1].language == "py"
    assert found(message.text).endswith("q 😀")
    assert (await bot.send_message(CHAT, "&amp;" * 4096, parse_mode=ParseMode.HTML)).text == "&" * 4096
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(CHAT, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(CHAT, "<b> </b>", parse_mode=ParseMode.HTML)


async def test_injected_429_raises_retry_after_and_is_not_delivered(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", 1, status=429, retry_after=1)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(CHAT, "hello")
    assert retry_after_seconds(raised.value) == 1
    assert fake.calls[-1].status == 429 and fake.too_many_requests == 1
    assert fake.messages_to(CHAT) == []
    await bot.send_message(CHAT, "hello")
    assert [call.params["text"] for call in fake.messages_to(CHAT)] == ["hello"]


async def test_injected_502_raises_network_error(fake: FakeTelegram, bot: Bot) -> None:
    fake.fail_next("sendMessage", 1, status=502)
    with pytest.raises(NetworkError, match="Bad Gateway") as raised:
        await bot.send_message(CHAT, "hello")
    assert not isinstance(raised.value, BadRequest)
    assert fake.calls[-1].response == {"ok": False, "error_code": 502, "description": "Bad Gateway"}


async def test_rate_limits_answer_429_with_computed_retry_after(fake: FakeTelegram, bot: Bot) -> None:
    fake.enforce_rate_limits(per_chat_per_second=1, global_per_second=3, group_per_minute=20, chat_burst=1)
    await bot.send_message(CHAT, "one")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(CHAT, "two")
    assert retry_after_seconds(raised.value) == 1
    await bot.send_message(CHAT + 1, "another chat is fine")
    await bot.send_message(CHAT + 2, "a third chat too")
    with pytest.raises(RetryAfter):  # but not a fourth message within the same second
        await bot.send_message(CHAT + 3, "global limit")

    fake.enforce_rate_limits(per_chat_per_second=100, global_per_second=100, group_per_minute=2)
    await bot.send_message(-100123, "g1")
    await bot.send_message(-100123, "g2")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(-100123, "g3")
    assert 59 <= retry_after_seconds(raised.value) <= 60
    assert fake.too_many_requests == 3
    assert [call.params["text"] for call in fake.messages_to(-100123)] == ["g1", "g2"]


async def test_telegrams_published_limits_count_messages_not_edits_or_presses(fake: FakeTelegram, bot: Bot) -> None:
    """About one message a second in a chat after a short burst; edits and answers to presses
    are not said to count, so a bot may make them freely."""
    fake.enforce_rate_limits()
    sent = [await bot.send_message(CHAT, f"card {i}", reply_markup=KEYBOARD) for i in range(3)]
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(CHAT, "a fourth at once")
    assert retry_after_seconds(raised.value) == 1
    for message in sent:  # closing keyboards and showing answers: not messages
        await bot.edit_message_text(f"{message.text} ➡️ chosen", chat_id=CHAT, message_id=message.message_id)
    press = fake.user_presses(CHAT, sent[0].to_dict(), "go:1")
    assert await bot.answer_callback_query(press["callback_query"]["id"])
    await asyncio.sleep(1.05)  # the chat's bucket has room for one more
    await bot.send_message(CHAT, "a second later")
    assert fake.too_many_requests == 1
    assert [c.params["text"] for c in fake.messages_to(CHAT) if c.method == "sendMessage"] == [
        "card 0",
        "card 1",
        "card 2",
        "a second later",
    ]


async def test_get_updates_long_polls_and_confirms(fake: FakeTelegram, bot: Bot) -> None:
    queued = fake.user_sends_text(7, "/start@microbadge_bot hello")
    [update] = await bot.get_updates(timeout=5)
    assert isinstance(update, Update) and update.update_id == queued["update_id"]
    said = found(update.message)
    assert said.text == "/start@microbadge_bot hello" and found(update.effective_chat).id == 7
    [entity] = said.entities
    assert (entity.type, entity.offset, entity.length) == (MessageEntity.BOT_COMMAND, 0, 21)
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()

    started = time.monotonic()
    assert await bot.get_updates(offset=update.update_id + 1, timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2

    waiting = asyncio.create_task(bot.get_updates(offset=update.update_id + 1, timeout=5))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    fake.user_sends_text(7, "later")
    [late] = await waiting
    assert found(late.message).text == "later" and time.monotonic() - started < 0.5

    fake.queue_raw_update(queued)  # a replay below the offset is delivered once more
    [replayed] = await bot.get_updates(offset=late.update_id + 1, timeout=0)
    assert replayed.update_id == update.update_id
    assert await bot.get_updates(offset=late.update_id + 1, timeout=0) == ()


async def test_send_photo_upload_and_download(fake: FakeTelegram, bot: Bot) -> None:
    image = png()
    message = await bot.send_photo(CHAT, image, caption="<i>badge</i>", parse_mode=ParseMode.HTML, reply_markup=KEYBOARD)
    assert (message.photo[-1].width, message.photo[-1].height, message.caption) == (64, 32, "badge")
    [call] = fake.messages_to(CHAT)
    assert isinstance(call.params["photo"], Upload) and call.params["photo"].data == image
    assert call.params["reply_markup"] == KEYBOARD.to_dict()  # a JSON string in the multipart body
    downloaded = await (await bot.get_file(message.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == image
    by_url = await bot.send_photo(CHAT, "https://learn.example.com/badge.png")
    assert by_url.photo and fake.sent("sendPhoto")[-1].params["photo"] == "https://learn.example.com/badge.png"
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(CHAT, b"<svg xmlns='http://www.w3.org/2000/svg'/>")


async def test_keyboard_rules_and_edits(fake: FakeTelegram, bot: Bot) -> None:
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]])  # 66 bytes
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(CHAT, "hi", reply_markup=too_long)
    message = await bot.send_message(CHAT, "pick", reply_markup=KEYBOARD)
    edited = await bot.edit_message_reply_markup(CHAT, message.message_id, reply_markup=None)
    assert isinstance(edited, Message), "a bot's own message edited: the message, not True"
    assert edited.reply_markup is None and found(fake.message(CHAT, message.message_id))["text"] == "pick"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(CHAT, message.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("new", CHAT, 999)
    renamed = await bot.edit_message_text("<b>new</b>", CHAT, message.message_id, parse_mode="HTML")
    assert isinstance(renamed, Message) and renamed.text == "new"
    assert await bot.delete_message(CHAT, message.message_id)
    assert fake.message(CHAT, message.message_id) is None
    fake.forget_chat(CHAT)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(CHAT, "hello?")
    fake.user_blocks_bot(CHAT + 1)
    with pytest.raises(Forbidden):
        await bot.send_message(CHAT + 1, "hello?")


async def test_quiz_poll_answers_and_stop(fake: FakeTelegram, bot: Bot) -> None:
    message = await bot.send_poll(
        CHAT,
        "2 + 2?",
        ["3", "4"],
        type="quiz",
        correct_option_ids=[1],
        is_anonymous=False,
        explanation="<b>four</b>",
        explanation_parse_mode="HTML",
    )
    poll = found(message.poll)
    assert (poll.type, poll.correct_option_ids, poll.is_anonymous, poll.explanation) == ("quiz", (1,), False, "four")
    assert not poll.allows_revoting  # quizzes default to final answers
    queued = fake.user_answers_poll(7, poll.id, [1])
    [update] = await bot.get_updates(timeout=1)
    assert update.update_id == queued["update_id"]
    answer = found(update.poll_answer)
    assert (answer.poll_id, answer.option_ids, answer.option_persistent_ids, found(answer.user).id) == (poll.id, (1,), ("1",), 7)
    stopped = await bot.stop_poll(CHAT, message.message_id)
    assert stopped.is_closed and stopped.total_voter_count == 1 and stopped.options[1].voter_count == 1
    with pytest.raises(BadRequest, match="Wrong correct option ids"):
        await bot.send_poll(CHAT, "q", ["a", "b"], type="quiz", correct_option_ids=[5])
    regular = await bot.send_poll(CHAT, "Colour?", ["red", "blue"])
    assert found(regular.poll).is_anonymous and found(regular.poll).allows_revoting


async def test_commands_chat_and_webhook(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Begin"), ("today", "Today's lesson")])
    assert [command.command for command in await bot.get_my_commands()] == ["start", "today"]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    chat = await bot.get_chat(CHAT)
    assert chat.id == CHAT and chat.type == "private"
    await bot.send_chat_action(CHAT, "typing")
    await bot.set_webhook("https://learn.example.com/telegram", secret_token="s3cret")
    assert (await bot.get_webhook_info()).url == "https://learn.example.com/telegram"
    assert fake.webhook["secret_token"] == "s3cret"
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_application_polls_replies_and_handles_a_button(fake: FakeTelegram) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("Welcome!", reply_markup=KEYBOARD)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("ok")
        await query.edit_message_reply_markup(None)

    application: Application = ApplicationBuilder().token(TOKEN).base_url(fake.base_url).base_file_url(fake.base_file_url).build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=1)
        fake.user_sends_text(7, "/start")
        await fake.wait_for(lambda f: any(c.params.get("text") == "Welcome!" for c in f.messages_to(7)), timeout=5)
        welcome = fake.messages_to(7)[-1].result
        fake.user_presses(7, welcome, "go:1")
        await fake.wait_for(lambda f: bool(f.sent("editMessageReplyMarkup", chat_id=7)), timeout=5)
        assert fake.sent("answerCallbackQuery")[-1].params["text"] == "ok"
        await application.updater.stop()
        await application.stop()
    assert fake.pending_updates == []  # the final getUpdates confirmed everything


async def test_wait_for_times_out_with_a_dump(fake: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "hello")
    with pytest.raises(AssertionError, match="sendMessage -> 200"):
        await fake.wait_for(lambda f: False, timeout=0.05)
