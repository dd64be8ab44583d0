"""Configuration from environment variables, read once and checked at start; every one is optional
for the console. A setting that cannot be used is a `ConfigError` whose message is one line that
names the variable and says what it takes (never the value of a secret)."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from bot.config_errors import ConfigError, positive, shown
from bot.platform_settings import Announcements, LrsSettings, SlackSettings, TelegramSettings
from bot.store.database import default_database_url, normalize_url
from bot.teams_settings import TeamsSettings

__all__ = ["Announcements", "ConfigError", "Settings", "positive"]

PROJECT_DIR = Path(__file__).resolve().parents[1]
# Variables whose values are secret: masked in every log line and error message.
SECRET_VARIABLES = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "TEAMS_APP_PASSWORD",
    "XAPI_PASSWORD",
)
LOG_FORMATS = ("text", "json")
# The drivers the bot runs on, per database; the first is the one installed with the bot.
DRIVERS = {"sqlite": ("aiosqlite",), "postgresql": ("asyncpg", "psycopg")}


@dataclass(frozen=True)
class Nudging:
    """How a `serve` process delivers nudges (README: NUDGE_*)."""

    interval: float = 5.0  # seconds between looks for due nudges
    batch: int = 50  # nudges claimed at once
    lease: float = 120.0  # seconds a claim lasts before another process may take it over
    concurrency: int = 8  # nudges sent at once

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Nudging:
        return cls(
            interval=positive(env, "NUDGE_INTERVAL_SECONDS", cls.interval),
            batch=int(positive(env, "NUDGE_BATCH", cls.batch, whole=True)),
            lease=positive(env, "NUDGE_LEASE_SECONDS", cls.lease),
            concurrency=int(positive(env, "NUDGE_CONCURRENCY", cls.concurrency, whole=True)),
        )


@dataclass(frozen=True)
class Settings:
    database_url: str = field(repr=False)  # may carry a password: database_setting says it safely
    content_dir: Path
    data_dir: Path
    keys_dir: Path  # the issuer's signing keys: outside the database, files 0600
    host: str
    port: int
    public_url: str | None  # base URL of the web app; did:web issuer when set, did:key when not
    issuer_name: str
    log_format: str = "text"
    nudging: Nudging = Nudging()
    telegram: TelegramSettings | None = None  # None: Telegram is not configured
    slack: SlackSettings | None = None  # None: Slack is not configured
    teams: TeamsSettings | None = None  # None: Microsoft Teams is not configured
    lrs: LrsSettings | None = None  # None: no LRS, or (lrs_problem) its settings cannot be used
    lrs_problem: str | None = None  # forwarding is off for this reason; the bot runs without it
    secrets: tuple[str, ...] = field(default=(), repr=False)  # values never to be shown (tokens, passwords)
    database_setting: str = "DATABASE_URL"  # which variable chose the database, with its value, for messages
    keys_setting: str = "KEYS_DIR"  # the same for the issuer's keys

    @property
    def local_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Every setting, checked; `ConfigError` names the first one that cannot be used.

        Folders default to the project's own (not the current directory), so the bot finds the
        same database and issuer key wherever it is started from."""
        data_dir = _folder(env, "DATA_DIR", default_data_dir())
        keys_dir = _folder(env, "KEYS_DIR", data_dir / "keys")
        raw_url = (env.get("DATABASE_URL") or "").strip()
        try:  # an LRS that cannot be used turns forwarding off with an error; the bot runs on
            lrs, lrs_problem = LrsSettings.from_env(env), None
        except ValueError as problem:
            lrs, lrs_problem = None, str(problem)
        return cls(
            database_url=_database_url(raw_url) if raw_url else default_database_url(data_dir),
            content_dir=_folder(env, "CONTENT_DIR", PROJECT_DIR / "content"),
            data_dir=data_dir,
            keys_dir=keys_dir,
            host=_host(env),
            port=_port(env),
            public_url=_public_url(env),
            issuer_name=(env.get("ISSUER_NAME") or "").strip() or "Microbadge Academy",
            log_format=_choice(env, "LOG_FORMAT", LOG_FORMATS),
            slack=SlackSettings.from_env(env),
            telegram=TelegramSettings.from_env(env),
            teams=TeamsSettings.from_env(env),
            nudging=Nudging.from_env(env),
            lrs=lrs,
            lrs_problem=lrs_problem,
            secrets=secrets_in(env),
            database_setting=_database_setting(env, raw_url, data_dir),
            keys_setting=_folder_setting(env, "KEYS_DIR", keys_dir, under="DATA_DIR"),
        )


def default_data_dir(project: Path = PROJECT_DIR) -> Path:
    """Where the database, the issuer keys and the delivery journal live when DATA_DIR is not set:
    a checkout keeps them in data/ beside run_bot.py; an installed package has no project folder,
    so it uses the user's data folder (~/.local/share/microbadge on Linux, or under XDG_DATA_HOME;
    ~/Library/Application Support/microbadge on macOS), never the current folder."""
    if (project / "run_bot.py").is_file():
        return project / "data"
    from platformdirs import user_data_path

    return user_data_path("microbadge", appauthor=False)


def secrets_in(env: Mapping[str, str]) -> tuple[str, ...]:
    """The secret values in `env`: tokens, passwords, and the database URL's password."""
    found = [env.get(name, "").strip() for name in SECRET_VARIABLES]
    url = (env.get("DATABASE_URL") or "").strip()
    if url:
        try:
            from sqlalchemy.engine import make_url

            password = make_url(url).password or ""
            found += [password, quote(password, safe="")]  # as given, and as it stands in the URL
        except Exception:  # an unparsable URL is refused by name, without its value
            pass
    return tuple(sorted({secret for secret in found if secret}, key=len, reverse=True))


def _database_setting(env: Mapping[str, str], raw_url: str, data_dir: Path) -> str:
    """The variable that chose the database, for messages: `DATABASE_URL=...` (password hidden)
    or the DATA_DIR the default SQLite file lives in."""
    if raw_url:
        return f"DATABASE_URL={redact_url(_database_url(raw_url))}"
    return _folder_setting(env, "DATA_DIR", data_dir)


def _folder_setting(env: Mapping[str, str], name: str, folder: Path, under: str | None = None) -> str:
    if (env.get(name) or "").strip():
        return f"{name}={folder}"
    return f"{name} (not set: {folder}{f', in {under}' if under else ''})"


def redact_url(url: str) -> str:
    """A database URL fit for logs: the password is never printed."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _folder(env: Mapping[str, str], name: str, default: Path) -> Path:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if "\x00" in raw:
        raise ConfigError(f"{name} must be a folder path, not {shown(raw)}")
    path = Path(raw).expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{name}={path} is a file, not a folder: name a folder (it is created if missing)")
    return path


def _database_url(raw: str) -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    example = "use postgresql+asyncpg://user:password@host/database or sqlite:///path/to/file.sqlite3"
    try:
        url = make_url(normalize_url(raw))
    except (ArgumentError, ValueError):
        raise ConfigError(f"DATABASE_URL is not a database URL: {example}") from None
    backend, driver = url.get_backend_name(), url.get_driver_name()
    if backend not in DRIVERS:
        raise ConfigError(f"DATABASE_URL names a {backend} database; the bot runs on PostgreSQL or SQLite: {example}")
    if driver not in DRIVERS[backend]:
        drivers = " or ".join(f"{backend}+{name}://" for name in DRIVERS[backend])
        raise ConfigError(f"DATABASE_URL uses the driver '{driver}'; the bot needs an asyncio driver: {drivers}")
    if importlib.util.find_spec(driver) is None:
        raise ConfigError(
            f"DATABASE_URL uses the driver '{driver}', which is not installed: "
            f"pip install {driver}, or use {backend}+{DRIVERS[backend][0]}://"
        )
    if backend == "sqlite" and (not url.database or url.database == ":memory:"):
        raise ConfigError(
            "DATABASE_URL must name a SQLite file (sqlite:///path/to/file.sqlite3): an in-memory database would forget everything at exit"
        )
    if backend == "postgresql" and not url.host and not url.query.get("host"):
        raise ConfigError(f"DATABASE_URL names no PostgreSQL host: {example}")
    return url.render_as_string(hide_password=False)


def _host(env: Mapping[str, str]) -> str:
    host = (env.get("HOST") or "").strip() or "127.0.0.1"
    if any(c.isspace() or c in "/@?#" for c in host):
        raise ConfigError(f"HOST must be an address to listen on, such as 127.0.0.1 or 0.0.0.0, not {shown(host)}")
    return host


def _port(env: Mapping[str, str]) -> int:
    raw = (env.get("PORT") or "").strip()
    if not raw:
        return 8000
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ConfigError(f"PORT must be a whole number from 1 to 65535, not {shown(raw)}")
    return int(raw)


def _public_url(env: Mapping[str, str]) -> str | None:
    from credentials.keys import InvalidPublicUrl, did_web

    url = (env.get("PUBLIC_URL") or "").strip().rstrip("/")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"PUBLIC_URL must be the web app's address, such as https://learn.example.com, not {shown(url)}")
    try:
        did_web(url)  # the issuer's did:web is derived from it
    except InvalidPublicUrl:
        raise ConfigError(
            f"PUBLIC_URL must be a plain https://host[:port][/path] address (http only for localhost), not {shown(url)}"
        ) from None
    return url


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = (env.get(name) or "").strip().lower()
    if raw and raw not in choices:
        raise ConfigError(f"{name} must be {' or '.join(choices)}, not {shown(raw)}")
    return raw or choices[0]
