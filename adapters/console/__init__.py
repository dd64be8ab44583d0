"""The console adapter: the bot in a terminal, no tokens needed. Works with piped input."""
