"""What an operator can tune about the service, from flags of ``matcher serve`` or ``MATCHER_*`` variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from matcher.storage.engine import database_url, default_data_dir

DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024  # a 600-household instance is well under 1 MB
DEFAULT_CONCURRENT_SOLVES = 1  # CP-SAT uses every core it is given; two solves on 2 cores only slow each other
DEFAULT_SOLVE_MEMORY_MB = 4096  # address space of one solve process (CP-SAT reserves far more than it touches)
DEFAULT_STOP_GRACE_S = 5.0  # after a stop, how long a solve may take to hand back its best before it is killed
DEFAULT_SOLVE_FUNCTION = "matcher.solver:solve_proposal"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass(frozen=True)
class ServiceSettings:
    data_dir: Path = field(default_factory=default_data_dir)
    database_url: str = ""  # empty: MATCHER_DATABASE_URL, else SQLite under data_dir
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    concurrent_solves: int = DEFAULT_CONCURRENT_SOLVES
    solve_memory_mb: int = DEFAULT_SOLVE_MEMORY_MB
    stop_grace_seconds: float = DEFAULT_STOP_GRACE_S
    solve_function: str = DEFAULT_SOLVE_FUNCTION  # "module:function"; tests put a fake here
    warm_at_start: bool = True  # load a solve process at start, so that even the first job starts at once

    @classmethod
    def from_environment(cls, data_dir: Path | None = None) -> ServiceSettings:
        return cls(
            data_dir=data_dir or default_data_dir(),
            max_body_bytes=_env_int("MATCHER_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
            concurrent_solves=_env_int("MATCHER_CONCURRENT_SOLVES", DEFAULT_CONCURRENT_SOLVES),
            solve_memory_mb=_env_int("MATCHER_SOLVE_MEMORY_MB", DEFAULT_SOLVE_MEMORY_MB),
            solve_function=os.environ.get("MATCHER_SOLVE_FUNCTION") or DEFAULT_SOLVE_FUNCTION,
        )

    def resolved_database_url(self) -> str:
        return self.database_url or database_url(self.data_dir)

    @property
    def log_dir(self) -> Path:
        """Each solve process writes its diagnostics here (its stderr), one file per job."""
        return self.data_dir / "solve-logs"
