"""Filling a ``matcher template`` workbook the way a coordinator would: Dutch headers, ja/nee, typed dates.

The mapping below is written out by hand from the Dutch template's headers, independently of
``matcher.workflow.columns``, so that a renamed header or a lost column shows up as a failing import test.
Run as a script to rebuild the committed fixture ``tests/fixtures/coordinator-week.xlsx``:

    .venv/bin/python tests/workflow_fill.py
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WEEK_JSON = FIXTURES / "coordinator-week.json"
WEEK_XLSX = FIXTURES / "coordinator-week.xlsx"
TIES_SHEET_HOUSEHOLDS = {"h00007", "h00014"}  # their ties go in the ties sheet, one per row, not in the cell

Getter = Callable[[dict[str, Any]], Any]
DUTCH_KIND = {"work": "werk", "education": "opleiding", "family": "familie", "care": "zorg"}
DUTCH_SCHOOL = {"primary": "basis", "secondary": "voortgezet"}


def day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def yes_no(value: bool | None) -> str | None:
    return None if value is None else ("ja" if value else "nee")


def ties_cell(household: dict[str, Any]) -> str | None:
    if household["id"] in TIES_SHEET_HOUSEHOLDS or not household.get("ties"):
        return None
    return ";".join(f"{tie['municipality']}:{DUTCH_KIND[tie['kind']]}" + (":verplicht" if tie.get("required") else "")
                    for tie in household["ties"])


COLUMNS: dict[str, dict[str, Getter]] = {
    "gemeenten": {
        "id": lambda m: m["id"], "naam": lambda m: m.get("name"), "taakstelling": lambda m: m["target"],
        "gehuisvest": lambda m: m["housed"],
    },
    "woningen": {
        "id": lambda d: d["id"], "gemeente": lambda d: d["municipality"],
        "breedtegraad": lambda d: d["location"]["lat"], "lengtegraad": lambda d: d["location"]["lon"],
        "slaapkamers": lambda d: d["bedrooms"], "max_bewoners": lambda d: d["max_occupants"],
        "huur": lambda d: d["rent"], "toegankelijk": lambda d: yes_no(d.get("accessible")),
        "gedeelde_plaatsen": lambda d: d.get("shared_places"),
        "groepen": lambda d: ";".join(d["groups"]) if d.get("groups") else None,
        "beschikbaar_vanaf": lambda d: day(d.get("available_from")),
    },
    "huishoudens": {
        "id": lambda h: h["id"], "leeftijden": lambda h: ";".join(str(m["age"]) for m in h["members"]),
        "nareizigers": lambda h: h.get("expected_members"),
        "toegankelijk_nodig": lambda h: yes_no(h.get("needs_accessible")),
        "max_huur": lambda h: h.get("max_rent"), "wil_delen": lambda h: yes_no(h.get("shareable")),
        "bindingen": ties_cell, "wacht_sinds": lambda h: day(h["waiting_since"]),
        "beschikbaar_vanaf": lambda h: day(h.get("available_from")),
    },
    "groepen": {
        "id": lambda g: g["id"], "soort": lambda g: g.get("kind"), "eenheden": lambda g: g["units"],
        "eenheden_statushouders": lambda g: g["status_holder_units"], "max_aandeel": lambda g: g.get("max_share"),
    },
    "scholen": {
        "id": lambda s: s["id"], "soort": lambda s: DUTCH_SCHOOL[s["kind"]],
        "breedtegraad": lambda s: s["location"]["lat"], "lengtegraad": lambda s: s["location"]["lon"],
        "vrije_plaatsen": lambda s: s["seats"],
    },
    "vastgelegd": {
        "huishouden": lambda lock: lock["household"], "woning": lambda lock: lock["dwelling"],
        "basisschool": lambda lock: (lock.get("schools") or {}).get("primary"),
        "school_voortgezet": lambda lock: (lock.get("schools") or {}).get("secondary"),
    },
    "uitgesloten": {
        "huishouden": lambda pair: pair["household"], "woning": lambda pair: pair["dwelling"],
        "reden": lambda pair: pair.get("reason"),
    },
}
COLLECTION_OF = {"gemeenten": "municipalities", "woningen": "dwellings", "huishoudens": "households",
                 "groepen": "groups", "scholen": "schools", "vastgelegd": "locks", "uitgesloten": "forbidden"}
POLICY_ROWS: dict[str, Getter] = {
    "max_schoolafstand_basis_km": lambda p: p.get("max_school_km", {}).get("primary"),
    "weken_tot_urgent": lambda p: p.get("overdue_weeks"),
    "max_boven_taakstelling": lambda p: str(p["max_over_target_share"]).replace(".", ",")  # typed as text
    if "max_over_target_share" in p else None,
    "gewicht_binding_werk": lambda p: p.get("quality_weights", {}).get("tie", {}).get("work"),
    "gewicht_lege_slaapkamer": lambda p: p.get("quality_weights", {}).get("unused_bedroom"),
    "doelen": lambda p: ";".join(p["objectives"]) if "objectives" in p else None,
}


def fill_template(template: Path, instance: dict[str, Any], target: Path) -> None:
    """Type the instance into the Dutch template, sheet by sheet, finding each column by its header."""
    workbook = load_workbook(template)
    _fill_key_values(workbook["instantie"], {"id": instance["id"], "periode_begin": day(instance["period"]["start"]),
                                              "periode_einde": day(instance["period"]["end"])})
    policy = instance.get("policy", {})
    _fill_key_values(workbook["beleid"], {key: getter(policy) for key, getter in POLICY_ROWS.items()})
    for title, getters in COLUMNS.items():
        worksheet = workbook[title]
        position = {cell.value: cell.column for cell in worksheet[1]}
        for row, record in enumerate(instance.get(COLLECTION_OF[title], []), start=2):
            for header, getter in getters.items():
                worksheet.cell(row, position[header], getter(record))
    ties = workbook["bindingen"]
    position = {cell.value: cell.column for cell in ties[1]}
    for household in instance["households"]:
        if household["id"] in TIES_SHEET_HOUSEHOLDS:
            for tie in household.get("ties", []):
                ties.append({position["huishouden"]: household["id"], position["gemeente"]: tie["municipality"],
                             position["soort"]: DUTCH_KIND[tie["kind"]],
                             position["verplicht"]: yes_no(tie.get("required"))})
    workbook.save(target)


def _fill_key_values(worksheet: Any, values: dict[str, Any]) -> None:
    rows = {worksheet.cell(row, 1).value: row for row in range(2, worksheet.max_row + 1)}
    for key, value in values.items():
        worksheet.cell(rows[key], 2, value)


def main() -> int:
    sys.path.insert(0, str(FIXTURES.parents[1] / "src"))
    from matcher.workflow.template import write_template

    template = WEEK_XLSX.with_suffix(".template.xlsx")
    write_template(template, "nl")
    try:
        fill_template(template, json.loads(WEEK_JSON.read_text(encoding="utf-8")), WEEK_XLSX)
    finally:
        template.unlink()
    print(f"wrote {WEEK_XLSX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
