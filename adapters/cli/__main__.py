"""`python -m adapters.cli ...`: the same as `microbadge ...` and `python run_bot.py ...`."""
from adapters.cli.main import command_line

command_line()
