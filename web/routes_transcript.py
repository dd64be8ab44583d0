"""A certificate's transcript and a credential's printable page.

- GET /credentials/{id}/clr.json: the certificate as a 1EdTech CLR 2.0 ClrCredential holding it
  and the badges it stacks as signed (credentials/clr.py), signed now by this issuer. Built on
  request from the stored credentials, so it follows the stack as it stands (a badge renewed since
  stands in for the one it renews) and nothing new is stored. 404 for a badge: it stacks nothing.
- GET /credentials/{id}/certificate.pdf: any badge or certificate on one A4 page, with the QR code
  of its verification page (web/certificate_pdf.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response

from bot.awards import is_valid
from bot.clock import Clock
from bot.ports import Store
from bot.published import PublishedAward
from content.model import CredentialKind, Curriculum
from credentials.clr import build_clr, stacked_ids, transcript_id
from credentials.issuer import IssuerIdentity
from web.certificate_pdf import certificate_pdf, printed_credential
from web.i18n import translator
from web.lookups import published_or_404
from web.made_recently import MadeRecently
from web.routes_credentials import ANY_ORIGIN
from web.views import credential_page

NO_STORE_COPY = {"Cache-Control": "no-cache"}  # the standing printed, the key signing: both may change
# How long a transcript's signature, or a drawn PDF, serves requests for the same document made
# from the same facts (a changed stack, standing or key makes a new one at once): the proof's
# `created` and the PDF's "printed" time are then at most this old.
MADE_FOR = timedelta(minutes=10)


UNPRINTED = datetime.min.replace(tzinfo=UTC)  # the facts, without when they were printed


def transcript_routes(*, store: Store, curriculum: Curriculum, issuer: IssuerIdentity, clock: Clock) -> APIRouter:
    router = APIRouter()
    transcripts: MadeRecently[bytes] = MadeRecently(clock=clock, max_age=MADE_FOR)
    printed: MadeRecently[bytes] = MadeRecently(clock=clock, max_age=MADE_FOR)

    async def published(public_id: str) -> PublishedAward:
        return await published_or_404(store, public_id, curriculum=curriculum, now=clock.now())

    @router.get("/credentials/{public_id}/clr.json", name="transcript_clr")
    async def transcript(public_id: str) -> Response:
        award = await published(public_id)
        if award.kind != CredentialKind.CERTIFICATE.value:
            raise HTTPException(404, "Only a certificate has a transcript: this credential is a badge, which stacks nothing.")
        badges = await stacked_badges(store, public_id, now=clock.now())
        unsigned = build_clr(
            certificate=award.credential, badges=badges, issuer=issuer.profile, clr_id=transcript_id(issuer.names, award.public_id)
        )

        async def sign(now: datetime) -> bytes:
            signed = await asyncio.to_thread(issuer.sign, unsigned, created=now)
            return (json.dumps(signed, indent=2, ensure_ascii=False) + "\n").encode()

        made_from = (hashlib.sha256(json.dumps(unsigned, sort_keys=True).encode()).hexdigest(), issuer.verification_method)
        body = await transcripts.get(award.public_id, made_from, sign)
        headers = {"Content-Disposition": f'attachment; filename="{_filename(award, "-clr.json")}"', **NO_STORE_COPY, **ANY_ORIGIN}
        return Response(body, media_type="application/json", headers=headers)

    @router.get("/credentials/{public_id}/certificate.pdf", name="credential_pdf")
    async def printable(request: Request, public_id: str) -> Response:
        award = await published(public_id)
        now = clock.now()
        t = translator(request)  # the page is drawn in the requester's language
        page_url = issuer.links.credential(award.public_id)
        checked = await asyncio.to_thread(issuer.verify, award.credential)
        page = credential_page(award, now=now, signature_ok=checked.ok, page_url=page_url, t=t)
        badges = await stacked_badges(store, public_id, now=now) if award.kind == CredentialKind.CERTIFICATE.value else []
        facts = printed_credential(award, page, badges=badges, page_url=page_url, printed_at=now, t=t)

        async def draw(when: datetime) -> bytes:
            return await asyncio.to_thread(certificate_pdf, dataclasses.replace(facts, printed_at=when), t=t)

        # One copy per language: a German reader's page is not an English reader's.
        pdf = await printed.get(f"{award.public_id}/{t.language}", dataclasses.replace(facts, printed_at=UNPRINTED), draw)
        headers = {"Content-Disposition": f'attachment; filename="{_filename(award, ".pdf")}"', **NO_STORE_COPY}
        return Response(pdf, media_type="application/pdf", headers=headers)

    return router


async def stacked_badges(store: Store, public_id: str, *, now: datetime) -> list[dict[str, Any]]:
    """The signed credentials of the badges a certificate stacks, exactly as stored, in the order
    its evidence names them: each the very badge credential it was built from, or, where that one
    is no longer valid and the badge was renewed since, its latest valid renewal (what keeps the
    certificate from being suspended, bot/suspension.py)."""
    async with store.transaction() as tx:
        certificate = await tx.awards.by_public_id(public_id)
        if certificate is None or certificate.credential is None:
            return []
        held = [award for award in await tx.awards.of(certificate.learner_id) if award.credential is not None]
    by_id = {str(award.credential.get("id")): award for award in held if award.credential is not None}
    found: list[dict[str, Any]] = []
    for credential_id in stacked_ids(certificate.credential):
        named = by_id.get(credential_id)
        if named is None or named.kind != CredentialKind.BADGE.value:
            continue
        renewals = [a for a in held if a.definition_id == named.definition_id and is_valid(a, now)]
        chosen = named if is_valid(named, now) or not renewals else max(renewals, key=lambda a: (a.renewal, a.awarded_at, a.id))
        if chosen.credential is not None:
            found.append(chosen.credential)
    return found


def _filename(award: PublishedAward, suffix: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", f"{award.definition_id}-{award.public_id}{suffix}")
