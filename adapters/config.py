"""Numbers the adapters read from the environment at start."""
from __future__ import annotations

from collections.abc import Mapping


class BadSetting(ValueError):
    """A setting in the environment cannot be used; the message names it and says what it takes."""


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
    if not value > 0:
        kind = "a positive whole number" if whole else "a positive number"
        raise BadSetting(f"{name} must be {kind}, not {raw[:40]!r}")
    return value
