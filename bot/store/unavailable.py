"""Telling "the database cannot be reached now" apart from every other failure.

An outage (PostgreSQL stopped or restarting, the network to it down, too many connections,
SQLite locked past its busy timeout) is temporary and wrote nothing: what the learner did must
be kept and applied when the database is back. Any other error is a bug or bad data, and trying
again will not help. Drivers report an outage in many shapes: a refused or reset socket
(asyncpg raises plain OSError while connecting), a connection that vanished mid-query, or a
server message whose SQLSTATE class says so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.ports import StoreUnavailable

# SQLSTATE classes of an unavailable server: 08 connection exception, 53 insufficient resources
# (too many connections, disk full), 57 operator intervention (shutting down, starting up).
_UNAVAILABLE_CLASSES = ("08", "53", "57")


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` (or what caused it) means the database cannot be reached right now."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, StoreUnavailable | OperationalError | InterfaceError | OSError | TimeoutError):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(state, str) and state[:2] in _UNAVAILABLE_CLASSES:
            return True
        current = current.__cause__ or getattr(current, "orig", None)
    return False


@asynccontextmanager
async def unavailable_as_store_error() -> AsyncIterator[None]:
    """Database work outside a store transaction reports an outage the same way."""
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as error:
        if is_unavailable(error):
            raise StoreUnavailable(f"the database cannot be reached: {type(error).__name__}") from error
        raise
