"""The replay report: the policies' curves side by side, drawn in a real headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from matcher.cli.main import main
from matcher.simulation import generate_scenario, load_scenario, simulate
from matcher.simulation.report import ReportMismatch, render_replay_report
from test_workflow_report import count, page_console_messages, render_in_chromium

POLICIES = ("fcfs", "weekly")


@pytest.fixture(scope="module")
def replays(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("replays")
    scenario = folder / "scenario.json"
    scenario.write_text(json.dumps(generate_scenario("tiny-halfyear", 3)))
    results = []
    for policy in POLICIES:
        result = folder / f"{policy}.json"
        assert main(["simulate", str(scenario), "--policy", policy, "-o", str(result),
                     "--time-limit-per-week", "5"]) == 0
        results.append(result)
    return scenario, results


def embedded(page: str) -> dict:  # type: ignore[type-arg]
    blob = re.search(r'<script id="report-data" type="application/json">(.*?)</script>', page, re.S)
    assert blob is not None
    return json.loads(blob.group(1))


def test_the_report_carries_every_weeks_curve(replays: tuple[Path, list[Path]], tmp_path: Path) -> None:
    scenario, results = replays
    output = tmp_path / "replay.html"
    assert main(["replay-report", str(scenario), *map(str, results), "-o", str(output)]) == 0
    data = embedded(output.read_text(encoding="utf-8"))
    assert [p["policy"] for p in data["policies"]] == list(POLICIES)
    for policy, path in zip(data["policies"], results, strict=True):
        result = json.loads(path.read_text())
        assert policy["figures"] == result["figures"]
        assert policy["lost"] == [week["figures"]["dwellings_lost"] for week in result["weeks"]]
        assert len(policy["waiting"]) == len(policy["overdue"]) == len(data["weeks"]) == 8
        assert sum(policy["housed"][-1].values()) == result["figures"]["persons_housed"]  # housed 0 at the start


def test_a_result_of_another_scenario_is_refused(replays: tuple[Path, list[Path]]) -> None:
    _, results = replays
    from matcher.simulation import SimulationResult

    other = load_scenario(generate_scenario("tiny-halfyear", 4))
    with pytest.raises(ReportMismatch):
        render_replay_report(other, [SimulationResult.model_validate_json(results[0].read_text())])


@pytest.mark.browser
def test_the_report_renders_in_chromium(replays: tuple[Path, list[Path]], tmp_path: Path) -> None:
    scenario, results = replays
    from matcher.simulation import SimulationResult

    page = render_replay_report(load_scenario(scenario),
                                [SimulationResult.model_validate_json(path.read_text()) for path in results])
    rendered = render_in_chromium(page, tmp_path)
    assert page_console_messages(rendered) == []
    assert 'data-ready="1"' in rendered.dom
    assert count(r'<canvas id="chart-[a-z]+"[^>]*(width|style)=', rendered.dom) == 4  # Chart.js drew all four
    municipalities = rendered.dom.split('id="municipality-table"', 1)[1].split("</table>", 1)[0]
    assert count(r"<tr", municipalities) == 1 + 16
    figures = rendered.dom.split('id="figures-table"', 1)[1].split("</table>", 1)[0]
    assert count(r"<tr", figures) == 1 + len(POLICIES)


def test_the_weekly_overdue_counts_add_up_to_the_figure() -> None:
    result = simulate(load_scenario(generate_scenario("tiny-halfyear", 3)), "fcfs")
    assert all(week.waiting is not None and week.overdue is not None for week in result.weeks)
    assert sum(week.overdue or 0 for week in result.weeks) == result.figures.overdue_weeks
