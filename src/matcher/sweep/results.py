"""The sweep's results: a tidy table (one row per replay) and, per variant, its effect against the base.

The table has one row per (variant, seed, policy) of the sweep file, in its order, with every figure of the
replay, the seconds it took, its peak memory, its status and its hash. Labels come from the sweep file,
figures from the stored records (two variants that give the same scenario share one record).

A variant's effect on a figure is, for each seed and policy, its value minus the base's value for the same
seed and policy (the same arrivals and draws, so most of the noise cancels); over the seeds it has a mean,
a smallest and a largest difference, and a standard deviation. Variants are ranked per policy on the mean
value of the figure the user names, best first (more persons housed is better, fewer overdue weeks is).
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass
from typing import Any

from matcher.sweep.store import OK, Replay
from matcher.sweep.sweepfile import BASE_VARIANT, FIGURES

HIGHER_IS_BETTER = {"persons_housed", "households_housed"}
COLUMNS = ["variant", "seed", "policy", "status", *FIGURES, "seconds", "cpu_seconds", "peak_memory_mb", "hash",
           "error"]


@dataclass(frozen=True)
class Row:
    variant: str
    seed: int
    policy: str
    record: dict[str, Any]

    @property
    def ok(self) -> bool:
        return self.record.get("status") == OK

    def figure(self, name: str) -> float | None:
        value = (self.record.get("figures") or {}).get(name)
        return None if value is None else float(value)


@dataclass(frozen=True)
class Effect:
    """A variant's difference from the base on one figure under one policy, over the seeds."""

    variant: str
    policy: str
    figure: str
    differences: list[float]  # one per seed where both replays succeeded

    @property
    def mean(self) -> float | None:
        return statistics.fmean(self.differences) if self.differences else None

    @property
    def low(self) -> float | None:
        return min(self.differences, default=None)

    @property
    def high(self) -> float | None:
        return max(self.differences, default=None)

    @property
    def spread(self) -> float | None:
        """The sample standard deviation over the seeds (0 with one seed)."""
        if not self.differences:
            return None
        return statistics.stdev(self.differences) if len(self.differences) > 1 else 0.0


def rows(replays: list[Replay], records: dict[str, dict[str, Any]]) -> list[Row]:
    return [Row(r.variant, r.seed, r.policy, records.get(r.key) or {"key": r.key, "status": "missing"})
            for r in replays]


def table_csv(table: list[Row]) -> str:
    """The tidy CSV: a header, then one line per replay; empty cells where a figure is unknown."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in table:
        figures = row.record.get("figures") or {}
        writer.writerow({"variant": row.variant, "seed": row.seed, "policy": row.policy,
                         "status": row.record.get("status"), **{name: figures.get(name) for name in FIGURES},
                         "seconds": row.record.get("seconds"), "cpu_seconds": row.record.get("cpu_seconds"),
                         "peak_memory_mb": row.record.get("peak_memory_mb"),
                         "hash": row.record.get("key"), "error": row.record.get("error")})
    return out.getvalue()


def effects(table: list[Row], figure: str) -> list[Effect]:
    """Every variant's effect on ``figure``, per policy, in the table's order."""
    base = {(row.seed, row.policy): row for row in table if row.variant == BASE_VARIANT and row.ok}
    found: dict[tuple[str, str], list[float]] = {}
    for row in table:
        if row.variant == BASE_VARIANT:
            continue
        differences = found.setdefault((row.variant, row.policy), [])
        reference = base.get((row.seed, row.policy))
        value = row.figure(figure) if row.ok else None
        before = reference.figure(figure) if reference else None
        if value is not None and before is not None:
            differences.append(value - before)
    return [Effect(variant, policy, figure, differences) for (variant, policy), differences in found.items()]


def ranking(table: list[Row], figure: str, policy: str) -> list[tuple[str, float, int]]:
    """(variant, mean value over its successful seeds, seeds counted), best first, base included."""
    values: dict[str, list[float]] = {}
    for row in table:
        value = row.figure(figure) if row.ok and row.policy == policy else None
        values.setdefault(row.variant, [])
        if value is not None:
            values[row.variant].append(value)
    ranked = [(variant, statistics.fmean(found), len(found)) for variant, found in values.items() if found]
    return sorted(ranked, key=lambda item: -item[1] if figure in HIGHER_IS_BETTER else item[1])


def failures(table: list[Row]) -> list[Row]:
    return [row for row in table if not row.ok]
