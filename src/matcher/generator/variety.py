"""How varied the generated lists are: ``standard`` (what the benchmarks were tuned on) or ``wide``.

The standard lists are kind to the solver: rent limits sit on two passend-toewijzen values, few households
have ties, reunification is rare and waiting dates span 40 weeks, so that 600 households fall into about
250 classes. Real lists are less tidy. ``wide`` keeps the same region, sizes, rules and binding
capacities but draws the attributes from wider ranges: rent limits to the euro (income from work, the lower
limit for young singles), more ties and second ties, more family reunification, waiting dates over two
years, dwellings rented to the euro with more occupancy sizes, and more group memberships.

Both use the same random draws in the same order, only with different numbers, so that a seed gives the
same people and homes, made more varied.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variety:
    name: str
    longest_wait_weeks: int  # waiting dates spread from 1 week up to this
    tie_share: float  # households with a tie to a municipality
    required_tie_share: float  # of those ties, the share that is required
    second_tie_share: float  # of tied households, the share with a second tie
    single_reunification_share: float  # singles whose family follows (nareis)
    family_reunification_share: float  # families some of whose members follow
    family_expected_max: int  # at most this many family members follow
    needs_accessible_share: float
    higher_rent_share: float  # households that may pay more than the passend-toewijzen limit
    higher_rent_step: int  # EUR: how much more, in steps of this
    higher_rent_steps: int  # at most this many steps
    young_rent_limit: int | None  # EUR, for singles younger than YOUNG_AGE; None: the general limit
    dwelling_rent_step: int  # EUR: dwelling rents are quoted in multiples of this
    max_occupants_choices: tuple[tuple[int, int], ...]  # by bedrooms 0-4: (usual, larger) occupancy
    larger_occupancy_share: tuple[float, ...]  # by bedrooms 0-4: the share with the larger occupancy
    groups_per_dwelling: float  # groups drawn per dwelling (each dwelling in at most one per level)


YOUNG_AGE = 23  # singles under 23 are housed under the kwaliteitskortingsgrens (wide lists only)

STANDARD = Variety(
    name="standard", longest_wait_weeks=40, tie_share=0.20, required_tie_share=0.12, second_tie_share=0.15,
    single_reunification_share=0.15, family_reunification_share=0.08, family_expected_max=3,
    needs_accessible_share=0.05, higher_rent_share=0.10, higher_rent_step=25, higher_rent_steps=6,
    young_rent_limit=None, dwelling_rent_step=5, max_occupants_choices=((1, 2), (2, 2), (3, 4), (5, 6), (7, 8)),
    larger_occupancy_share=(0.5, 1.0, 0.7, 0.6, 0.6), groups_per_dwelling=0.1,
)
WIDE = Variety(
    name="wide", longest_wait_weeks=104, tie_share=0.35, required_tie_share=0.15, second_tie_share=0.35,
    single_reunification_share=0.25, family_reunification_share=0.20, family_expected_max=5,
    needs_accessible_share=0.08, higher_rent_share=0.35, higher_rent_step=5, higher_rent_steps=40,
    young_rent_limit=477, dwelling_rent_step=1, max_occupants_choices=((1, 2), (2, 3), (3, 5), (4, 6), (6, 8)),
    larger_occupancy_share=(0.5, 0.5, 0.5, 0.5, 0.5), groups_per_dwelling=0.25,
)
VARIETIES = {variety.name: variety for variety in (STANDARD, WIDE)}


def checked_variety(name: str) -> Variety:
    if name not in VARIETIES:
        raise ValueError(f"unknown variety {name!r}; choose one of {', '.join(VARIETIES)}")
    return VARIETIES[name]
