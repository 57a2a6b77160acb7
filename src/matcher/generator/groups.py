"""Mixed-occupancy groups (complexes, streets, neighbourhoods) whose caps bind."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.facts import floor_share
from matcher.generator.common import DEFAULT_POLICY, IntArray, Record, around
from matcher.generator.dwellings import Stock
from matcher.generator.variety import STANDARD, Variety
from matcher.regions import Region


@dataclass(frozen=True)
class GroupKind:
    name: str
    members: tuple[int, int]  # generated dwellings in the group (inclusive)
    units: tuple[int, int]  # all dwellings of the group (inclusive)
    max_shares: tuple[float | None, ...]  # None: the policy default
    spread_km: float  # members lie this close together
    weight: float
    level: int  # a dwelling belongs to at most one group per level (building, area)


GROUP_KINDS = (
    GroupKind("complex", (2, 4), (24, 120), (None, 0.25, 0.3, 0.4), 0.03, 0.5, 0),
    GroupKind("street", (2, 4), (12, 60), (None, 0.3, 0.4), 0.15, 0.3, 0),
    GroupKind("neighbourhood", (3, 6), (400, 2500), (0.1, 0.15, 0.2), 0.6, 0.2, 1),
)
NON_BINDING_GROUP_SHARE = 0.2

def draw_groups(rng: np.random.Generator, stock: Stock, region: Region, variety: Variety = STANDARD
                ) -> list[Record]:
    """Mixed-occupancy groups whose cap is (mostly) below their available member dwellings, so it binds.

    Members of a group lie in one municipality and close together: a complex at one address, a street
    along a few hundred metres, a neighbourhood within a kilometre or so. A dwelling belongs to at most one
    complex or street and at most one neighbourhood.
    """
    n_groups = max(1, round(variety.groups_per_dwelling * len(stock)))
    order = np.argsort(stock.municipality, kind="stable")
    bounds = np.searchsorted(stock.municipality[order], np.arange(len(region) + 1))
    by_municipality = [order[bounds[m]:bounds[m + 1]] for m in range(len(region))]
    taken = np.zeros((len(stock), 1 + max(kind.level for kind in GROUP_KINDS)), dtype=np.bool_)
    drawn = rng.choice(len(GROUP_KINDS), size=n_groups, p=[kind.weight for kind in GROUP_KINDS])
    drawn = drawn[np.argsort([-GROUP_KINDS[k].level for k in drawn], kind="stable")]  # areas before buildings
    records: list[Record] = []
    binding_yet = False
    for first_choice in drawn.tolist():
        for kind in (GROUP_KINDS[first_choice], *GROUP_KINDS):  # fall back to a kind that still fits
            free_count = np.bincount(stock.municipality[~taken[:, kind.level]], minlength=len(region))
            if free_count.max(initial=0) >= kind.members[0]:
                break
        else:
            break
        weights = np.where(free_count >= kind.members[0], free_count, 0).astype(np.float64)
        m = int(rng.choice(len(region), p=weights / weights.sum()))
        free = by_municipality[m][~taken[by_municipality[m], kind.level]]
        size = int(rng.integers(kind.members[0], min(kind.members[1], len(free)) + 1))
        members = np.sort(rng.choice(free, size=size, replace=False))
        taken[members, kind.level] = True
        group_id = f"g{len(records):04d}"
        for d in members.tolist():
            stock.groups[d].append(group_id)
        _gather(rng, stock, members, kind.spread_km)
        available_members = int(stock.available[members].sum())
        record, cap = _group_record(rng, group_id, kind, available_members, must_bind=not binding_yet)
        records.append(record)
        binding_yet |= cap < available_members
    return records


def _gather(rng: np.random.Generator, stock: Stock, members: IntArray, spread_km: float) -> None:
    """Move the members close to the first one."""
    centre_lat = np.full(len(members), stock.lat[members[0]])
    centre_lon = np.full(len(members), stock.lon[members[0]])
    stock.lat[members], stock.lon[members] = around(rng, centre_lat, centre_lon, spread_km)


def _group_record(rng: np.random.Generator, group_id: str, kind: GroupKind, available_members: int,
                  must_bind: bool) -> tuple[Record, int]:
    """Units and status-holder units chosen so the cap is below the available members (mostly; always when
    ``must_bind`` and some member is available). Returns the record and its cap."""
    max_share = kind.max_shares[int(rng.integers(len(kind.max_shares)))]
    share = DEFAULT_POLICY.default_max_share if max_share is None else max_share
    if available_members >= 1 and (must_bind or rng.random() >= NON_BINDING_GROUP_SHARE):
        cap = int(rng.integers(1, available_members)) if available_members >= 2 else 0
    else:
        cap = available_members
    units = int(rng.integers(kind.units[0], kind.units[1] + 1))
    while floor_share(share * units) < cap:
        units += 1
    record: Record = {"id": group_id, "kind": kind.name, "units": units,
                      "status_holder_units": floor_share(share * units) - cap}
    if max_share is not None:
        record["max_share"] = max_share
    return record, cap

