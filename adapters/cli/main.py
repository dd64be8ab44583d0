"""The command line: read the settings once, run the command, turn what goes wrong into an exit code.
`microbadge` (the installed entry point) and `python run_bot.py` both call `command_line`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from typing import NoReturn

from adapters.cli.arguments import parser
from adapters.cli.shared import say
from bot.config import Settings

CONFIG_ERROR = 2  # exit code of a setting that cannot be used (as for a command line argparse refuses)
log = logging.getLogger("run_bot")


def command_line() -> NoReturn:
    """The process: exit with the command's code."""
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        sys.stderr.close()
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)


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
    except BrokenPipeError:  # output piped into `head` and closed: handled by command_line
        raise
    except Exception:  # not a setting: a bug. Logged (one line, secrets masked), not printed raw.
        log.exception("Stopped by an unexpected error")
        return 1


def run(args: argparse.Namespace, settings: Settings) -> int:
    """The command's body, imported only when it runs (the console needs no web app or SDK)."""
    if args.command == "content":
        from adapters.cli import authoring

        if args.content_command == "review":
            from adapters.cli import review

            return asyncio.run(review.show(settings, args.dir, args.csv))
        return authoring.check(args.dir or settings.content_dir) if args.content_command == "check" else authoring.preview(args.file)
    if args.command == "db":
        from adapters.cli import schema

        return schema.upgrade(settings)
    if args.command == "credentials":
        from adapters.cli import credentials

        return asyncio.run(credentials.command(settings, args))
    if args.command == "serve":
        from adapters.cli import serve

        return asyncio.run(serve.run(settings))
    if args.command == "status":
        from adapters.cli import status

        return asyncio.run(status.show(settings))
    if args.command == "people":
        from adapters.cli import people

        return asyncio.run(people.import_file(settings, args.file))
    if args.command == "assignments":
        from adapters.cli import assignments

        return asyncio.run(assignments.import_file(settings, args.file))
    if args.command == "nudges":
        from adapters.cli import holdout

        return asyncio.run(holdout.command(settings, args.share, args.days, args.end))
    if args.command == "xapi":
        from adapters.cli import xapi

        return asyncio.run(xapi.export_file(settings, args.out))
    if args.command == "mastery":
        from adapters.cli import optimize

        return asyncio.run(optimize.optimize(settings, apply=args.apply, reset=args.reset))
    if args.command == "report" and args.report_command == "compliance":
        from adapters.cli import compliance

        return asyncio.run(
            compliance.show(
                settings, as_of=args.as_of, team=args.team, role=args.role, statuses=args.status, within=args.within, as_csv=args.as_csv
            )
        )
    if args.command == "report":
        from adapters.cli import report

        if args.start is None or args.end is None:
            print("report: --from and --to are required (or: report compliance)", file=sys.stderr)
            return CONFIG_ERROR
        return asyncio.run(report.show(settings, args.start, args.end, args.csv))
    if args.command == "teams":
        from adapters.cli import teams

        return teams.write_manifest(settings, args.out)
    if args.command == "dashboard":
        from adapters.cli import dashboard

        return asyncio.run(dashboard.print_link(settings, args.person))
    from adapters.cli import console

    return asyncio.run(console.run(settings, getattr(args, "learner", None), getattr(args, "language", None)))
