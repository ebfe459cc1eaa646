"""One settings object, read by the CLI and the web app when they start (never at import)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration from ``CONDUCTLENS_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="CONDUCTLENS_")

    db: str = "conductlens.db"
    exhibit_dir: str | None = None
    user: str | None = None
    # The Ed25519 key that signs audit checkpoints: a file apart from the store (default
    # $XDG_CONFIG_HOME/conductlens/audit-signing-key.pem), created 0600 on first use.
    audit_key: str | None = None
