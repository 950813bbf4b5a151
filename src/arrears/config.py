"""Typed settings, read once from the environment (prefix ARREARS_) and passed to bootstrap()."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///arrears.db"
#: a development-only secret; production refuses to start with it (docs/security.md)
DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - refused in production
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ARREARS_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path.db (default) or postgresql+psycopg://...",
    )
    environment: str = Field(default="development", pattern="^(development|test|production)$")
    config_dir: Path | None = Field(
        default=None, description="folder with delinquency.yaml and other policy files"
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEFAULT_SECRET_KEY), description="signs CSRF tokens; random, secret"
    )
    session_ttl_minutes: int = Field(default=480, ge=5, le=7 * 24 * 60)
    token_ttl_days: int = Field(default=90, ge=1, le=366)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    # written communications (docs/communications.md)
    smtp_host: str = "localhost"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    outbox_drop_dir: Path = Field(default=Path("outbox-drop"), description="SMS and letter files")
    sender_name: str = "Norte Collections"
    sender_address: str = Field(
        default="1 Main Street|Springfield, IL 62701", description="postal lines, | between"
    )
    sender_phone: str = "+1 800 555 0100"
    sender_email: str = "collections@norte.example"
    sender_agent_id: str = Field(default="A-0001", description="staff number (CN rules)")
    creditor_name: str = "Demo Bank"

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if self.environment == "production" and (
            secret == DEFAULT_SECRET_KEY or len(secret) < MIN_SECRET_LENGTH
        ):
            raise ValueError(
                "refusing to start in production with the default or a short secret key: set "
                f"ARREARS_SECRET_KEY to a random value of at least {MIN_SECRET_LENGTH} characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self
