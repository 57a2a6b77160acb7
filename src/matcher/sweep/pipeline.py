"""A whole sweep in one call: read the sweep file, plan the replays, run what is missing, write the results.

    outcome = run_sweep(Path("instances/example-sweep.toml"), Path("sweep-results"))

The results directory ends up with ``replays/`` (every finished replay by hash, ``matcher.sweep.store``),
``results.csv`` (the tidy table) and ``report.html`` (the page). Both are rewritten at the end of every
run from the stored replays of the sweep file as it is now.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matcher.sweep import page, results
from matcher.sweep.plan import base_scenarios, describe, plan
from matcher.sweep.runner import OnResult, RunOutcome, run, start_ray
from matcher.sweep.store import Store, write_atomically
from matcher.sweep.sweepfile import BASE_VARIANT, SweepFileInvalid, load_sweep, located
from matcher.sweep.task import ReplayFunction, simulate_replay
from matcher.sweep.transforms import TransformError

TABLE = "results.csv"
PAGE = "report.html"


@dataclass(frozen=True)
class SweepOutcome:
    run: RunOutcome
    table: list[results.Row]
    table_path: Path
    page_path: Path

    @property
    def failed(self) -> list[results.Row]:
        return results.failures(self.table)


def run_sweep(sweep_file: Path, results_dir: Path, *, address: str | None = None, workers: int | None = None,
              figure: str | None = None, on_result: OnResult | None = None,
              function: ReplayFunction = simulate_replay) -> SweepOutcome:
    """Raises ``SweepFileInvalid`` or ``TransformError`` (before anything runs) on a bad sweep file."""
    sweep = load_sweep(sweep_file)
    try:
        replays = plan(sweep, base_scenarios(sweep, sweep_file.parent))
    except TransformError as error:
        raise SweepFileInvalid(str(sweep_file), [located(sweep_file, error.keys, error.message)]) from None
    store = Store(results_dir)
    missing = [replay for replay in replays if not store.finished(replay.key)]
    if missing:
        start_ray(address, workers)
    outcome = run(replays, store, function=function, on_result=on_result)
    records = {replay.key: store.get(replay.key) or {} for replay in replays}
    table = results.rows(replays, records)
    table_path, page_path = results_dir / TABLE, results_dir / PAGE
    write_atomically(table_path, results.table_csv(table))
    variants = {BASE_VARIANT: describe(sweep.base)} | {name: describe(v) for name, v in sweep.variants.items()}
    source = sweep.base.file or f"preset {sweep.base.preset}"
    content = page.PageInput(title=f"Sweep {sweep_file.stem} ({source})", figure=figure or sweep.figure,
                             policies=list(sweep.policies), variants=variants, table=table)
    write_atomically(page_path, page.render_page(content))
    return SweepOutcome(outcome, table, table_path, page_path)
