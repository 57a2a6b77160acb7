"""Checking an uploaded instance in a process of its own, so that it never holds up the server's other requests.

Validating a backlog instance is seconds of Python (JSON, the pydantic models, the checks across records).
In a thread of the server it holds the interpreter lock every other request needs: measured on a quiet
machine while 50 backlog uploads and their solves ran, reads that take 9 ms (p50) took 55-230 ms at p99.
In a separate process it holds nothing of the server's: the server hands over the body, gets back the
document as it will be stored (``StoredDocument``: canonical text, hash, counts) or every problem, and
writes one row.

``UPLOAD_PROCESSES`` processes check uploads one at a time each; further uploads wait their turn without
holding a thread. The processes start with the first upload and end with the server.
"""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from matcher.api.background import yield_to_requests
from matcher.exceptions import InstanceInvalid, Problem
from matcher.storage.repository import StoredDocument, storable
from matcher.validation import load_instance, read_json

MAX_DEPTH = 32  # an instance is 5 levels deep; unknown fields may add a few, not hundreds
# One is enough: on 2 cores, a second checker would only take the core that solves and reads use.
UPLOAD_PROCESSES = 1
SERVER_POLL_S = 0.5  # how soon an upload process notices that its server is gone


@dataclass(frozen=True)
class Checked:
    """An upload as its checking process hands it back: ready to store, or the problems that stop it."""

    stored: StoredDocument | None
    problems: list[Problem] = field(default_factory=list)
    checked_by: int = 0  # the process id of the checker, for the logs (and the test that it is not the server)


def unstorable_values(document: Any) -> Iterator[Problem]:
    """Values that validation lets through (in fields it ignores) but no database or JSON encoder can hold:
    NUL characters, unpaired surrogates, NaN and infinities, absurd nesting. Walked without recursion."""
    pending: list[tuple[Any, str, int]] = [(document, "", 0)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_DEPTH:
            yield Problem(path, None, f"is nested more than {MAX_DEPTH} levels deep", "depth")
        elif isinstance(value, str):
            yield from _text_problem(value, path)
        elif isinstance(value, float) and not math.isfinite(value):
            yield Problem(path, None, "must be a finite number", "finite_number")
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                yield from _text_problem(key, child)
                pending.append((item, child, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))


def _text_problem(text: str, path: str) -> Iterator[Problem]:
    try:
        storable(text)
    except ValueError as error:
        yield Problem(path, None, str(error), "text")


def validated_document(body: bytes) -> dict[str, Any]:
    """The submitted JSON, if it is a valid instance; otherwise ``InstanceInvalid`` with every problem."""
    try:
        document = read_json(body)
    except InstanceInvalid:
        raise
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise InstanceInvalid([Problem("", None, f"is not valid JSON: {error}", "json")]) from None
    load_instance(document if isinstance(document, dict) else body)
    problems = list(unstorable_values(document))
    if problems:
        raise InstanceInvalid(problems)
    return document


def check_upload(body: bytes) -> Checked:
    """What the checking process runs: the body validated as ``matcher validate`` would, never raising (an
    exception does not travel back across processes with its problems)."""
    try:
        stored = StoredDocument.of(validated_document(body))
    except InstanceInvalid as invalid:
        return Checked(None, invalid.problems, os.getpid())
    return Checked(stored, [], os.getpid())


def follow_the_server(server_pid: int) -> None:
    """Run in each upload process as it starts: end it as soon as its server is gone, even a server killed
    with SIGKILL, which cannot tell it (the process would otherwise wait for work for ever). The check itself
    yields the processor to the server's requests."""
    yield_to_requests()

    def watch() -> None:
        while os.getppid() == server_pid:
            time.sleep(SERVER_POLL_S)
        os._exit(0)

    threading.Thread(target=watch, name="follow-the-server", daemon=True).start()


class UploadChecker:
    """The processes that check uploads; started on the first upload, ended by ``close``."""

    def __init__(self, processes: int = UPLOAD_PROCESSES) -> None:
        self._processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    async def check(self, body: bytes) -> Checked:
        """The checked upload; ``InstanceInvalid`` with every problem when it is not a valid instance."""
        checked: Checked = await asyncio.get_running_loop().run_in_executor(self._executor(), check_upload, body)
        if checked.stored is None:
            raise InstanceInvalid(checked.problems)
        return checked

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawned, not forked: the server has threads (and database connections) a fork would copy
                self._pool = ProcessPoolExecutor(self._processes, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=follow_the_server, initargs=(os.getpid(),))
            return self._pool

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
