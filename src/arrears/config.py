"""Typed settings, read once from the environment (prefix ARREARS_) and passed to bootstrap()."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///arrears.db"


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
