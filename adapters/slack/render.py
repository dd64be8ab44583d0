"""Core replies as Slack Block Kit messages: what to send, decided without sending anything.

Text is Markdown from authors and the core; it becomes escaped mrkdwn in section blocks of at
most 3000 characters. Output is plain JSON dicts within Slack's limits: 50 blocks a message
(more become several messages), 25 elements an actions block, 75 characters a button label.

Line breaks follow bot/replies.py: what the core composes (Text, AwardNotice, Announcement, the
App Home's sections) keeps every line break; what authors wrap (a lesson card's body, a
feedback's explanation) flows. A message's `text` (what notifications and lock screens show)
never carries a URL: links are in the blocks only.

Action ids, for the app to route by pattern:
- `mb:<i>`: a core button; its `value` is the button's opaque action (BUTTON_ACTION).
- `mb:link:<i>`: a URL button; Slack still sends an action, which only needs an ack.
- `mbq:toggle[:<g>]`: a multiple-answer check's checkboxes (10 options a group); ack only.
- `mbq:submit:<ref>`: submits those checkboxes; `value` is the question's ref, the choices are
  the checked options' values (0-based indices) in the payload's `state.values`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.joining import fewest_messages
from adapters.slack.formatting import (
    SECTION_LIMIT,
    clip_mrkdwn,
    escape,
    inline_mrkdwn,
    plain_text,
    split_mrkdwn,
    to_mrkdwn,
    to_plain,
    without_links,
)
from bot.markup import literal
from bot.replies import Announcement, AwardNotice, Button, Feedback, FeedbackWords, LessonCard, Picture, Question, Reply, Text

Block = dict[str, Any]
PictureLinks = Callable[[Picture], str | None]  # a lesson picture's public https address, if any

MAX_BLOCKS = 50
HOME_MAX_BLOCKS = 100
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
OPTION_TEXT = 75
CHECKBOX_OPTIONS = 10
HEADER_TEXT = 150
ALT_TEXT = 2000
ACTION_ID = 255
BUTTON_VALUE = 2000
URL_LIMIT = 3000
FALLBACK_CHARS = 500  # escaped, at most 5 × this: well within the 3000 allowed
TEXT_LIMIT = 3000  # a message's `text`

BUTTON_ACTION = re.compile(r"^mb:\d+$")
LINK_ACTION = re.compile(r"^mb:link:\d+$")
TOGGLE_ACTION = re.compile(r"^mbq:toggle(:\d+)?$")
SUBMIT_ACTION = re.compile(r"^mbq:submit:")
_SUBMIT_PREFIX = "mbq:submit:"
_TOGGLE = "mbq:toggle"
_INTERACTIVE = ("actions", "input")


@dataclass(frozen=True)
class SlackMessage:
    text: str  # notification fallback: escaped, unformatted, no URL, at most 3000 characters
    blocks: list[Block]


# --- Blocks and elements --------------------------------------------------------------------


def mrkdwn(text: str) -> Block:
    # verbatim: no automatic parsing, so "@channel" or "#general" typed by an author stays text.
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def plain(text: str, limit: int) -> Block:
    return {"type": "plain_text", "text": plain_text(text, limit) or "…", "emoji": True}


def section_blocks(text: str) -> list[Block]:
    """mrkdwn as section blocks of at most 3000 characters each."""
    return [{"type": "section", "text": mrkdwn(part)} for part in split_mrkdwn(text, SECTION_LIMIT)]


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(clip_mrkdwn(text, SECTION_LIMIT))]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_TEXT)}


def image(url: str | None, alt: str, title: str | None = None) -> list[Block]:
    """An image block, or none: Slack fetches the image itself, so only public https URLs."""
    if not url or not url.startswith("https://") or len(url) > URL_LIMIT:
        return []
    block: Block = {"type": "image", "image_url": url, "alt_text": plain_text(alt, ALT_TEXT) or "Image"}
    if title and title.strip():
        block["title"] = plain(title, ALT_TEXT)
    return [block]


def button(label: str, action_id: str, *, value: str | None = None, url: str | None = None, style: str | None = None) -> Block:
    element: Block = {"type": "button", "text": plain(label, BUTTON_TEXT), "action_id": action_id[:ACTION_ID]}
    if value is not None:
        if not value or len(value) > BUTTON_VALUE:
            raise ValueError(f"button value must be 1 to {BUTTON_VALUE} characters: {value[:80]!r}")
        element["value"] = value
    if url is not None:
        element["url"] = url
    if style is not None:
        element["style"] = style
    return element


def core_buttons(buttons: tuple[Button, ...], *, primary_first: bool = False) -> list[Block]:
    """The core's buttons; the action travels in `value`, the id is only unique and routable."""
    return [button(b.label, f"mb:{i}", value=b.action, style=_style(b, primary=primary_first and i == 0)) for i, b in enumerate(buttons)]


def _style(core_button: Button, *, primary: bool) -> str | None:
    """Slack's red for a button that cannot be undone, green for the way forward."""
    if core_button.destructive:
        return "danger"
    return "primary" if primary else None


def link_buttons(links: tuple[tuple[str, str | None], ...]) -> list[Block]:
    """URL buttons for the http(s) links present; anything else is no button."""
    usable = [(label, url) for label, url in links if _web_url(url)]
    return [button(label, f"mb:link:{i}", url=url) for i, (label, url) in enumerate(usable)]


def actions(elements: list[Block]) -> list[Block]:
    """Elements in actions blocks of at most 25 each (Slack's limit per block)."""
    return [{"type": "actions", "elements": elements[i : i + ACTIONS_ELEMENTS]} for i in range(0, len(elements), ACTIONS_ELEMENTS)]


def _web_url(url: str | None) -> bool:
    return url is not None and url.lower().startswith(("https://", "http://")) and len(url) <= URL_LIMIT


# --- Messages -------------------------------------------------------------------------------


def messages(body: list[Block], tail: list[Block], fallback: str) -> list[SlackMessage]:
    """Blocks as messages of at most 50 blocks. The `tail` (buttons, checkboxes) stays in one
    message when it fits: a submit button reads only its own message's checkbox state."""
    pages = _chunks(body, MAX_BLOCKS)
    if pages and len(pages[-1]) + len(tail) <= MAX_BLOCKS:
        pages[-1] = pages[-1] + tail
    else:
        pages += _chunks(tail, MAX_BLOCKS)
    text = escape(plain_text(without_links(fallback), FALLBACK_CHARS)) or "…"
    return [SlackMessage(text, page) for page in pages]


def _chunks(blocks: list[Block], size: int) -> list[list[Block]]:
    return [blocks[i : i + size] for i in range(0, len(blocks), size)]


def chat_messages(replies: list[Reply], links: PictureLinks | None = None) -> list[SlackMessage]:
    """Replies as the fewest messages that read the same: Slack lets an app post about one
    message a second in a channel, so a message without buttons goes into the one after it (a
    lesson's header with its first card, feedback with what follows, a summary with the next
    step) when both fit in one message. Buttons and checkboxes stay under their text (a Submit
    button reads only its own message's checkboxes), so nothing is joined after them."""
    return fewest_messages(replies, lambda reply: render(reply, links), joined_message)


def joined_message(first: SlackMessage, second: SlackMessage) -> SlackMessage | None:
    if any(block.get("type") in _INTERACTIVE for block in first.blocks):
        return None
    text = f"{first.text}\n{second.text}"
    if len(first.blocks) + len(second.blocks) > MAX_BLOCKS or len(text) > TEXT_LIMIT:
        return None
    return SlackMessage(text, [*first.blocks, *second.blocks])


def render(reply: Reply, links: PictureLinks | None = None) -> list[SlackMessage]:
    """`links` gives a lesson picture's public address (adapters/media.py); without one a
    picture is said in words."""
    match reply:
        case Text():
            body = section_blocks(to_mrkdwn(reply.text, breaks=True))
            return messages(body, actions(core_buttons(reply.buttons)), to_plain(reply.text))
        case LessonCard():
            return lesson_card(reply, links)
        case Question():
            return question(reply)
        case Feedback():
            return feedback(reply)
        case AwardNotice():
            return award(reply)
        case Announcement():
            return announcement(reply)
    raise TypeError(f"cannot render {type(reply).__name__}")


def lesson_card(reply: LessonCard, links: PictureLinks | None = None) -> list[SlackMessage]:
    where = context(f"{inline_mrkdwn(reply.lesson_title)} · {reply.position}/{reply.total}")
    text = _paragraphs(inline_mrkdwn(reply.title, bold=True), to_mrkdwn(reply.body))
    tail = actions(core_buttons(reply.buttons, primary_first=True))
    pictures = [block for picture in reply.pictures for block in picture_blocks(picture, links)]
    return messages([where, *section_blocks(text), *pictures], tail, f"{to_plain(reply.title)} ({reply.position}/{reply.total})")


def picture_blocks(picture: Picture, links: PictureLinks | None) -> list[Block]:
    """An image block (Slack fetches the picture from its public address; its caption is the
    block's title, its alt text the block's alt_text), or, with no address Slack could fetch,
    the picture in words, so the message is never refused for an image Slack cannot download."""
    shown = image(links(picture) if links else None, picture.alt, picture.caption)
    if shown:
        return shown
    # Alt text and caption are plain text: read as typed, never as formatting.
    words = f"🖼 {inline_mrkdwn(literal(picture.alt))}" + (f" ({inline_mrkdwn(literal(picture.caption))})" if picture.caption else "")
    return [context(words)]


def question(reply: Question) -> list[SlackMessage]:
    """Single answer: one button per option. Multiple answers (or no option actions): checkboxes
    and a Submit button. Options are spelled out in full above, so a trimmed label loses nothing."""
    as_buttons = not reply.multiple and len(reply.option_actions) == len(reply.options)
    head = f"❓ {inline_mrkdwn(reply.question, bold=True)} _({reply.position}/{reply.total})_"
    options = "\n".join(f"{i}) {inline_mrkdwn(option)}" for i, option in enumerate(reply.options, start=1))
    words = reply.words
    hint = words.tap if as_buttons else words.tick_several if reply.multiple else words.tick_one
    body = section_blocks(_paragraphs(head, options, f"_{escape(hint)}_"))
    tail = _option_buttons(reply) if as_buttons else _checkboxes(reply)
    return messages(body, tail, to_plain(reply.question))


def _option_label(number: int, option: str, limit: int) -> str:
    return plain_text(f"{number}) {to_plain(option)}", limit)


def _option_buttons(reply: Question) -> list[Block]:
    return actions(
        [
            button(_option_label(i + 1, option, BUTTON_TEXT), f"mb:{i}", value=action)
            for i, (option, action) in enumerate(zip(reply.options, reply.option_actions, strict=False))
        ]
    )


def _checkboxes(reply: Question) -> list[Block]:
    """Checkbox groups of at most 10 options (Slack's limit), each option's value its index."""
    groups = []
    for g in range(0, len(reply.options), CHECKBOX_OPTIONS):
        options = [
            {"text": plain(_option_label(i + 1, reply.options[i], OPTION_TEXT), OPTION_TEXT), "value": str(i)}
            for i in range(g, min(g + CHECKBOX_OPTIONS, len(reply.options)))
        ]
        action_id = _TOGGLE if g == 0 else f"{_TOGGLE}:{g // CHECKBOX_OPTIONS}"
        groups.append({"type": "checkboxes", "action_id": action_id, "options": options})
    submit = button(reply.words.submit_answer, _SUBMIT_PREFIX + reply.ref, value=reply.ref, style="primary")
    return [*({"type": "actions", "elements": [group]} for group in groups), *actions([submit])]


def answered_question(message_blocks: list[Block], chosen_label: str, words: FeedbackWords | None = None) -> list[Block]:
    """The question message as it should read once answered: no buttons, checkboxes or section
    accessories left to press again, and a line saying what was chosen (in the answer's
    feedback's words, English without them)."""
    kept: list[Block] = []
    for block in message_blocks:
        if block.get("type") in _INTERACTIVE:
            continue
        block = copy.deepcopy(block)
        block.pop("accessory", None)
        kept.append(block)
    said = (words or FeedbackWords()).your_answer
    answer = context(escape(said).format(answer=escape(" ".join(chosen_label.split()))))
    return [*kept[: MAX_BLOCKS - 1], answer]


def feedback(reply: Feedback) -> list[SlackMessage]:
    words = reply.words
    if reply.correct:
        head, fallback = f"✅ *{escape(words.correct)}*", words.correct
    else:
        answer = "; ".join(inline_mrkdwn(option) for option in reply.correct_options)
        head, fallback = f"❌ *{escape(words.not_quite)}* " + escape(words.the_answer).format(answer=answer), words.not_quite
    body = section_blocks(_paragraphs(head, to_mrkdwn(reply.explanation), separator="\n"))
    return messages(body, actions(core_buttons(reply.buttons)), fallback)


def award(reply: AwardNotice) -> list[SlackMessage]:
    """The text, the badge image (https only), and the credential links as URL buttons; a link
    that cannot be a button is written out."""
    links = ((reply.words.view, reply.page_url), (reply.words.add_to_linkedin, reply.linkedin_url))
    text = _paragraphs(to_mrkdwn(reply.text, breaks=True), *_written_out(links), separator="\n")
    tail = [*image(reply.image_url, reply.title, reply.title), *actions([*link_buttons(links), *core_buttons(reply.buttons)])]
    return messages(section_blocks(text), tail, to_plain(reply.text) or reply.title)


def announcement(reply: Announcement) -> list[SlackMessage]:
    """Team channel: the text, the badge image and the public credential page, nothing else."""
    links = (("See the credential", reply.page_url),)
    text = _paragraphs(to_mrkdwn(reply.text, breaks=True), *_written_out(links), separator="\n")
    tail = [*image(reply.image_url, to_plain(reply.text) or "Credential badge"), *actions(link_buttons(links))]
    return messages(section_blocks(text), tail, to_plain(reply.text))


def _written_out(links: tuple[tuple[str, str | None], ...]) -> list[str]:
    """Links that cannot be URL buttons (not http(s), or too long), as text."""
    return [f"{escape(label)}: {escape(url)}" for label, url in links if url and not _web_url(url)]


def _paragraphs(*texts: str, separator: str = "\n\n") -> str:
    return separator.join(text for text in texts if text)


# --- App Home -------------------------------------------------------------------------------


def home_view(sections: list[tuple[str, str]], buttons: tuple[Button, ...], title: str = "Your learning") -> dict[str, Any]:
    """The App Home tab: a header, each (title, Markdown) section under its own header, and the
    buttons; within Slack's 100 blocks, later sections giving way to the buttons."""
    tail = actions(core_buttons(buttons))
    body: list[Block] = [header(title)]
    for title, markdown in sections:
        body += [*([header(title)] if title.strip() else []), *section_blocks(to_mrkdwn(markdown, breaks=True)), {"type": "divider"}]
    body = body[: max(HOME_MAX_BLOCKS - len(tail), 1)]
    while len(body) > 1 and body[-1]["type"] == "header":  # a title whose text was cut off
        body.pop()
    return {"type": "home", "blocks": [*body, *tail][:HOME_MAX_BLOCKS]}
