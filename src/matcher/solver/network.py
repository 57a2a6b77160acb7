"""The placement network: household classes -> (pools ->) dwelling classes or cells, with school options.

Rules 1-4 read of a dwelling only its *type* (places, bedrooms, max_occupants, rent bracket, accessibility);
only a required tie (rule 5) or a forbidden pair (rule 6) makes the municipality or the record matter. And
once a household is known to fit a type, what the rest of the model reads of it is only its size (persons
per municipality) and its children per kind (schools). So households that need no particular municipality
are routed in two steps:

- an **entry** arc sends households of a class into the **pool** (type, size, children) of a type they fit;
  overdue, persons and the unused-bedroom penalty are counted here, as they depend on nothing else;
- a **placement** arc sends households from a pool to a dwelling class of that type (or, for households with
  children, to a cell: a part of a class whose dwellings reach the same schools at the same charged km).

Households that need a particular municipality or record go **directly** from their class to dwelling
classes or cells: classes with a required tie, locked or forbidden households, and, for the tie bonus,
tied classes towards the municipalities of their ties (they use pools towards all other municipalities).
A tied household that a pool takes to one of its tie municipalities is counted without its bonus there: a
model solution never overstates quality, and every real solution has a representation (through the
direct arc) with the exact value, so the optimum is exact. Where a tie weight is negative the class goes
directly everywhere, so that nothing is ever overstated.

In a re-plan, a household class whose members have ``previous`` pairs also gets a **keep** arc to each cell
those previous dwellings lie in: a direct arc, bounded by how many of its members were proposed a dwelling
of that cell (``keep_limit``), on which each household takes its own previous dwelling back.
``kept_previous`` counts the flow on keep arcs only. A household that moves to another dwelling of the same
cell travels along the ordinary arcs, so the count is exact both ways. Members of a class are alike for
every rule and objective, and so are the dwellings of a cell, so which members keep does not matter to the
model: the class is not split (on u16-backlog's re-plan that keeps the model at 236 household classes
instead of 457).

Every pruning the pair candidates get (``matcher.solver.candidates``) applies here per arc: municipality caps
smaller than the household, dwellings in a group already at its cap, children without a school in range
with seats for all of them, and locks. The network is built from classes only, so a national backlog with
tens of millions of compatible pairs never lists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matcher.facts import Facts, IntArray
from matcher.format import SCHOOL_KINDS
from matcher.rules import PAIR_BLOCK_CELLS, compatible_block
from matcher.solver.classes import DwellingClasses, HouseholdClasses, previous_cells
from matcher.usable import fits_municipality_cap, in_full_group

NO_CELL = -1
DIRECT = -1  # the pool of a placement arc that comes straight from a household class


@dataclass(frozen=True)
class SchoolChoices:
    """For one school kind: the schools each (cell, children of that kind) combination may use."""

    cell: IntArray
    kids: IntArray
    school: IntArray
    cost_km: IntArray

    def __len__(self) -> int:
        return len(self.cell)


@dataclass(frozen=True)
class Network:
    households: HouseholdClasses
    dwellings: DwellingClasses
    # entry arcs: household class -> pool
    entry_class: IntArray
    entry_pool: IntArray
    # pools: (dwelling type, size, children per kind)
    pool_type: IntArray
    pool_size: IntArray
    pool_kids: IntArray  # shape (pools, kinds)
    # placement arcs: pool or household class -> dwelling class (and cell, for households with children)
    placement_pool: IntArray  # DIRECT when the arc comes from a household class
    placement_class: IntArray  # the household class of a direct arc, else -1
    dwelling_class: IntArray
    cell: IntArray  # NO_CELL for households without children
    size: IntArray  # persons per household on the arc
    kids: IntArray  # children per kind per household on the arc, shape (arcs, kinds)
    schools: dict[str, SchoolChoices]
    keeps: np.ndarray  # per placement arc: households on it take their own previous dwelling back
    keep_limit: IntArray  # per placement arc: on a keep arc, the members that may keep; else 0
    previous_cell: IntArray  # per household: the cell of the previous dwelling it may keep, else -1
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def placements(self) -> int:
        return len(self.dwelling_class)

    @property
    def entries(self) -> int:
        return len(self.entry_class)

    def classes_with_an_arc(self) -> np.ndarray:
        """Per household class: whether any entry or direct placement arc leaves it (the others can never be
        housed, and no bound counts them)."""
        reached = np.zeros(len(self.households), dtype=np.bool_)
        reached[self.entry_class] = True
        reached[self.placement_class[self.placement_pool == DIRECT]] = True
        return reached


def build_network(facts: Facts, households: HouseholdClasses, dwellings: DwellingClasses) -> Network:
    """Every usable entry and placement arc, and the school choices of every cell that receives children."""
    compatible = _compatible_classes(facts, households, dwellings)
    representative = households.representative
    h = facts.households
    direct_everywhere = _direct_everywhere(facts, households)
    tied = (h.tie_bonus[representative] != 0) & ~direct_everywhere[:, None]
    municipality = facts.dwellings.municipality[dwellings.representative]

    # a class that needs no particular municipality fits every dwelling class of a type or none of them
    first_of_type = _first_of_each(dwellings.type_of_class)
    entry_class, entry_type = np.nonzero(compatible[:, first_of_type] & ~direct_everywhere[:, None])
    direct_c, direct_k = np.nonzero(compatible & (direct_everywhere[:, None] | tied[:, municipality]))
    pool_key = np.column_stack([entry_type, h.size[representative[entry_class]],
                                h.kids[representative[entry_class]]])
    pool_keys, entry_pool = np.unique(pool_key, axis=0, return_inverse=True) if len(pool_key) else (
        np.zeros((0, 2 + len(SCHOOL_KINDS)), dtype=np.int64), np.zeros(0, dtype=np.int64))
    entry_pool = entry_pool.reshape(-1)

    out_pool, out_class = _pool_targets(dwellings, pool_keys[:, 0])
    arcs = _Arcs.concatenate(
        _Arcs(pool=out_pool, household_class=np.full(len(out_pool), -1), dwelling_class=out_class,
              size=pool_keys[out_pool, 1], kids=pool_keys[out_pool, 2:]),
        _Arcs(pool=np.full(len(direct_c), DIRECT), household_class=direct_c, dwelling_class=direct_k,
              size=h.size[representative[direct_c]], kids=h.kids[representative[direct_c]]),
    )
    previous_cell = previous_cells(facts, households, dwellings)
    arcs = arcs.into_cells(dwellings).followed_by(_keep_arcs(facts, households, dwellings, compatible,
                                                             previous_cell))
    removed: dict[str, int] = {"placements_before_pruning": len(arcs.pool)}
    keep = _fits_municipality_cap(facts, dwellings, arcs) & _group_has_room(facts, dwellings, arcs)
    removed["municipality_or_group_cap"] = int((~keep).sum())
    keep &= _respects_locks(facts, households, dwellings, arcs)
    removed["locks"] = int((~keep).sum()) - removed["municipality_or_group_cap"]
    arcs = arcs.subset(keep)
    schools = _school_choices(facts, dwellings, arcs)
    reachable = _every_kind_reachable(arcs, schools)
    removed["no_school_in_reach"] = int((~reachable).sum())
    arcs = arcs.subset(reachable)

    # pools that nothing leaves, or nothing enters, are dead ends
    live_pools = np.zeros(len(pool_keys), dtype=np.bool_)
    live_pools[arcs.pool[arcs.pool >= 0]] = True
    fed = np.zeros(len(pool_keys), dtype=np.bool_)
    fed[entry_pool[live_pools[entry_pool]]] = True
    pooled = arcs.pool >= 0
    keep = ~pooled
    keep[pooled] = fed[arcs.pool[pooled]]
    arcs = arcs.subset(keep)
    entry_class, entry_pool = entry_class[fed[entry_pool]], entry_pool[fed[entry_pool]]
    renumber = np.cumsum(fed) - 1
    pool_keys = pool_keys[fed]
    entry_pool = renumber[entry_pool]
    pool = arcs.pool.copy()
    pool[pool >= 0] = renumber[pool[pool >= 0]]
    arcs = arcs.with_pools(pool)
    schools = _school_choices(facts, dwellings, arcs)
    assert arcs.cell is not None  # into_cells gave every arc its cell
    assert arcs.keeps is not None  # set by into_cells
    return Network(households=households, dwellings=dwellings, entry_class=entry_class, entry_pool=entry_pool,
                   pool_type=pool_keys[:, 0], pool_size=pool_keys[:, 1], pool_kids=pool_keys[:, 2:],
                   placement_pool=arcs.pool, placement_class=arcs.household_class,
                   dwelling_class=arcs.dwelling_class, cell=arcs.cell, size=arcs.size, kids=arcs.kids,
                   schools=schools, keeps=arcs.keeps,
                   keep_limit=_keep_limits(households, previous_cell, arcs.household_class, arcs.cell, arcs.keeps),
                   previous_cell=previous_cell, removed=removed)


def _class_cells(households: HouseholdClasses, previous_cell: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """(class, cell, members) for every cell some members of a class were proposed a dwelling in."""
    keeping = np.flatnonzero(previous_cell >= 0)
    if len(keeping) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    found, members = np.unique(np.column_stack([households.of[keeping], previous_cell[keeping]]), axis=0,
                               return_counts=True)
    return found[:, 0].astype(np.int64), found[:, 1].astype(np.int64), members.astype(np.int64)


def _keep_limits(households: HouseholdClasses, previous_cell: IntArray, household_class: IntArray, cell: IntArray,
                 keeps: np.ndarray) -> IntArray:
    classes, cells, members = _class_cells(households, previous_cell)
    limit_of = dict(zip(zip(classes.tolist(), cells.tolist(), strict=True), members.tolist(), strict=True))
    limit = np.zeros(len(keeps), dtype=np.int64)
    for a in np.flatnonzero(keeps).tolist():
        limit[a] = limit_of[(int(household_class[a]), int(cell[a]))]
    return limit


def _keep_arcs(facts: Facts, households: HouseholdClasses, dwellings: DwellingClasses,
               compatible: np.ndarray, previous_cell: IntArray) -> _Arcs:
    """A direct arc from each class to each cell its members' previous dwellings lie in, if they fit it."""
    c, cell, _ = _class_cells(households, previous_cell)
    k = dwellings.class_of_cell[cell]
    fits = compatible[c, k]
    c, cell, k = c[fits], cell[fits], k[fits]
    representative = households.representative[c]
    h = facts.households
    return _Arcs(pool=np.full(len(c), DIRECT, dtype=np.int64), household_class=c, dwelling_class=k,
                 size=h.size[representative].astype(np.int64), kids=h.kids[representative].astype(np.int64),
                 cell=cell, keeps=np.ones(len(c), dtype=np.bool_))


@dataclass(frozen=True)
class _Arcs:
    """Placement arcs while they are being derived and pruned."""

    pool: IntArray
    household_class: IntArray
    dwelling_class: IntArray
    size: IntArray
    kids: IntArray
    cell: IntArray | None = None
    keeps: np.ndarray | None = None  # set together with cell

    @staticmethod
    def concatenate(*parts: _Arcs) -> _Arcs:
        return _Arcs(*(np.concatenate([getattr(p, name) for p in parts]).astype(np.int64)
                       for name in ("pool", "household_class", "dwelling_class", "size", "kids")))

    def into_cells(self, dwellings: DwellingClasses) -> _Arcs:
        """Arcs that carry children are split per cell of their dwelling class."""
        with_children = (self.kids > 0).any(axis=1)
        cells_of_class: list[list[int]] = [[] for _ in range(len(dwellings))]
        for r, k in enumerate(dwellings.class_of_cell.tolist()):
            cells_of_class[k].append(r)
        counts = np.array([len(cells_of_class[k]) for k in self.dwelling_class.tolist()], dtype=np.int64)
        repeat = np.where(with_children, counts, 1)
        index = np.repeat(np.arange(len(self.pool)), repeat)
        flat = [r for k in self.dwelling_class[with_children].tolist() for r in cells_of_class[k]]
        cell = np.full(len(index), NO_CELL, dtype=np.int64)
        cell[np.repeat(with_children, repeat)] = np.array(flat, dtype=np.int64)
        return _Arcs(self.pool[index], self.household_class[index], self.dwelling_class[index], self.size[index],
                     self.kids[index], cell, np.zeros(len(index), dtype=np.bool_))

    def followed_by(self, other: _Arcs) -> _Arcs:
        """Both lists of arcs that already have their cells, this one first."""
        assert self.cell is not None and self.keeps is not None and other.cell is not None and other.keeps is not None
        kids = np.concatenate([self.kids, other.kids.reshape(-1, self.kids.shape[1])]).astype(np.int64)
        pool, household_class, dwelling_class, size = (
            np.concatenate([getattr(self, name), getattr(other, name)]).astype(np.int64)
            for name in ("pool", "household_class", "dwelling_class", "size"))
        return _Arcs(pool, household_class, dwelling_class, size, kids,
                     cell=np.concatenate([self.cell, other.cell]).astype(np.int64),
                     keeps=np.concatenate([self.keeps, other.keeps]).astype(np.bool_))

    def subset(self, keep: np.ndarray) -> _Arcs:
        assert self.cell is not None and self.keeps is not None
        return _Arcs(self.pool[keep], self.household_class[keep], self.dwelling_class[keep], self.size[keep],
                     self.kids[keep], self.cell[keep], self.keeps[keep])

    def with_pools(self, pool: IntArray) -> _Arcs:
        return _Arcs(pool, self.household_class, self.dwelling_class, self.size, self.kids, self.cell, self.keeps)


def _compatible_classes(facts: Facts, households: HouseholdClasses, dwellings: DwellingClasses) -> np.ndarray:
    """Rules 1-6 between the representatives of household classes and dwelling classes (classes x classes)."""
    representative = households.representative
    columns = dwellings.representative
    result = np.zeros((len(households), len(dwellings)), dtype=np.bool_)
    block = max(1, PAIR_BLOCK_CELLS // max(1, len(facts.dwellings)))
    for begin in range(0, len(representative), block):
        rows = slice(begin, min(begin + block, len(representative)))
        result[rows] = compatible_block(facts, representative[rows])[:, columns]
    for h, d in sorted(facts.forbidden):
        if households.of[h] >= 0 and dwellings.of[d] >= 0:
            result[households.of[h], dwellings.of[d]] = False  # both are alone in their classes
    return result


def _direct_everywhere(facts: Facts, households: HouseholdClasses) -> np.ndarray:
    """Classes that pools cannot serve: a required tie, a lock, a forbidden pair, or a negative tie bonus."""
    h = facts.households
    representative = households.representative
    alone = households.count == 1
    special = np.zeros(len(facts.households), dtype=np.bool_)
    for lock in facts.instance.locks:
        special[facts.household_index[lock.household]] = True
    for household, _ in facts.forbidden:
        special[household] = True
    return (h.has_required_tie[representative] | (special[representative] & alone)
            | (h.tie_bonus[representative] < 0).any(axis=1))


def _first_of_each(labels: IntArray) -> IntArray:
    """For labels 0..n-1, the first position holding each."""
    first = np.full(int(labels.max()) + 1 if len(labels) else 0, -1, dtype=np.int64)
    first[labels[::-1]] = np.arange(len(labels))[::-1]
    return first


def _pool_targets(dwellings: DwellingClasses, pool_type: IntArray) -> tuple[IntArray, IntArray]:
    """(pool, dwelling class) for every dwelling class of the pool's type."""
    classes_of_type: dict[int, list[int]] = {}
    for k, t in enumerate(dwellings.type_of_class.tolist()):
        classes_of_type.setdefault(t, []).append(k)
    pools = [(p, k) for p, t in enumerate(pool_type.tolist()) for k in classes_of_type.get(t, [])]
    if not pools:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    pairs = np.array(pools, dtype=np.int64)
    return pairs[:, 0], pairs[:, 1]


def _fits_municipality_cap(facts: Facts, dwellings: DwellingClasses, arcs: _Arcs) -> np.ndarray:
    return fits_municipality_cap(facts, arcs.size, dwellings.representative[arcs.dwelling_class])


def _group_has_room(facts: Facts, dwellings: DwellingClasses, arcs: _Arcs) -> np.ndarray:
    return ~in_full_group(facts)[dwellings.representative[arcs.dwelling_class]]


def _respects_locks(facts: Facts, households: HouseholdClasses, dwellings: DwellingClasses,
                    arcs: _Arcs) -> np.ndarray:
    """A locked household takes only its locked dwelling; a locked non-shared dwelling only its household.

    Locked households and dwellings are alone in their classes, and locked households only go directly.
    """
    locked_class_of = np.full(len(households), -1, dtype=np.int64)  # household class -> its dwelling class
    owner_of = np.full(len(dwellings), -2, dtype=np.int64)  # locked own dwelling class -> its household class
    for lock in facts.instance.locks:
        c, k = households.of[facts.household_index[lock.household]], dwellings.of[facts.dwelling_index[lock.dwelling]]
        locked_class_of[c] = k
        if not facts.dwellings.shared[facts.dwelling_index[lock.dwelling]]:
            owner_of[k] = c
    direct = arcs.pool == DIRECT
    source = np.where(direct, arcs.household_class, 0)
    household_ok = ~direct | (locked_class_of[source] < 0) | (locked_class_of[source] == arcs.dwelling_class)
    owner = owner_of[arcs.dwelling_class]
    dwelling_ok = (owner == -2) | (direct & (owner == arcs.household_class))
    return household_ok & dwelling_ok


def _school_choices(facts: Facts, dwellings: DwellingClasses, arcs: _Arcs) -> dict[str, SchoolChoices]:
    """Per kind: for every (cell, number of children) that some arc brings, the schools in range with enough
    seats for that many children, nearest first."""
    choices = {}
    cell = arcs.cell if arcs.cell is not None else np.zeros(0, dtype=np.int64)
    for column, kind in enumerate(SCHOOL_KINDS):
        needing = arcs.kids[:, column] > 0
        pairs = np.unique(np.column_stack([cell[needing], arcs.kids[needing, column]]), axis=0).reshape(-1, 2)
        reach = facts.reach[kind]
        dwelling = dwellings.cell_representative[pairs[:, 0]] if len(pairs) else np.zeros(0, dtype=np.int64)
        begin = reach.start[dwelling]
        count = reach.start[dwelling + 1] - begin
        row = np.repeat(np.arange(len(pairs)), count)
        offsets = np.arange(int(count.sum()), dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
        position = np.repeat(begin, count) + offsets
        school = reach.school[position]
        enough = facts.schools.seats[school] >= pairs[row, 1]
        choices[kind] = SchoolChoices(cell=pairs[row[enough], 0], kids=pairs[row[enough], 1],
                                      school=school[enough].astype(np.int64),
                                      cost_km=reach.cost_km[position][enough].astype(np.int64))
    return choices


def _every_kind_reachable(arcs: _Arcs, schools: dict[str, SchoolChoices]) -> np.ndarray:
    assert arcs.cell is not None
    reachable = np.ones(len(arcs.pool), dtype=np.bool_)
    for column, kind in enumerate(SCHOOL_KINDS):
        choices = schools[kind]
        available = set(zip(choices.cell.tolist(), choices.kids.tolist(), strict=True))
        needing = np.flatnonzero(arcs.kids[:, column] > 0)
        ok = np.array([(c, k) in available for c, k in zip(arcs.cell[needing].tolist(),
                                                            arcs.kids[needing, column].tolist(), strict=True)],
                      dtype=np.bool_)
        reachable[needing[~ok]] = False
    return reachable
