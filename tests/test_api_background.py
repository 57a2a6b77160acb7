"""The server's heavy work runs at a lower priority than its requests (issue 18: reads stay quick while
backlogs are uploaded and solved on the same machine)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

from conftest import EXAMPLES
from matcher.api.background import BACKGROUND_NICENESS
from matcher.api.jobs.warm import WORKER_MODULE
from matcher.api.jobs.worker import EXIT_ORPHANED
from matcher.api.uploads import UploadChecker

STARTUP_S = 30.0  # how long a solve process may take to import the solver under a loaded test run


def _niceness(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def test_a_solve_process_yields_the_processor_to_the_server() -> None:
    ours = _niceness(0)
    process = subprocess.Popen([sys.executable, "-m", WORKER_MODULE, "0"], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + STARTUP_S
        while _niceness(process.pid) == ours and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert _niceness(process.pid) == min(ours + BACKGROUND_NICENESS, 19)
    finally:
        assert process.stdin is not None
        process.stdin.close()  # no job: the process ends as an orphan would
        assert process.wait(timeout=STARTUP_S) == EXIT_ORPHANED


def test_an_upload_is_checked_in_a_process_of_lower_priority() -> None:
    checker = UploadChecker(processes=1)
    try:
        checked = asyncio.run(checker.check((EXAMPLES / "tiny-s1.json").read_bytes()))
        assert checked.checked_by != os.getpid()
        assert _niceness(checked.checked_by) == min(_niceness(0) + BACKGROUND_NICENESS, 19)
    finally:
        checker.close()
