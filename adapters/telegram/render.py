"""Core replies as Telegram messages: what to send, decided without sending anything.

Text is Markdown from authors and the core; it becomes Telegram HTML (escaped), split into
messages of at most 4096 characters with the buttons on the last one; consecutive replies share
a message where they fit (`messages`). Button actions become
callback_data, which Telegram caps at 64 bytes.

Line breaks follow bot/replies.py: what the core composes (Text, AwardNotice, Announcement) keeps
every line break; what authors wrap (a lesson card's body, a feedback's explanation) flows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit, PollLimit

from adapters.joining import fewest_messages
from adapters.telegram.formatting import escape, plain_length, split_html, to_html
from bot.replies import Announcement, AwardNotice, Button, Feedback, LessonCard, Picture, Question, Reply, Text

CALLBACK_DATA_LIMIT = 64  # bytes
ROW_CHARACTERS = 30  # pack short buttons side by side, long ones one per row
ROW_BUTTONS = 3


@dataclass(frozen=True)
class OutText:
    html: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class OutPoll:
    """A check as a native poll: a quiz (one right answer) or a multiple-answer poll."""

    ref: str  # the core's question ref, to map the poll's answer back
    question: str
    options: tuple[str, ...]
    quiz: bool
    correct_option: int | None
    multiple: bool


@dataclass(frozen=True)
class OutPhoto:
    credential_id: str | None  # the award's public id, for the baked PNG
    url: str | None
    caption_html: str
    keyboard: InlineKeyboardMarkup | None


@dataclass(frozen=True)
class OutPicture:
    """A lesson card's picture, uploaded from the content's media folder (`path`, relative to
    the content folder). `words_html` is sent instead when the file cannot be sent."""

    path: str
    digest: str  # of the file as the lesson was started: with the path, names what Telegram was sent
    caption_html: str
    keyboard: InlineKeyboardMarkup | None
    words_html: str


@dataclass(frozen=True)
class OutAlbum:
    """A card's 2 to 10 pictures as one album (sendMediaGroup: no buttons, a caption each)."""

    pictures: tuple[OutPicture, ...]


Out = OutText | OutPoll | OutPhoto | OutPicture | OutAlbum


def keyboard(
    buttons: tuple[Button, ...], links: tuple[tuple[str, str], ...] = (), *, one_per_row: bool = False
) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = [[InlineKeyboardButton(label, url=url)] for label, url in links]
    row: list[InlineKeyboardButton] = []
    for button in buttons:
        if len(button.action.encode()) > CALLBACK_DATA_LIMIT:
            raise ValueError(f"button action over {CALLBACK_DATA_LIMIT} bytes: {button.action!r}")
        width = sum(len(b.text) for b in row) + len(button.label) + (3 if button.destructive else 0)
        if row and (one_per_row or width > ROW_CHARACTERS or len(row) == ROW_BUTTONS):
            rows.append(row)
            row = []
        # Telegram buttons have no colours: a warning sign marks one that cannot be undone.
        label = f"⚠️ {button.label}" if button.destructive else button.label
        row.append(InlineKeyboardButton(label, callback_data=button.action))
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows) if rows else None


def texts(html: str, markup: InlineKeyboardMarkup | None) -> list[Out]:
    """Long text split into several messages; the buttons go with the last part."""
    parts = split_html(html, MessageLimit.MAX_TEXT_LENGTH)
    return [OutText(part, markup if i == len(parts) - 1 else None) for i, part in enumerate(parts)]


def question_html(reply: Question) -> str:
    lines = [f"❓ <b>{to_html(reply.question)}</b> <i>({reply.position}/{reply.total})</i>", ""]
    lines += [f"{i}) {to_html(option)}" for i, option in enumerate(reply.options, start=1)]
    hint = reply.words.poll_several if reply.multiple else reply.words.tap
    return "\n".join([*lines, "", f"<i>{escape(hint)}</i>"])


def fits_a_poll(reply: Question) -> bool:
    return (
        plain_length(escape(reply.question)) <= PollLimit.MAX_QUESTION_LENGTH
        and 2 <= len(reply.options) <= PollLimit.MAX_OPTION_NUMBER
        and all(0 < len(o) <= PollLimit.MAX_OPTION_LENGTH for o in reply.options)
    )


def render_question(reply: Question, *, quiz_polls: bool) -> list[Out]:
    """Single-answer checks: buttons, or a quiz poll when configured. Multiple-answer checks:
    a poll that allows several answers (buttons cannot hold a selection). A check that does not
    fit a poll's limits is spelled out in a message, and the poll's options are its numbers."""
    as_poll = reply.multiple or (quiz_polls and reply.correct_option is not None)
    if not as_poll:
        buttons = tuple(
            Button(_button_label(f"{i}) {option}"), action)
            for i, (option, action) in enumerate(zip(reply.options, reply.option_actions, strict=False), start=1)
        )
        return texts(question_html(reply), keyboard(buttons, one_per_row=True))
    quiz = not reply.multiple and reply.correct_option is not None
    if fits_a_poll(reply):
        return [OutPoll(reply.ref, reply.question, reply.options, quiz, reply.correct_option if quiz else None, reply.multiple)]
    numbers = tuple(str(i) for i in range(1, len(reply.options) + 1))
    short = reply.words.poll_question_several if reply.multiple else reply.words.poll_question_one
    return [
        *texts(question_html(reply), None),
        OutPoll(reply.ref, short, numbers, quiz, reply.correct_option if quiz else None, reply.multiple),
    ]


def render(reply: Reply, *, quiz_polls: bool = False) -> list[Out]:
    match reply:
        case Text():
            return texts(to_html(reply.text, breaks=True), keyboard(reply.buttons))
        case LessonCard():
            return lesson_card(reply)
        case Question():
            return render_question(reply, quiz_polls=quiz_polls)
        case Feedback():
            words = reply.words
            if reply.correct:
                head = f"✅ <b>{escape(words.correct)}</b>"
            else:
                answer = "; ".join(to_html(o) for o in reply.correct_options)
                head = f"❌ <b>{escape(words.not_quite)}</b> " + escape(words.the_answer).format(answer=answer)
            return texts(f"{head}\n{to_html(reply.explanation)}", keyboard(reply.buttons))
        case AwardNotice():
            return award(reply)
        case Announcement():
            return announcement(reply)
    raise TypeError(f"cannot render {type(reply).__name__}")


def messages(replies: Sequence[Reply], *, quiz_polls: bool = False) -> list[Out]:
    """Replies as the fewest messages that read the same: Telegram lets a bot send about one
    message a second in a chat and 30 a second in all, so a text without buttons goes into the
    message after it (feedback with the next question, a lesson's header with its first card,
    a summary with the next step), a blank line between them, when both fit in one message.
    Buttons stay under the text they belong to, so nothing is joined after a message with
    buttons; a poll, a badge's photo and an album are messages of their own, and a lesson
    picture takes the text before it into its caption when that fits (1024 characters)."""
    return fewest_messages(replies, lambda reply: render(reply, quiz_polls=quiz_polls), joined)


def joined(first: Out, second: Out) -> Out | None:
    """Two messages as one where they read the same: two texts, or a text without buttons and
    the lesson picture after it (the text goes on top of the picture's caption)."""
    if isinstance(first, OutText) and isinstance(second, OutPicture) and first.keyboard is None:
        caption = f"{first.html}\n\n{second.caption_html}"
        if plain_length(caption) <= MessageLimit.CAPTION_LENGTH:
            return replace(second, caption_html=caption, words_html=f"{first.html}\n\n{second.words_html}")
        return None
    return joined_text(first, second)


def joined_text(first: Out, second: Out) -> OutText | None:
    if not (isinstance(first, OutText) and isinstance(second, OutText)) or first.keyboard is not None:
        return None
    html = f"{first.html}\n\n{second.html}"
    return OutText(html, second.keyboard) if plain_length(html) <= MessageLimit.MAX_TEXT_LENGTH else None


def award(reply: AwardNotice) -> list[Out]:
    """The badge image with the message as its caption; links as URL buttons where Telegram
    accepts them (https only), otherwise written out."""
    html = to_html(reply.text, breaks=True)
    links: list[tuple[str, str]] = []
    for label, url in ((reply.words.view_and_share, reply.page_url), (reply.words.add_to_linkedin, reply.linkedin_url)):
        if url and url.startswith("https://"):
            links.append((label, url))
        elif url:
            html += f'\n{escape(label)}: <a href="{escape(url)}">{escape(url)}</a>'
    markup = keyboard(reply.buttons, tuple(links))
    if reply.credential_id is None or plain_length(html) > MessageLimit.CAPTION_LENGTH:
        return texts(html, markup)
    return [OutPhoto(reply.credential_id, reply.image_url, html, markup)]


def lesson_card(reply: LessonCard) -> list[Out]:
    """A card's text with its Next button; its pictures above it: one picture with the whole card
    as its caption when that fits (one message), else the picture or album, then the text.
    Telegram has no alt text: a picture's caption is the author's caption, or its alt text."""
    head = f"<b>{to_html(reply.title)}</b> <i>({reply.position}/{reply.total})</i>"
    html = f"{head}\n\n{to_html(reply.body)}" if reply.body.strip() else head
    markup = keyboard(reply.buttons)
    if not reply.pictures:
        return texts(html, markup)
    pictures = [_picture(picture) for picture in reply.pictures]
    if len(pictures) == 1:
        alone = pictures[0]
        whole = f"{html}\n\n{alone.caption_html}"
        if plain_length(whole) <= MessageLimit.CAPTION_LENGTH:
            return [OutPicture(alone.path, alone.digest, whole, markup, f"{html}\n\n{alone.words_html}")]
        return [alone, *texts(html, markup)]
    return [OutAlbum(tuple(pictures)), *texts(html, markup)]


def _picture(picture: Picture) -> OutPicture:
    caption = f"🖼 <i>{escape(picture.caption or picture.alt)}</i>"
    words = f"🖼 <i>{escape(picture.alt)}</i>" + (f"\n{escape(picture.caption)}" if picture.caption else "")
    # An alt text (at most 2000 characters) standing in for a caption is cut to a caption's 1024.
    return OutPicture(picture.path, picture.digest, split_html(caption, MessageLimit.CAPTION_LENGTH)[0], None, words)


def announcement(reply: Announcement) -> list[Out]:
    html = to_html(reply.text, breaks=True)
    links = (("See the credential", reply.page_url),) if reply.page_url and reply.page_url.startswith("https://") else ()
    if reply.page_url and not links:
        html += f'\n<a href="{escape(reply.page_url)}">{escape(reply.page_url)}</a>'
    return texts(html, keyboard((), links))


def _button_label(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
