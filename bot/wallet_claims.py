"""A learner claims one of their credentials into a wallet of their own (the DCC Learner
Credential Wallet or another VC-API wallet), which gets a copy naming the wallet's DID as its
subject (credentials/wallet.py says how).

Only the learner may: the claim link is a one-time secret, handed to them in chat (/badges),
never shown on the public credential page, which anyone can open. Its token is random, kept only
as a hash (like the dashboard's sign-in links), bound to one award, valid for CLAIM_VALID, and
spent by the first wallet that proves control of its DID with it (web/routes_wallet.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.awards import is_valid
from bot.ports import UnitOfWork
from bot.records import Award
from bot.team import new_token, token_hash

CLAIM_VALID = timedelta(minutes=15)
CLAIM_PATH = "/wallet/claim/"  # + token: the page with the QR code, and the exchange's interaction URL
EXCHANGE_PATH = "/wallet/exchanges/"  # + token: where the wallet POSTs


def claim_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{CLAIM_PATH}{token}"


def exchange_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{EXCHANGE_PATH}{token}"


async def claim_link(tx: UnitOfWork, award: Award, *, base_url: str, now: datetime) -> str | None:
    """A new one-time link with which the award's learner claims its credential into a wallet;
    None when there is nothing to claim (no signed credential, or revoked or expired). The reply
    that carries it is secret (`Turn.replies_secret`): it must not be kept for redelivery."""
    if award.credential is None or not award.id or not is_valid(award, now):
        return None
    await tx.wallet.purge_expired(now)  # links nobody can use any more
    token = new_token()
    await tx.wallet.add(token_hash(token), award.id, now + CLAIM_VALID, now=now)
    return claim_url(base_url, token)


def claim_line(link: str) -> str:
    """How the chat offers it, beside the credential's other links (the token is hex: safe in Markdown)."""
    minutes = int(CLAIM_VALID.total_seconds() // 60)
    return f"[Add to your wallet]({link}) (this link works once, for {minutes} minutes)"
