"""Reproduce: a recorded deterministic solve re-runs to the same proposal; every edit to the record is named."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES
from matcher.accountability.baseline import QuestionInvalid
from matcher.accountability.reproduce import recorded_options, reproduce
from matcher.checker import parse_proposal
from matcher.cli import reproduce as reproduce_cli
from matcher.format import Proposal
from matcher.solver import SolveOptions, solve_proposal
from matcher.validation import load_instance

RECORDED = SolveOptions(time_limit=5.0, workers=1, seed=7, deterministic=True)


def instance_document(name: str = "tiny-s2") -> dict[str, Any]:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def recorded(name: str = "tiny-s2", options: SolveOptions = RECORDED) -> dict[str, Any]:
    return json.loads(solve_proposal(load_instance(instance_document(name)), options).to_json())


def test_a_deterministic_record_reproduces() -> None:
    record = recorded()
    result = reproduce(load_instance(instance_document()), parse_proposal(record))
    assert result.same and result.same_values and result.warnings == []
    assert result.options == RECORDED
    assert [a.household for a in result.rerun.assignments] == [a["household"] for a in record["assignments"]]


def test_an_edited_record_is_caught_and_every_difference_named() -> None:
    record = recorded()
    first, second = record["assignments"][0], record["assignments"][1]
    first["dwelling"], second["dwelling"] = second["dwelling"], first["dwelling"]
    record["objectives"][0]["value"] += 1
    result = reproduce(load_instance(instance_document()), parse_proposal(record))
    assert not result.same and not result.same_values
    assert any(d.startswith(f"household {first['household']}: recorded {first['dwelling']}")
               for d in result.differences)
    assert any(d.startswith(f"household {second['household']}: recorded {second['dwelling']}")
               for d in result.differences)
    assert any(d.startswith(f"objective {record['objectives'][0]['name']}: recorded value") for d in result.differences)


def test_a_dropped_household_is_named() -> None:
    record = recorded()
    dropped = record["assignments"].pop()
    result = reproduce(load_instance(instance_document()), parse_proposal(record))
    assert f"household {dropped['household']}: recorded not placed, re-run {dropped['dwelling']}" in \
           " ".join(result.differences)


def test_recorded_options_are_read_and_checked() -> None:
    record = recorded()
    assert recorded_options(parse_proposal(record)) == RECORDED
    record["stats"]["options"]["seed"] = "7"
    with pytest.raises(QuestionInvalid, match="stats.options.seed must be int"):
        recorded_options(parse_proposal(record))
    del record["stats"]
    with pytest.raises(QuestionInvalid, match="stats.options is missing"):
        recorded_options(parse_proposal(record))


def test_warnings_for_a_non_deterministic_record_and_another_version() -> None:
    record = recorded(options=SolveOptions(time_limit=5.0, workers=1, seed=7))
    record["stats"]["ortools"] = "0.0.1"
    result = reproduce(load_instance(instance_document()), parse_proposal(record))
    assert result.options.deterministic
    assert any("was not deterministic" in w for w in result.warnings)
    assert any("ortools 0.0.1" in w for w in result.warnings)
    assert result.same_values  # a tiny instance is solved to proven optimality either way


def test_a_placement_difference_is_listed_in_words(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A placed household replaced by a waiting one: the command prints that difference, not only a count."""
    record = recorded()
    placed = {a["household"]: a for a in record["assignments"]}
    other = next(h for h in instance_document()["households"] if h["id"] not in placed)
    moved = record["assignments"][0]
    record["unassigned"] = [u for u in record["unassigned"] if u["household"] != other["id"]]
    record["unassigned"].append({"household": moved["household"], "reasons": ["edited"]})
    moved["household"] = other["id"]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps({"instance": instance_document(), "proposal": record}))
    assert run_cli(str(path)) == 1
    out = capsys.readouterr().out
    assert f"  household {other['id']}: recorded {moved['dwelling']}" in out


def test_a_record_for_another_instance_is_refused() -> None:
    with pytest.raises(QuestionInvalid, match='for instance "tiny-s2", not "tiny-s1"'):
        reproduce(load_instance(instance_document("tiny-s1")), parse_proposal(recorded()))


# --- command line --------------------------------------------------------------------------------------------


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="matcher")
    reproduce_cli.add_parser(parser.add_subparsers())
    args = parser.parse_args(["reproduce", *argv])
    return int(args.func(args))


def test_cli_exit_codes_for_both_record_shapes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = recorded()
    both = tmp_path / "record.json"
    both.write_text(json.dumps({"instance": instance_document(), "proposal": record}))
    assert run_cli(str(both)) == 0
    assert capsys.readouterr().out.startswith("reproduced: the re-run gives the same proposal (seed 7")
    record["assignments"].pop()
    edited = tmp_path / "edited.json"
    edited.write_text(Proposal.model_validate(record).to_json())
    assert run_cli(str(edited), "--instance", str(EXAMPLES / "tiny-s2.json"), "--json",
                   "-o", str(tmp_path / "rerun.json")) == 1
    answer = json.loads(capsys.readouterr().out)
    assert answer["same"] is False and answer["differences"]
    assert json.loads((tmp_path / "rerun.json").read_text())["status"] == "optimal"
    assert run_cli(str(edited)) == 2
    assert "name its instance with --instance" in capsys.readouterr().err
    assert run_cli(str(EXAMPLES / "tiny-s2.proposal.json"), "--instance", str(EXAMPLES / "tiny-s2.json")) == 2
    assert "stats.options is missing" in capsys.readouterr().err
