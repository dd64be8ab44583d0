"""Markdown as Slack mrkdwn: escaped so author text never pings anyone, split to fit sections."""

from __future__ import annotations

import random
import re

import pytest

from adapters.slack.formatting import (
    clip_mrkdwn,
    escape,
    inline_mrkdwn,
    length,
    plain_text,
    split_mrkdwn,
    to_mrkdwn,
    to_plain,
    without_links,
)
from bot.markup import literal

ENTITY = re.compile(r"&(amp|lt|gt);")
LINK = re.compile(r"<[^<>]*>")
QUOTE = re.compile(r"^>", re.MULTILINE)


def ink(text: str) -> str:
    """The visible characters of `text`, without fence markers a split may add or drop."""
    return "".join(text.replace("```", " ").split())


def assert_well_formed(part: str) -> None:
    """Every `<` opens a whole link, every `&` starts an entity, fences and code spans close."""
    rest = QUOTE.sub("", LINK.sub("", part))
    assert "<" not in rest and ">" not in rest, part
    assert all(ENTITY.match(part, m.start()) for m in re.finditer("&", part)), part
    assert part.count("```") % 2 == 0, part
    outside = re.sub(r"```.*?```", "", part, flags=re.DOTALL)
    assert outside.count("`") % 2 == 0, part


def assert_split_well(text: str, limit: int, *, whole_pieces: bool = True) -> list[str]:
    """Split `text` and check the parts. `whole_pieces`: every link and entity fits a part, so
    none may be cut (with a limit below a link's length, it has to be)."""
    parts = split_mrkdwn(text, limit)
    assert all(part.strip() for part in parts), "empty part"
    assert all(length(part) <= limit for part in parts)
    for part in parts:
        assert part.count("```") % 2 == 0, part
        if whole_pieces:
            assert_well_formed(part)
    assert ink("".join(parts)) == ink(text), "text lost or changed"
    return parts


# --- escaping -------------------------------------------------------------------------------


def test_escape_is_slacks_three_characters_only():
    assert escape('Ann <& "Bob\'s"> *x* _y_') == 'Ann &lt;&amp; "Bob\'s"&gt; *x* _y_'


def test_author_text_cannot_mention_anyone():
    shown = to_mrkdwn("Hi <!channel>, <!here> and <@U123> in <#C42>: a & b")
    assert shown == "Hi &lt;!channel&gt;, &lt;!here&gt; and &lt;@U123&gt; in &lt;#C42&gt;: a &amp; b"


def test_raw_html_is_shown_as_text():
    assert to_mrkdwn("<script>alert(1)</script> 5 < 6 > 4") == ("&lt;script&gt;alert(1)&lt;/script&gt; 5 &lt; 6 &gt; 4")


def test_code_is_escaped_too():
    assert to_mrkdwn("`a <b> & c`") == "`a &lt;b&gt; &amp; c`"
    assert to_mrkdwn("```\n<!channel> & x\n```") == "```\n&lt;!channel&gt; &amp; x\n```"


# --- Markdown -> mrkdwn -------------------------------------------------------------------


def test_inline_formatting():
    markdown = "Some **bold**, *italic*, _also_, ~~gone~~ and `x`."
    assert to_mrkdwn(markdown) == "Some *bold*, _italic_, _also_, ~gone~ and `x`."


def test_a_style_inside_the_same_style_adds_no_markers():
    assert to_mrkdwn("# Use **this** one") == "*Use this one*"
    assert to_mrkdwn("***both***") == "_*both*_"


def test_soft_wrapped_lines_flow_and_paragraphs_are_separated_by_a_blank_line():
    markdown = "A hazard in a walkway can hurt\nthe next person.\n\nSecond paragraph,  \nhard break."
    assert to_mrkdwn(markdown) == "A hazard in a walkway can hurt the next person.\n\nSecond paragraph,\nhard break."


def test_with_breaks_every_line_the_bot_writes_stays_a_line_indentation_included():
    markdown = "**Your settings**\nTimezone: Europe/Berlin\n   still needs: Knots\n\n> why:\n> because\n\n- a\n  b"
    assert to_mrkdwn(markdown, breaks=True) == (
        "*Your settings*\nTimezone: Europe/Berlin\n   still needs: Knots\n\n> why:\n> because\n\n• a\n    b"
    )
    assert to_mrkdwn("wrapped\n  line") == "wrapped line"


def test_text_from_people_is_never_a_link_a_mention_or_formatting():
    """What `literal` escaped is that character: not part of a bare URL, and a marker Slack could
    read is shown by a look-alike (mrkdwn has no escapes); between letters it stays itself."""

    def shown(name: str) -> str:
        return to_mrkdwn(f"Hi {literal(name)}!")

    assert shown("[Claim prize](https://evil.example/phish)") == "Hi [Claim prize](https://evil.example/phish)!"
    assert shown("see https://evil.example/x") == "Hi see https://evil.example/x!"
    assert shown("*bold* _it_ ~gone~ `code`") == "Hi \u2217bold\u2217 \u02cdit\u02cd \u223cgone\u223c \u02cbcode\u02cb!"
    assert shown("ana_lima O*Neil") == "Hi ana_lima O*Neil!"
    assert shown("<!channel> & <@U1>") == "Hi &lt;!channel&gt; &amp; &lt;@U1&gt;!"
    assert to_plain(literal("*bold* <b>")) == "*bold* <b>", "plain text needs no look-alikes"
    # An author's own bare URL is still a link.
    assert to_mrkdwn("See https://example.org/a_b.") == "See <https://example.org/a_b>."


def test_text_without_links_leaves_every_url_out():
    text = "Dashboard (15 minutes): https://learn.example.com/dashboard/signin?token=abc_123 or www.example.org"
    assert without_links(text) == "Dashboard (15 minutes): (link) or (link)"
    assert without_links("mailto:a@b.c and ftp://host/x, done") == "(link) and (link) done"


def test_links_only_for_web_and_mail_schemes():
    assert to_mrkdwn("[site](https://example.org/a?b=1&c=2)") == "<https://example.org/a?b=1&amp;c=2|site>"
    assert to_mrkdwn("[me](mailto:a@b.c) [http](http://x.org)") == "<mailto:a@b.c|me> <http://x.org|http>"
    assert to_mrkdwn("[page](/relative) [f](ftp://x) [j](javascript:alert(1))") == "page f [j](javascript:alert(1))"


def test_link_text_cannot_break_out_of_the_link():
    shown = to_mrkdwn("[a|b > c](https://x.org/p|q)")
    assert shown == "<https://x.org/p%7Cq|a\u2223b &gt; c>"
    assert to_mrkdwn("<https://x.org>") == "<https://x.org|https://x.org>"


def test_bare_web_urls_are_linked_but_file_names_are_not():
    shown = to_mrkdwn("See https://x.org/a_b_c. Edit main.py.")
    assert shown == "See <https://x.org/a_b_c>. Edit main.py."


def test_image_becomes_its_alt_text_linked():
    assert to_mrkdwn("![A *diagram*](https://x.org/d.png)") == "<https://x.org/d.png|A _diagram_>"


def test_headings_are_bold_lines():
    assert to_mrkdwn("# Lockout\n\nText.\n\n## More") == "*Lockout*\nText.\n\n*More*"


def test_lists_with_nesting():
    markdown = "- one\n- two\n  - inner\n    1. deep\n- three\n\n3. third\n4. fourth"
    expected = "• one\n• two\n    • inner\n        1. deep\n• three\n\n3. third\n4. fourth"
    assert to_mrkdwn(markdown) == expected


def test_blockquotes_quote_every_line_and_nested_ones_flatten():
    assert to_mrkdwn("> Why:\n> because.") == "> Why: because."
    assert to_mrkdwn("> outer\n>\n> > inner") == "> outer\n>\n> inner"
    assert to_mrkdwn("> a  \n> b") == "> a\n> b"


def test_fenced_and_indented_code():
    assert to_mrkdwn("```python\nif a < b:\n    pass\n```") == "```\nif a &lt; b:\n    pass\n```"
    assert to_mrkdwn("    indented") == "```\nindented\n```"
    # A ``` inside the code must not end Slack's block.
    assert to_mrkdwn("````\n```\n````") == "```\n`\u200b``\n```"


def test_rule_emoji_and_unbalanced_markdown():
    assert to_mrkdwn("📘 **Title**\n\n---\n\nok") == "📘 *Title*\n\n———\n\nok"
    assert to_mrkdwn("**bold") == "**bold"


def test_plain_drops_all_formatting_and_escapes_nothing():
    assert to_plain("**Bold** [link](https://x.org) `a<b` & <!here>") == "Bold link a<b & <!here>"


def test_inline_mrkdwn_puts_short_markdown_on_one_bold_line():
    assert inline_mrkdwn("Tides **and** <waves>\nwrapped", bold=True) == "*Tides and &lt;waves&gt; wrapped*"
    assert inline_mrkdwn("a `b  c`") == "a `b  c`"
    assert inline_mrkdwn("```\ncode\n```", bold=True) == "```\ncode\n```"


def test_empty_input():
    assert to_mrkdwn("") == ""
    assert split_mrkdwn("") == []


# --- plain_text -----------------------------------------------------------------------------


def test_plain_text_trims_to_the_limit_with_an_ellipsis():
    assert plain_text("short  label\n", 75) == "short label"
    trimmed = plain_text("word " * 40, 75)
    assert len(trimmed) <= 75 and trimmed.endswith("…")
    assert plain_text("x" * 200, 150) == "x" * 149 + "…"


def test_plain_text_never_cuts_an_emoji():
    trimmed = plain_text("🎉" * 100, 75)
    assert trimmed == "🎉" * 37 + "…" and length(trimmed) == 75


# --- splitting ------------------------------------------------------------------------------


def lesson(size: int) -> str:
    rng = random.Random(7)
    vocabulary = ["lock", "tag", "verify", "isolate", "energy", "source", "before", "work", "starts", "<every>", "time", "&", "again"]
    paragraphs: list[str] = []
    while sum(len(p) + 2 for p in paragraphs) < size:
        sentence = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(20, 60))) + "."
        paragraphs.append(f"**Note:** [see](https://x.org/{len(paragraphs)}) {sentence}")
    paragraphs[3] = " ".join(["long"] * 1000)  # one paragraph longer than a section
    return "\n\n".join(paragraphs)


def test_a_short_text_is_one_part():
    assert split_mrkdwn("Hello *there*") == ["Hello *there*"]


def test_a_10000_character_lesson_splits_into_sections_with_nothing_lost():
    text = to_mrkdwn(lesson(10_000))
    assert len(text) > 10_000
    parts = assert_split_well(text, 3000)
    assert len(parts) >= 4


def test_cuts_prefer_paragraphs_then_lines_then_spaces():
    assert split_mrkdwn("aaaaaaa bbbbbbb\ncccc\n\ndddd eeee", 20) == ["aaaaaaa bbbbbbb\ncccc", "dddd eeee"]
    assert split_mrkdwn("aaaaaaa bbbbbbb\ncccc dddd eeee", 20) == ["aaaaaaa bbbbbbb", "cccc dddd eeee"]
    assert split_mrkdwn("aaaaaaa bbbbbbb cccc dddd eeee", 20) == ["aaaaaaa bbbbbbb cccc", "dddd eeee"]


def test_a_single_huge_word_still_splits():
    assert [len(part) for part in split_mrkdwn("x" * 7000)] == [3000, 3000, 1000]


def test_a_link_longer_than_the_limit_is_cut_rather_than_lost():
    text = f"<https://x.org/{'a' * 60}|t>"
    assert "".join(assert_split_well(text, 20, whole_pieces=False)) == text


def test_never_cuts_inside_a_link_an_entity_or_a_code_span():
    text = "x" * 30 + "<https://example.org/a|link text> &amp;&lt;&gt; `code span here` end"
    for limit in range(len("<https://example.org/a|link text>"), len(text) + 1):
        assert_split_well(text, limit)


def test_a_code_block_is_closed_and_reopened_across_a_cut():
    text = "intro\n\n```\n" + "\n".join(f"line {i}" for i in range(8)) + "\n```\nafter"
    parts = assert_split_well(text, 30)
    assert parts == [
        "intro",
        "```\nline 0\nline 1\nline 2\n```",
        "```\nline 3\nline 4\nline 5\n```",
        "```\nline 6\nline 7\n```\nafter",
    ]


def test_random_markdown_always_splits_well():
    rng = random.Random(1)
    atoms = [
        "word",
        "**bold words**",
        "`a < b`",
        "[link](https://x.org/q?a=1&b=2)",
        "<!channel>",
        "&",
        "🎉",
        "\n",
        "\n\n",
        "- item\n",
        "> quote\n",
        "\n```\ncode & <x>\nmore code\n```\n",
        "https://y.org/p",
    ]
    for _ in range(150):
        markdown = " ".join(rng.choice(atoms) for _ in range(rng.randint(1, 120)))
        text = to_mrkdwn(markdown)
        assert_split_well(text, 16, whole_pieces=False)  # shorter than a link: links get cut
        for limit in (40, 97, 3000):
            assert_split_well(text, limit)


def test_a_limit_too_small_for_fence_markers_is_refused():
    with pytest.raises(ValueError):
        split_mrkdwn("anything at all", 8)


def test_clip_keeps_the_best_first_part():
    assert clip_mrkdwn("short", 3000) == "short"
    assert clip_mrkdwn("word " * 10, 20) == "word word word word…"
