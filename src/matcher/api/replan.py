"""A re-plan in the service: the next instance version from the decisions that stand on a solve's proposal.

The rules are those of ``matcher.replan.next_instance`` (shared with ``matcher replan`` on the command
line): accepted pairs locked with their schools, declined pairs forbidden with who declined them and why,
the pairs still under review in ``previous``, and ``kept_previous`` right after ``persons_housed`` unless
the request gives its own objective order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matcher.replan.next_instance import Decision, Pair, Replan, next_instance
from matcher.storage.models import DecisionRecord
from matcher.storage.repository import ACCEPT

__all__ = ["Replan", "decline_reason", "replanned_document"]


def decline_reason(decision: DecisionRecord) -> str:
    who = decision.decided_by_municipality or decision.decided_by_role
    when = decision.decided_at.date().isoformat()
    return f"declined by {who} on {when}" + (f": {decision.reason}" if decision.reason else "")


def replanned_document(document: dict[str, Any], proposal: dict[str, Any], standing: Mapping[Pair, DecisionRecord],
                       objectives: list[str] | None = None) -> Replan:
    """The instance document of the next version, given the decisions that stand on the proposal."""
    decisions = {pair: Decision(accepted=record.decision == ACCEPT,
                                reason=None if record.decision == ACCEPT else decline_reason(record))
                 for pair, record in standing.items()}
    return next_instance(document, proposal, decisions, objectives)
