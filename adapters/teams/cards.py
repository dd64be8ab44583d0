"""Neutral replies as Teams messages: each an Adaptive Card (schema 1.5, what Teams renders on
desktop, web and mobile) whose buttons are `Action.Submit`s. A press comes back as a message
activity whose `value` is the button's data and whose `replyToId` is the card's id, so the card
can be updated to show what was chosen and nothing more to press (a check cannot be answered
twice).

A button's data carries the core's opaque action (`mb`), its label and the card's heading, so
that the answered card can be drawn again without keeping every card sent. A check with several
right answers is an `Input.ChoiceSet` of ticks and a Submit whose data names the check (`mb_answer`).

A lesson card's pictures are `Image` elements that Teams' clients fetch from the web app's public
address (adapters/media.py); with no address they could fetch (PUBLIC_URL not https, the file
gone), a picture is said in words, its alt text and caption."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from adapters.teams.formatting import plain, to_teams
from bot.replies import AwardNotice, Button, Feedback, LessonCard, Picture, Question, Reply, Text

JSON = dict[str, Any]
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
ACTION, ANSWER, CHOICES = "mb", "mb_answer", "mb_choices"
HEADING = 120  # characters of a card's heading kept in its buttons' data
TITLE = 80  # characters of a button's title (Teams shows about this many)
PictureLinks = Callable[[Picture], str | None]  # a lesson picture's public https address, if any


def _text(text: str, **style: Any) -> JSON:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _submit(button: Button, heading: str) -> JSON:
    action: JSON = {
        "type": "Action.Submit",
        "title": _short(button.label, TITLE),
        "data": {ACTION: button.action, "label": button.label, "heading": heading},
    }
    if button.destructive:
        action["style"] = "destructive"
    return action


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def card(body: list[JSON], actions: Sequence[JSON] = (), *, summary: str = "") -> JSON:
    """A message activity carrying one Adaptive Card; `summary` is what notifications show."""
    content: JSON = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        content["actions"] = list(actions)
    activity: JSON = {"type": "message", "attachments": [{"contentType": ADAPTIVE_CARD, "content": content}]}
    if summary:
        activity["summary"] = _short(summary, 200)
    return activity


def render(reply: Reply, links: PictureLinks | None = None) -> JSON:
    """One reply for the learner's chat (an Announcement too: for the team channel). `links`: a
    lesson picture's public address; without one, pictures are said in words."""
    if isinstance(reply, Text):
        heading = _short(reply.text.splitlines()[0] if reply.text else "", HEADING)
        return card([_text(to_teams(reply.text, breaks=True))], [_submit(b, heading) for b in reply.buttons], summary=heading)
    if isinstance(reply, LessonCard):
        heading = _short(f"{reply.lesson_title}: {reply.title}", HEADING)
        body = [
            _text(f"{plain(reply.lesson_title)} · {reply.position}/{reply.total}", size="Small", isSubtle=True),
            _text(plain(reply.title), weight="Bolder", size="Medium"),
            _text(to_teams(reply.body)),
            *(element for picture in reply.pictures for element in _picture(picture, links)),
        ]
        return card(body, [_submit(b, heading) for b in reply.buttons], summary=heading)
    if isinstance(reply, Question):
        return _question(reply)
    if isinstance(reply, Feedback):
        words = reply.words
        verdict = f"✅ {plain(words.correct_calm)}" if reply.correct else f"❌ {plain(words.not_quite)}"
        body = [_text(verdict, weight="Bolder")]
        if not reply.correct and reply.correct_options:
            body.append(_text(plain(words.right_answer).format(answer="; ".join(plain(option) for option in reply.correct_options))))
        if reply.explanation:
            body.append(_text(to_teams(reply.explanation)))
        return card(body, [_submit(b, verdict) for b in reply.buttons], summary=verdict)
    if isinstance(reply, AwardNotice):
        body = [_text(plain(reply.title), weight="Bolder", size="Medium"), _text(to_teams(reply.text, breaks=True))]
        if reply.image_url:
            alt = reply.words.badge_image.format(title=reply.title)
            body.append({"type": "Image", "url": reply.image_url, "altText": alt, "size": "Medium"})
        actions: list[JSON] = []
        if reply.page_url:
            actions.append({"type": "Action.OpenUrl", "title": reply.words.verify, "url": reply.page_url})
        if reply.linkedin_url:
            actions.append({"type": "Action.OpenUrl", "title": reply.words.add_to_linkedin, "url": reply.linkedin_url})
        actions.extend(_submit(b, reply.title) for b in reply.buttons)
        return card(body, actions, summary=reply.title)
    # An Announcement, for the team channel: never a learner's answers, only the public page.
    body = [_text(to_teams(reply.text, breaks=True))]
    if reply.image_url:
        body.append({"type": "Image", "url": reply.image_url, "altText": "The badge", "size": "Small"})
    see = [{"type": "Action.OpenUrl", "title": "See the badge", "url": reply.page_url}] if reply.page_url else []
    return card(body, see, summary=reply.text.splitlines()[0] if reply.text else "")


def _picture(picture: Picture, links: PictureLinks | None) -> list[JSON]:
    """The picture, its caption under it; or, where Teams could not fetch it, both in words."""
    url = links(picture) if links else None
    caption = [_text(plain(picture.caption), size="Small", isSubtle=True)] if picture.caption else []
    if url is None:
        return [_text(f"🖼 {plain(picture.alt)}"), *caption]
    return [{"type": "Image", "url": url, "altText": picture.alt, "size": "Stretch"}, *caption]


def _question(question: Question) -> JSON:
    heading = _short(question.question, HEADING)
    words = question.words
    body = [
        _text(plain(words.position).format(position=question.position, total=question.total), size="Small", isSubtle=True),
        _text(to_teams(question.question), weight="Bolder"),
    ]
    if question.multiple or not question.option_actions:
        body.append(_text(plain(words.tick_right if question.multiple else words.pick_one), isSubtle=True))
        choices = [{"title": option, "value": str(i)} for i, option in enumerate(question.options)]  # plain text there, not Markdown
        body.append({"type": "Input.ChoiceSet", "id": CHOICES, "isMultiSelect": question.multiple, "style": "expanded", "choices": choices})
        data = {ANSWER: question.ref, "heading": heading, "options": [_short(option, TITLE) for option in question.options]}
        submit = {"type": "Action.Submit", "title": words.submit, "data": data}
        return card(body, [submit], summary=heading)
    # One right answer: one button per option, as on Slack and Telegram.
    buttons = [Button(label=option, action=action) for option, action in zip(question.options, question.option_actions, strict=True)]
    return card(body, [_submit(b, heading) for b in buttons], summary=heading)


def answered(heading: str, chosen: str) -> JSON:
    """The pressed card, drawn again without its buttons: its heading and what was chosen."""
    body = [_text(plain(heading), weight="Bolder")] if heading else []
    body.append(_text(f"➡️ {plain(chosen)}", isSubtle=True))
    return card(body, summary=heading)
