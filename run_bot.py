#!/usr/bin/env python3
"""`python run_bot.py ...` in a checkout: the same command line as the installed `microbadge ...`
(adapters/cli). `python run_bot.py --help` lists the commands."""

from adapters.cli.main import command_line

if __name__ == "__main__":
    command_line()
