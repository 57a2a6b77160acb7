"""The one reader of proposal documents: what it accepts, and the problems it names for what it does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from matcher.exceptions import ProposalInvalid
from matcher.format import PROPOSAL_FORMAT
from matcher.proposal_reader import load_proposal, parse_proposal


def proposal(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": PROPOSAL_FORMAT, "instance": "i1", "status": "feasible",
        "objectives": [{"name": "persons_housed", "value": 3, "bound": 4}],
        "assignments": [{"household": "h1", "dwelling": "d1", "schools": {"primary": "s1"}}],
        "unassigned": [{"household": "h2", "reasons": ["no compatible dwelling"]}],
        "municipalities": [{"id": "GM0001", "target": 10, "housed": 2, "placed": 3}],
    }
    document.update(changes)
    return document


def problems(source: Any) -> list[str]:
    with pytest.raises(ProposalInvalid) as raised:
        load_proposal(source)
    return [str(problem) for problem in raised.value.problems]


def test_a_document_a_file_and_text_give_the_same_proposal(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(proposal()))
    from_file, from_text, from_dict = load_proposal(path), load_proposal(path.read_text()), load_proposal(proposal())
    assert from_file == from_text == from_dict
    assert from_file.assignments[0].named_schools() == {"primary": "s1"}
    assert from_file.objective("persons_housed") is not None


def test_the_format_field_must_say_it_is_a_proposal() -> None:
    assert problems(proposal(format="matcher.instance/1")) == [
        'format: must be "matcher.proposal/1", got "matcher.instance/1"']
    without = proposal()
    del without["format"]
    assert problems(without) == ['format: must be "matcher.proposal/1", got nothing']


def test_json_types_are_taken_literally_and_the_record_is_named() -> None:
    found = problems(proposal(assignments=[{"household": "h1", "dwelling": 7}]))
    assert len(found) == 1 and found[0].startswith('assignments[0] (id "h1 -> 7").dwelling: ')
    assert any("value" in text for text in problems(proposal(objectives=[{"name": "persons_housed", "value": "3",
                                                                          "bound": 4}])))


def test_unreadable_files_and_text_are_problems(tmp_path: Path) -> None:
    assert "cannot read file" in problems(tmp_path / "missing.json")[0]
    assert "not valid JSON" in problems('{"format": ')[0]
    assert problems("[1, 2]") == ["(document): must be a JSON object"]


def test_the_checker_reads_past_a_wrong_format_field_to_judge_it_itself() -> None:
    assert parse_proposal(proposal(format="something else")).instance == "i1"
