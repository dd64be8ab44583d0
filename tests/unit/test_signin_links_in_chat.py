"""A manager's sign-in link reaches them whole: the /team reply is Markdown, and a token that
Markdown could read as emphasis (`_` or `-` next to punctuation) would break the link."""

from __future__ import annotations

import html
import re

from adapters.console.render import plain
from adapters.slack.formatting import to_mrkdwn
from adapters.telegram.formatting import to_html
from bot.team import new_token, summary_text

BASE = "https://learn.example.com"


def test_thousands_of_sign_in_links_arrive_intact_on_every_platform():
    broken = []
    for _ in range(20_000):  # about 7 of 20,000 URL-safe base64 tokens came out broken
        link = f"{BASE}/dashboard/signin?token={new_token()}"
        text = summary_text([], link)
        shown = {
            "telegram": html.unescape(re.sub(r"<[^>]+>", "", to_html(text, breaks=True))),
            "slack": to_mrkdwn(text, breaks=True),
            "console": plain(text),
        }
        broken += [(platform, link) for platform, out in shown.items() if link not in out]
    assert broken == []
