#!/usr/bin/env python3
"""Run the microlearning bot and its tools.

    python run_bot.py                      # the bot in this terminal (console learner, SQLite)
    python run_bot.py console --learner ana
    python run_bot.py content check [DIR]  # lint lessons, pathways and credentials
    python run_bot.py content preview FILE # a lesson as a learner sees it
    python run_bot.py db upgrade           # create or upgrade the database schema
    python run_bot.py serve                # the web app (credential pages) and configured platforms
    python run_bot.py status               # learners, due and overdue nudges, delivery rate, errors
    python run_bot.py people import FILE   # teams, managers and admins from a CSV file
    python run_bot.py xapi export OUT      # the learning record as xAPI statements (JSON lines)
    python run_bot.py report --from D --to D [--csv F]   # the programme's numbers for L&D
    python run_bot.py dashboard link PERSON             # a one-time dashboard sign-in link (admins)

Configuration comes from environment variables (DATABASE_URL, CONTENT_DIR, DATA_DIR); see README.
A setting that cannot be used stops every command with one line naming it (exit code 2).
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys
from pathlib import Path
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from bot.config import Settings, redact_url

if TYPE_CHECKING:
    from bot.bootstrap import Application
    from bot.store.repository import ProgressStore
    from content.model import Curriculum


CONFIG_ERROR = 2  # exit code of a setting that cannot be used (as for a command line argparse refuses)
log = logging.getLogger("run_bot")


def parser() -> argparse.ArgumentParser:
    """Every command; each `--help` lists its subcommands and what they take."""
    from bot import people

    top = argparse.ArgumentParser(prog="run_bot.py", description=__doc__.split("\n")[0],
                                  epilog="Run `run_bot.py COMMAND --help` for a command's subcommands and options.")
    commands = top.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    console = commands.add_parser("console", help="chat with the bot in this terminal (the default)",
                                  description="Chat with the bot in this terminal.")
    console.add_argument("--learner", help="who you are in the console (default: your user name)")
    content = _group(commands, "content", "check or preview content files")
    check = content.add_parser("check", help="report every problem as path:line: message; exit 1 if any",
                               description="Check the whole content folder: every problem as path:line: message.")
    check.add_argument("dir", nargs="?", type=Path, help="content folder (default: CONTENT_DIR or content/)")
    show = content.add_parser("preview", help="show a lesson as a learner would see it, answers shown",
                              description="Show one lesson file as a learner would see it, answers shown. "
                                          "Pathways, badges and certificates are checked by `content check`.")
    show.add_argument("file", type=Path, help="a lesson file, e.g. content/lessons/lockout-tagout.md")
    commands.add_parser("serve", help="serve the web app and every platform whose tokens are set",
                        description="Serve the web app on HOST:PORT, and Telegram and Slack when their tokens are set.")
    commands.add_parser("status", help="learners, and due, overdue and delivered nudges",
                        description="Learners; due, overdue and delivered nudges; errors; xAPI forwarding.")
    people_commands = _group(commands, "people", "teams, managers and admins")
    people_import = people_commands.add_parser(
        "import", help="import people from a CSV file (all rows or none)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Import people from a CSV file: every bad row is named and then nothing is imported.\n\n"
            f"The first row names the columns: {','.join(people.COLUMNS)}\n"
            f"  platform  {', '.join(people.PLATFORMS)}\n"
            "  user_id   the person's id there (Telegram: a number; Slack: U0123ABCD; console: the name)\n"
            "  name      their name (optional)\n"
            "  team      the team they learn in (optional)\n"
            f"  role      {', '.join(people.ROLES)} (empty: learner)\n"
            "  manages   the teams a manager or admin manages, separated by ; (e.g. Maintenance;Safety)\n\n"
            "Example:\n"
            f"  {','.join(people.COLUMNS)}\n"
            "  telegram,4242,Ana Lima,Maintenance,learner,\n"
            "  slack,U0BO7,Bo Chen,,manager,Maintenance;Safety"
        ),
    )
    people_import.add_argument("file", type=Path, help="the CSV file (UTF-8, comma-separated)")
    xapi = _group(commands, "xapi", "the learning record as xAPI statements")
    xapi_export = xapi.add_parser("export", help="write every statement to a JSON lines file",
                                  description="Write every learning event as xAPI statements, one JSON object a line.")
    xapi_export.add_argument("out", type=Path, help="the file to write")
    report = commands.add_parser("report", help="the programme's numbers for L&D, for a date range",
                                 description="The programme's numbers for L&D, for a date range.")
    report.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD (included)")
    report.add_argument("--csv", type=Path, help="also write the numbers to this CSV file")
    db = _group(commands, "db", "the database schema")
    db.add_parser("upgrade", help="create or upgrade the schema (also done on start)",
                  description="Create or upgrade the database schema (also done on start).")
    dashboard = _group(commands, "dashboard", "the managers' web dashboard")
    link = dashboard.add_parser("link", help="print a one-time sign-in link for a manager or admin",
                                description="Print a one-time dashboard sign-in link (15 minutes, single use) "
                                            "for a manager or admin: for teams without Slack or Telegram.")
    link.add_argument("person", metavar="PERSON",
                      help="platform:user_id, e.g. telegram:4242, slack:U0ANA or console:ana")
    creds = _group(commands, "credentials", "revoke, rotate the issuer key, verify, samples")
    revoke = creds.add_parser("revoke", help="revoke a credential (flips its status list bit)",
                              description="Revoke a credential: its status list bit flips, its page says revoked.")
    revoke.add_argument("id", help="the credential's id, page URL or public id")
    revoke.add_argument("--reason", required=True, help="why it is revoked (kept with the record)")
    creds.add_parser("rotate-key", help="start a new issuer key; old credentials stay verifiable",
                     description="Start a new issuer key; retired keys stay in the DID document.")
    check_one = creds.add_parser("verify", help="verify an Open Badges 3.0 credential offline",
                                 description="Verify an Open Badges 3.0 credential offline: one line, "
                                             "VALID / INVALID: why / UNKNOWN: why.")
    check_one.add_argument("file", type=Path)
    check_one.add_argument("--did-document", type=Path, action="append", default=[],
                           help="the issuer's DID document (did:web), as a file: nothing is fetched")
    check_one.add_argument("--status-list", type=Path, help="the issuer's signed status list, as a file")
    sample = creds.add_parser("sample", help="play a demo learner and write one signed credential of each kind",
                              description="Play a demo learner and write one signed credential of each kind.")
    sample.add_argument("out_dir", type=Path)
    return top


def _group(commands: argparse._SubParsersAction, name: str, summary: str) -> argparse._SubParsersAction:
    """A command made of subcommands: its --help lists them."""
    group = commands.add_parser(name, help=summary, description=summary[:1].upper() + summary[1:] + ".")
    return group.add_subparsers(dest=f"{name}_command", required=True, title="subcommands", metavar="SUBCOMMAND")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)

    from bot.config import ConfigError, secrets_in
    from bot.logs import configure

    secrets = secrets_in(os.environ)
    configure(os.environ.get("LOG_FORMAT"), secrets=secrets)
    try:
        settings = Settings.from_env()
        configure(settings.log_format, secrets=settings.secrets)
        return run(args, settings)
    except ConfigError as error:
        say(str(error), secrets)
        return CONFIG_ERROR
    except BrokenPipeError:  # output piped into `head` and closed: handled below
        raise
    except Exception:  # not a setting: a bug. Logged (one line, secrets masked), not printed raw.
        log.exception("Stopped by an unexpected error")
        return 1


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "content":
        return content_check(args.dir or settings.content_dir) if args.content_command == "check" else content_preview(args.file)
    if args.command == "db":
        return db_upgrade(settings)
    if args.command == "credentials":
        return asyncio.run(credentials_command(settings, args))
    if args.command == "serve":
        return asyncio.run(run_serve(settings))
    if args.command == "status":
        return asyncio.run(show_status(settings))
    if args.command == "people":
        return asyncio.run(import_people(settings, args.file))
    if args.command == "xapi":
        return asyncio.run(export_xapi(settings, args.out))
    if args.command == "report":
        return asyncio.run(programme_report(settings, args.start, args.end, args.csv))
    if args.command == "dashboard":
        return asyncio.run(dashboard_link(settings, args.person))
    return asyncio.run(run_console(settings, getattr(args, "learner", None)))


def say(message: str, secrets: tuple[str, ...] = ()) -> None:
    """One line on stderr for the operator (a JSON object under LOG_FORMAT=json), secrets masked."""
    from bot.logs import operator_line

    print(operator_line(message, os.environ.get("LOG_FORMAT"), secrets), file=sys.stderr)


def content_check(folder: Path) -> int:
    from content.loader import load_curriculum

    result = load_curriculum(folder)
    for problem in result.problems:
        print(problem)
    if result.curriculum is None:
        print(f"{len(result.problems)} problem(s) found in {folder}", file=sys.stderr)
        return 1
    curriculum = result.curriculum
    checks = sum(len(lesson.checks) for lesson in curriculum.lessons.values())
    print(
        f"{folder}: OK. {len(curriculum.lessons)} lessons, {checks} checks, "
        f"{len(curriculum.pathways)} pathways, {len(curriculum.credentials)} credentials."
    )
    return 0


def content_preview(file: Path) -> int:
    from adapters.console.preview import preview
    from content.loader import load_lesson

    lesson, problems = load_lesson(file)
    for problem in problems:
        print(problem, file=sys.stdout if lesson is not None else sys.stderr)
    if lesson is None:
        return 1
    print(preview(lesson))
    return 0


def db_upgrade(settings: Settings) -> int:
    from bot.bootstrap import prepare_database

    asyncio.run(prepare_database(settings))
    print(f"Database is up to date: {redact_url(settings.database_url)}")
    return 0


async def credentials_command(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import datetime, timedelta, timezone

    from bot import admin
    from bot.bootstrap import check_keys, load_issuer, prepare_database
    from bot.store.database import create_engine, create_sessionmaker
    from bot.store.repository import ProgressStore
    from credentials.keystore import KeyStore

    now = datetime.now(timezone.utc)
    if args.credentials_command == "rotate-key":
        check_keys(settings)
        outcome = admin.rotate_key(KeyStore(settings.keys_dir), now=now)
    elif args.credentials_command == "verify":
        own = load_issuer(settings) if KeyStore(settings.keys_dir).current_path.exists() else None
        if own is not None:
            await prepare_database(settings)
        engine = create_engine(settings.database_url) if own is not None else None
        try:
            outcome = await admin.verify_file(
                args.file, did_documents=args.did_document, status_list_path=args.status_list, own_issuer=own,
                store=ProgressStore(create_sessionmaker(engine)) if engine else None, now=now,
            )
        finally:
            if engine is not None:
                await engine.dispose()
        print(outcome.message)
        return outcome.exit_code
    elif args.credentials_command == "sample":
        curriculum = content_or_report(settings)
        if curriculum is None:
            return 1
        check_keys(settings)
        outcome = await admin.write_samples(
            # Start the demo in the past, so the samples are already valid today.
            curriculum=curriculum, issuer=load_issuer(settings), out_dir=args.out_dir, start=now - timedelta(days=60)
        )
    else:
        async with opened_store(settings) as store:
            outcome = await admin.revoke(store, args.id, reason=args.reason, now=now)
    print(outcome.message, file=sys.stderr if outcome.exit_code else sys.stdout)
    return outcome.exit_code


@asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[ProgressStore]:
    """The progress store on an upgraded schema; the engine is disposed of on exit. `ConfigError`
    when the database cannot be opened or reached."""
    from bot.bootstrap import prepare_database
    from bot.store.database import create_engine, create_sessionmaker
    from bot.store.repository import ProgressStore

    await prepare_database(settings)
    engine = create_engine(settings.database_url)
    try:
        yield ProgressStore(create_sessionmaker(engine))
    finally:
        await engine.dispose()


def content_or_report(settings: Settings) -> Curriculum | None:
    """The curriculum, or None after printing every problem in it."""
    from bot.bootstrap import ContentInvalid, load_content

    try:
        return load_content(settings)
    except ContentInvalid as error:
        print("\n".join(map(str, error.problems)), file=sys.stderr)
        return None


async def show_status(settings: Settings) -> int:
    from datetime import datetime, timezone

    from bot import admin
    from bot.bootstrap import in_use
    from bot.store.database import create_engine
    from bot.store.forwarding import ForwardingStore

    async with opened_store(settings) as store:
        print("\n".join(in_use(settings)), file=sys.stderr)  # where, beside what: stdout stays the status
        engine = create_engine(settings.database_url)
        try:
            print(await admin.status(store, now=datetime.now(timezone.utc), forwarding=ForwardingStore(engine)))
        finally:
            await engine.dispose()
    print(await journal_status(settings.data_dir))
    return 0


async def journal_status(data_dir: Path) -> str:
    """What the platforms delivered to this machine and is not recorded yet (adapters/inbox.py)."""
    from datetime import datetime, timezone

    from adapters.inbox import FILE, Inbox, JournalUnavailable

    path = data_dir / FILE
    if not path.exists():
        return "Deliveries kept on this machine: none (no journal yet)"
    inbox = Inbox(path)
    try:
        backlog = await inbox.backlog()
    except JournalUnavailable as error:
        return f"Deliveries kept on this machine: unknown ({error})"
    finally:
        await inbox.close()
    oldest = (f" (oldest received {datetime.fromtimestamp(backlog.oldest_at, timezone.utc):%Y-%m-%d %H:%M} UTC)"
              if backlog.oldest_at else "")
    line = f"Deliveries kept on this machine, not recorded yet: {backlog.pending}{oldest}"
    if backlog.failed:
        line += f"; {backlog.failed} could not be handled (see the log)"
    return line


async def import_people(settings: Settings, file: Path) -> int:
    from datetime import datetime, timezone

    from tqdm import tqdm

    from bot import people

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"Cannot read {file}: {error}", file=sys.stderr)
        return 1
    found, problems = people.read_people(text)
    if problems:
        print("\n".join(f"{file}: {problem}" for problem in problems), file=sys.stderr)
        print(f"{len(problems)} problem(s): nothing was imported.", file=sys.stderr)
        return 1
    async with opened_store(settings) as store:
        with tqdm(total=len(found), unit="person", desc="Importing", disable=None, file=sys.stderr) as bar:
            done = await people.import_people(
                store, found, now=datetime.now(timezone.utc), progress=lambda n, total: bar.update(n - bar.n),
            )
    print(f"Imported {done.people} people ({done.created} new) in {done.teams} teams; {done.managers} manage teams.")
    return 0


async def export_xapi(settings: Settings, out: Path) -> int:
    from tqdm import tqdm

    from bot import admin
    from bot.xapi import Record

    curriculum = content_or_report(settings)
    if curriculum is None:
        return 1
    record = Record(base_url=settings.public_url or settings.local_url, curriculum=curriculum)
    try:
        async with opened_store(settings) as store:
            with tqdm(unit="event", desc="Exporting", disable=None, file=sys.stderr) as bar:
                def advance(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                written = await admin.export_xapi(store, record, out, progress=advance)
    except OSError as error:
        print(f"Cannot write {out}: {error}", file=sys.stderr)
        return 1
    print(f"Wrote {written} xAPI statements to {out}")
    return 0


async def programme_report(settings: Settings, first: str, last: str, csv_path: Path | None) -> int:
    from datetime import date, datetime, time, timedelta, timezone

    from bot import admin
    from bot.spreadsheet import write_rows

    try:
        start_day, last_day = date.fromisoformat(first), date.fromisoformat(last)
    except ValueError as error:
        print(f"Dates are YYYY-MM-DD: {error}", file=sys.stderr)
        return 1
    if last_day < start_day:
        print("--to must not be before --from", file=sys.stderr)
        return 1
    curriculum = content_or_report(settings)
    if curriculum is None:
        return 1
    start = datetime.combine(start_day, time(), timezone.utc)
    end = datetime.combine(last_day + timedelta(days=1), time(), timezone.utc)
    async with opened_store(settings) as store:
        result = await admin.programme_report(store, curriculum, start, end)
    rows = result.rows()
    width = max(len(metric) for metric, _ in rows)
    for metric, value in rows:
        print(f"{metric:<{width}}  {value}")
    if csv_path is not None:
        with csv_path.open("w", newline="", encoding="utf-8") as file:
            write_rows(file, [("metric", "value"), *rows])  # every CSV the product writes is formula-safe
        print(f"Wrote {csv_path}")
    return 0


async def build_or_report(settings: Settings) -> Application | None:
    """The application, or None after printing every content problem (nothing starts on broken content)."""
    from bot.bootstrap import ContentInvalid, build

    try:
        return await build(settings)
    except ContentInvalid as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"The content in {settings.content_dir} has problems; fix them and start again.", file=sys.stderr)
        return None


async def run_serve(settings: Settings) -> int:
    from adapters.service import PlatformUnavailable, serve
    from bot.bootstrap import in_use

    app = await build_or_report(settings)
    if app is None:
        return 1
    for line in in_use(settings, app.issuer):
        log.warning("%s", line)  # a log line (JSON under LOG_FORMAT=json), like the rest of serve's
    try:
        await serve(settings, app)
    except PlatformUnavailable as error:
        say(f"Cannot start: {error}.", settings.secrets)
        return 1
    finally:
        await app.close()
    return 0


async def dashboard_link(settings: Settings, person: str) -> int:
    from datetime import datetime, timezone

    from bot import admin

    async with opened_store(settings) as store:
        outcome = await admin.dashboard_link(store, person, base_url=settings.public_url or settings.local_url,
                                             now=datetime.now(timezone.utc))
    print(outcome.message, file=sys.stderr if outcome.exit_code else sys.stdout)
    return outcome.exit_code


async def run_console(settings: Settings, learner_name: str | None) -> int:
    from tzlocal import get_localzone_name

    from adapters.console.app import PLATFORM, ConsoleBot
    from bot.bootstrap import in_use
    from bot.events import LearnerRef

    app = await build_or_report(settings)
    if app is None:
        return 1
    print("\n".join(in_use(settings, app.issuer)), file=sys.stderr)  # not in the conversation on stdout
    name = learner_name or getpass.getuser()
    bot = ConsoleBot(
        core=app.core,
        learner=LearnerRef(PLATFORM, name, name),
        stdin=sys.stdin,
        stdout=sys.stdout,
        timezone=_local_timezone(get_localzone_name),
        interactive=sys.stdin.isatty(),
    )
    try:
        await bot.run()
    finally:
        await app.close()
    return 0


def _local_timezone(lookup) -> str:  # type: ignore[no-untyped-def]
    try:
        return lookup() or "UTC"
    except Exception:  # no zone configured on this machine
        return "UTC"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        sys.stderr.close()
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
