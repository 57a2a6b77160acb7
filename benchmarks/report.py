"""The Markdown tables of a saved benchmark run: ``python -m benchmarks.report [RUN.json ...] [--readme FILE]``.

Everything comes from one pytest-benchmark JSON file (the ``test_case`` entries carry every run's
record), so any saved run can be rendered again later. With ``--readme`` the tables replace what stands
between the two marker lines of that file; without a file argument the newest saved run is used.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks.isolation import FINISHED, RunRecord
from benchmarks.outcomes import Tier, highs_tiers, pipeline_tiers, proven_seconds
from benchmarks.registry import (
    CASES,
    PAIR_PHASE_MEANING,
    PAIR_SETUP_PHASES,
    PEER_MEANING,
    PHASE_MEANING,
    PIPELINE,
    SUBJECT,
    TIER_PHASES,
    TIER_PREFIX,
    TIERS,
)

REPO = Path(__file__).resolve().parents[1]
STORAGE = REPO / ".benchmarks"
START_MARKER = "<!-- benchmark table: start -->"
END_MARKER = "<!-- benchmark table: end -->"
MIB_PER_GIB = 1024
SHORT_TIER = {"overdue_housed": "overdue", "persons_housed": "persons", "max_shortfall_permille": "shortfall",
              "quality": "quality"}
DASH = "–"
NAMES = {case.name for case in CASES}
SUMMARY_PHASES = ("load", "pairs", "network", "greedy", "build")


# --- reading ---------------------------------------------------------------------------------------------


class CaseResult:
    """One case of a saved run: its recipe and the record of every run, matcher's and the peers'."""

    def __init__(self, entry: dict[str, Any]) -> None:
        info = entry["extra_info"]
        self.name: str = info["case"]
        self.time_limit: float = info["time_limit"]
        self.memory_limit_gib: float = info["memory_limit_gib"]
        self.left_out: dict[str, str] = info.get("left_out", {})
        self.runs = {name: RunRecord.from_dict(record) for name, record in info["runs"].items()}
        self.subject = self.runs[SUBJECT]

    def run(self, name: str) -> RunRecord | None:
        return self.runs.get(name)

    def absent(self, name: str) -> str:
        """What the summary says for a run this case has no record of (the reason is in the tables below)."""
        return "left out" if name in self.left_out else "not in this case"

    def sizes(self) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for record in self.runs.values():
            merged |= {k: v for k, v in record.info().items() if k not in merged}
        return merged


def load_cases(document: dict[str, Any]) -> list[CaseResult]:
    return [CaseResult(entry) for entry in document["benchmarks"] if entry.get("extra_info", {}).get("kind") == "case"]


def newest_saved_run(storage: Path = STORAGE) -> Path:
    saved = sorted(storage.glob("*/*.json"), key=lambda path: path.stat().st_mtime)
    if not saved:
        raise FileNotFoundError(f"no saved benchmark run in {storage}: run `make bench` first")
    return saved[-1]


# --- formatting ------------------------------------------------------------------------------------------


def seconds(value: float | None) -> str:
    if value is None:
        return DASH
    if value < 0.01:
        return f"{value * 1000:.1f} ms"
    if value < 10:
        return f"{value:.2f} s"
    return f"{value:.0f} s"


def figure(value: int | None) -> str:
    return DASH if value is None else str(value)


def count(value: int | None) -> str:
    return DASH if value is None else f"{value:,}"


def gibibytes(mib: float | None) -> str:
    return DASH if mib is None else f"{mib / MIB_PER_GIB:.2f} GiB"


def relative_gap(value: int, bound: int) -> float:
    """|bound - value| / max(1, |value|), as CP-SAT defines the gap."""
    return abs(bound - value) / max(1, abs(value))


def percent(share: float) -> str:
    return f"{100 * share:.1f} %"


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or not denominator:
        return DASH
    return f"{numerator / denominator:.2f}×"


def table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return lines


def stopped(record: RunRecord | None) -> str:
    """How a run ended, in a few words: what the table shows in place of a missing figure."""
    if record is None:
        return "not in this case"
    if record.finished:
        return "finished"
    where = f" in {record.stopped_in}" if record.stopped_in else ""
    return f"{record.outcome}{where}"


def phase_seconds(record: RunRecord, phase: str) -> str:
    end = record.phase(phase)
    if end is not None:
        return seconds(end["seconds"])
    return f"**{record.outcome}**" if record.stopped_in == phase else DASH


def tier_cell(tier: Tier | None) -> str:
    """A tier's outcome with its figures: ``opt 0.41 s`` or ``gap 4.0 % (354/368) 15 s``."""
    if tier is None:
        return DASH
    if tier.status == "optimal":
        return f"opt {seconds(tier.seconds)}"
    if tier.status == "not_solved":
        return "no time left"
    if tier.value is None or tier.bound is None:
        return f"{tier.status}: {figure(tier.value)}, no bound {seconds(tier.seconds)}"
    return f"gap {percent(relative_gap(tier.value, tier.bound))} ({tier.value}/{tier.bound}) {seconds(tier.seconds)}"


def short_tier_cell(tier: Tier) -> str:
    """A tier's outcome without the values, for a cell that lists every tier of a run."""
    if tier.status == "optimal":
        return f"opt {seconds(tier.seconds)}"
    if tier.status == "not_solved":
        return "no time left"
    if tier.value is None or tier.bound is None:
        return f"{tier.status} {seconds(tier.seconds)}"
    return f"gap {percent(relative_gap(tier.value, tier.bound))} {seconds(tier.seconds)}"


def tiers(record: RunRecord | None) -> dict[str, Tier]:
    """A pipeline run's tiers by phase name."""
    return {f"{TIER_PREFIX}{tier.name}": tier for tier in pipeline_tiers(record)}


def solve_seconds(record: RunRecord) -> float | None:
    """matcher's solve as ``solve()`` spans it: from the facts to the explained proposal."""
    span = [record.phase(phase) for phase in PIPELINE if phase not in ("load", "write")]
    return None if any(end is None for end in span) else sum(end["seconds"] for end in span)  # type: ignore[index]


def steps(stats: dict[str, Any]) -> str:
    """The steps of one tier of matcher's portfolio (``TierResult.phases``): seconds each, and the proof."""
    phases = stats.get("phases") or {}
    parts = [f"{key.removesuffix('_seconds')} {seconds(value)}" for key, value in phases.items()
             if key.endswith("_seconds")]
    if phases.get("proven_by"):
        parts.append(f"proven by {phases['proven_by']}")
    return ", ".join(parts) or DASH


# --- the peers -------------------------------------------------------------------------------------------


def greedy_cell(case: CaseResult) -> str:
    greedy = case.run("greedy")
    solved = greedy.phase("solve") if greedy else None
    matcher = case.subject.info().get("objectives")
    if solved is None:
        return stopped(greedy) if greedy else case.absent("greedy")
    theirs = solved["objectives"]
    if matcher is None:
        return (f"greedy alone: {theirs.get('overdue_housed', DASH)} overdue, "
                f"{theirs.get('persons_housed', DASH)} persons in {seconds(solved['seconds'])}")
    more = {name: matcher[name] - theirs[name] for name in ("overdue_housed", "persons_housed") if name in theirs}
    time_ratio = ratio(solve_seconds(case.subject), solved["seconds"])
    return f"{more.get('overdue_housed', 0):+d} overdue, {more.get('persons_housed', 0):+d} persons; " \
           f"{time_ratio} its time"


def highs_cell(case: CaseResult) -> str:
    """How far HiGHS got tier by tier, and matcher's time over HiGHS's on the tiers both proved."""
    highs = case.run("highs")
    if highs is None:
        return case.absent("highs")
    theirs = highs_tiers(highs)
    if not theirs:
        return stopped(highs)
    proven = sum(tier.proven for tier in theirs)
    text = f"{proven}/{len(TIERS)} tiers proven"
    last = theirs[-1]
    if not last.proven:
        text += f"; stopped at {SHORT_TIER.get(last.name, last.name)}: {_highs_outcome(last)}"
    elif not highs.finished:
        text += f"; {stopped(highs)}"
    both, mine, its = proven_seconds(pipeline_tiers(case.subject), theirs)
    if both:
        scope = "" if both == len(TIERS) else f" on the {both} both proved"
        text += f"; matcher {ratio(mine, its)} its time{scope}"
    return text


def _highs_outcome(tier: Tier) -> str:
    if tier.value is None:
        return f"{tier.status}, no solution"
    if tier.bound is None:
        return f"{tier.status}, {tier.value}, no bound"
    return f"{tier.status}, {tier.value}/{tier.bound} ({percent(relative_gap(tier.value, tier.bound))})"


def lp_gap_cell(case: CaseResult) -> str:
    """matcher's first tier against the LP relaxation's bound."""
    highs = case.run("highs")
    lp = highs.phase("highs-lp") if highs else None
    tier = tiers(case.subject).get(TIER_PHASES[0])
    if lp is None or lp["bound"] is None or tier is None:
        return DASH if lp is None or lp["bound"] is None else f"LP {lp['bound']}"
    return f"{percent(relative_gap(tier.value, lp['bound']))} ({tier.value} vs LP {lp['bound']})"


def pair_model_cell(case: CaseResult) -> str:
    """The pair model's tiers, the 'before' beside matcher's tier columns."""
    before = case.run("pair-model")
    if before is None:
        return case.absent("pair-model")
    found = pipeline_tiers(before)
    if not found:
        return stopped(before)
    text = " · ".join(short_tier_cell(tier) for tier in found)
    return text if before.finished or len(found) == len(TIERS) else f"{text}; {stopped(before)}"


def workers_cell(case: CaseResult) -> str:
    """One worker against two: the tier time when both prove every tier, else the first tier of each."""
    single = tiers(case.run("cpsat-w1"))
    double = tiers(case.subject)
    if not single or not double:
        return stopped(case.run("cpsat-w1")) if case.run("cpsat-w1") else case.absent("cpsat-w1")
    if all(t.status == "optimal" for t in (*single.values(), *double.values())):
        one = sum(t.seconds for t in single.values())
        two = sum(t.seconds for t in double.values())
        return f"w1 {ratio(one, two)} w2's time, all tiers proven"
    first = TIER_PHASES[0]
    return f"tier 1: w1 {tier_cell(single.get(first))}; w2 {tier_cell(double.get(first))}"


def peak_rss(case: CaseResult) -> str:
    return gibibytes(case.subject.peak_rss_mib)


# --- the tables ------------------------------------------------------------------------------------------


def summary_table(cases: list[CaseResult]) -> list[str]:
    tier_names = [phase.removeprefix(TIER_PREFIX) for phase in TIER_PHASES]
    header = ["instance", "households", "pairs", *SUMMARY_PHASES,
              *[f"tier {SHORT_TIER.get(name, name)}" for name in tier_names], "explain", "peak RSS",
              "vs greedy", "HiGHS per tier", "gap to LP bound", "pair model (before)", "1 vs 2 workers"]
    rows = []
    for case in cases:
        sizes, found = case.sizes(), tiers(case.subject)
        rows.append([f"{case.name} ({stopped(case.subject)})" if not case.subject.finished else case.name,
                     count(sizes.get("households")), count(sizes.get("pairs")),
                     *[phase_seconds(case.subject, phase) for phase in SUMMARY_PHASES],
                     *[tier_cell(found.get(phase)) if phase in found else phase_seconds(case.subject, phase)
                       for phase in TIER_PHASES],
                     phase_seconds(case.subject, "explain"), peak_rss(case),
                     greedy_cell(case), highs_cell(case), lp_gap_cell(case), pair_model_cell(case),
                     workers_cell(case)])
    return table(header, rows)


def phases_table(cases: list[CaseResult]) -> list[str]:
    header = ["instance", "households", "dwellings", "pairs", "household classes", "dwelling classes", "variables",
              "constraints", *[phase.removeprefix(TIER_PREFIX) for phase in PIPELINE], "peak RSS"]
    rows = []
    for case in cases:
        sizes = case.sizes()
        build = case.subject.phase("build") or {}
        rows.append([case.name, count(sizes.get("households")), count(sizes.get("dwellings")),
                     count(sizes.get("pairs")), count(sizes.get("household_classes")),
                     count(sizes.get("dwelling_classes")), count(build.get("variables")),
                     count(build.get("constraints")),
                     *[phase_seconds(case.subject, phase) for phase in PIPELINE], peak_rss(case)])
    return table(header, rows)


def pair_phases_table(cases: list[CaseResult]) -> list[str]:
    header = ["instance", "candidates", "variables", "constraints", *PAIR_SETUP_PHASES,
              *[f"tier {SHORT_TIER.get(name, name)}" for name in TIERS], "peak RSS"]
    rows = []
    for case in cases:
        before = case.run("pair-model")
        if before is None:
            if "pair-model" in case.left_out:
                rows.append([f"{case.name} (left out: {case.left_out['pair-model']})", *[DASH] * (len(header) - 1)])
            continue
        build = before.phase("build") or {}
        found = tiers(before)
        rows.append([case.name if before.finished else f"{case.name} ({stopped(before)})",
                     count(before.info().get("candidates")), count(build.get("variables")),
                     count(build.get("constraints")), *[phase_seconds(before, phase) for phase in PAIR_SETUP_PHASES],
                     *[tier_cell(found.get(phase)) if phase in found else phase_seconds(before, phase)
                       for phase in TIER_PHASES],
                     gibibytes(before.peak_rss_mib)])
    return table(header, rows)


def tiers_table(cases: list[CaseResult]) -> list[str]:
    header = ["instance", "tier", "run", "status", "value", "bound", "gap", "seconds", "budget", "steps"]
    rows = []
    for case in cases:
        for label in (SUBJECT, "cpsat-w1", "pair-model"):
            record = case.run(label)
            for phase in TIER_PHASES:
                end = record.phase(phase) if record else None
                if end is None:
                    continue
                tier = end["tier"]
                rows.append([case.name, phase.removeprefix(TIER_PREFIX), label, tier["status"], str(tier["value"]),
                             str(tier["bound"]), percent(relative_gap(tier["value"], tier["bound"])),
                             seconds(tier["seconds"]), seconds(tier["time_limit"]), steps(tier)])
    return table(header, rows)


def highs_table(cases: list[CaseResult]) -> list[str]:
    header = ["instance", "columns", "rows", "build", "LP", "LP bound", "tiers proven", "peak RSS"]
    rows = []
    for case in cases:
        highs = case.run("highs")
        if highs is None:
            continue
        built, lp = (highs.phase(name) or {} for name in ("highs-build", "highs-lp"))
        theirs = highs_tiers(highs)
        rows.append([case.name if highs.finished else f"{case.name} ({stopped(highs)})",
                     count(built.get("columns")), count(built.get("rows")), seconds(built.get("seconds")),
                     f"{lp['status']} {seconds(lp['seconds'])}" if lp else DASH, figure(lp.get("bound")),
                     f"{sum(t.proven for t in theirs)}/{len(TIERS)}", gibibytes(highs.peak_rss_mib)])
    return table(header, rows)


def highs_tiers_table(cases: list[CaseResult]) -> list[str]:
    header = ["instance", "tier", "HiGHS status", "value", "bound", "HiGHS seconds", "matcher", "matcher / HiGHS"]
    rows = []
    for case in cases:
        mine = {tier.name: tier for tier in pipeline_tiers(case.subject)}
        for tier in highs_tiers(case.run("highs")):
            matcher = mine.get(tier.name)
            both = matcher is not None and matcher.proven and tier.proven
            rows.append([case.name, tier.name, tier.status, figure(tier.value), figure(tier.bound),
                         seconds(tier.seconds), tier_cell(matcher),
                         ratio(matcher.seconds, tier.seconds) if both and matcher else DASH])
    return table(header, rows)


def greedy_table(cases: list[CaseResult]) -> list[str]:
    names = list(SHORT_TIER)
    header = ["instance", "greedy solve", "matcher solve", *[f"{SHORT_TIER[n]} greedy → matcher" for n in names],
              "peak RSS"]
    rows = []
    for case in cases:
        greedy = case.run("greedy")
        if greedy is None:
            continue
        solved = greedy.phase("solve")
        matcher = case.subject.info().get("objectives", {})
        theirs = solved["objectives"] if solved else {}
        rows.append([case.name if greedy.finished else f"{case.name} ({stopped(greedy)})",
                     seconds(solved["seconds"]) if solved else DASH, seconds(solve_seconds(case.subject)),
                     *[f"{theirs.get(n, DASH)} → {matcher.get(n, DASH)}" for n in names],
                     gibibytes(greedy.peak_rss_mib)])
    return table(header, rows)


def stops_table(cases: list[CaseResult]) -> list[str]:
    """Every run that stopped at a wall, failed or never started, and every peer the registry leaves out."""
    rows = []
    for case in cases:
        rows += [[case.name, record.run, record.outcome, record.stopped_in or DASH, seconds(record.wall_seconds),
                  gibibytes(record.peak_rss_mib), record.reason.splitlines()[0] if record.reason else ""]
                 for record in case.runs.values() if record.outcome != FINISHED]
        rows += [[case.name, run, "left out", DASH, DASH, DASH, reason] for run, reason in case.left_out.items()
                 if run not in case.runs]
    if not rows:
        return ["Every run of every case finished."]
    return table(["instance", "run", "outcome", "stopped in", "after", "peak RSS", "reason"], rows)


def machine_line(document: dict[str, Any]) -> str:
    machine = document["machine_info"]
    cpu = machine.get("cpu", {}).get("brand_raw") or machine.get("processor") or "unknown CPU"
    commit = document.get("commit_info", {})
    dirty = " (with uncommitted changes)" if commit.get("dirty") else ""
    return (f"Run of {document['datetime'][:16].replace('T', ' ')} UTC on {machine.get('node', '?')}: {cpu}, "
            f"{machine.get('cores', '?')} cores, {machine.get('memory_gib', '?')} GiB; Python "
            f"{machine.get('python_version', '?')}; commit {str(commit.get('id', '?'))[:10]} on "
            f"{commit.get('branch', '?')}{dirty}.")


def render(document: dict[str, Any], *more: dict[str, Any]) -> str:
    """The tables of one saved run, or of several (a sweep run in parts), cases in registry order."""
    documents = [document, *more]
    by_name = {case.name: case for doc in documents for case in load_cases(doc)}
    order = [case.name for case in CASES if case.name in by_name] + [n for n in by_name if n not in NAMES]
    cases = [by_name[name] for name in order]
    settings = document["machine_info"].get("matcher_benchmarks", {})
    limits = ", ".join(f"{case.name} {case.time_limit:g} s" for case in cases)
    lines = [*(machine_line(doc) for doc in documents), "",
             f"Seed {settings.get('seed', '?')}; matcher and the pair model with {settings.get('workers', '?')} "
             f"workers; time limits (matcher's whole solve, the pair model's, and each HiGHS solve): {limits}; "
             f"address space per run {settings.get('memory_limit_gib', '?')} GiB.", "",
             *summary_table(cases), "",
             "**Runs that did not finish**", "", *stops_table(cases), "",
             "<details><summary>Every phase, tier and peer</summary>", "",
             "Phases of matcher's run (seconds):", "", *phases_table(cases), "",
             "The pair model (before the classes), phases and tiers:", "", *pair_phases_table(cases), "",
             "Tiers of matcher (2 workers), cpsat-w1 (1 worker) and the pair model:", "", *tiers_table(cases), "",
             "HiGHS on the pair model: the model and the first tier's LP relaxation:", "", *highs_table(cases), "",
             "HiGHS per tier, beside matcher's:", "", *highs_tiers_table(cases), "",
             "Greedy against matcher (objective values):", "", *greedy_table(cases), "",
             "What the phases and peers are:", "", legend(), "",
             "</details>"]
    return "\n".join(lines) + "\n"


def legend() -> str:
    """What each phase and peer means, for the README's protocol."""
    lines = [f"- `{phase}`: {meaning}" for phase, meaning in PHASE_MEANING.items()]
    lines += [f"- pair model's `{phase}`: {meaning}" for phase, meaning in PAIR_PHASE_MEANING.items()]
    lines += [f"- peer `{peer}`: {meaning}" for peer, meaning in PEER_MEANING.items()]
    return "\n".join(lines)


def splice(readme: Path, tables: str) -> None:
    text = readme.read_text(encoding="utf-8")
    if START_MARKER not in text or END_MARKER not in text:
        raise ValueError(f"{readme} has no '{START_MARKER}' ... '{END_MARKER}' lines to put the table between")
    head, rest = text.split(START_MARKER, 1)
    _, tail = rest.split(END_MARKER, 1)
    readme.write_text(f"{head}{START_MARKER}\n{tables}{END_MARKER}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", type=Path,
                        help="saved pytest-benchmark JSON files, several for a sweep run in parts "
                             "(default: the newest)")
    parser.add_argument("--readme", type=Path, help="put the tables between the marker lines of this file")
    parser.add_argument("-o", "--output", type=Path, help="also write the tables to this file")
    args = parser.parse_args(argv)
    try:
        paths = args.runs or [newest_saved_run()]
        tables = render(*(json.loads(path.read_text(encoding="utf-8")) for path in paths))
        if args.readme:
            splice(args.readme, tables)
    except (OSError, ValueError, KeyError) as error:
        print(f"benchmarks.report: {error}", file=sys.stderr)
        return 1
    if args.output:
        args.output.write_text(tables, encoding="utf-8")
    print(tables)
    return 0


if __name__ == "__main__":
    sys.exit(main())
