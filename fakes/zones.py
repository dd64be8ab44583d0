"""Time zones where it is daytime now, for seeding learners the bot may nudge at once (outside the
quiet hours, 20:00-08:00 local). The world's clock, not a platform: it enforces nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones


def daytime_zones(now: datetime, count: int = 5) -> list[str]:
    """Zones where it is now between 09:00 and 18:00 (some always are), with distinct offsets."""
    chosen: dict[timedelta, str] = {}
    for name in sorted(available_timezones()):
        if "/" not in name or name.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")):
            continue
        local = now.astimezone(ZoneInfo(name))
        offset = local.utcoffset()
        if 9 <= local.hour < 18 and offset is not None and offset not in chosen:
            chosen[offset] = name
    assert len(chosen) >= 3, "there are always several daytime offsets"
    return list(chosen.values())[:count]
