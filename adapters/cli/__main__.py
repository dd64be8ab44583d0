"""`python -m adapters.cli ...`: the same as `microbadge ...` and `python run_bot.py ...`."""

import sys

from adapters.cli.main import command_line

sys.argv[0] = "microbadge"  # how --help names the program
command_line()
