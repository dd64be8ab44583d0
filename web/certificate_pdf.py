"""A credential on one printable A4 page (fpdf2), with a QR code of its verification page (segno).

Pure: the facts in, the PDF's bytes out. The page says what the credential says (title, issuer,
dates, the badges a certificate stacks), its standing when printed, and where to check it now: a
printed page cannot be revoked, the page behind its link and QR code can. The learner is named
only where the credential itself names them; otherwise it is "awarded to the holder of this
credential".

Text is set in DejaVu Sans where the system has it (any script DejaVu covers); without it, in the
PDF core font Helvetica, which holds Latin-1 only: other characters are then replaced.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos

from bot import i18n
from bot.i18n import N_, Translator
from bot.published import PublishedAward
from web.views import CredentialPage, day, moment, parse_instant, web_url

HOLDER = N_("the holder of this credential")
UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
MOST_BADGES_LISTED = 10  # more, and the page lists the first ones and says how many others
QR_SIZE = 44.0  # mm
FOOT = 287 - 26 - QR_SIZE  # where the QR code begins; the text above it ends before
INK, MUTED, ACCENT = (31, 41, 55), (90, 98, 110), (30, 64, 175)
# What Helvetica's Latin-1 lacks, in the nearest characters it has.
LATIN1_STAND_INS = str.maketrans(
    {"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u2022": "-"}
)


@dataclass(frozen=True)
class StackedBadge:
    title: str
    awarded: str  # the day
    url: str | None  # its verification page
    now: str | None  # what is true of it now, where that differs from what was signed


@dataclass(frozen=True)
class PrintedCredential:
    kind: str  # Badge | Certificate
    title: str
    description: str
    holder: str  # a name the credential carries, else "the holder of this credential"
    issuer_name: str
    issuer_url: str | None
    issuer_did: str
    awarded: str
    valid_until: str | None
    credential_id: str
    standing: str  # the headline when printed: Valid, Expired, Revoked, Suspended, Cannot be verified
    explanation: str
    printed_at: datetime
    page_url: str  # the verification page, where the link and the QR code lead
    stacked: tuple[StackedBadge, ...] = ()


def holder_of(credential: Mapping[str, Any]) -> str:
    """The name the credential carries (an OBv3 IdentityObject of identityType "name", not
    hashed: the learner chose to be named), else the holder wording."""
    subject = credential.get("credentialSubject")
    identifiers = subject.get("identifier", []) if isinstance(subject, Mapping) else []
    for identity in identifiers if isinstance(identifiers, list) else [identifiers]:
        if isinstance(identity, Mapping) and identity.get("identityType") == "name" and identity.get("hashed") is False:
            name = identity.get("identityHash")
            if isinstance(name, str) and name.strip():
                return name.strip()
    return HOLDER


def printed_credential(
    award: PublishedAward,
    page: CredentialPage,
    *,
    badges: Sequence[Mapping[str, Any]],
    page_url: str,
    printed_at: datetime,
    t: Translator = i18n.SOURCE,
) -> PrintedCredential:
    """The facts to print, from the credential as signed, its page's standing (in `page`'s
    language), and the signed credentials of the badges it stacks; `t`: the reader's language
    for the days and the holder wording (what was signed is printed as signed)."""
    lapsed = {item.name.removeprefix("Badge held: "): item.now for item in page.evidence if item.now}
    stacked = []
    for badge in badges:
        achievement = badge.get("credentialSubject", {}).get("achievement", {})
        title = str(achievement.get("name") or badge.get("name") or "Badge")
        awarded = day(parse_instant(badge["validFrom"]), t)
        stacked.append(StackedBadge(title=title, awarded=awarded, url=web_url(badge.get("id")), now=lapsed.get(title)))
    credential = award.credential
    until = credential.get("validUntil")
    return PrintedCredential(
        kind=page.kind,
        title=page.name,
        description=page.description,
        holder=_holder(holder_of(credential), t),
        issuer_name=page.issuer_name,
        issuer_url=page.issuer_url,
        issuer_did=page.issuer_did,
        awarded=day(parse_instant(credential["validFrom"]), t),
        valid_until=day(parse_instant(until), t) if until else None,
        credential_id=str(credential.get("id", "")),
        standing=page.headline,
        explanation=page.explanation,
        printed_at=printed_at,
        page_url=page_url,
        stacked=tuple(stacked),
    )


def qr_png(url: str) -> bytes:
    """The QR code of `url` as a PNG, black on white with the standard quiet zone."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=10, border=4)
    return out.getvalue()


def certificate_pdf(facts: PrintedCredential, *, fonts: Sequence[Path] = UNICODE_FONTS, t: Translator = i18n.SOURCE) -> bytes:
    """One A4 page, its words in `t`'s language (the facts come worded already). `fonts`: a
    regular and a bold TrueType font; Helvetica when they are missing. What does not fit above the
    QR code is shortened: the description, then the badges listed."""
    for description, listed in ((480, MOST_BADGES_LISTED), (240, 6), (120, 3), (0, 0)):
        pdf, fits = _drawn(facts, fonts, t, description=description, listed=listed)
        if fits:
            break
    return bytes(pdf.output())


def _drawn(facts: PrintedCredential, fonts: Sequence[Path], t: Translator, *, description: int, listed: int) -> tuple[_Page, bool]:
    pdf = _Page(fonts)
    kind = t.gettext(facts.kind)  # Badge | Certificate, as the credential's page names it
    pdf.set_title(f"{facts.title} ({kind})")
    pdf.set_author(facts.issuer_name)
    pdf.set_subject(t.gettext("Verify it at {url}").format(url=facts.page_url))
    pdf.set_creation_date(facts.printed_at)
    pdf.add_page()
    width = pdf.epw

    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.rect(10, 10, 190, 277)

    pdf.set_y(34)
    pdf.style(9, MUTED)
    pdf.line_of(facts.issuer_name.upper(), width)
    pdf.ln(8)
    pdf.style(11, ACCENT, bold=True)
    pdf.line_of(" ".join(kind.upper()), width)
    pdf.ln(3)
    pdf.style(24, INK, bold=True)
    pdf.paragraph(_clip(facts.title, 120), width, height=11)
    pdf.ln(6)
    pdf.style(13, INK)
    pdf.line_of(t.gettext("awarded to {holder}").format(holder=_clip(facts.holder, 80)), width)
    pdf.ln(1)
    pdf.style(11, MUTED)
    pdf.line_of(t.gettext("by {issuer} on {day}").format(issuer=facts.issuer_name, day=facts.awarded), width)
    until = t.gettext("Valid until {day}").format(day=facts.valid_until) if facts.valid_until else t.gettext("No expiry date")
    pdf.line_of(until, width)
    if facts.description and description:
        pdf.ln(6)
        pdf.style(10.5, INK)
        pdf.paragraph(_clip(" ".join(facts.description.split()), description), width, height=5.4)

    if facts.stacked:
        pdf.ln(8)
        pdf.style(11, INK, bold=True)
        stacks = t.ngettext("It stacks {n} badge:", "It stacks {n} badges:", len(facts.stacked))
        pdf.line_of(stacks.format(n=len(facts.stacked)), width, align=Align.L)
        for badge in facts.stacked[:listed]:
            pdf.style(10, INK)
            line = "\u2022 " + t.gettext("{title}, awarded {day}").format(title=badge.title, day=badge.awarded)
            line += f". {badge.now}" if badge.now else ""
            pdf.paragraph(line, width, height=5.2, align=Align.L, link=badge.url)
        if len(facts.stacked) > listed:
            pdf.style(10, MUTED)
            more = len(facts.stacked) - listed
            others = t.ngettext("and {n} more, listed on the credential's page.", "and {n} more, listed on the credential's page.", more)
            pdf.line_of(others.format(n=more), width, align=Align.L)

    pdf.ln(8)
    pdf.style(10, INK, bold=True)
    when = t.gettext("{standing} when printed ({moment}).").format(standing=facts.standing, moment=moment(facts.printed_at, t))
    pdf.paragraph(when, width, height=5.2, align=Align.L)
    pdf.style(10, INK)
    pdf.paragraph(facts.explanation, width, height=5.2, align=Align.L)
    fits = pdf.get_y() <= FOOT - 4

    # At the foot of the page: the QR code, what checking it does, and the link in full.
    size, top = QR_SIZE, FOOT
    pdf.image(io.BytesIO(qr_png(facts.page_url)), x=pdf.l_margin, y=top, w=size, h=size, link=facts.page_url, alt_text="QR code")
    left = pdf.l_margin + size + 6
    beside = width - size - 6
    pdf.set_y(top + 4)
    pdf.style(11, INK, bold=True)
    pdf.paragraph(t.gettext("Check it now"), beside, height=5.6, align=Align.L, x=left)
    pdf.style(9.5, INK)
    pdf.paragraph(
        t.gettext(
            "Scan the code or open the link below. The page checks the issuer's signature and says whether the "
            "credential is valid today: this paper cannot show a revocation, a suspension or an expiry after the day it was printed."
        ),
        beside,
        height=4.8,
        align=Align.L,
        x=left,
    )
    pdf.style(8, MUTED)
    pdf.ln(1)
    pdf.paragraph(t.gettext("Issuer: {did}").format(did=facts.issuer_did), beside, height=4, align=Align.L, x=left, wrap=WrapMode.CHAR)
    if facts.credential_id != facts.page_url:
        credential_id = t.gettext("Credential ID: {id}").format(id=facts.credential_id)
        pdf.paragraph(credential_id, beside, height=4, align=Align.L, x=left, wrap=WrapMode.CHAR)
    pdf.set_y(top + size + 2)
    pdf.style(10, ACCENT)
    pdf.paragraph(facts.page_url, width, height=5, align=Align.L, link=facts.page_url, wrap=WrapMode.CHAR)
    return pdf, fits


class _Page(FPDF):
    """An A4 page that never breaks onto a second one, in a Unicode font where there is one."""

    def __init__(self, fonts: Sequence[Path]) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(22, 20, 22)
        self._unicode = len(fonts) == 2 and all(font.is_file() for font in fonts)
        if self._unicode:
            self.add_font("Text", "", str(fonts[0]))
            self.add_font("Text", "B", str(fonts[1]))
        self._family = "Text" if self._unicode else "Helvetica"

    def style(self, size: float, color: tuple[int, int, int], *, bold: bool = False) -> None:
        self.set_font(self._family, "B" if bold else "", size)
        self.set_text_color(*color)

    def text_of(self, text: str) -> str:
        if self._unicode:
            return text
        latin = unicodedata.normalize("NFC", text.translate(LATIN1_STAND_INS))
        return latin.encode("latin-1", errors="replace").decode("latin-1")

    def line_of(self, text: str, width: float, *, align: Align = Align.C) -> None:
        self.paragraph(text, width, height=self.font_size * 1.35, align=align)

    def paragraph(
        self,
        text: str,
        width: float,
        *,
        height: float,
        align: Align = Align.C,
        x: float | None = None,
        link: str | None = None,
        wrap: WrapMode = WrapMode.WORD,
    ) -> None:
        self.set_x(self.l_margin if x is None else x)
        self.multi_cell(width, height, self.text_of(text), align=align, link=link or "", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap)


def _holder(name: str, t: Translator) -> str:
    return t.gettext(HOLDER) if name == HOLDER else name


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "\u2026"
