"""Every command and its arguments; each `--help` lists its subcommands and what they take."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = "Run the microlearning bot and its tools."


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    """Every command; `prog` is the name the person typed (default: the program's file name,
    `run_bot.py` or `microbadge`)."""
    from bot import assignment_import, people

    top = argparse.ArgumentParser(
        prog=prog, description=DESCRIPTION, epilog="Run `%(prog)s COMMAND --help` for a command's subcommands and options."
    )
    commands = top.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    console = commands.add_parser(
        "console", help="chat with the bot in this terminal (the default)", description="Chat with the bot in this terminal."
    )
    console.add_argument("--learner", help="who you are in the console (default: your user name)")
    console.add_argument("--language", help="the language the bot speaks to you in, e.g. de (default: from LC_ALL, LC_MESSAGES or LANG)")
    content = _group(commands, "content", "check or preview content files")
    check = content.add_parser(
        "check",
        help="report every problem as path:line: message; exit 1 if any",
        description="Check the whole content folder: every problem as path:line: message.",
    )
    check.add_argument("dir", nargs="?", type=Path, help="content folder (default: CONTENT_DIR or content/)")
    from adapters.cli import review as content_review

    review = content.add_parser(
        "review",
        help=content_review.HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=content_review.description(),
    )
    review.add_argument("dir", nargs="?", type=Path, help="content folder (default: CONTENT_DIR or content/)")
    review.add_argument("--csv", type=Path, metavar="FILE", help="also write every check's figures to this CSV file (formula-safe)")
    show = content.add_parser(
        "preview",
        help="show a lesson as a learner would see it, answers shown",
        description="Show one lesson file as a learner would see it, answers shown. "
        "Pathways, badges and certificates are checked by `content check`.",
    )
    show.add_argument("file", type=Path, help="a lesson file, e.g. content/lessons/lockout-tagout.md")
    commands.add_parser(
        "serve",
        help="serve the web app and every platform whose tokens are set",
        description="Serve the web app on HOST:PORT, and Telegram and Slack when their tokens are set.",
    )
    commands.add_parser(
        "status",
        help="learners, and due, overdue and delivered nudges",
        description="Learners; due, overdue and delivered nudges; errors; xAPI forwarding.",
    )
    people_commands = _group(commands, "people", "teams, managers, admins and job roles")
    people_import = people_commands.add_parser(
        "import",
        help="import people from a CSV file (all rows or none)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Import people from a CSV file: every bad row is named and then nothing is imported.\n\n"
            f"The first row names the columns: {','.join(people.COLUMNS)}\n"
            f"  platform  {', '.join(people.PLATFORMS)}\n"
            "  user_id   the person's id there (Telegram: a number; Slack: U0123ABCD; console: the name)\n"
            "  name      their name (optional)\n"
            "  team      the team they learn in (optional; one team)\n"
            f"  role      the ACCESS role: {', '.join(people.ROLES)} (empty: learner)\n"
            "  manages   the teams a manager or admin manages, separated by ; (e.g. Maintenance;Safety)\n"
            "  roles     JOB roles: ids of content/roles/<id>.md, separated by ;\n"
            "            (e.g. machine-operator;maintenance-technician). Optional column: when it is there,\n"
            "            each person gets exactly these job roles (an empty cell: none) and what a new\n"
            "            role requires is assigned; without it, job roles stay as they are.\n\n"
            "Several teams or job roles are separated by ; only: a value written as a list any other way\n"
            "(a, b  a|b  a / b  [a, b]) is refused with its row, so a team name cannot contain , | or ' / '.\n\n"
            "Example:\n"
            f"  {','.join(people.COLUMNS)}\n"
            "  telegram,4242,Ana Lima,Maintenance,learner,,machine-operator\n"
            "  slack,U0BO7,Bo Chen,,manager,Maintenance;Safety,machine-operator;maintenance-technician"
        ),
    )
    people_import.add_argument("file", type=Path, help="the CSV file (UTF-8, comma-separated)")
    assignments = _group(commands, "assignments", "who must earn which credential or finish which pathway, by when")
    assignments_import = assignments.add_parser(
        "import",
        help="assign credentials and pathways from a CSV file (all rows or none)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Assign credentials and pathways from a CSV file: every bad row is named and then nothing is assigned.\n\n"
            f"The first row names the columns (leave out those you do not use): {','.join(assignment_import.COLUMNS)}\n"
            "Each row says WHO, exactly one of:\n"
            "  platform,user_id   one person the bot knows (as in people import)\n"
            "  team               every member of the team today, by its name\n"
            "  job_role           everyone who holds the job role today (an id of content/roles/<id>.md)\n"
            "WHAT, exactly one of:\n"
            "  credential         a badge or certificate id (content/credentials/<id>.md; not a retired one)\n"
            "  pathway            a pathway id (content/pathways/<id>.md): every lesson of it\n"
            "WHEN, exactly one of:\n"
            "  due                the last day, YYYY-MM-DD (today or later)\n"
            "  due_in_days        N days from today\n"
            "  days_after_joining N days after the person joined (may be past: then it is overdue at once)\n\n"
            "Days count in each person's timezone. Assigning again what someone is assigned adds an assignment:\n"
            "the latest counts. One team, job role, credential or pathway a row: write a row for each.\n\n"
            "Example:\n"
            "  platform,user_id,team,job_role,credential,pathway,due,due_in_days,days_after_joining\n"
            "  telegram,4242,,,loto-practitioner,,2026-06-30,,\n"
            "  ,,Maintenance,,maintenance-fundamentals,,,30,\n"
            "  ,,,machine-operator,safety-foundations,,,,14"
        ),
    )
    assignments_import.add_argument("file", type=Path, help="the CSV file (UTF-8, comma-separated)")
    nudges = _group(commands, "nudges", "the messages the bot starts")
    holdout = nudges.add_parser(
        "holdout",
        help="hold a random share of learners out of daily offers for a while, to measure the uplift",
        description="Hold a random, stable share of learners out of the daily lesson offer (and its reminders) for a "
        "number of days, from now, so that `report` measures what the nudge does: nudged against held out, with a "
        "95% interval. Assignment notices, overdue reminders and escalations still go to everyone. One holdout at a "
        "time. Without options: the running (or latest) holdout, until when, and who it holds out.",
    )
    holdout.add_argument("--share", type=float, metavar="S", help="the share of learners held out, above 0 and at most 0.5 (0.1 = 10%%)")
    holdout.add_argument("--days", type=int, metavar="N", help="how long, in days (1-366)")
    holdout.add_argument("--end", action="store_true", help="end the running holdout now")
    xapi = _group(commands, "xapi", "the learning record as xAPI statements")
    xapi_export = xapi.add_parser(
        "export",
        help="write every statement to a JSON lines file",
        description="Write every learning event as xAPI statements, one JSON object a line.",
    )
    xapi_export.add_argument("out", type=Path, help="the file to write")
    report = commands.add_parser(
        "report",
        help="the programme's numbers for L&D, for a date range; or the compliance matrix",
        description="The programme's numbers for L&D, for a date range (--from, --to); or `report compliance`.",
        usage="%(prog)s --from DAY --to DAY [--csv FILE]\n       %(prog)s compliance [--as-of DAY] [--team NAME | --role ID] [--csv]",
    )
    report.add_argument("--from", dest="start", metavar="DAY", help="first day, YYYY-MM-DD (required)")
    report.add_argument("--to", dest="end", metavar="DAY", help="last day, YYYY-MM-DD (included; required)")
    report.add_argument("--csv", type=Path, metavar="FILE", help="also write the numbers to this CSV file")
    kinds = report.add_subparsers(dest="report_command", title="subcommands", metavar="SUBCOMMAND", prog=report.prog)
    matrix = kinds.add_parser(
        "compliance",
        help="people x required credentials: valid, expiring, expired, overdue, in progress, not started",
        description=(
            "The compliance matrix, as on the dashboard: everyone (or a team, or a job role's holders) against the credentials"
            " required of them by their job roles or assigned to them, now or as the record stood at the end of a past day (UTC)."
            " Team membership has no history: a team's people are its members today, also for a past day."
        ),
    )
    matrix.add_argument("--as-of", metavar="DAY", help="a past day, YYYY-MM-DD: as the record stood at its end (UTC); default now")
    who = matrix.add_mutually_exclusive_group()
    who.add_argument("--team", metavar="NAME", help="only this team's people (as named in people import)")
    who.add_argument("--role", metavar="ID", help="only the holders of this job role (its id in content/roles, or its title)")
    matrix.add_argument(
        "--status",
        action="append",
        default=[],
        choices=["valid", "expiring", "expired", "overdue", "in_progress", "not_started"],
        help="only people with a credential in this status (repeat for several)",
    )
    matrix.add_argument("--within", type=int, default=30, metavar="DAYS", help="expiring means within this many days (default 30)")
    matrix.add_argument("--csv", dest="as_csv", action="store_true", help="CSV on stdout (formula-safe) instead of a table")
    mastery = _group(commands, "mastery", "the models behind re-checks and mastery")
    fit = mastery.add_parser(
        "optimize",
        help="fit FSRS's spacing to this organisation's reviews; report default against fitted; apply with --apply",
        description=(
            "Fit FSRS's parameters to this organisation's own answers to checks (the fsrs package's optimizer: needs the"
            " optimizer extra) and report the log loss and RMSE of the default and the fitted parameters on the re-checks of a"
            " fifth of the learners, kept out of the fit. Nothing changes without --apply, which writes them to"
            " DATA_DIR/fsrs-parameters.json: the bot schedules each re-check with them from its next answer."
            " Needs at least 10 learners, 512 re-checks to fit and 128 held out."
        ),
    )
    what = fit.add_mutually_exclusive_group()
    what.add_argument("--apply", action="store_true", help="use the fitted parameters if they predict the held-out re-checks better")
    what.add_argument("--reset", action="store_true", help="go back to FSRS's default parameters (fit nothing)")
    db = _group(commands, "db", "the database schema")
    db.add_parser(
        "upgrade",
        help="create or upgrade the schema (also done on start)",
        description="Create or upgrade the database schema (also done on start).",
    )
    teams = _group(commands, "teams", "Microsoft Teams: the app package")
    teams_manifest = teams.add_parser(
        "manifest",
        help="write the Teams app package (manifest.json and icons) an admin uploads",
        description="Write the Teams app package: manifest.json (for TEAMS_APP_ID, links under PUBLIC_URL), "
        "color.png and outline.png in one .zip, to upload in Teams or its admin center.",
    )
    teams_manifest.add_argument("out", metavar="OUT.zip", type=Path)
    dashboard = _group(commands, "dashboard", "the managers' web dashboard")
    link = dashboard.add_parser(
        "link",
        help="print a one-time sign-in link for a manager or admin",
        description="Print a one-time dashboard sign-in link (15 minutes, single use) "
        "for a manager or admin: for teams without Slack or Telegram.",
    )
    link.add_argument("person", metavar="PERSON", help="platform:user_id, e.g. telegram:4242, slack:U0ANA or console:ana")
    creds = _group(commands, "credentials", "revoke, rotate the issuer key, sign again, verify, samples")
    revoke = creds.add_parser(
        "revoke",
        help="revoke a credential (flips its status list bit)",
        description="Revoke a credential: its status list bit flips, its page says revoked.",
    )
    revoke.add_argument("id", help="the credential's id, page URL or public id")
    revoke.add_argument("--reason", required=True, help="why it is revoked (kept with the record)")
    rotate = creds.add_parser(
        "rotate-key",
        help="start a new issuer key; the old one can no longer sign",
        description=(
            "Start a new issuer key, taken up by running serve processes without a restart. Routine: the old key's private half"
            " is destroyed and its public half stays in the DID document, so earlier credentials still verify. --compromised: the"
            " old key leaves the DID document and every valid credential it signed is signed again with the new key, its learner told."
        ),
    )
    rotate.add_argument("--compromised", action="store_true", help="the old key leaked: withdraw it and sign its credentials again")
    creds.add_parser(
        "reissue",
        help="finish signing again what a withdrawn key signed",
        description=(
            "Sign again, with the current key, every valid credential that a key withdrawn as compromised signed"
            " (to finish an interrupted rotate-key --compromised)."
        ),
    )
    check_one = creds.add_parser(
        "verify",
        help="verify an Open Badges 3.0 credential or a CLR 2.0 transcript offline",
        description=(
            "Verify an Open Badges 3.0 credential offline: one line, VALID / INVALID: why / UNKNOWN: why. Nothing is fetched:"
            " without --did-document and --status-list, the did.json and status-list.json (for a certificate"
            " status-list-suspension.json) beside the credential are used, as credentials sample writes them, each only"
            " if its id is the credential's issuer or status list. A CLR 2.0 transcript (a certificate's clr.json): a line"
            " for the transcript, then one for each credential in it, each checked against its own status list."
        ),
    )
    check_one.add_argument("file", metavar="FILE", type=Path)
    check_one.add_argument(
        "--did-document",
        type=Path,
        action="append",
        default=[],
        help="the issuer's DID document (did:web), as a file: nothing is fetched (default: did.json beside FILE, if it is the issuer's)",
    )
    check_one.add_argument(
        "--status-list",
        type=Path,
        help="the issuer's signed status list, as a file (default: status-list.json beside FILE, if it is its list)",
    )
    sample = creds.add_parser(
        "sample",
        help="play a demo learner and write one signed credential of each kind",
        description=(
            "Play a demo learner and write one credential of each kind to OUT_DIR, signed by a demo issuer: named as a demo,"
            " did:web:samples.invalid (an address that never exists), with a key made for this run and not kept."
            " The DID document (did.json) and the status lists (status-list.json, status-list-suspension.json) are written beside them,"
            " so `credentials verify OUT_DIR/FILE.json` checks one with nothing else. This deployment's keys (KEYS_DIR),"
            " database and status list are not used: the samples are not awards and never verify as its credentials."
        ),
    )
    sample.add_argument("out_dir", metavar="OUT_DIR", type=Path)
    return top


def _group(commands: argparse._SubParsersAction, name: str, summary: str) -> argparse._SubParsersAction:
    """A command made of subcommands: its --help lists them."""
    group = commands.add_parser(name, help=summary, description=summary[:1].upper() + summary[1:] + ".")
    return group.add_subparsers(dest=f"{name}_command", required=True, title="subcommands", metavar="SUBCOMMAND")
