"""The sweep's table, effects, ranking and page, from records built here (no replay, no Ray)."""

from __future__ import annotations

import csv
import io

from matcher.sweep.page import PageInput, render_page
from matcher.sweep.results import Row, effects, failures, ranking, table_csv


def row(variant: str, seed: int, policy: str, persons: int | None, status: str = "ok") -> Row:
    record = {"key": f"{variant}-{seed}-{policy}", "status": status, "seconds": 1.5, "peak_memory_mb": 200.0}
    if persons is not None:
        record["figures"] = {"persons_housed": persons, "overdue_weeks": 10, "mean_wait_weeks": None}
    else:
        record["error"] = "ValueError: broken <b>"
    return Row(variant, seed, policy, record)


TABLE = [row("base", 1, "fcfs", 100), row("base", 2, "fcfs", 120),
         row("more", 1, "fcfs", 110), row("more", 2, "fcfs", 140),
         row("less", 1, "fcfs", 90), row("less", 2, "fcfs", None, status="failed")]


def test_effects_are_paired_differences_per_seed() -> None:
    found = {e.variant: e for e in effects(TABLE, "persons_housed")}
    assert found["more"].differences == [10.0, 20.0]
    assert (found["more"].mean, found["more"].low, found["more"].high) == (15.0, 10.0, 20.0)
    assert round(found["more"].spread or 0, 4) == 7.0711
    assert found["less"].differences == [-10.0]  # the failed seed has no difference
    assert found["less"].spread == 0.0


def test_ranking_follows_the_figures_direction() -> None:
    assert [name for name, _, _ in ranking(TABLE, "persons_housed", "fcfs")] == ["more", "base", "less"]
    table = [row("base", 1, "fcfs", 1), row("more", 1, "fcfs", 2)]
    table[1].record["figures"]["overdue_weeks"] = 3  # fewer overdue weeks is better
    assert [name for name, _, _ in ranking(table, "overdue_weeks", "fcfs")] == ["more", "base"]


def test_the_csv_has_one_row_per_replay_and_every_figure() -> None:
    rows = list(csv.DictReader(io.StringIO(table_csv(TABLE))))
    assert len(rows) == len(TABLE)
    assert rows[3]["persons_housed"] == "140" and rows[3]["mean_wait_weeks"] == ""
    assert rows[5]["status"] == "failed" and rows[5]["error"].startswith("ValueError")
    assert [row.variant for row in failures(TABLE)] == ["less"]


def test_the_page_plots_each_figure_and_escapes_errors() -> None:
    page = render_page(PageInput("Sweep t", "persons_housed", ["fcfs"],
                                 {"base": "as given", "more": "scale_arrivals = 1.5", "less": "x"}, TABLE))
    assert page.count("<svg xmlns") == 7  # one plot per figure
    assert "broken &lt;b&gt;" in page and "broken <b>" not in page
    assert "<script" not in page and "Ranking on persons_housed" in page
