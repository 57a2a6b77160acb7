"""The processes a server starts for heavy work run at a lower priority than the server itself.

A server hands every solve, question and upload check to a process of its own, so that a crash stays
there; on the same machine those processes still compete with the server for the processor. A read that
waits behind a solve's threads is what a municipality notices (issue 18: read p99 at most 50 ms while 50
backlogs are uploaded and solved). A higher niceness lets the operating system run the server's requests
first; on a machine where nothing else waits, a solve runs as fast as before.
"""

from __future__ import annotations

import os

BACKGROUND_NICENESS = 10  # added to the process's niceness: low enough to yield, not so low it starves


def yield_to_requests() -> None:
    """Lower this process's priority; where the platform refuses, it runs at the priority it has."""
    try:
        os.nice(BACKGROUND_NICENESS)
    except (AttributeError, OSError):  # no os.nice (Windows) or a limit that refuses it
        pass
