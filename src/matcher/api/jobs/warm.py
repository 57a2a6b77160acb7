"""Solve processes started ahead of need.

Python and the solver take most of a second to load; a spare process that has loaded them waits
for its job on stdin, so a queued solve starts at once. The spare holds no job: a server that dies takes
nothing with it (the spare sees end of file on stdin and exits).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from matcher.api.settings import ServiceSettings

WORKER_MODULE = "matcher.api.jobs.worker"


@dataclass
class Spare:
    popen: subprocess.Popen[str]
    log_path: Path


class WarmProcesses:
    """One solve process kept started ahead of need: it has loaded Python and the solver (most of a second)
    by the time a job arrives. It holds no job, so a server that dies takes nothing with it."""

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._spare: Spare | None = None
        self._lock = threading.Lock()
        self._closed = False

    def take(self) -> Spare:
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None and spare.popen.poll() is None:
            return spare
        if spare is not None:
            _discard(spare)
        return self._spawn()

    def refill(self) -> None:
        with self._lock:
            if self._spare is None and not self._closed:
                self._spare = self._spawn()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            spare, self._spare = self._spare, None
        if spare is not None:
            _discard(spare)

    def _spawn(self) -> Spare:
        log_path = self._settings.log_dir / f"idle-{uuid.uuid4().hex[:12]}.log"
        with open(log_path, "a", encoding="utf-8") as log:
            popen = subprocess.Popen([sys.executable, "-m", WORKER_MODULE, str(self._settings.solve_memory_mb)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                                     encoding="utf-8", bufsize=1)
        return Spare(popen, log_path)


def _discard(spare: Spare) -> None:
    if spare.popen.poll() is None:
        spare.popen.kill()
    spare.popen.wait()
    for stream in (spare.popen.stdin, spare.popen.stdout):
        if stream is not None:
            stream.close()
    spare.log_path.unlink(missing_ok=True)
