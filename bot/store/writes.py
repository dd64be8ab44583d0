"""A transaction's writes that answer nothing, sent when something needs them, together.

A turn's writes (its events, the session moved on, the memory of the answered check, what changed
of the learner) return nothing the turn reads, so they wait: until a statement reads a table they
write, until another write (which keeps them in order), or until the transaction ends. Then they
go out together: on PostgreSQL as one statement (each write a WITH clause of it, all applied at
once), on SQLite one statement each, the events in one. A turn of a lesson then costs its lock,
its reads and one write statement on PostgreSQL, where it cost a statement per write.

What waits is kept one write per row: two updates of a row become one (the later values win), and
an upsert replaces the one before it for its key, so that no row is written twice in one statement
(PostgreSQL would apply only one of them). Whatever fails (a platform message recorded before: the
events' unique constraint) fails the transaction as it did, only later in it."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.util import find_tables

TOGETHER = 40  # writes in one PostgreSQL statement at most (a team's sync writes hundreds; a turn a handful)


@dataclass
class _Write:
    table: Table
    where: dict[str, Any]  # the row: its primary key, or the upsert's conflict key
    values: dict[str, Any]
    upsert: bool


class Writes:
    def __init__(self, dialect: str) -> None:
        self._together = dialect == "postgresql"
        self._events: tuple[Table, list[dict[str, Any]]] | None = None
        self._rows: dict[tuple[str, tuple[Any, ...]], _Write] = {}  # in the order first written
        self._tables: set[str] = set()
        self._sending = False

    def insert(self, table: Table, values: dict[str, Any]) -> None:
        """A new row (an event): rows of one table go out in one INSERT."""
        if self._events is not None and self._events[0] is not table:
            raise ValueError(f"only one table's rows wait to be inserted, not {table.name} and {self._events[0].name}")
        if self._events is None:
            self._events = (table, [])
        self._events[1].append(values)
        self._tables.add(table.name)

    def update(self, table: Table, row_id: int, values: dict[str, Any]) -> None:
        """These columns of the row with this id."""
        self._keep(_Write(table, {"id": row_id}, dict(values), upsert=False))

    def upsert(self, table: Table, key: Iterable[str], values: dict[str, Any]) -> None:
        """The row with these values of `key` (its unique columns) inserted, or else set to `values`."""
        self._keep(_Write(table, {name: values[name] for name in key}, dict(values), upsert=True))

    def _keep(self, write: _Write) -> None:
        row = (write.table.name, tuple(write.where.items()))
        earlier = self._rows.get(row)
        if earlier is not None and not write.upsert:
            earlier.values.update(write.values)  # one UPDATE of the row, or its INSERT with the new values
        else:
            self._rows[row] = write
        self._tables.add(write.table.name)

    def before(self, state: ORMExecuteState) -> None:
        """Session event `do_orm_execute`: what waits goes out before a statement that reads a
        table it writes, and before any other write, so that everything happens in order."""
        if self._sending or not self._tables:
            return
        statement = state.statement
        if statement.is_select:
            read = {table.name for table in find_tables(cast(ClauseElement, statement), include_crud=True)}
            if read and not read & self._tables:
                return  # reads only tables nothing waits for (a text query names none: it waits for nothing)
        self.send(state.session)

    def send(self, session: Session) -> None:
        """Send what waits (the end of the transaction, or `before`)."""
        if not self._tables:
            return
        parts = self._parts()
        self._events, self._rows, self._tables = None, {}, set()
        self._sending = True
        try:
            if self._together:
                for start in range(0, len(parts), TOGETHER):
                    self._send_together(session, parts[start : start + TOGETHER])
            else:
                self._send_each(session, parts)
        finally:
            self._sending = False

    def _parts(self) -> list[tuple[_Part, dict[str, Any]]]:
        parts: list[tuple[_Part, dict[str, Any]]] = []
        if self._events is not None:
            table, rows = self._events
            parts += [(("insert", table, (), tuple(row)), row) for row in rows]
        for write in self._rows.values():
            if write.upsert:
                parts.append((("upsert", write.table, tuple(write.where), tuple(write.values)), write.values))
            else:
                parts.append((("update", write.table, ("id",), tuple(write.values)), {**write.values, "id": write.where["id"]}))
        return parts

    @staticmethod
    def _send_together(session: Session, parts: list[tuple[_Part, dict[str, Any]]]) -> None:
        """PostgreSQL: one statement, each write a WITH clause of it."""
        if len(parts) == 1:
            [(part, values)] = parts
            session.execute(_statement(part, "postgresql"), _named(values))
            return
        named: dict[str, Any] = {}
        for i, (_, values) in enumerate(parts):
            named.update(_named(values, f"w{i}_"))
        session.execute(_together(tuple(part for part, _ in parts)), named)

    @staticmethod
    def _send_each(session: Session, parts: list[tuple[_Part, dict[str, Any]]]) -> None:
        """SQLite: a statement each, the events in one (the same INSERT for each of them)."""
        events = [_named(values) for part, values in parts if part[0] == "insert"]
        if events:
            session.execute(_statement(parts[0][0], "sqlite"), events)
        for part, values in parts[len(events) :]:
            session.execute(_statement(part, "sqlite"), _named(values))


# What is sent, as a shape: (insert | upsert | update, the table, the key, the columns written).
# Each shape is built once (and kept while it is in use) with its values as parameters, so that
# what a turn sends is neither built nor compiled again: only its values change.
_Part = tuple[str, Table, tuple[str, ...], tuple[str, ...]]


def _named(values: dict[str, Any], prefix: str = "w0_") -> dict[str, Any]:
    return {f"{prefix}{name}": value for name, value in values.items()}


@functools.lru_cache(maxsize=512)
def _statement(part: _Part, dialect: str, prefix: str = "w0_") -> Any:
    kind, table, key, columns = part
    values = {name: bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in columns}
    if kind == "insert":
        return insert(table).values(values)
    if kind == "update":
        return update(table).where(table.c.id == bindparam(f"{prefix}id", type_=table.c.id.type)).values(values)
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(values)
    return statement.on_conflict_do_update(
        index_elements=list(key), set_={name: statement.excluded[name] for name in columns if name not in key}
    )


@functools.lru_cache(maxsize=512)
def _together(shape: tuple[_Part, ...]) -> Any:
    """PostgreSQL: the parts of a shape in one statement, each a WITH clause of it. PostgreSQL runs
    those in an order of its own, so each new row after the first is inserted from the row before
    it (INSERT ... SELECT ... FROM the previous clause's RETURNING): the events get their ids in
    the order they were recorded, as the trail and the xAPI forwarding read them."""
    clauses, inserted = [], None
    for i, part in enumerate(shape):
        kind, table, _, columns = part
        if kind != "insert":
            clauses.append(_statement(part, "postgresql", f"w{i}_").cte(f"w{i}"))
            continue
        if inserted is None:
            statement = insert(table).values({name: bindparam(f"w{i}_{name}", type_=table.c[name].type) for name in columns})
        else:
            row = select(*(bindparam(f"w{i}_{name}", type_=table.c[name].type).label(name) for name in columns))
            statement = insert(table).from_select(list(columns), row.select_from(inserted), include_defaults=False)
        inserted = statement.returning(table.c.id).cte(f"w{i}")
        clauses.append(inserted)
    return select(literal_column("1")).add_cte(*clauses)
