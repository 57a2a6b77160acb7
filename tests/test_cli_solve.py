"""``matcher solve`` on the command line: output files, summary, quiet mode and the live progress line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conftest import EXAMPLES
from matcher.cli import solve as solve_cli
from matcher.cli.main import main
from matcher.solver import Progress


def test_solve_writes_the_proposal_and_a_summary_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "proposal.json"
    code = main(["solve", str(EXAMPLES / "tiny-s1.json"), "-o", str(out), "--time-limit", "10"])
    assert code == 0
    proposal = json.loads(out.read_text())
    assert proposal["format"] == "matcher.proposal/1" and proposal["status"] == "optimal"
    err = capsys.readouterr().err
    assert "optimal: 3 households (4 persons) placed, 3 not placed" in err
    assert "\033[K" not in err  # not a terminal: no progress line


def test_quiet_prints_nothing_on_stderr_and_the_proposal_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", str(EXAMPLES / "tiny-s2.json"), "--quiet", "--time-limit", "10"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert json.loads(captured.out)["instance"] == "tiny-s2"


def test_invalid_instance_yields_an_invalid_proposal_and_lists_the_problems(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    data = json.loads((EXAMPLES / "tiny-s1.json").read_text())
    data["households"][0]["members"] = []
    broken.write_text(json.dumps(data))
    assert main(["solve", str(broken), "-o", str(tmp_path / "p.json")]) == 0
    proposal = json.loads((tmp_path / "p.json").read_text())
    assert proposal["status"] == "invalid"
    assert proposal["errors"] == ['households[0] (id "h00000").members: must not be empty']
    assert "is invalid: 1 problem(s)" in capsys.readouterr().err


def test_bad_options_are_refused() -> None:
    assert main(["solve", str(EXAMPLES / "tiny-s1.json"), "--time-limit", "0"]) == 2


def test_progress_line_redraws_in_place_with_tier_value_bound_and_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    line = solve_cli.ProgressLine(stream)
    clock = iter([10.0, 10.1, 11.0])  # the second update comes too soon and is not drawn
    monkeypatch.setattr(solve_cli.time, "monotonic", lambda: next(clock))
    line.update(Progress("overdue_housed", 0, 4, value=310, bound=335, elapsed=1.5))
    line.update(Progress("overdue_housed", 0, 4, value=311, bound=335, elapsed=1.6))
    line.update(Progress("persons_housed", 1, 4, value=700, bound=700, elapsed=2.5))
    line.close()
    text = stream.getvalue()
    assert "tier 1/4 overdue_housed: best 310  bound 335  gap 25" in text
    assert "best 311" not in text
    assert "tier 2/4 persons_housed: best 700  bound 700  gap 0" in text
    assert text.count("\r\033[K") == 3  # two draws and the final erase
