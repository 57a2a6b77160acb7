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
from benchmarks.registry import CASES, PEER_MEANING, PHASE_MEANING, PIPELINE, SUBJECT, TIER_PHASES, TIER_PREFIX

REPO = Path(__file__).resolve().parents[1]
STORAGE = REPO / ".benchmarks"
START_MARKER = "<!-- benchmark table: start -->"
END_MARKER = "<!-- benchmark table: end -->"
MIB_PER_GIB = 1024
SHORT_TIER = {"overdue_housed": "overdue", "persons_housed": "persons", "max_shortfall_permille": "shortfall",
              "quality": "quality"}
DASH = "–"
NAMES = {case.name for case in CASES}


# --- reading ---------------------------------------------------------------------------------------------


class CaseResult:
    """One case of a saved run: its recipe and the record of every run, matcher's and the peers'."""

    def __init__(self, entry: dict[str, Any]) -> None:
        info = entry["extra_info"]
        self.name: str = info["case"]
        self.time_limit: float = info["time_limit"]
        self.memory_limit_gib: float = info["memory_limit_gib"]
        self.runs = {name: RunRecord.from_dict(record) for name, record in info["runs"].items()}
        self.subject = self.runs[SUBJECT]

    def run(self, name: str) -> RunRecord | None:
        return self.runs.get(name)

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


def tier_cell(tier: dict[str, Any] | None) -> str:
    if tier is None:
        return DASH
    if tier["status"] == "optimal":
        return f"opt {seconds(tier['seconds'])}"
    if tier["status"] == "not_solved":
        return "no time left"
    return f"gap {percent(relative_gap(tier['value'], tier['bound']))} ({tier['value']}/{tier['bound']}) " \
           f"{seconds(tier['seconds'])}"


def tiers(record: RunRecord | None) -> dict[str, dict[str, Any]]:
    if record is None:
        return {}
    return {phase: end["tier"] for phase in TIER_PHASES if (end := record.phase(phase)) is not None}


def solve_seconds(record: RunRecord) -> float | None:
    """matcher's solve as ``solve()`` spans it: from the facts to the explained proposal."""
    span = [record.phase(phase) for phase in PIPELINE if phase not in ("load", "write")]
    return None if any(end is None for end in span) else sum(end["seconds"] for end in span)  # type: ignore[index]


# --- the peers -------------------------------------------------------------------------------------------


def greedy_cell(case: CaseResult) -> str:
    greedy = case.run("greedy")
    solved = greedy.phase("solve") if greedy else None
    matcher = case.subject.info().get("objectives")
    if solved is None:
        return stopped(greedy)
    theirs = solved["objectives"]
    if matcher is None:
        return (f"greedy alone: {theirs.get('overdue_housed', DASH)} overdue, "
                f"{theirs.get('persons_housed', DASH)} persons in {seconds(solved['seconds'])}")
    more = {name: matcher[name] - theirs[name] for name in ("overdue_housed", "persons_housed") if name in theirs}
    time_ratio = ratio(solve_seconds(case.subject), solved["seconds"])
    return f"+{more.get('overdue_housed', 0)} overdue, +{more.get('persons_housed', 0)} persons; {time_ratio} its time"


def highs_cell(case: CaseResult) -> str:
    highs = case.run("highs")
    mip = highs.phase("highs-mip") if highs else None
    if mip is None:
        return stopped(highs)
    if mip["status"] == "optimal":
        text = f"opt {mip['value']} in {seconds(mip['seconds'])}"
    elif mip["value"] is None:
        text = f"{mip['status']}: no solution"
    elif mip["bound"] is None:
        text = f"{mip['status']}: {mip['value']}, no bound yet"
    else:
        text = f"{mip['status']}: {mip['value']}/{mip['bound']} ({percent(relative_gap(mip['value'], mip['bound']))})"
    tier = tiers(case.subject).get(TIER_PHASES[0])
    if tier is not None and tier["status"] == "optimal" and mip["status"] == "optimal":
        text += f"; matcher {ratio(tier['seconds'], mip['seconds'])} its time"
    return text


def lp_gap_cell(case: CaseResult) -> str:
    """matcher's first tier against the LP relaxation's bound."""
    highs = case.run("highs")
    lp = highs.phase("highs-lp") if highs else None
    tier = tiers(case.subject).get(TIER_PHASES[0])
    if lp is None or lp["bound"] is None or tier is None:
        return DASH if lp is None or lp["bound"] is None else f"LP {lp['bound']}"
    return f"{percent(relative_gap(tier['value'], lp['bound']))} ({tier['value']} vs LP {lp['bound']})"


def workers_cell(case: CaseResult) -> str:
    """One worker against two: the tier search time when both prove every tier, else the first tier of each."""
    single = tiers(case.run("cpsat-w1"))
    double = tiers(case.subject)
    if not single or not double:
        return stopped(case.run("cpsat-w1"))
    if all(t["status"] == "optimal" for t in (*single.values(), *double.values())):
        one = sum(t["seconds"] for t in single.values())
        two = sum(t["seconds"] for t in double.values())
        return f"w1 {ratio(one, two)} w2's time, all tiers proven"
    first = TIER_PHASES[0]
    return f"tier 1: w1 {tier_cell(single[first])}; w2 {tier_cell(double[first])}"


def peak_rss(case: CaseResult) -> str:
    return gibibytes(case.subject.peak_rss_mib)


# --- the tables ------------------------------------------------------------------------------------------


def summary_table(cases: list[CaseResult]) -> list[str]:
    tier_names = [phase.removeprefix(TIER_PREFIX) for phase in TIER_PHASES]
    header = ["instance", "households", "pairs", "load", "pairs", "build",
              *[f"tier {SHORT_TIER.get(name, name)}" for name in tier_names], "explain", "peak RSS",
              "vs greedy", "HiGHS tier 1", "gap to LP bound", "1 vs 2 workers"]
    rows = []
    for case in cases:
        sizes, found = case.sizes(), tiers(case.subject)
        rows.append([f"{case.name} ({stopped(case.subject)})" if not case.subject.finished else case.name,
                     count(sizes.get("households")), count(sizes.get("pairs")),
                     phase_seconds(case.subject, "load"), phase_seconds(case.subject, "pairs"),
                     phase_seconds(case.subject, "build"),
                     *[tier_cell(found.get(phase)) if phase in found else phase_seconds(case.subject, phase)
                       for phase in TIER_PHASES],
                     phase_seconds(case.subject, "explain"), peak_rss(case),
                     greedy_cell(case), highs_cell(case), lp_gap_cell(case), workers_cell(case)])
    return table(header, rows)


def phases_table(cases: list[CaseResult]) -> list[str]:
    header = ["instance", "households", "dwellings", "pairs", "candidates", "variables",
              *[phase.removeprefix(TIER_PREFIX) for phase in PIPELINE], "peak RSS"]
    rows = []
    for case in cases:
        sizes = case.sizes()
        build = case.subject.phase("build") or {}
        rows.append([case.name, count(sizes.get("households")), count(sizes.get("dwellings")),
                     count(sizes.get("pairs")), count(sizes.get("candidates")), count(build.get("variables")),
                     *[phase_seconds(case.subject, phase) for phase in PIPELINE], peak_rss(case)])
    return table(header, rows)


def tiers_table(cases: list[CaseResult]) -> list[str]:
    header = ["instance", "tier", "workers", "status", "value", "bound", "gap", "seconds", "budget"]
    rows = []
    for case in cases:
        for label, record in (("2", case.subject), ("1", case.run("cpsat-w1"))):
            for phase, tier in tiers(record).items():
                rows.append([case.name, phase.removeprefix(TIER_PREFIX), label, tier["status"], str(tier["value"]),
                             str(tier["bound"]), percent(relative_gap(tier["value"], tier["bound"])),
                             seconds(tier["seconds"]), seconds(tier["time_limit"])])
    return table(header, rows)


def highs_table(cases: list[CaseResult]) -> list[str]:
    header = ["instance", "columns", "rows", "build", "LP", "LP bound", "MIP", "MIP value", "MIP bound",
              "matcher tier 1", "peak RSS"]
    rows = []
    for case in cases:
        highs = case.run("highs")
        if highs is None:
            continue
        built, lp, mip = (highs.phase(name) or {} for name in ("highs-build", "highs-lp", "highs-mip"))
        tier = tiers(case.subject).get(TIER_PHASES[0])
        rows.append([case.name if highs.finished else f"{case.name} ({stopped(highs)})",
                     count(built.get("columns")), count(built.get("rows")), seconds(built.get("seconds")),
                     f"{lp['status']} {seconds(lp['seconds'])}" if lp else DASH, figure(lp.get("bound")),
                     f"{mip['status']} {seconds(mip['seconds'])}" if mip else DASH, figure(mip.get("value")),
                     figure(mip.get("bound")), tier_cell(tier) if tier else DASH, gibibytes(highs.peak_rss_mib)])
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
    rows = [[case.name, record.run, record.outcome, record.stopped_in or DASH, seconds(record.wall_seconds),
             gibibytes(record.peak_rss_mib), record.reason.splitlines()[0] if record.reason else ""]
            for case in cases for record in case.runs.values() if record.outcome != FINISHED]
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
             f"Seed {settings.get('seed', '?')}; matcher with {settings.get('workers', '?')} CP-SAT workers; "
             f"time limits (matcher's whole solve, and each HiGHS solve): {limits}; address space per run "
             f"{settings.get('memory_limit_gib', '?')} GiB.", "",
             *summary_table(cases), "",
             "**Runs that did not finish**", "", *stops_table(cases), "",
             "<details><summary>Every phase, tier and peer</summary>", "",
             "Phases of matcher's run (seconds):", "", *phases_table(cases), "",
             "Tiers, at 2 workers (matcher) and 1 worker:", "", *tiers_table(cases), "",
             "HiGHS on the first tier:", "", *highs_table(cases), "",
             "Greedy against matcher (objective values):", "", *greedy_table(cases), "",
             "What the phases and peers are:", "", legend(), "",
             "</details>"]
    return "\n".join(lines) + "\n"


def legend() -> str:
    """What each phase and peer means, for the README's protocol."""
    lines = [f"- `{phase}`: {meaning}" for phase, meaning in PHASE_MEANING.items()]
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
                        help="saved pytest-benchmark JSON files, several for a sweep run in parts (default: the newest)")
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
