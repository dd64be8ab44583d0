"""Run the microlearning bot and its tools.

    microbadge                             # the bot in this terminal (console learner, SQLite)
    microbadge console --learner ana
    microbadge content check [DIR]         # lint lessons, pathways and credentials
    microbadge content preview FILE        # a lesson as a learner sees it
    microbadge content review [DIR] [--csv F]   # warnings at a check's path:line from learners' answers
    microbadge db upgrade                  # create or upgrade the database schema
    microbadge serve                       # the web app (credential pages) and configured platforms
    microbadge status                      # learners, due and overdue nudges, delivery rate, errors
    microbadge people import FILE          # teams, managers and admins from a CSV file
    microbadge xapi export OUT             # the learning record as xAPI statements (JSON lines)
    microbadge report --from D --to D [--csv F]   # the programme's numbers for L&D
    microbadge report compliance [--as-of D] [--team T | --role R] [--csv]   # who holds what required
    microbadge nudges holdout [--share S --days N | --end]   # hold a share out of daily offers: the uplift
    microbadge dashboard link PERSON       # a one-time dashboard sign-in link (admins)
    microbadge mastery optimize [--apply | --reset]   # fit FSRS's spacing to this organisation's reviews

`python run_bot.py ...` in a checkout is the same command line. Configuration comes from
environment variables (DATABASE_URL, CONTENT_DIR, DATA_DIR); see README. A setting that cannot be
used stops every command with one line naming it (exit code 2).

This is the edge of the application: `arguments` parses, `main` reads the settings and dispatches,
and each command's body lives in a module of its own. Nothing heavy is imported until a command
needs it, so the console never imports a web framework or a platform SDK.
"""
