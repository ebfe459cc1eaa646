"""One settings object, read by the CLI and the web app when they start (never at import)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration from ``CONDUCTLENS_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="CONDUCTLENS_")

    db: str = "conductlens.db"
    exhibit_dir: str | None = None
    user: str | None = None
