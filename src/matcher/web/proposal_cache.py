"""Parsed proposals, kept by id, so that a page does not parse the same stored JSON on every request.

A backlog's proposal is about a megabyte of JSON; parsing it took most of the time of the municipality page
and the region page. A proposal record changes only while its solve runs (the best so far is saved again),
and every save moves its ``updated_at``; a finished one never changes (only the worker holding the solve's
lease may write it). So the key is the record's id and ``updated_at``: a newer version is a new key, never a
stale answer. The cache is small and bounded: the pages mostly ask for the newest proposal.

The parsed document is shared between requests: callers read it and must not change it.

In ``matcher serve``, which freezes its start-up heap (``cli.serve.freeze_start_up_heap``: full garbage
collections were the pages' p99), a newly parsed proposal is frozen too, with the instance index the page
read just before it: it lives until it is evicted, and a full collection need not walk it. (A frozen object
is still freed when its last reference goes; a parsed JSON document holds no cycles.) Elsewhere, the tests
among them, nothing is frozen.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import threading
from collections import OrderedDict
from typing import Any

from matcher.storage.models import ProposalRecord

PROPOSALS_KEPT = 8  # the newest proposals of a few weeks and their re-plans; each a backlog's at most


class ProposalCache:
    def __init__(self, size: int = PROPOSALS_KEPT) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, dt.datetime], dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.parsed = 0  # how many documents were parsed (the tests and the benchmark count them)

    def get(self, record: ProposalRecord) -> dict[str, Any]:
        """The record's document as JSON values, parsed once per version."""
        key = (record.id, record.updated_at)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        document: dict[str, Any] = json.loads(record.document)
        with self._lock:
            self.parsed += 1
            self._entries[key] = document
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        if gc.get_freeze_count():  # a server that froze its start-up heap freezes what it keeps, too
            gc.freeze()
        return document
