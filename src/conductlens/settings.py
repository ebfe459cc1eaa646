"""One settings object, read by the CLI and the web app when they start (never at import)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from conductlens.ingest.limits import Limits

_DEFAULT = Limits()


class Settings(BaseSettings):
    """Configuration from ``CONDUCTLENS_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="CONDUCTLENS_")

    db: str = "conductlens.db"
    exhibit_dir: str | None = None
    user: str | None = None
    # The Ed25519 key that signs audit checkpoints: a file apart from the store (default
    # $XDG_CONFIG_HOME/conductlens/audit-signing-key.pem), created 0600 on first use.
    audit_key: str | None = None
    # Ingest limits (see docs/formats.md, "Limits"); each refusal names its setting.
    max_exhibit_bytes: int = _DEFAULT.max_exhibit_bytes
    max_member_bytes: int = _DEFAULT.max_member_bytes
    max_expanded_bytes: int = _DEFAULT.max_expanded_bytes
    max_ratio: float = _DEFAULT.max_ratio
    max_entries: int = _DEFAULT.max_entries
    max_line_bytes: int = _DEFAULT.max_line_bytes
    max_depth: int = _DEFAULT.max_depth
    sqlite_seconds: float = _DEFAULT.sqlite_seconds
    # Seconds a connection waits for another writer before giving up with one line.
    busy_timeout: float = 30.0
    # The force's region (ISO 3166 code): declared phone numbers without a country code
    # are read as numbers there (the register's E.164 normal form).
    phone_region: str = "GB"

    def limits(self) -> Limits:
        """The ingest limits these settings describe."""
        return Limits(
            max_exhibit_bytes=self.max_exhibit_bytes,
            max_member_bytes=self.max_member_bytes,
            max_expanded_bytes=self.max_expanded_bytes,
            max_ratio=self.max_ratio,
            max_entries=self.max_entries,
            max_line_bytes=self.max_line_bytes,
            max_depth=self.max_depth,
            sqlite_seconds=self.sqlite_seconds,
        )
