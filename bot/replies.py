"""Platform-neutral replies. Text is Markdown; adapters render it natively and escape it for
their platform.

Line breaks: what the bot composes (`Text.text`, `AwardNotice.text`, `Announcement.text`,
`Home` sections) is written line by line, so every single line break in it is kept as a line
break on every platform. What authors write in lesson files (`LessonCard.body`,
`Feedback.explanation`) is wrapped in their editor, so there a single line break is soft and the
text flows; a blank line starts a new paragraph everywhere.

Text from people (names, team names) is put into the Markdown through `bot.markup.literal`, so
it reads as typed and is never a link or formatting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bot.i18n import N_

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # opaque to adapters, at most 64 bytes (Telegram's callback_data limit)
    # Cannot be undone (deleting the learner's data): adapters make it look dangerous, and the
    # console presses it only when its word is typed, never by a number or Enter.
    destructive: bool = False


@dataclass(frozen=True)
class Text:
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class Picture:
    """A picture of a lesson card: a PNG or JPEG under the content folder's media/ (checked by
    `content check` against every platform's limits). Adapters upload the file (`path`, relative
    to the content folder) or link it at the web app's public /media/ address, versioned by
    `digest` (adapters/media.py). `alt` is for people who cannot see it; `caption`, possibly
    empty, is shown under it."""

    path: str  # "media/isolator.png"
    alt: str
    caption: str
    media_type: str  # "image/png" or "image/jpeg"
    width: int  # pixels
    height: int
    digest: str  # the file's sha256, first 12 hex digits: changes when the picture is redrawn


class _Says(Protocol):
    def gettext(self, message: str) -> str: ...


W = TypeVar("W", bound="DataclassInstance")  # a reply's words: QuestionWords, FeedbackWords, ...


def said_in(words: W, t: _Says) -> W:
    """The words as `t` says them (the learner's Translator): the core fills a reply's words
    with this, and an adapter only lays them out. The defaults are English, as written."""
    return type(words)(**{f.name: t.gettext(getattr(words, f.name)) for f in fields(words)})


@dataclass(frozen=True)
class CardWords:
    """What a platform that cannot show a picture says in its place (the console)."""

    picture: str = N_("Picture: {alt}")
    caption: str = N_("Caption: {caption}")
    file: str = N_("File: {path} (in the content folder)")


@dataclass(frozen=True)
class LessonCard:
    """One card of a lesson: one chat message with a Next button, and its pictures, if any,
    shown with it in the order the author wrote them."""

    lesson_title: str
    title: str
    body: str
    position: int  # 1-based among the lesson's steps
    total: int
    buttons: tuple[Button, ...] = ()
    pictures: tuple[Picture, ...] = ()
    words: CardWords = field(default_factory=CardWords)


@dataclass(frozen=True)
class QuestionWords:
    """The words a platform puts around a check, by how it lets the learner answer: a position
    label, a hint line, a Submit button. Templates: `{position}`, `{total}` filled by the adapter."""

    position: str = N_("Check {position} of {total}")
    tap: str = N_("Tap your answer.")  # one button per option
    poll_several: str = N_("Pick every correct option in the poll below.")  # a poll that takes several
    poll_question_several: str = N_("Pick every correct option")  # a poll's own short question
    poll_question_one: str = N_("Your answer")
    tick_several: str = N_("Tick every correct option, then Submit.")  # checkboxes (Slack)
    tick_one: str = N_("Tick your answer, then Submit.")
    tick_right: str = N_("Tick every right answer, then Submit.")  # a choice set (Teams)
    pick_one: str = N_("Pick one, then Submit.")
    submit: str = N_("Submit")
    submit_answer: str = N_("Submit answer")
    type_numbers: str = N_("Type the numbers of every correct option, e.g. 1,3")  # a terminal
    type_number: str = N_("Type the number of your answer")


@dataclass(frozen=True)
class Question:
    """A micro-check. Answer with `events.Answer(ref=self.ref, choices=...)` (0-based option
    indices), or with the option buttons' actions for single-answer questions."""

    ref: str
    question: str
    options: tuple[str, ...]
    multiple: bool  # pick every correct option
    position: int
    total: int
    option_actions: tuple[str, ...] = ()  # one button action per option (single answer)
    correct_option: int | None = None  # for quiz polls; None for multiple choice
    words: QuestionWords = field(default_factory=QuestionWords)


@dataclass(frozen=True)
class FeedbackWords:
    """The verdict's words; `{answer}` is filled by the adapter with the right options, escaped
    for its platform."""

    correct: str = N_("Correct!")
    correct_calm: str = N_("Correct.")  # where a card already stands out (Teams)
    not_quite: str = N_("Not quite.")
    the_answer: str = N_("The answer: {answer}")
    right_answer: str = N_("The right answer: {answer}")
    your_answer: str = N_("Your answer: {answer}")  # under an answered check (Slack)


@dataclass(frozen=True)
class Feedback:
    correct: bool
    explanation: str
    correct_options: tuple[str, ...]
    buttons: tuple[Button, ...] = ()
    words: FeedbackWords = field(default_factory=FeedbackWords)


@dataclass(frozen=True)
class AwardWords:
    """The credential's links as each platform labels them. `{title}`, `{url}`: filled by the adapter."""

    view_and_share: str = N_("View and share your credential")
    view: str = N_("View credential")
    verify: str = N_("Verify it")
    add_to_linkedin: str = N_("Add to LinkedIn")
    badge_image: str = N_("The badge: {title}")
    page_line: str = N_("Your credential, with its badge image and signed file: {url}")
    linkedin_line: str = N_("Add it to LinkedIn: {url}")


@dataclass(frozen=True)
class AwardNotice:
    """A badge or certificate the learner just earned or renewed, for the learner's own chat:
    shown with its image, a link to its public page and an add-to-LinkedIn link. The links are
    None when credentials are not signed (no issuer configured)."""

    title: str
    text: str  # Markdown: what was earned, how long it is valid, the next step
    credential_id: str | None = None  # the award's public id (its page, its baked image)
    page_url: str | None = None
    image_url: str | None = None  # PNG with the credential baked in
    linkedin_url: str | None = None
    buttons: tuple[Button, ...] = ()
    words: AwardWords = field(default_factory=AwardWords)


@dataclass(frozen=True)
class Announcement:
    """A message for the team channel (TELEGRAM_ANNOUNCE_CHAT, SLACK_ANNOUNCE_CHANNEL), not for the learner's chat.
    Never carries a learner's answers; links only to the public credential page."""

    text: str
    page_url: str | None = None
    image_url: str | None = None


@dataclass(frozen=True)
class Home:
    """A learner's home screen (Slack's App Home): titled Markdown sections and the next step."""

    sections: tuple[tuple[str, str], ...]
    buttons: tuple[Button, ...]
    title: str = N_("Your learning")  # its heading, in the learner's language


Reply = Text | LessonCard | Question | Feedback | AwardNotice | Announcement


# --- Replies as JSON: kept in the delivery journal until they are sent ---------------------

_KINDS: dict[str, type] = {kind.__name__: kind for kind in (Text, LessonCard, Question, Feedback, AwardNotice, Announcement)}


_ITEMS: dict[str, type] = {"buttons": Button, "pictures": Picture}  # fields that hold values, not strings
_WORDS: dict[str, type] = {"LessonCard": CardWords, "Question": QuestionWords, "Feedback": FeedbackWords, "AwardNotice": AwardWords}


def reply_to_json(reply: Reply) -> dict[str, object]:
    return {"kind": type(reply).__name__, **asdict(reply)}


def reply_from_json(data: Mapping[str, Any]) -> Reply:
    given = dict(data)
    name_of_kind = str(given.pop("kind"))
    kind = _KINDS[name_of_kind]
    values = {
        name: tuple(_ITEMS[name](**item) for item in value) if name in _ITEMS else tuple(value) if isinstance(value, list) else value
        for name, value in given.items()
        if name != "words"
    }
    if "words" in given:  # a reply journalled before it had words is said in English
        values["words"] = _WORDS[name_of_kind](**given["words"])
    reply: Reply = kind(**values)
    return reply
