"""Numbers the adapters read from the environment at start: the same checks and the same error as
the rest of the configuration (bot/config.py), which `run_bot.py` applies before anything starts."""
from __future__ import annotations

from bot.config import ConfigError as BadSetting
from bot.config import positive

__all__ = ["BadSetting", "positive"]
