"""The outside world, faked on real HTTP at 127.0.0.1 for the tests and the benchmarks: the
Telegram Bot API (telegram_api.py), the Slack Web API (slack_api.py) and requests as Slack sends
them (slack_signing.py), a Learning Record Store (lrs.py), and serving them (serving.py). Each
holds the bot to the platform's published limits, as its docstring says. Not product code: the
wheel does not ship it, and no product package imports it (tests/unit/test_architecture.py)."""
