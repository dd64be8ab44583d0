"""Configuration from environment variables; every one is optional for the console."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.store.database import default_database_url, normalize_url

PROJECT_DIR = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    database_url: str
    content_dir: Path
    data_dir: Path
    keys_dir: Path  # the issuer's signing keys: outside the database, files 0600
    host: str
    port: int
    public_url: str | None  # base URL of the web app; did:web issuer when set, did:key when not
    issuer_name: str

    @property
    def local_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        data_dir = Path(env.get("DATA_DIR") or "data")
        return cls(
            database_url=normalize_url(env.get("DATABASE_URL") or default_database_url(data_dir)),
            content_dir=Path(env.get("CONTENT_DIR") or PROJECT_DIR / "content"),
            data_dir=data_dir,
            keys_dir=Path(env.get("KEYS_DIR") or data_dir / "keys"),
            host=env.get("HOST") or "127.0.0.1",
            port=int(env.get("PORT") or 8000),
            public_url=(env.get("PUBLIC_URL") or "").rstrip("/") or None,
            issuer_name=env.get("ISSUER_NAME") or "Microbadge Academy",
        )


def redact_url(url: str) -> str:
    """A database URL fit for logs: the password is never printed."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
