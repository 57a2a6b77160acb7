"""Sweeps on a local Ray with 2 CPUs (started once for the module): re-runs, failures, memory, the table.

The replays are real (``matcher.simulation.simulate``) on the small ``tiny-halfyear`` preset; only the
out-of-memory test wraps the replay in a function that first asks for far more memory than its bound.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray", reason="make install installs the sweep extra; without it this must fail")

from matcher.sweep import run_sweep  # noqa: E402
from matcher.sweep.plan import base_scenarios, plan  # noqa: E402
from matcher.sweep.runner import run, start_ray  # noqa: E402
from matcher.sweep.store import Replay, Store  # noqa: E402
from matcher.sweep.sweepfile import load_sweep  # noqa: E402
from matcher.sweep.task import simulate_replay  # noqa: E402

MATCHER = [sys.executable, "-m", "matcher.cli.main"]
SWEEP = """\
policies = ["fcfs", "weekly"]
seeds = [1, 2]
time_limit_per_week = 1.0
memory_mb = 1024

[base]
preset = "tiny-halfyear"

[variants.more-arrivals]
scale_arrivals = 1.5
"""


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    start_ray(workers=2)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Any]:
    folder = tmp_path_factory.mktemp("sweep")
    sweep_file = folder / "sweep.toml"
    sweep_file.write_text(SWEEP, encoding="utf-8")
    outcome = run_sweep(sweep_file, folder / "results")
    return sweep_file, folder / "results", outcome


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_a_sweep_runs_every_replay_and_writes_the_table_and_page(swept: tuple[Path, Path, Any]) -> None:
    _, results, outcome = swept
    assert outcome.run.executed == 2 * 2 * 2 and not outcome.failed
    rows = csv_rows(results / "results.csv")
    assert [(r["variant"], r["seed"], r["policy"]) for r in rows][:2] == [("base", "1", "fcfs"),
                                                                         ("base", "1", "weekly")]
    assert all(r["status"] == "ok" and int(r["persons_housed"]) > 0 and float(r["peak_memory_mb"]) > 0
               for r in rows)
    page = (results / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and "more-arrivals" in page and "http" not in page.replace(
        "http://www.w3.org/2000/svg", "")


def test_a_sweep_run_twice_executes_nothing_the_second_time(swept: tuple[Path, Path, Any]) -> None:
    sweep_file, results, first = swept
    again = run_sweep(sweep_file, results)
    assert again.run.executed == 0 and again.run.reused == first.run.executed
    assert csv_rows(results / "results.csv") == csv_rows(first.table_path)


def test_an_edit_runs_only_what_changed(swept: tuple[Path, Path, Any], tmp_path: Path) -> None:
    sweep_file, first_results, _ = swept
    results = tmp_path / "results"
    shutil.copytree(first_results, results)  # the module's results stay as the first sweep left them
    edited = tmp_path / "edited.toml"
    edited.write_text(SWEEP.replace("more-arrivals", "renamed") + "\n[variants.fewer]\nscale_arrivals = 0.5\n")
    outcome = run_sweep(edited, results)
    assert outcome.run.executed == 2 * 2  # the new variant's replays; the renamed one is the same content
    assert {row.variant for row in outcome.table} == {"base", "renamed", "fewer"}


@pytest.mark.parametrize("index", [1, 6])  # base seed 1 weekly; more-arrivals seed 2 fcfs
def test_the_tables_figures_are_those_of_matcher_simulate(swept: tuple[Path, Path, Any], tmp_path: Path,
                                                          index: int) -> None:
    sweep_file, results, _ = swept
    sweep = load_sweep(sweep_file)
    replay = plan(sweep, base_scenarios(sweep, sweep_file.parent))[index]
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps(replay.scenario), encoding="utf-8")
    subprocess.run([*MATCHER, "simulate", str(scenario), "--policy", replay.policy, "--seed", str(replay.seed),
                    "--time-limit-per-week", str(replay.time_limit_per_week), "-o", str(tmp_path / "out.json")],
                   check=True, env=os.environ | {"MATCHER_WORKERS": "1"})
    expected = json.loads((tmp_path / "out.json").read_text())["figures"]
    row = csv_rows(results / "results.csv")[index]
    assert (row["variant"], int(row["seed"]), row["policy"]) == (replay.variant, replay.seed, replay.policy)
    assert {name: row[name] for name in expected} == {name: "" if value is None else str(value)
                                                      for name, value in expected.items()}


def test_a_failing_replay_is_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(SWEEP.replace('["fcfs", "weekly"]', '["fcfs"]')
                          + '\n[variants.typo]\nquality_weights = { school_km = "x" }\n')
    outcome = run_sweep(sweep_file, tmp_path / "results")
    failed = outcome.failed
    assert [(row.variant, row.record["status"]) for row in failed] == [("typo", "failed"), ("typo", "failed")]
    assert "school_km" in failed[0].record["error"] and "Traceback" in failed[0].record["traceback"]
    assert outcome.run.count("ok") == 4
    page = outcome.page_path.read_text(encoding="utf-8")
    assert "school_km" in page
    again = run_sweep(sweep_file, tmp_path / "results")
    assert again.run.executed == 2  # failures are tried again, successes are not


def test_a_replay_over_its_memory_bound_is_reported_as_out_of_memory(tmp_path: Path) -> None:
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text(SWEEP.replace("memory_mb = 1024", "memory_mb = 256"))
    sweep = load_sweep(sweep_file)
    replays = [r for r in plan(sweep, base_scenarios(sweep, tmp_path)) if r.policy == "fcfs"]

    def greedy_for_memory(replay: Replay) -> dict[str, Any]:
        if replay.variant == "more-arrivals":
            hoard = bytearray(2 * 1024**3)  # 2 GiB against a bound of 256 MiB
            return {"figures": {"size": len(hoard)}}
        return simulate_replay(replay)

    outcome = run(replays, Store(tmp_path / "results"), function=greedy_for_memory)
    statuses = {(r["variant"], r["seed"]): r["status"] for r in outcome.records.values()}
    assert statuses == {("base", 1): "ok", ("base", 2): "ok", ("more-arrivals", 1): "out_of_memory",
                        ("more-arrivals", 2): "out_of_memory"}
    after = run(replays[:1], Store(tmp_path / "other"))  # the workers got their address space back
    assert after.count("ok") == 1


@pytest.mark.slow
def test_a_rerun_after_killing_the_sweep_finishes_only_what_was_missing(tmp_path: Path) -> None:
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text('policies = ["weekly"]\nseeds = [1, 2, 3]\ntime_limit_per_week = 1.0\nmemory_mb = 1024\n'
                          '[base]\npreset = "u16-quarter"\nweeks = 8\n[variants.low]\nacceptance = 0.6\n')
    results = tmp_path / "results"
    stored = results / "replays"
    sweep = subprocess.Popen([*MATCHER, "sweep", str(sweep_file), "-o", str(results), "--workers", "1"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while len(list(stored.glob("*.json"))) < 2 and time.monotonic() < deadline and sweep.poll() is None:
            time.sleep(0.2)
    finally:
        os.killpg(sweep.pid, signal.SIGKILL)  # the sweep, its local Ray and its workers' raylet
        sweep.wait()
    finished = len(list(stored.glob("*.json")))
    assert 2 <= finished < 6, "the sweep was to be killed halfway"
    outcome = run_sweep(sweep_file, results)
    assert outcome.run.executed == 6 - finished and outcome.run.reused == finished
    assert len(outcome.table) == 6 and not outcome.failed
