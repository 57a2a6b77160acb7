"""The sweep file, the transforms and the content hash: everything of a sweep that needs no Ray."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from matcher.simulation import generate_scenario, load_scenario
from matcher.sweep.plan import base_scenarios, plan
from matcher.sweep.store import Replay, Store
from matcher.sweep.sweepfile import SweepFileInvalid, Variant, key_lines, load_sweep
from matcher.sweep.transforms import TransformError, apply

REPO = Path(__file__).resolve().parents[1]
GOOD = """\
policies = ["fcfs"]
seeds = [1, 2]
time_limit_per_week = 1.0

[base]
preset = "tiny-halfyear"

[variants.more-arrivals]
scale_arrivals = 1.5

[variants."low acceptance"]
acceptance = 0.5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sweep.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SweepFileInvalid) as caught:
        load_sweep(write(tmp_path, text))
    return caught.value.problems


@pytest.fixture(scope="module")
def tiny() -> dict[str, Any]:
    return generate_scenario("tiny-halfyear", 1)


# --- the sweep file ------------------------------------------------------------------------------------


def test_the_example_sweep_file_is_valid_and_fits_its_scenarios() -> None:
    example = REPO / "instances" / "example-sweep.toml"
    sweep = load_sweep(example)
    assert sweep.policies == ["fcfs", "weekly"] and len(sweep.seeds) == 3
    replays = plan(sweep, base_scenarios(sweep, example.parent))
    assert len(replays) == (1 + len(sweep.variants)) * 3 * 2 and len(sweep.variants) >= 3


def test_a_good_file_reads_with_its_variants_in_order(tmp_path: Path) -> None:
    sweep = load_sweep(write(tmp_path, GOOD))
    assert sweep.variant_names() == ["base", "more-arrivals", "low acceptance"]
    assert sweep.variants["low acceptance"].acceptance == 0.5


def test_a_bad_value_names_its_line_and_key(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("acceptance = 0.5", "acceptance = 1.5"))
    assert len(found) == 1
    assert found[0].startswith(f"{tmp_path / 'sweep.toml'}:12: variants.low acceptance.acceptance:")
    assert "less than or equal to 1" in found[0]


def test_an_unknown_transform_names_its_line(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("scale_arrivals = 1.5", "scale_arrival = 1.5"))
    assert any(":9: variants.more-arrivals.scale_arrival:" in p and "Extra inputs" in p for p in found)


def test_every_problem_at_once_each_with_its_line(tmp_path: Path) -> None:
    text = GOOD.replace('policies = ["fcfs"]', 'policies = ["fifo"]').replace("seeds = [1, 2]", "seeds = [-1]")
    found = problems(tmp_path, text)
    assert any(":1: policies[0]:" in p for p in found)
    assert any(":2: seeds[0]:" in p for p in found)


def test_a_missing_key_names_the_line_of_its_table(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace('preset = "tiny-halfyear"', 'weeks = 4'))
    assert any(":5: base:" in p and "exactly one of file and preset" in p for p in found)


def test_a_toml_syntax_error_names_its_line(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.replace("scale_arrivals = 1.5", "scale_arrivals = "))
    assert len(found) == 1 and "line 9" in found[0]


def test_a_transform_that_does_not_fit_the_scenario_names_its_line(tmp_path: Path) -> None:
    text = GOOD + '\n[variants.flex]\nadd_dwellings = [{ municipality = "GM9999", week = 1, count = 2 }]\n'
    path = write(tmp_path, text)
    sweep = load_sweep(path)
    with pytest.raises(TransformError) as caught:
        plan(sweep, base_scenarios(sweep, tmp_path))
    assert caught.value.keys == ("variants", "flex", "add_dwellings", 0, "municipality")
    from matcher.sweep.sweepfile import located

    assert located(path, caught.value.keys, caught.value.message).startswith(f"{path}:15: ")


def test_key_lines_reads_headers_dotted_and_quoted_keys() -> None:
    lines = key_lines('a = 1\n[t.u]\nb.c = 2\n[[arr]]\n"q k" = 3\n')
    assert lines[("a",)] == 1 and lines[("t", "u")] == 2 and lines[("t", "u", "b", "c")] == 3
    assert lines[("arr", "q k")] == 5


# --- transforms ----------------------------------------------------------------------------------------


def arrivals(document: dict[str, Any]) -> list[dict[str, Any]]:
    start = dt.date.fromisoformat(document["start"])
    return [h for h in document["households"] if dt.date.fromisoformat(h["available_from"]) >= start]


def transformed(document: dict[str, Any], **transforms: Any) -> dict[str, Any]:
    result = apply(document, Variant(**transforms), ("variants", "v"))
    load_scenario(result)  # every transform keeps the scenario valid
    return result


def test_transforms_leave_their_input_alone(tiny: dict[str, Any]) -> None:
    before = copy.deepcopy(tiny)
    transformed(tiny, scale_arrivals=2.0, scale_targets=0.5, acceptance=0.3, weeks=4)
    assert tiny == before


@pytest.mark.parametrize("factor", [0.5, 1.0, 1.5, 2.3])
def test_scale_arrivals_changes_only_the_arrivals(tiny: dict[str, Any], factor: float) -> None:
    result = transformed(tiny, scale_arrivals=factor)
    assert len(arrivals(result)) == round(factor * len(arrivals(tiny)))
    backlog = len(tiny["households"]) - len(arrivals(tiny))
    assert len(result["households"]) - len(arrivals(result)) == backlog
    assert len({h["id"] for h in result["households"]}) == len(result["households"])
    assert transformed(tiny, scale_arrivals=factor) == result  # the draw is the same every time


def test_add_dwellings_offers_them_on_the_weeks_monday(tiny: dict[str, Any]) -> None:
    code = tiny["municipalities"][0]["id"]
    result = transformed(tiny, add_dwellings=[{"municipality": code, "week": 3, "count": 5, "bedrooms": 1}])
    added = result["dwellings"][len(tiny["dwellings"]):]
    monday = dt.date.fromisoformat(tiny["start"]) + dt.timedelta(days=21)
    assert len(added) == 5 and {d["available_from"] for d in added} == {monday.isoformat()}
    assert all(d["municipality"] == code and d["bedrooms"] == 1 for d in added)


def test_remove_dwellings_of_a_municipality(tiny: dict[str, Any]) -> None:
    code = tiny["dwellings"][0]["municipality"]
    theirs = [d for d in tiny["dwellings"] if d["municipality"] == code]
    result = transformed(tiny, remove_dwellings=[{"municipality": code, "count": 1}])
    assert len(result["dwellings"]) == len(tiny["dwellings"]) - 1
    assert theirs[0]["id"] not in {d["id"] for d in result["dwellings"]}
    every = transformed(tiny, remove_dwellings=[{"municipality": code}])
    assert not [d for d in every["dwellings"] if d["municipality"] == code]


def test_targets_acceptance_objectives_and_weights(tiny: dict[str, Any]) -> None:
    code = tiny["municipalities"][0]["id"]
    result = transformed(tiny, scale_targets=2.0, set_targets={code: 7}, acceptance=0.4,
                         objectives=["persons_housed", "overdue_housed"], quality_weights={"tie": {"work": 99}})
    assert result["municipalities"][0]["target"] == 7
    assert [m["target"] for m in result["municipalities"][1:]] == [2 * m["target"] for m in
                                                                 tiny["municipalities"][1:]]
    assert result["acceptance"] == {"probability": 0.4, "seed": tiny["acceptance"]["seed"]}
    assert result["policy"]["objectives"] == ["persons_housed", "overdue_housed"]
    assert result["policy"]["quality_weights"] == {"tie": {"work": 99}}


def test_school_seats_by_kind_and_municipality(tiny: dict[str, Any]) -> None:
    result = transformed(tiny, school_seats=[{"kind": "secondary", "add": 30}])
    for old, new in zip(tiny["schools"], result["schools"], strict=True):
        assert new["seats"] == old["seats"] + (30 if old["kind"] == "secondary" else 0)
    with pytest.raises(TransformError) as caught:
        transformed(tiny, school_seats=[{"schools": ["no-such-school"], "add": 1}])
    assert caught.value.keys == ("variants", "v", "school_seats", 0, "schools")


def test_group_caps(tiny: dict[str, Any]) -> None:
    result = transformed(tiny, group_caps=[{"max_share": 0.05}])
    assert {g["max_share"] for g in result["groups"]} == {0.05}


def test_a_shorter_horizon_drops_what_comes_after_it(tiny: dict[str, Any]) -> None:
    result = transformed(tiny, weeks=3)
    end = dt.date.fromisoformat(tiny["start"]) + dt.timedelta(days=20)
    assert result["weeks"] == 3
    assert all(dt.date.fromisoformat(h["available_from"]) <= end for h in result["households"])
    assert len(result["households"]) < len(tiny["households"])


# --- the plan and the content hash ---------------------------------------------------------------------


def test_the_plan_has_every_variant_seed_and_policy(tmp_path: Path) -> None:
    sweep = load_sweep(write(tmp_path, GOOD.replace('["fcfs"]', '["fcfs", "weekly"]')))
    replays = plan(sweep, base_scenarios(sweep, tmp_path))
    assert len(replays) == 3 * 2 * 2
    assert len({r.key for r in replays}) == len(replays)
    assert [(r.variant, r.seed, r.policy) for r in replays[:3]] == [("base", 1, "fcfs"), ("base", 1, "weekly"),
                                                                    ("base", 2, "fcfs")]


def test_the_hash_follows_the_content_not_the_names(tmp_path: Path, tiny: dict[str, Any]) -> None:
    one = Replay.make("a", 1, "fcfs", tiny, 1.0, 1024)
    assert Replay.make("renamed", 1, "fcfs", copy.deepcopy(tiny), 1.0, 4096).key == one.key
    assert Replay.make("a", 2, "fcfs", tiny, 1.0, 1024).key != one.key
    assert Replay.make("a", 1, "weekly", tiny, 1.0, 1024).key != one.key
    assert Replay.make("a", 1, "fcfs", tiny, 2.0, 1024).key != one.key
    edited = copy.deepcopy(tiny)
    edited["acceptance"]["probability"] = 0.5
    assert Replay.make("a", 1, "fcfs", edited, 1.0, 1024).key != one.key


def test_a_scenario_file_base_varies_the_acceptance_seed(tmp_path: Path, tiny: dict[str, Any]) -> None:
    import json

    (tmp_path / "scenario.json").write_text(json.dumps(tiny))
    sweep = load_sweep(write(tmp_path, GOOD.replace('preset = "tiny-halfyear"', 'file = "scenario.json"')))
    bases = base_scenarios(sweep, tmp_path)
    assert [bases[seed]["acceptance"]["seed"] for seed in (1, 2)] == [1, 2]
    assert bases[1]["households"] == tiny["households"]


def test_the_store_keeps_only_successes_as_finished(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put("a", {"status": "ok"})
    store.put("b", {"status": "failed"})
    (store.folder / "c.json").write_text('{"status": "ok"')  # a torn file is not finished
    assert store.finished("a") and not store.finished("b") and not store.finished("c")
    assert not list(store.folder.glob("*.tmp"))


def test_matcher_sweep_reports_a_bad_file_and_runs_nothing(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from matcher.cli.main import main

    path = write(tmp_path, GOOD.replace("seeds = [1, 2]", 'seeds = "1"'))
    assert main(["sweep", str(path), "-o", str(tmp_path / "results")]) == 2
    assert f"{path}:2: seeds: " in capsys.readouterr().err
    assert not (tmp_path / "results").exists()
