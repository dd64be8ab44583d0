"""Markdown as Telegram HTML: only the tags Telegram knows, always escaped, split to fit."""

from __future__ import annotations

import html
import random
from html.parser import HTMLParser

from adapters.telegram.formatting import escape, plain_length, split_html, to_html

ALLOWED_TAGS = {"b", "i", "u", "s", "code", "pre", "a", "blockquote", "tg-spoiler"}
ENTITIES = {"lt", "gt", "amp", "quot"}
SCHEMES = ("http://", "https://", "tg://", "mailto:")
SEPARATORS = ("\n\n", "\n", " ", "")


class TelegramHtml(HTMLParser):
    """Fails on anything Telegram's HTML parse mode would reject; collects the plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED_TAGS, tag
        assert not {"pre", "code"} & set(self.stack) or (tag == "code" and self.stack[-1] == "pre")
        assert not (tag == "blockquote" and "blockquote" in self.stack), "nested blockquote"
        if tag == "a":
            assert len(attrs) == 1 and attrs[0][0] == "href" and (attrs[0][1] or "").startswith(SCHEMES)
        elif tag == "code" and attrs:
            assert self.stack[-1:] == ["pre"] and len(attrs) == 1
            assert attrs[0][0] == "class" and (attrs[0][1] or "").startswith("language-")
        else:
            assert attrs == [], attrs
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack}"
        self.stack.pop()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise AssertionError(f"self-closing <{tag}/>")

    def handle_data(self, data: str) -> None:
        assert not {"<", ">", "&"} & set(data), f"unescaped in {data!r}"
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        assert name in ENTITIES, name
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        raise AssertionError(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        raise AssertionError(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        raise AssertionError(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        raise AssertionError(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        raise AssertionError(f"declaration {data!r}")


def checked(markup: str) -> str:
    """Assert `markup` is valid Telegram HTML and return its plain text."""
    parser = TelegramHtml()
    parser.feed(markup)
    parser.close()
    assert parser.stack == [], f"unclosed {parser.stack}"
    return "".join(parser.text)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def joins_back(whole: str, parts: list[str]) -> bool:
    """True when `parts` joined with one cut separator each give exactly `whole` (a cut may
    also drop a separator that ends the text)."""
    head, *rest = parts
    if not whole.startswith(head):
        return False
    tail = whole[len(head) :]
    if not rest:
        return tail in SEPARATORS
    return any(tail.startswith(sep) and joins_back(tail[len(sep) :], rest) for sep in SEPARATORS)


def assert_split_well(markup: str, limit: int) -> list[str]:
    parts = split_html(markup, limit)
    texts = [checked(part) for part in parts]
    assert all(text for text in texts), "empty part"
    assert all(plain_length(part) <= limit for part in parts)
    whole = checked(markup)
    assert joins_back(whole, texts) if whole else parts == []
    return parts


# --- rendering --------------------------------------------------------------------------


def test_inline_formatting():
    markdown = "Some **bold**, *italic*, _also_, ~~gone~~ and `x < y`."
    expected = "Some <b>bold</b>, <i>italic</i>, <i>also</i>, <s>gone</s> and <code>x &lt; y</code>."
    assert to_html(markdown) == expected


def test_soft_wrapped_lines_flow_and_paragraphs_are_separated_by_a_blank_line():
    markdown = "A hazard in a walkway can hurt\nthe next person.\n\nSecond paragraph,  \nhard break."
    assert to_html(markdown) == "A hazard in a walkway can hurt the next person.\n\nSecond paragraph,\nhard break."


def test_with_breaks_every_line_the_bot_writes_stays_a_line_indentation_included():
    markdown = "**Your settings**\nTimezone: Europe/Berlin\n   still needs: Knots\n\n> why:\n> because\n\n- a\n- b"
    assert to_html(markdown, breaks=True) == (
        "<b>Your settings</b>\nTimezone: Europe/Berlin\n   still needs: Knots\n\n<blockquote>why:\nbecause</blockquote>\n\n• a\n• b"
    )
    assert to_html("wrapped\n  line", breaks=False) == "wrapped line"


def test_links_only_for_safe_schemes():
    assert to_html("[site](https://example.org/a?b=1&c=2)") == '<a href="https://example.org/a?b=1&amp;c=2">site</a>'
    assert to_html("[me](mailto:a@b.c) [chat](tg://resolve?domain=x)") == (
        '<a href="mailto:a@b.c">me</a> <a href="tg://resolve?domain=x">chat</a>'
    )
    assert to_html("[page](/relative) [f](ftp://x)") == "page f"


def test_javascript_link_gives_no_link():
    shown = to_html("[x](javascript:alert(1))")
    assert "<a" not in shown
    checked(shown)


def test_image_becomes_its_alt_text_linked():
    assert to_html("![A diagram](https://x.org/d.png)") == '<a href="https://x.org/d.png">A diagram</a>'


def test_headings_are_bold_lines():
    assert to_html("# Lockout\n\nText.\n\n## More") == "<b>Lockout</b>\nText.\n\n<b>More</b>"


def test_lists_with_nesting():
    markdown = "- one\n- two\n  - inner\n    1. deep\n- three\n\n3. third\n4. fourth"
    assert to_html(markdown) == "• one\n• two\n  • inner\n    1. deep\n• three\n\n3. third\n4. fourth"


def test_fenced_and_indented_code():
    assert to_html("```python\nif a < b:\n    pass\n```") == ('<pre><code class="language-python">if a &lt; b:\n    pass</code></pre>')
    assert to_html("```\nplain & simple\n```") == "<pre>plain &amp; simple</pre>"
    assert to_html("    indented") == "<pre>indented</pre>"
    assert to_html('```"><b\nx\n```') == '<pre><code class="language-&quot;&gt;&lt;b">x</code></pre>'


def test_blockquote_rule_and_emoji():
    assert to_html("> Why:\n> because.") == "<blockquote>Why: because.</blockquote>"
    assert to_html("> outer\n>\n> > inner") == "<blockquote>outer\n\ninner</blockquote>"
    assert to_html("📘 **Title**\n\n---\n\nok") == "📘 <b>Title</b>\n\n———\n\nok"


def test_raw_html_is_shown_as_text():
    shown = to_html("<script>alert(1)</script> & 5 < 6")
    assert shown == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 5 &lt; 6"
    assert checked(shown) == "<script>alert(1)</script> & 5 < 6"


def test_unbalanced_markdown_stays_literal():
    assert to_html("**bold") == "**bold"
    assert to_html("`open *half") == "`open *half"


def test_escape_plain_text():
    assert escape('Ann <& "Bob">') == 'Ann &lt;&amp; "Bob"&gt;'


def test_empty_input():
    assert to_html("") == ""
    assert split_html("") == []


# --- measuring ----------------------------------------------------------------------------


def test_plain_length_counts_utf16_without_tags():
    assert plain_length("😀") == 2
    assert plain_length("<b>a</b>&amp;&lt;") == 3
    assert plain_length(to_html("**🎉 ok**")) == 5


# --- splitting ----------------------------------------------------------------------------


def lesson(size: int) -> str:
    """Markdown paragraphs of prose, some bold, one long bold run, until `size` characters."""
    rng = random.Random(7)
    words = ["lock", "tag", "verify", "isolate", "energy", "source", "before", "work", "starts", "every", "time"]
    paragraphs: list[str] = []
    while sum(len(p) + 2 for p in paragraphs) < size:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(20, 60))) + "."
        paragraphs.append(f"**Note:** {sentence}" if len(paragraphs) % 3 == 0 else sentence)
    paragraphs[2] = "**" + " ".join(["bold"] * 1200) + "**"  # longer than a part: cut inside <b>
    return "\n\n".join(paragraphs)


def test_a_short_message_is_one_part():
    markup = to_html("Hello **there**")
    assert split_html(markup) == [markup]


def test_a_long_lesson_splits_into_valid_parts():
    markup = to_html(lesson(10_000))
    assert plain_length(markup) > 9_000
    parts = assert_split_well(markup, 4096)
    assert len(parts) >= 3
    assert any(part.startswith("<b>bold") for part in parts[1:])  # reopened after the cut


def test_cuts_prefer_paragraphs_then_lines_then_spaces():
    assert split_html("aaaa bb\ncc\n\ndd ee", 12) == ["aaaa bb\ncc", "dd ee"]
    assert split_html("aaaa bb\ncc dd ee", 12) == ["aaaa bb", "cc dd ee"]
    assert split_html("aaaa bb cc dd ee", 12) == ["aaaa bb cc", "dd ee"]
    assert split_html("<i>abcdefgh</i>", 3) == ["<i>abc</i>", "<i>def</i>", "<i>gh</i>"]


def test_a_single_huge_word_still_splits():
    markup = to_html("x" * 9000)
    parts = assert_split_well(markup, 4096)
    assert [plain_length(part) for part in parts] == [4096, 4096, 808]


def test_emoji_are_never_cut_in_half():
    parts = assert_split_well("😀" * 10, 5)
    assert parts == ["😀😀"] * 5


def test_entities_and_code_blocks_survive_a_cut():
    markup = to_html("```py\n" + "a &lt; b\n" * 20 + "```")
    for part in assert_split_well(markup, 30):
        assert part.startswith('<pre><code class="language-py">') and part.endswith("</code></pre>")


FRAGMENTS = [
    "**",
    "*",
    "_",
    "`",
    "```",
    "~~",
    "<",
    ">",
    "&",
    '"',
    "&amp;",
    "<script>",
    "</b>",
    "[a](http://x)",
    "[b](javascript:alert(1))",
    "![i](https://y/z.png)",
    "<http://q>",
    "- ",
    "1. ",
    "> ",
    "# ",
    "    ",
    "---",
    "\n",
    "\n\n",
    "  \n",
    " ",
    "word",
    "lesson",
    "microlearning",
    "😀",
    "🎉",
    "é",
]


def test_random_markdown_always_gives_valid_html_that_splits_within_the_limit():
    rng = random.Random(20240601)
    for _ in range(400):
        markdown = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 40)))
        markup = to_html(markdown)
        text = checked(markup)
        assert plain_length(markup) == utf16(text), markdown
        assert_split_well(markup, 50)
