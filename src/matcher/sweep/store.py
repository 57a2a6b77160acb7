"""Finished replays on disk, each under the content hash of what it replayed.

A replay's hash is the sha256 of the canonical JSON (sorted keys, no spaces) of everything that decides its
outcome: the transformed scenario, the policy, the options (time limit per week, solver seed, solver
workers) and matcher's version. Variant names, the sweep file's layout and the memory bound are not in it:
renaming a variant or moving it in the file runs nothing again, while any change to the scenario it
produces does. Each record is written atomically (a temporary file in the same directory, then
``os.replace``) the moment its replay finishes, so a sweep killed halfway keeps every finished replay.

Layout of a results directory::

    replays/<hash>.json   one record per replay: status, figures, seconds, memory, error, the simulation
    results.csv           the tidy table of the latest sweep (``matcher.sweep.results``)
    report.html           its page (``matcher.sweep.page``)
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher import __version__

REPLAYS = "replays"
OK = "ok"
FAILED = "failed"
OUT_OF_MEMORY = "out_of_memory"
SOLVER_WORKERS = 1  # one core per replay: Ray gives each task one CPU (MATCHER_WORKERS in the task)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Replay:
    """One (variant, seed, policy) of a sweep: what to replay and under which hash its result is kept."""

    variant: str
    seed: int
    policy: str
    scenario: dict[str, Any]
    time_limit_per_week: float
    memory_mb: int
    key: str  # the content hash

    @classmethod
    def make(cls, variant: str, seed: int, policy: str, scenario: dict[str, Any], time_limit_per_week: float,
             memory_mb: int) -> Replay:
        content = {"scenario": scenario, "policy": policy, "matcher": __version__,
                   "options": {"time_limit_per_week": time_limit_per_week, "seed": seed,
                               "solver_workers": SOLVER_WORKERS}}
        key = hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
        return cls(variant, seed, policy, scenario, time_limit_per_week, memory_mb, key)


class Store:
    """The ``replays/`` folder of a results directory."""

    def __init__(self, results_dir: Path) -> None:
        self.folder = results_dir / REPLAYS
        self.folder.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored record, or None when there is none (or it cannot be read: then it is replayed)."""
        try:
            record = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def finished(self, key: str) -> bool:
        """A replay that succeeded is never run again; a failed one is (the failure may be gone)."""
        record = self.get(key)
        return record is not None and record.get("status") == OK

    def put(self, key: str, record: dict[str, Any]) -> None:
        write_atomically(self.path(key), json.dumps(record, ensure_ascii=False, indent=1) + "\n")


def write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the whole new one, never a part, even if the process dies meanwhile."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
