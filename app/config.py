"""Every setting Winnow reads, in one place, checked at start-up.

Each field is read from an environment variable of the same name in capitals
(``DATABASE_URL``, ``WINNOW_SECRET_KEY`` ...) or from a ``.env`` file beside
the process. README.md lists them all; ``tests/test_docs.py`` keeps it honest.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    environment: Literal["development", "production", "test"] = Field(
        "development", validation_alias="WINNOW_ENVIRONMENT"
    )
    database_url: str = Field("", validation_alias="DATABASE_URL")
    data_dir: Path = Field(DEFAULT_DATA_DIR, validation_alias="WINNOW_DATA_DIR")
    secret_key: str = Field("", validation_alias="WINNOW_SECRET_KEY")
    https_only: bool = Field(False, validation_alias="WINNOW_HTTPS_ONLY")
    session_max_age_days: int = Field(14, ge=1, validation_alias="WINNOW_SESSION_DAYS")
    login_max_failures: int = Field(5, ge=1, validation_alias="WINNOW_LOGIN_MAX_FAILURES")
    login_lockout_minutes: int = Field(15, ge=1, validation_alias="WINNOW_LOGIN_LOCKOUT_MINUTES")
    max_upload_mb: int = Field(200, ge=1, validation_alias="WINNOW_MAX_UPLOAD_MB")
    run_worker: bool = Field(True, validation_alias="WINNOW_RUN_WORKER")
    warm_up: bool = Field(True, validation_alias="WINNOW_WARM_UP")
    job_lease_seconds: int = Field(60, ge=5, validation_alias="WINNOW_JOB_LEASE_SECONDS")
    job_max_attempts: int = Field(3, ge=1, validation_alias="WINNOW_JOB_MAX_ATTEMPTS")

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'winnow.sqlite'}"
        if not self.secret_key:
            if self.environment == "production":
                raise ValueError(
                    "WINNOW_SECRET_KEY must be set in production: it signs the session "
                    "cookies. Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
                )
            self.secret_key = _development_secret(self.data_dir)
        elif self.environment == "production" and len(self.secret_key) < 32:
            raise ValueError("WINNOW_SECRET_KEY is too short for production: use at least 32 characters.")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uploads_dir(self) -> Path:
        """Uploaded exports wait here for their import job; with web workers on
        several hosts, WINNOW_DATA_DIR must be storage they share."""
        return self.data_dir / "uploads"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


def _development_secret(data_dir: Path) -> str:
    """A random key kept in the data folder, so sessions survive a restart
    without anyone ever shipping or typing a default secret."""
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
