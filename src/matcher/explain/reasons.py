"""The reasons collected per household left out, shared by the stages.

A reason is structured: a code (``no_compatible:rent``, ``cap:school``) and the facts it rests on, as plain
JSON values (ids, counts, euros, km). The words come later, from ``matcher.explain.words`` in the reader's
language, so that the English text of the proposal, the Dutch pages and the Dutch workbook all say the same
thing. Lists of ids keep only the first few names and the total (``few``), as the words show them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

NAMED_AT_MOST = 3  # ids named in one reason before "and N more"

Reason = dict[str, Any]  # {"code": ..., facts...}: what the proposal stores under ``reason_details``


def few(items: Sequence[Any], total: int | None = None) -> dict[str, Any]:
    """The first few items and how many there are in all (``total`` when only the first are given)."""
    return {"first": list(items[:NAMED_AT_MOST]), "total": len(items) if total is None else total}


@dataclass
class Reasons:
    """Reasons collected per household; a household is explained once its first stage finds a reason."""

    found: dict[int, list[Reason]] = field(default_factory=dict)

    def add(self, household: int, code: str, /, **facts: Any) -> None:
        self.found.setdefault(household, []).append({"code": code, **facts})
