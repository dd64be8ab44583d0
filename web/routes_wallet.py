"""Add to a wallet: a learner's one-time claim link (handed out in chat, bot/wallet_claims.py)
opens a page with a QR code for a phone wallet, and the wallet claims the credential over a VC-API
exchange with DID Authentication (credentials/wallet.py says the protocol and its sources).

    GET  /wallet/claim/<token>      the page (no scripts: the QR code is inline SVG drawn here);
                                    asked for JSON, the exchange's protocols (an interaction URL)
    POST /wallet/exchanges/<token>  {} -> a DIDAuthentication request; {"verifiablePresentation":
                                    ...} -> the credential, bound to the wallet's DID

What is refused, each with a 4xx JSON body {"error": <code>, "detail": <what to do>}: a token
that names no link (404), a link used or expired (410), a credential revoked, expired or suspended
(409), a body that is too large (413) or not a presentation (400), and a presentation that does not
authenticate for this exchange: wrong challenge or domain, a bad signature, a holder that is not
the signer, a stale proof (403). The link is spent only when the credential goes out, in the
transaction that checks it once more; nothing else is written. No token or DID is logged."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import datetime
from typing import Any

import segno
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from bot.awards import is_valid
from bot.clock import Clock
from bot.i18n import N_
from bot.ports import Store, UnitOfWork
from bot.records import Award, WalletClaim
from bot.suspension import lapses
from bot.team import token_hash
from bot.wallet_claims import CLAIM_PATH, EXCHANGE_PATH, claim_url, exchange_url
from content.model import Curriculum
from credentials.issuer import IssuerIdentity
from credentials.wallet import (
    Exchange,
    PresentationRefused,
    authenticate,
    bound_to,
    challenge_for,
    domain_of,
    lcw_link,
    offered,
    origin_of,
    presentation_of,
    presentation_request,
    protocols,
)
from web.i18n import translator

log = logging.getLogger(__name__)

BODY_LIMIT = 16 * 1024  # bytes; a DID Authentication presentation is about one
NO_STORE = {"Cache-Control": "no-store"}
TOKEN = re.compile(r"[0-9a-f]{64}")  # bot.team.new_token
JSON_TYPES = ("application/json", "application/ld+json")


class Refusal(Exception):
    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail

    def response(self) -> JSONResponse:
        return JSONResponse({"error": self.error, "detail": self.detail}, status_code=self.status, headers=NO_STORE)


def wallet_routes(*, store: Store, curriculum: Curriculum, issuer: IssuerIdentity, clock: Clock, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter()

    def exchange_for(token: str) -> Exchange:
        base = issuer.links.base_url
        return Exchange(url=exchange_url(base, token), challenge=challenge_for(token), domain=domain_of(base), origin=origin_of(base))

    async def claimable(token: str, now: datetime) -> WalletClaim:
        """The link's claim, if it can be claimed now; else the Refusal that says why."""
        if not TOKEN.fullmatch(token):
            raise Refusal(404, "unknown_claim_link", N_("No claim link has this address. Ask the bot for a new one: /badges."))
        async with store.transaction() as tx:
            claim = await tx.wallet.find(token_hash(token))
            if claim is None:
                raise Refusal(404, "unknown_claim_link", N_("No claim link has this address. Ask the bot for a new one: /badges."))
            if claim.used_at is not None:
                raise Refusal(
                    410, "claim_link_used", N_("This claim link was already used: each works once. Ask the bot for a new one: /badges.")
                )
            if claim.expires_at <= now:
                raise Refusal(410, "claim_link_expired", N_("This claim link has expired. Ask the bot for a new one: /badges."))
            await refuse_invalid(tx, claim.award, now)
            return claim

    async def refuse_invalid(tx: UnitOfWork, award: Award, now: datetime) -> None:
        if award.credential is None:
            raise Refusal(409, "credential_not_signed", N_("This award has no signed credential to claim."))
        if award.revoked_at is not None:
            raise Refusal(409, "credential_revoked", N_("This credential was revoked: it cannot be added to a wallet."))
        if not is_valid(award, now):
            raise Refusal(409, "credential_expired", N_("This credential has expired: renew it with a refresher (/next), then claim it."))
        if award.kind == "certificate" and lapses(award, await tx.awards.of(award.learner_id), curriculum, now=now):
            raise Refusal(409, "credential_suspended", N_("This certificate is suspended while a badge it stacks is not valid."))

    def title_in(language: str, award: Award) -> str:
        """The credential's name as signed, or the curriculum's translation of it where it was signed as the source says."""
        signed = str((award.credential or {}).get("name", award.definition_id))
        source = curriculum.credentials.get(award.definition_id)
        if source is None or signed != source.title:
            return signed
        return curriculum.in_language(language).credentials[award.definition_id].title

    @router.get(CLAIM_PATH + "{token}", name="wallet_claim")
    async def claim_page(request: Request, token: str) -> Response:
        accept = request.headers.get("accept", "")
        wants_json = "text/html" not in accept and any(t in accept for t in JSON_TYPES)
        try:
            claim = await claimable(token, clock.now())
        except Refusal as refusal:
            if wants_json:
                return refusal.response()
            context = {"refusal": translator(request).gettext(refusal.detail), "title": "", "qr": "", "deep_link": "", "claim_url": ""}
            return templates.TemplateResponse(request, "wallet_claim.html", context, status_code=refusal.status, headers=NO_STORE)
        exchange = exchange_for(token)
        if wants_json:  # the interaction URL, as a VC-API wallet reads it
            return JSONResponse(protocols(exchange), headers=NO_STORE)
        deep_link = lcw_link(exchange)
        context = {
            "refusal": "",
            "title": title_in(translator(request).language, claim.award),
            "qr": qr_svg(deep_link),
            "deep_link": deep_link,
            "claim_url": claim_url(issuer.links.base_url, token),
        }
        return templates.TemplateResponse(request, "wallet_claim.html", context, headers=NO_STORE)

    @router.post(EXCHANGE_PATH + "{token}", name="wallet_exchange")
    async def exchange(request: Request, token: str) -> Response:
        try:
            return await participate(request, token)
        except Refusal as refusal:
            return refusal.response()

    async def participate(request: Request, token: str) -> Response:
        body = await read_json(request)
        now = clock.now()
        claim = await claimable(token, now)
        exchange = exchange_for(token)
        if not isinstance(body, dict) or "verifiablePresentation" not in body:
            return JSONResponse(presentation_request(exchange), headers=NO_STORE)  # the start (LCW posts {})
        try:
            presentation = presentation_of(body)
            holder = await asyncio.to_thread(authenticate, presentation, challenge=exchange.challenge, domain=exchange.domain, now=now)
        except PresentationRefused as refused:
            if refused.malformed:
                raise Refusal(400, "not_a_presentation", f"Not a DID Authentication presentation: {refused.reason}.") from None
            raise Refusal(
                403, "presentation_refused", f"The presentation does not authenticate for this exchange: {refused.reason}."
            ) from None
        assert claim.award.credential is not None  # claimable() checked
        signed = await asyncio.to_thread(issuer.sign, bound_to(claim.award.credential, holder), created=now)
        async with store.transaction() as tx:  # checked again, and spent, together
            award = await tx.awards.by_public_id(claim.award.public_id)
            if award is None:
                raise Refusal(404, "unknown_claim_link", "No claim link has this address. Ask the bot for a new one: /badges.")
            await refuse_invalid(tx, award, now)
            if not await tx.wallet.use(token_hash(token), holder=holder, now=now):
                raise Refusal(
                    410, "claim_link_used", "This claim link was already used or has expired. Ask the bot for a new one: /badges."
                )
        log.info("wallet claim: award %s claimed into a wallet", award.id)
        return JSONResponse(offered([signed]), headers=NO_STORE)

    return router


async def read_json(request: Request) -> Any:
    """The body as JSON, read up to BODY_LIMIT (the declared length first, then the bytes as they
    come: a sender may lie about it or send none); an empty body is `{}`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > BODY_LIMIT:
        raise Refusal(413, "body_too_large", f"The body is over {BODY_LIMIT} bytes: a presentation is far smaller.")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > BODY_LIMIT:
            raise Refusal(413, "body_too_large", f"The body is over {BODY_LIMIT} bytes: a presentation is far smaller.")
    if not body.strip():
        return {}
    try:
        return json.loads(bytes(body).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise Refusal(400, "not_json", 'The body is not JSON: send {} to start, then {"verifiablePresentation": ...}.') from None


def qr_svg(text: str) -> Markup:
    """The QR code as inline SVG (attributes only, no style: the page's CSP allows no inline
    style or script), dark on white, with a quiet zone, about 300 px wide."""
    qr = segno.make(text, error="m")
    scale = max(2, 300 // qr.symbol_size()[0])
    svg = qr.svg_inline(scale=scale, dark="#000", light="#fff", title="QR code for your wallet", svgclass="qr", lineclass=None)
    return Markup(svg)  # segno's own SVG, of a URL we built: nothing in it comes from the request
