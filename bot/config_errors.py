"""How a setting that cannot be used is said: one line naming the variable and what it takes."""

from __future__ import annotations

from collections.abc import Mapping


class ConfigError(ValueError):
    """A setting cannot be used; the message names it and says what it takes, on one line."""


def shown(raw: str) -> str:
    """A value in a message: quoted, short, on one line."""
    return repr(raw[:40] + ("..." if len(raw) > 40 else ""))


def positive(env: Mapping[str, str], name: str, default: float, *, whole: bool = False) -> float:
    """A positive number from the environment (`default` when unset): a typo must stop the
    start with its name, not be a traceback, and 0 must not stall delivery for ever."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = 0
    if not 0 < value < float("inf"):
        kind = "a positive whole number" if whole else "a positive number"
        raise ConfigError(f"{name} must be {kind}, not {shown(raw)}")
    return value
