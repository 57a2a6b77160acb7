"""A solution inside the library: placements by index, before it becomes a proposal document."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Placement:
    """Household ``household`` moves into dwelling ``dwelling``; ``schools`` maps a school kind to a school index."""

    household: int
    dwelling: int
    schools: dict[str, int] = field(default_factory=dict)


Solution = list[Placement]
