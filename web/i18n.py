"""The web pages in the viewer's language. Which language a request is shown in:
1. the one the viewer chose with the language link on every page (`?lang=de`, then kept in a
   cookie), 2. else the first of the browser's Accept-Language that the app speaks, 3. else, on
a dashboard page, the signed-in person's chat language (bot.i18n.language_of), 4. else English.

The pages' texts are a catalog of their own (web/locale/<language>/LC_MESSAGES/web.po, extracted
with web/locale/babel.cfg), apart from the bot's: placeholders in templates are Jinja's
`%(name)s`, in Python str.format's `{name}`, filled after translating. The Sie-form is used: these
are a company's public pages and its managers' dashboard (the chat, one to one, says du)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from babel import negotiate_locale
from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import DEFAULT, ENGLISH, LANGUAGES, Translator, read_catalog

LOCALE_DIR = Path(__file__).parent / "locale"  # <language>/LC_MESSAGES/web.po
DOMAIN = "web"
COOKIE = "mb_lang"  # the language the viewer chose with the language link
CHOOSE = "lang"  # the query parameter the language link sets
COOKIE_AGE = 365 * 24 * 3600
NAMES = {"en": "English", "de": "Deutsch"}  # each language's name in itself, for the language link
SOURCE = Translator(ENGLISH)  # the pages as written


@dataclass(frozen=True)
class Asked:
    """What a request says about the language wanted: chosen (the link or its cookie) and the
    browser's first language the app speaks; either may be None."""

    chosen: str | None = None
    browser: str | None = None

    def language(self, person: str | None = None) -> str:
        """`person`: the signed-in person's chat language, when the page knows who that is."""
        return self.chosen or self.browser or (person if person in LANGUAGES else None) or DEFAULT


def browser_languages(header: str) -> list[str]:
    """Accept-Language's tags, most wanted first (`de-AT;q=0.9, en;q=0.5`); `*` and q=0 are no wish."""
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.strip() and tag.strip() != "*" and quality > 0:
            weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def asked_of(request: Request) -> Asked:
    chosen = request.query_params.get(CHOOSE) or request.cookies.get(COOKIE)
    browser = negotiate_locale(browser_languages(request.headers.get("accept-language", "")), LANGUAGES, sep="-")
    return Asked(chosen if chosen in LANGUAGES else None, browser)


@dataclass(frozen=True)
class WebTexts:
    """The pages' translator per language, read once at start."""

    by_language: dict[str, Translator]

    def of(self, language: str | None) -> Translator:
        return self.by_language.get(language or DEFAULT) or self.by_language[DEFAULT]

    @classmethod
    def load(cls, locale_dir: Path = LOCALE_DIR) -> WebTexts:
        by_language = {ENGLISH: SOURCE}
        for language in LANGUAGES:
            if language != ENGLISH:
                by_language[language] = Translator(language, read_catalog(locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"))
        return cls(by_language)


def translator(request: Request) -> Translator:
    """The request's translator (English where no language was worked out, as in a bare test app)."""
    found = getattr(request.state, "translator", None)
    return found if isinstance(found, Translator) else SOURCE


def speak_to(request: Request, person_language: str | None) -> None:
    """A dashboard page knows who is signed in: their chat language, unless the viewer chose
    one or the browser asks for one the app speaks."""
    asked, texts = getattr(request.state, "asked", None), getattr(request.state, "texts", None)
    if isinstance(asked, Asked) and isinstance(texts, WebTexts):
        request.state.translator = texts.of(asked.language(person_language))


def day(t: Translator, instant: date | datetime) -> str:
    """A calendar day as this language writes it: 7 December 2026, 7. Dezember 2026."""
    # Translators: a Unicode date pattern (babel.dates): the day, the month's full name, the year
    return format_date(instant, t.gettext("d MMMM yyyy"), locale=t.language)


def moment(t: Translator, instant: datetime) -> str:
    """A moment in UTC: 7 December 2026, 09:30 UTC."""
    return t.gettext("{day}, {time} UTC").format(day=day(t, instant), time=f"{instant:%H:%M}")


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translator(context["request"]).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translator(context["request"]).ngettext(singular, plural, n)


@pass_context
def _day_month(context: Context, day: date) -> str:
    """A week's first day in a chart: 07 Dec, 07. Dez."""
    t = translator(context["request"])
    # Translators: a Unicode date pattern (babel.dates): the day and the month's short name
    return format_date(day, t.gettext("dd MMM"), locale=t.language)


@pass_context
def _long_day(context: Context, day_: date) -> str:
    """A calendar day in a sentence: 7 December 2026, 7. Dezember 2026."""
    t = translator(context["request"])
    return format_date(day_, t.gettext("d MMMM yyyy"), locale=t.language)


@pass_context
def _number(context: Context, value: int) -> str:
    """A count as the language writes it: 12,345 in English, 12.345 in German."""
    return format_decimal(value, locale=translator(context["request"]).language)


@pass_context
def _language(context: Context) -> str:
    return translator(context["request"]).language


@pass_context
def _other_languages(context: Context) -> list[tuple[str, str, str]]:
    """The language link(s): (language, its name in itself, this page's address in it)."""
    request: Request = context["request"]
    shown = translator(request).language
    links = []
    for language in LANGUAGES:
        if language != shown:
            url = request.url.include_query_params(**{CHOOSE: language})
            links.append((language, NAMES.get(language, language), f"{url.path}?{url.query}"))
    return links


def install(environment: Environment) -> None:
    """Templates say `{% trans %}`/`_()` in the request's language, `page_language()` for
    `<html lang>` and `other_languages()` for the language link."""
    environment.add_extension("jinja2.ext.i18n")
    environment.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's line breaks are not part of its text
    environment.install_gettext_callables(gettext=_gettext, ngettext=_ngettext, newstyle=True)  # type: ignore[attr-defined]
    environment.globals["page_language"] = _language
    environment.globals["other_languages"] = _other_languages
    environment.globals["day_month"] = _day_month
    environment.globals["long_day"] = _long_day
    environment.globals["number"] = _number


def language_middleware(texts: WebTexts) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """Works out the request's language before the route runs; a page says it varies by
    Accept-Language and the cookie; a choice by the language link is kept in the cookie."""

    async def middleware(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        asked = asked_of(request)
        request.state.asked, request.state.texts = asked, texts
        request.state.translator = texts.of(asked.language())
        response = await call_next(request)
        if response.headers.get("content-type", "").startswith("text/html"):
            vary = [v.strip() for v in response.headers.get("vary", "").split(",") if v.strip()]
            response.headers["Vary"] = ", ".join(vary + [v for v in ("Accept-Language", "Cookie") if v not in vary])
        chosen = request.query_params.get(CHOOSE)
        if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
            response.set_cookie(COOKIE, chosen, max_age=COOKIE_AGE, samesite="lax", secure=request.url.scheme == "https", path="/")
            if "public" in response.headers.get("cache-control", ""):
                response.headers["Cache-Control"] = "no-store"  # a shared cache keeps no one's cookie
        return response

    return middleware
