"""The committed JSON Schemas: generated from the format models, and accepting what the reader accepts.

Each document is judged twice, by the schema (with the ``jsonschema`` package, as municipal IT would) and by
matcher's own reader, and the two must agree on what a single record can tell about itself.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from conftest import EXAMPLES, REPO
from matcher.cli.main import main
from matcher.exceptions import InstanceInvalid
from matcher.format import Proposal
from matcher.schemas import DOCUMENTS, file_name, json_schema
from matcher.validation import load_instance

COMMITTED = REPO / "schemas"
Edit = Callable[[dict[str, Any]], None]


def committed(name: str) -> dict[str, Any]:
    return json.loads((COMMITTED / file_name(name)).read_text(encoding="utf-8"))


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(committed(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(name: str, document: dict[str, Any]) -> list[str]:
    return [error.message for error in validator(name).iter_errors(document)]


def instance_accepted(document: dict[str, Any]) -> bool:
    try:
        load_instance(document)
    except InstanceInvalid:
        return False
    return True


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def edited(edit: Edit) -> dict[str, Any]:
    document = copy.deepcopy(example("tiny-s1.json"))
    edit(document)
    return document


# --- the committed files are the generated ones -------------------------------------------------------------


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_committed_schema_matches_the_models(name: str) -> None:
    assert committed(name) == json_schema(name), (
        f"schemas/{file_name(name)} no longer matches matcher.format: run `make schemas` and commit the result")


def test_every_committed_schema_is_in_the_registry() -> None:
    assert sorted(path.name for path in COMMITTED.glob("*.schema.json")) == sorted(map(file_name, DOCUMENTS))


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_committed_schemas_are_valid_json_schemas(name: str) -> None:
    Draft202012Validator.check_schema(committed(name))


# --- the examples pass, broken documents do not -------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda path: path.name)
def test_every_example_is_valid_against_its_schema(path: Path) -> None:
    kind = "proposal" if path.name.endswith(".proposal.json") else "instance"
    assert schema_errors(kind, json.loads(path.read_text(encoding="utf-8"))) == []


BROKEN_INSTANCES: dict[str, Edit] = {
    "no households": lambda d: d.pop("households"),
    "another format": lambda d: d.__setitem__("format", "matcher.instance/2"),
    "bedrooms as text": lambda d: d["dwellings"][0].__setitem__("bedrooms", "2"),
    "negative rent": lambda d: d["dwellings"][0].__setitem__("rent", -1),
    "no members": lambda d: d["households"][0].__setitem__("members", []),
    "accessible as 1": lambda d: d["dwellings"][0].__setitem__("accessible", 1),
    "impossible date": lambda d: d["households"][0].__setitem__("waiting_since", "2026-02-30x"),
    "unknown tie kind": lambda d: d["households"][0].__setitem__("ties", [{"municipality": "GM0321",
                                                                          "kind": "hobby"}]),
    "required field null": lambda d: d["dwellings"][0].__setitem__("bedrooms", None),
}


@pytest.mark.parametrize("edit", BROKEN_INSTANCES.values(), ids=BROKEN_INSTANCES.keys())
def test_a_broken_instance_is_rejected_by_the_schema_and_by_matcher(edit: Edit) -> None:
    document = edited(edit)
    assert schema_errors("instance", document)
    assert not instance_accepted(document)


ACCEPTED_INSTANCES: dict[str, Edit] = {
    "unknown fields": lambda d: (d.__setitem__("note", "from the spreadsheet"),
                                 d["dwellings"][0].__setitem__("corporation", "Mitros")),
    "null takes the default": lambda d: (d["dwellings"][0].__setitem__("accessible", None),
                                         d["dwellings"][0].__setitem__("shared_places", None),
                                         d.__setitem__("forbidden", None),
                                         d.__setitem__("policy", {"overdue_weeks": None, "max_school_km": None})),
    "no policy at all": lambda d: d.pop("policy", None),
}


@pytest.mark.parametrize("edit", ACCEPTED_INSTANCES.values(), ids=ACCEPTED_INSTANCES.keys())
def test_what_matcher_accepts_the_schema_accepts(edit: Edit) -> None:
    document = edited(edit)
    assert instance_accepted(document)
    assert schema_errors("instance", document) == []


def test_a_broken_proposal_is_rejected_and_what_the_reader_takes_is_accepted() -> None:
    proposal = example("tiny-s1.proposal.json")
    wrong_status = {**proposal, "status": "done"}
    assert schema_errors("proposal", wrong_status)
    with pytest.raises(ValueError):
        Proposal.model_validate(wrong_status)
    without_schools = copy.deepcopy(proposal)
    without_schools["assignments"][0]["schools"] = None
    assert schema_errors("proposal", without_schools) == []
    assert Proposal.model_validate(without_schools).assignments[0].schools == {}
    annotated = {**proposal, "reviewed_by": "coordinator"}
    assert schema_errors("proposal", annotated) == []
    assert (Proposal.model_validate(annotated).model_extra or {})["reviewed_by"] == "coordinator"


# --- the command ----------------------------------------------------------------------------------------------


def test_schema_command_prints_the_committed_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "instance"]) == 0
    assert json.loads(capsys.readouterr().out) == committed("instance")


def test_schema_command_writes_every_schema(tmp_path: Path) -> None:
    assert main(["schema", "--all-to", str(tmp_path / "out")]) == 0
    for name in DOCUMENTS:
        assert (tmp_path / "out" / file_name(name)).read_text(encoding="utf-8") == \
            (COMMITTED / file_name(name)).read_text(encoding="utf-8")


def test_schema_command_needs_a_name_or_a_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 2
    assert "--all-to" in capsys.readouterr().err
