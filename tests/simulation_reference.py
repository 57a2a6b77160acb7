"""A second, deliberately simple implementation of the scenario format's replay, to test the first one.

Written straight from the format text with plain loops over the raw JSON documents. It shares nothing with
``matcher.simulation``: from matcher it uses only the instance reader and the checker (to read the rebuilt
instance and to check each proposal). Given a scenario document and a replay's trace directory, it rebuilds
every week's instance, compares it with the trace's, checks the trace's proposal, decides every proposed
pair itself and recomputes every figure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from typing import Any

from matcher.checker import check_proposal
from matcher.validation import load_instance

DEFAULT_AGES = {"primary": [4, 11], "secondary": [12, 17]}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def draw(seed: int, household: str, dwelling: str) -> float:
    return int(hashlib.sha256(f"{seed}:{household}:{dwelling}".encode()).hexdigest()[:16], 16) / 2**64


class Reference:
    def __init__(self, scenario: dict[str, Any]) -> None:
        self.scenario = scenario
        self.start = day(scenario["start"])
        self.weeks = scenario["weeks"]
        acceptance = scenario.get("acceptance") or {}
        self.probability = acceptance.get("probability", 1.0)
        self.seed = acceptance.get("seed", 0)
        policy = scenario.get("policy") or {}
        self.overdue_weeks = policy.get("overdue_weeks", 14)
        self.ages = {kind: policy.get(f"{kind}_ages") or DEFAULT_AGES[kind] for kind in DEFAULT_AGES}
        self.housed_week: dict[str, int] = {}
        self.places_let: dict[str, int] = {}
        self.persons: dict[str, int] = {}
        self.group_let: dict[str, int] = {}
        self.seats_used: dict[str, int] = {}
        self.declined: list[tuple[str, str]] = []
        self.overdue_count = 0

    def offer_end(self, dwelling: dict[str, Any]) -> dt.date:
        return day(dwelling["available_from"]) + dt.timedelta(days=7 * dwelling.get("offer_weeks", 4))

    def on_offer(self, dwelling: dict[str, Any], s: dt.date, e: dt.date) -> bool:
        return day(dwelling["available_from"]) <= e and s < self.offer_end(dwelling)

    def rebuild(self, w: int) -> dict[str, Any]:
        s = self.start + dt.timedelta(days=7 * w)
        e = s + dt.timedelta(days=6)
        households = [dict(h) for h in self.scenario["households"]
                      if day(h["available_from"]) <= e and h["id"] not in self.housed_week]
        dwellings = []
        for d in self.scenario["dwellings"]:
            if not self.on_offer(d, s, e):
                continue
            let = self.places_let.get(d["id"], 0)
            places = d.get("shared_places", 0)
            if places > 0:
                if let >= places:
                    continue
                d = dict(d)
                if let > 0:
                    d["shared_places"] = places - let
                    d["groups"] = []
            elif let > 0:
                continue
            d = dict(d)
            d.pop("offer_weeks", None)
            dwellings.append(d)
        household_ids = {h["id"] for h in households}
        dwelling_ids = {d["id"] for d in dwellings}
        forbidden = [f for f in self.scenario.get("forbidden", [])
                     if f["household"] in household_ids and f["dwelling"] in dwelling_ids]
        for h, d in self.declined:
            if h in household_ids and d in dwelling_ids:
                forbidden.append({"household": h, "dwelling": d})
        return {
            "format": "matcher.instance/1",
            "id": f"{self.scenario['id']}-w{w:02d}",
            "period": {"start": s.isoformat(), "end": e.isoformat()},
            "policy": self.scenario.get("policy") or {},
            "municipalities": [dict(m, housed=m["housed"] + self.persons.get(m["id"], 0))
                               for m in self.scenario["municipalities"]],
            "dwellings": dwellings,
            "households": households,
            "groups": [dict(g, status_holder_units=g["status_holder_units"] + self.group_let.get(g["id"], 0))
                       for g in self.scenario.get("groups", [])],
            "schools": [dict(x, seats=x["seats"] - self.seats_used.get(x["id"], 0))
                        for x in self.scenario.get("schools", [])],
            "forbidden": forbidden,
        }

    def count_overdue(self, w: int) -> int:
        s = self.start + dt.timedelta(days=7 * w)
        e = s + dt.timedelta(days=6)
        count = 0
        for h in self.scenario["households"]:
            if day(h["available_from"]) > e or h["id"] in self.housed_week:
                continue
            if (s - day(h["waiting_since"])).days >= 7 * self.overdue_weeks:
                count += 1
        return count

    def decide(self, w: int, proposal: dict[str, Any]) -> tuple[int, int]:
        households = {h["id"]: h for h in self.scenario["households"]}
        dwellings = {d["id"]: d for d in self.scenario["dwellings"]}
        accepted = declined = 0
        for a in proposal["assignments"]:
            h, d = households[a["household"]], dwellings[a["dwelling"]]
            if draw(self.seed, h["id"], d["id"]) < self.probability:
                accepted += 1
                self.housed_week[h["id"]] = w
                if self.places_let.get(d["id"], 0) == 0:
                    for g in d.get("groups", []):
                        self.group_let[g] = self.group_let.get(g, 0) + 1
                self.places_let[d["id"]] = self.places_let.get(d["id"], 0) + 1
                self.persons[d["municipality"]] = self.persons.get(d["municipality"], 0) + len(h["members"])
                for kind, school in (a.get("schools") or {}).items():
                    if school is not None:
                        low, high = self.ages[kind]
                        kids = sum(1 for m in h["members"] if low <= m["age"] <= high)
                        self.seats_used[school] = self.seats_used.get(school, 0) + kids
            else:
                declined += 1
                self.declined.append((h["id"], d["id"]))
        return accepted, declined

    def final_figures(self) -> dict[str, Any]:
        households = {h["id"]: h for h in self.scenario["households"]}
        housed = list(self.housed_week)
        worst = 0
        for m in self.scenario["municipalities"]:
            if m["target"] > 0:
                missing = max(0, m["target"] - m["housed"] - self.persons.get(m["id"], 0))
                worst = max(worst, math.floor(1000 * missing / m["target"] + 1e-9))
        horizon_end = self.start + dt.timedelta(days=7 * self.weeks)
        lost = 0
        for d in self.scenario["dwellings"]:
            offered = any(self.on_offer(d, self.start + dt.timedelta(days=7 * w),
                                        self.start + dt.timedelta(days=7 * w + 6)) for w in range(self.weeks))
            if offered and self.offer_end(d) <= horizon_end and self.places_let.get(d["id"], 0) == 0:
                lost += 1
        waits = [(self.start + dt.timedelta(days=7 * self.housed_week[h]) - day(households[h]["waiting_since"])).days
                 / 7 for h in housed]
        return {
            "persons_housed": sum(len(households[h]["members"]) for h in housed),
            "households_housed": len(housed),
            "overdue_weeks": self.overdue_count,
            "max_shortfall_permille": worst,
            "dwellings_lost": lost,
            "mean_wait_weeks": sum(waits) / len(waits) if waits else None,
            "declined": len(self.declined),
        }


def replay_trace(scenario: dict[str, Any], trace: Path, result: dict[str, Any]) -> dict[str, Any]:
    """Rebuild, compare and check every week of the trace; return the recomputed figures.

    Raises AssertionError at the first difference, naming the week."""
    reference = Reference(scenario)
    assert len(result["weeks"]) == reference.weeks
    for w in range(reference.weeks):
        rebuilt = load_instance(reference.rebuild(w))
        traced_document = json.loads((trace / f"w{w:02d}.instance.json").read_text(encoding="utf-8"))
        traced = load_instance(traced_document)
        assert _comparable(traced) == _comparable(rebuilt), f"week {w}: the trace's instance differs"
        proposal = json.loads((trace / f"w{w:02d}.proposal.json").read_text(encoding="utf-8"))
        report = check_proposal(rebuilt, proposal)
        assert report.ok, f"week {w}: {[str(v) for v in report.violations]}"
        reference.overdue_count += reference.count_overdue(w)
        accepted, declined = reference.decide(w, proposal)
        row = result["weeks"][w]
        assert (row["week"], row["instance"], row["assigned"], row["accepted"], row["declined"]) == (
            w, rebuilt.id, len(proposal["assignments"]), accepted, declined), f"week {w}: {row}"
    return reference.final_figures()


def _comparable(instance: Any) -> dict[str, Any]:
    """An instance's content, forbidden pairs without their free-text reasons."""
    content = instance.model_dump()
    content["forbidden"] = [(pair["household"], pair["dwelling"]) for pair in content["forbidden"]]
    return content


def figures_agree(recomputed: dict[str, Any], reported: dict[str, Any]) -> bool:
    """Every figure equal; the mean wait within 0.005 of the exact mean, as the format allows."""
    for name, value in recomputed.items():
        if name == "mean_wait_weeks":
            if (value is None) != (reported[name] is None):
                return False
            if value is not None and abs(value - reported[name]) > 0.005 + 1e-12:
                return False
        elif reported[name] != value:
            return False
    return True
