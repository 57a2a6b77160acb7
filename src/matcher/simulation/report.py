"""One self-contained HTML page comparing replays of a scenario, policy beside policy, week by week.

In the style of the proposal report (``matcher.workflow.report``): one page, Chart.js inlined from the same
vendored copy, the data as one escaped JSON blob. The curves are the ones a region is judged by over a
half-year: households waiting, households overdue, dwellings lost to lapsed offers, and progress towards the
taakstelling (the region's, and each municipality's at the end), with each policy's figures and, where the
results carry it, its ratio to the hindsight bound.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from matcher import __version__
from matcher.simulation.result import SimulationResult
from matcher.simulation.scenario import Scenario
from matcher.workflow.report import VENDOR, embed_json

TEMPLATES = Path(__file__).resolve().parent / "templates"
TOKEN = re.compile(r"/\*@(\w+)@\*/")


class ReportMismatch(ValueError):
    """A result that is not a replay of the scenario the report is about."""


def render_replay_report(scenario: Scenario, results: list[SimulationResult]) -> str:
    """The whole HTML page as text."""
    for result in results:
        if result.scenario != scenario.id or len(result.weeks) != scenario.weeks:
            raise ReportMismatch(f"the {result.policy} result is a replay of {result.scenario!r} over "
                                 f"{len(result.weeks)} weeks, not of {scenario.id!r} over {scenario.weeks}")
    parts = {
        "TITLE": html.escape(f"matcher · {scenario.id}"),
        "CSS": (TEMPLATES / "replay.css").read_text(encoding="utf-8"),
        "CHART_JS": _script((VENDOR / "chartjs" / "chart.umd.min.js").read_text(encoding="utf-8")),
        "REPORT_JS": _script((TEMPLATES / "replay.js").read_text(encoding="utf-8")),
        "DATA": embed_json(replay_data(scenario, results)),
    }
    page = (TEMPLATES / "replay.html").read_text(encoding="utf-8")
    return TOKEN.sub(lambda match: parts[match.group(1)], page)


def replay_data(scenario: Scenario, results: list[SimulationResult]) -> dict[str, Any]:
    """Everything the page draws, as plain JSON values."""
    return {
        "scenario": scenario.id,
        "start": scenario.start.isoformat(),
        "weeks": [scenario.week_start(week).isoformat() for week in range(scenario.weeks)],
        "municipalities": [{"id": m.id, "name": m.name, "target": m.target, "housed": m.housed}
                           for m in scenario.municipalities],
        "policies": [{
            "policy": result.policy,
            "figures": result.figures.model_dump(mode="json"),
            "hindsight": result.hindsight.model_dump(mode="json") if result.hindsight else None,
            "ratios": result.ratios(),
            "waiting": [week.waiting for week in result.weeks],
            "overdue": [week.overdue for week in result.weeks],
            "lost": [week.figures.dwellings_lost for week in result.weeks],
            "housed": [week.housed or {} for week in result.weeks],
        } for result in results],
        "matcher_version": __version__,
    }


def _script(code: str) -> str:
    """Inline JavaScript; a literal ``</script`` inside it would end the element early."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)
