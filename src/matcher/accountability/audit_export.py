"""The audit trail as CSV: one row per act, flat columns a spreadsheet opens, nested values as JSON text.

Columns are fixed (``COLUMNS``) whatever the entries hold, so exports of different days line up; a column an
entry has no value for is empty.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from matcher.accountability.audit_trail import AuditEntry

COLUMNS = ("at", "kind", "id", "action", "actor_key", "actor_role", "actor_municipality", "instance_id",
           "solve_id", "proposal_id", "instance_hash", "content_hash", "policy", "options", "seed",
           "matcher_version", "ortools_version", "status", "proposal_status", "household", "dwelling",
           "municipality", "decision", "reason")
NESTED = frozenset({"policy", "options"})  # written as compact JSON


def write_csv(entries: Iterable[AuditEntry], stream: TextIO) -> int:
    """Write a header and one row per entry; returns the number of rows."""
    writer = csv.DictWriter(stream, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    rows = 0
    for entry in entries:
        writer.writerow(_row(entry))
        rows += 1
    return rows


def _row(entry: AuditEntry) -> dict[str, Any]:
    row: dict[str, Any] = {"at": entry.at.isoformat(), "kind": entry.kind, "id": entry.id, "action": entry.action,
                           "actor_key": entry.actor_key, "actor_role": entry.actor_role,
                           "actor_municipality": entry.actor_municipality, "instance_id": entry.instance_id,
                           "solve_id": entry.solve_id, "proposal_id": entry.proposal_id}
    for name in COLUMNS:
        if name in entry.details and name not in row:
            value = entry.details[name]
            row[name] = json.dumps(value, sort_keys=True, separators=(",", ":")) if name in NESTED else value
    return {name: "" if value is None else value for name, value in row.items()}
