"""``matcher validate``: every problem and exit 1 for an invalid instance; a summary (text or JSON) and exit 0
for a valid one. The summary figures are checked on a hand-made instance whose answers are known."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES
from matcher.cli import main, validate
from matcher.facts import derive_facts
from matcher.rules import broken_rules, compatible_counts
from matcher.summary import dwelling_type, summarize
from matcher.validation import load_instance

LONG_AGO = "2026-01-05"  # more than 14 weeks before the period starts: overdue
RECENTLY = "2026-10-20"
AFTER_THE_PERIOD = "2026-11-20"


def members(*ages: int) -> list[dict[str, int]]:
    return [{"age": age} for age in ages]


def known_instance() -> dict[str, Any]:
    """Six households and five dwellings chosen so that every summary figure is small and known."""
    def dwelling(did: str, municipality: str, bedrooms: int, **extra: Any) -> dict[str, Any]:
        return {"id": did, "municipality": municipality, "location": {"lat": 52.09, "lon": 5.12},
                "bedrooms": bedrooms, "max_occupants": max(1, 2 * bedrooms), "rent": 600, **extra}

    return {
        "format": "matcher.instance/1",
        "id": "known",
        "period": {"start": "2026-11-09", "end": "2026-11-15"},
        "municipalities": [{"id": "GM0001", "name": "Eerstedorp", "target": 10, "housed": 2},
                           {"id": "GM0002", "name": "Tweestad", "target": 20, "housed": 25},
                           {"id": "GM0003", "name": "Derdeveen", "target": 0, "housed": 0}],
        "dwellings": [
            dwelling("d-studio", "GM0001", 0),
            dwelling("d-one", "GM0001", 1, accessible=True, groups=["g-1"]),
            dwelling("d-three", "GM0002", 3, groups=["g-1", "g-2"]),
            dwelling("d-five", "GM0002", 5, groups=["g-2"]),
            dwelling("d-shared", "GM0001", 3, shared_places=3, available_from=AFTER_THE_PERIOD),
        ],
        "households": [
            {"id": "h-single", "members": members(30), "shareable": True, "waiting_since": LONG_AGO},
            {"id": "h-reunion", "members": members(40), "shareable": True, "expected_members": 1,
             "waiting_since": RECENTLY},
            {"id": "h-late", "members": members(22), "needs_accessible": True, "available_from": AFTER_THE_PERIOD,
             "waiting_since": RECENTLY},
            {"id": "h-couple", "members": members(30, 28), "waiting_since": LONG_AGO},
            {"id": "h-parent", "members": members(35, 6), "waiting_since": RECENTLY},
            {"id": "h-family", "members": members(40, 38, 14, 9), "waiting_since": LONG_AGO,
             "ties": [{"municipality": "GM0003", "kind": "family", "required": True}]},
        ],
        "groups": [{"id": "g-1", "kind": "complex", "units": 10, "status_holder_units": 2, "max_share": 0.4},
                   {"id": "g-2", "kind": "street", "units": 4, "status_holder_units": 0}],
        "schools": [{"id": "p-1", "kind": "primary", "location": {"lat": 52.09, "lon": 5.12}, "seats": 3},
                    {"id": "p-2", "kind": "primary", "location": {"lat": 52.10, "lon": 5.12}, "seats": 2},
                    {"id": "s-1", "kind": "secondary", "location": {"lat": 52.09, "lon": 5.13}, "seats": 4}],
        "forbidden": [{"household": "h-couple", "dwelling": "d-three"}],
    }


def write(tmp_path: Path, document: dict[str, Any], name: str = "instance.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def run_validate(*argv: str) -> int:
    """Run the subcommand through its own parser, as ``matcher validate ...`` does."""
    parser = argparse.ArgumentParser(prog="matcher")
    validate.add_parser(parser.add_subparsers())
    args = parser.parse_args(["validate", *argv])
    return int(args.func(args))


# --- the summary as data --------------------------------------------------------------------------------------


def test_dwelling_types() -> None:
    assert [dwelling_type(b, 0) for b in range(7)] == ["studio", "1", "2", "3", "4+", "4+", "4+"]
    assert dwelling_type(0, 2) == dwelling_type(4, 1) == "shared"


def test_summary_of_a_known_instance() -> None:
    facts = derive_facts(load_instance(known_instance()))
    summary = summarize(facts, compatible_counts(facts))
    h, d = summary.households, summary.dwellings
    assert (h.total, h.persons) == (6, 11)
    assert h.by_size == {1: 3, 2: 2, 4: 1}
    assert (h.singles, h.shareable_singles, h.couples, h.families) == (3, 1, 1, 2)  # expecting rules out sharing
    assert h.families_by_size == {2: 1, 4: 1}
    assert (h.needing_step_free, h.expecting_reunification, h.expected_members) == (1, 1, 1)
    assert (h.overdue, h.unavailable) == (3, 1)

    assert d.total == 5
    assert d.by_type == {"studio": 1, "1": 1, "2": 0, "3": 1, "4+": 1, "shared": 1}
    assert (d.shared_places, d.step_free, d.unavailable) == (3, 1, 1)

    brute_force = sum(not broken_rules(facts, i, j) for i in range(6) for j in range(5))
    assert summary.pairs.compatible == brute_force > 0
    assert summary.pairs.households_without_pair == ["h-late", "h-family"]  # unavailable; tie to GM0003

    assert [(s.kind, s.schools, s.seats, s.pupils) for s in summary.schools] == [("primary", 2, 5, 2),
                                                                                 ("secondary", 1, 4, 1)]
    assert [(m.id, m.target, m.housed, m.cap, m.dwellings) for m in summary.municipalities] == [
        ("GM0001", 10, 2, 9, 3), ("GM0002", 20, 25, 0, 2), ("GM0003", 0, 0, 0, 0)]
    assert [(g.id, g.max_share, g.cap, g.dwellings) for g in summary.groups] == [("g-1", 0.4, 2, 2),
                                                                                  ("g-2", 0.5, 2, 2)]
    assert (summary.locks, summary.forbidden) == (0, 1)
    assert (summary.instance, summary.period_start, summary.period_end) == ("known", "2026-11-09", "2026-11-15")


def test_summary_of_an_empty_instance() -> None:
    document = known_instance()
    document.update(households=[], dwellings=[], groups=[], schools=[], forbidden=[])
    facts = derive_facts(load_instance(document))
    summary = summarize(facts, compatible_counts(facts))
    assert (summary.households.total, summary.dwellings.total, summary.pairs.compatible) == (0, 0, 0)
    assert summary.households.by_size == {} and summary.pairs.households_without_pair == []
    assert [m.dwellings for m in summary.municipalities] == [0, 0, 0]


# --- the command ----------------------------------------------------------------------------------------------


def test_valid_instance_prints_a_summary_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_validate(write(tmp_path, known_instance())) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "instance known: valid, period 2026-11-09 to 2026-11-15" in out
    assert "households: 6 (11 persons)" in out
    assert "singles             3 (of which shareable: 1)" in out
    assert "families            2 (by size: 1 of 2, 1 of 4)" in out
    assert "4+ bedrooms         1" in out
    assert "shared              1 (3 places)" in out
    assert "households with none: 2 (h-late, h-family)" in out
    assert "primary    2 schools, 5 free seats, 2 pupils" in out
    assert any(line.split() == ["GM0002", "Tweestad", "20", "25", "0", "2"] for line in out.splitlines())
    assert any(line.split() == ["g-1", "complex", "10", "2", "0.4", "2", "2"] for line in out.splitlines())


def test_json_summary_equals_the_computed_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_validate(write(tmp_path, known_instance()), "--json") == 0
    printed = json.loads(capsys.readouterr().out)
    facts = derive_facts(load_instance(known_instance()))
    expected = json.loads(json.dumps(summarize(facts, compatible_counts(facts)).as_dict()))
    assert printed.pop("valid") is True
    assert printed == expected
    assert printed["households"]["families_by_size"] == {"2": 1, "4": 1}


def test_invalid_instance_lists_every_problem_and_exits_1(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    document = known_instance()
    document["households"][4]["members"] = []
    document["dwellings"][3]["municipality"] = "GM0099"
    path = write(tmp_path, document)
    assert run_validate(path) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"{path}: 2 problem(s)",
        '  households[4] (id "h-parent").members: must not be empty',
        '  dwellings[3] (id "d-five").municipality: unknown municipality "GM0099"',
    ]


def test_invalid_instance_with_json_prints_problems_as_json(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    document = known_instance()
    document["groups"][0]["max_share"] = 4
    assert run_validate(write(tmp_path, document), "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report == {"valid": False, "problems": [
        {"path": "groups[0].max_share", "record": "g-1", "code": "less_than_equal",
         "message": 'groups[0] (id "g-1").max_share: must be <= 1.0, got 4'}]}


def test_reads_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(known_instance()).encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert run_validate("-", "--json") == 0
    assert json.loads(capsys.readouterr().out)["instance"] == "known"


def test_broken_json_from_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"format": ')))
    assert run_validate("-") == 1
    err = capsys.readouterr().err
    assert err.startswith("-: 1 problem(s)\n  (document): is not valid JSON: Expecting value at line 1")


def test_missing_file_exits_1_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_validate(str(tmp_path / "nowhere.json")) == 1
    assert "(document): cannot read file: No such file or directory" in capsys.readouterr().err


def test_validate_is_a_matcher_command() -> None:
    assert "validate" in main.COMMANDS


def test_example_instance_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_validate(str(EXAMPLES / "u16-week-s1.json")) == 0
    out = capsys.readouterr().out
    assert "instance u16-week-s1: valid" in out
    assert "compatible pairs: " in out and "(1 locked, 1 forbidden)" in out
