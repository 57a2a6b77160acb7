"""``matcher explain``: the proposal's own explanations and reasons, in Dutch or English."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES
from matcher.cli.main import main
from matcher.solver import SolveOptions, solve_proposal
from matcher.validation import load_instance


@pytest.fixture(scope="module")
def proposal_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    proposal = solve_proposal(load_instance(EXAMPLES / "tiny-s1.json"),
                              SolveOptions(time_limit=20, workers=1, deterministic=True))
    path = tmp_path_factory.mktemp("explain") / "proposal.json"
    path.write_text(proposal.to_json(), encoding="utf-8")
    return path


def test_every_household_in_dutch_and_one_in_english(proposal_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = load_instance(EXAMPLES / "tiny-s1.json")
    assert main(["explain", str(proposal_file)]) == 0
    dutch = capsys.readouterr().out
    assert all(household.id in dutch for household in document.households)
    assert "weken wachtend" in dutch and " wacht\n" in dutch and "waiting" not in dutch

    waiting = next(line.split()[0] for line in dutch.splitlines() if line.endswith(" wacht"))
    assert main(["explain", str(proposal_file), "--household", waiting, "--language", "en"]) == 0
    english = capsys.readouterr().out
    assert english.startswith(f"{waiting} waits\n  - ") and english.count(" waits") == 1


def test_an_unknown_household_is_named(proposal_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(proposal_file), "--household", "nobody"]) == 1
    assert "not in the proposal: nobody" in capsys.readouterr().err
