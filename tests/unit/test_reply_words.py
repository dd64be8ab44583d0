"""The words a platform puts around a reply (a check's hint, the verdict, a credential's links)
come with the reply, said by the core in the learner's language: English as written for an
English learner (what every renderer said before), German for a German one; and they survive
the delivery journal, where a reply journalled before it had words is said in English."""

from __future__ import annotations

from dataclasses import replace

from bot.i18n import SOURCE, Translators
from bot.replies import (
    AwardNotice,
    AwardWords,
    CardWords,
    Feedback,
    FeedbackWords,
    LessonCard,
    Question,
    QuestionWords,
    reply_from_json,
    reply_to_json,
    said_in,
)

GERMAN = Translators.load().of("de")


def test_english_words_are_the_words_as_written() -> None:
    for words in (QuestionWords(), FeedbackWords(), CardWords(), AwardWords()):
        assert said_in(words, SOURCE) == words
        assert said_in(words, Translators.load().of("en")) == words


def test_german_words_are_german() -> None:
    question, feedback = said_in(QuestionWords(), GERMAN), said_in(FeedbackWords(), GERMAN)
    assert (question.tap, question.submit, question.position.format(position=3, total=4)) == (
        "Tippe auf deine Antwort.",
        "Absenden",
        "Frage 3 von 4",
    )
    verdict = (feedback.correct, feedback.not_quite, feedback.the_answer.format(answer="Zwei"))
    assert verdict == ("Richtig!", "Nicht ganz.", "Die Antwort: Zwei")
    assert said_in(AwardWords(), GERMAN).add_to_linkedin == "Zu LinkedIn hinzufügen"
    assert said_in(CardWords(), GERMAN).file.format(path="media/x.png") == "Datei: media/x.png (im Inhaltsordner)"


def test_the_words_survive_the_journal_and_a_reply_journalled_without_them_is_english() -> None:
    replies: list[Question | Feedback | LessonCard | AwardNotice] = [
        Question("1.2", "Wie viele?", ("Eins", "Zwei"), False, 3, 4, ("a", "b"), 1, said_in(QuestionWords(), GERMAN)),
        Feedback(False, "Weil.", ("Zwei",), words=said_in(FeedbackWords(), GERMAN)),
        LessonCard("Gezeiten", "Zwei Tiden", "Text", 1, 4, words=said_in(CardWords(), GERMAN)),
        AwardNotice("Decksmann", "Text", words=said_in(AwardWords(), GERMAN)),
    ]
    for reply in replies:
        assert reply_from_json(reply_to_json(reply)) == reply
        journalled_before = {name: value for name, value in reply_to_json(reply).items() if name != "words"}
        english: object = type(reply.words)()
        assert reply_from_json(journalled_before) == replace(reply, words=english)  # type: ignore[arg-type]
