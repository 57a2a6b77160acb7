"""What an operator can tune about the service and its workers: flags of ``matcher serve`` and
``matcher worker``, or ``MATCHER_*`` environment variables (read by pydantic-settings, which also checks
them: ``MATCHER_CONCURRENT_SOLVES=two`` stops the server at start with a message naming the variable)."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.storage.engine import database_url, default_data_dir

ENV_PREFIX = "MATCHER_"
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024  # a 600-household instance is well under 1 MB
DEFAULT_CONCURRENT_SOLVES = 1  # CP-SAT uses every core it is given; two solves on 2 cores only slow each other
DEFAULT_SOLVE_MEMORY_MB = 4096  # address space of one solve process (CP-SAT reserves far more than it touches)
DEFAULT_STOP_GRACE_S = 5.0  # after a stop, how long a solve may take to hand back its best before it is killed
DEFAULT_SOLVE_FUNCTION = "matcher.solver:solve_proposal"
DEFAULT_LEASE_S = 30.0  # a worker that stops renewing for this long loses its job to another worker
DEFAULT_LEASE_RENEW_S = 1.0  # how often a worker looks at its jobs (a read): a cancel reaches it within this
DEFAULT_SESSION_S = 8 * 3600  # a signed-in web session lasts one working day
SESSION_SECRET_BYTES = 32


class ServiceSettings(BaseSettings):
    """Each field can be set as ``MATCHER_<NAME>`` (e.g. ``MATCHER_CONCURRENT_SOLVES=2``)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str = ""  # empty: SQLite under data_dir
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, ge=1)
    concurrent_solves: int = Field(default=DEFAULT_CONCURRENT_SOLVES, ge=0,
                                   description="0: this server runs no solves (separate `matcher worker`s do)")
    solve_memory_mb: int = Field(default=DEFAULT_SOLVE_MEMORY_MB, ge=0)
    stop_grace_seconds: float = Field(default=DEFAULT_STOP_GRACE_S, ge=0)
    solve_function: str = DEFAULT_SOLVE_FUNCTION  # "module:function"; tests put a fake here
    warm_at_start: bool = True  # load a solve process at start, so that even the first job starts at once
    lease_seconds: float = Field(default=DEFAULT_LEASE_S, gt=0)
    lease_renew_seconds: float = Field(default=DEFAULT_LEASE_RENEW_S, gt=0)
    # the web pages' session cookie: signed with this secret (random per process unless set; several servers
    # behind one load balancer need the same one), valid this long, sent only over HTTPS when secure
    session_secret: str = Field(default_factory=lambda: secrets.token_urlsafe(SESSION_SECRET_BYTES), repr=False)
    session_seconds: int = Field(default=DEFAULT_SESSION_S, gt=0)
    secure_cookies: bool = False

    @classmethod
    def from_environment(cls, data_dir: Path | None = None) -> ServiceSettings:
        return cls() if data_dir is None else cls(data_dir=data_dir)

    def resolved_database_url(self) -> str:
        return self.database_url or database_url(self.data_dir)

    @property
    def log_dir(self) -> Path:
        """Each solve process writes its diagnostics here (its stderr), one file per job."""
        return self.data_dir / "solve-logs"
