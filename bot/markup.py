"""Text from people inside the bot's Markdown.

Replies are Markdown (see bot/replies.py), but a name, a team name or anything else a person
typed is not: `[Claim prize](https://evil.example/phish)` as a display name must reach every
chat as those characters, never as a link. `literal` turns such text into Markdown that reads
exactly as typed: every ASCII punctuation character is backslash-escaped (CommonMark lets any
of them be escaped, and the escape reads as the character itself), and line breaks become
spaces, so a name cannot start a heading, a list or a new paragraph either."""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\v\f]+")


def literal(text: str) -> str:
    """`text` (from a person) as Markdown that renders as exactly that text, on one line."""
    return _PUNCTUATION.sub(r"\\\1", _LINE_BREAKS.sub(" ", text))
