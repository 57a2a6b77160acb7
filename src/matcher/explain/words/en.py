"""English words for the structured reasons and explanations (the proposal's ``reasons`` text is this).

Each function takes one reason as stored in ``reason_details`` (a code and its facts) and returns one
sentence; ``REASONS`` maps a code to its function. ``nl.py`` is the same in Dutch, function for function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matcher.explain.wording import all_of, all_or_it, euros, plural
from matcher.rules import RULE_STEPS

Reason = dict[str, Any]

PASSING = {step.name: step.passing for step in RULE_STEPS}  # "within its rent": what a funnel step keeps
USABILITY_WORDS = {"municipality_cap": "municipality caps below its size", "group_cap": "group share caps",
                   "school_primary": "no primary school in reach with enough seats",
                   "school_secondary": "no secondary school in reach with enough seats",
                   "lock": "locks of other households"}
TIER_WHO = {
    "overdue_housed": "overdue households",
    "persons_housed": "larger households",
    "kept_previous": "households that the version under review already proposed for them",
    "max_shortfall_permille": "households whose persons keep the worst municipal shortfall lower",
    "quality": "households that fit them better on ties, bedrooms and school distance",
}


def names(listed: dict[str, Any], describe: Callable[[Any], str] = str) -> str:
    """``a, b, c and 4 more`` from ``{"first": [...], "total": n}``."""
    shown = ", ".join(describe(item) for item in listed["first"])
    more = int(listed["total"]) - len(listed["first"])
    return shown + (f" and {more} more" if more > 0 else "")


def share(s: dict[str, int]) -> str:
    """'its 4 compatible dwellings', '3 of its 4 usable dwellings', 'its only compatible dwelling'."""
    count, usable, compatible = s["count"], s["usable"], s["compatible"]
    noun = "compatible" if usable == compatible else "usable"
    if count == usable:
        return f"its only {noun} dwelling" if usable == 1 else f"its {usable} {noun} dwellings"
    return f"{count} of its {usable} {noun} dwellings"


def sharer(s: dict[str, Any]) -> str:
    """``the household has 2 persons and is not willing to share``: what keeps it out of a shared dwelling."""
    why = []
    if s["size"] != 1:
        why.append(f"has {s['size']} persons")
    if s["expected"]:
        why.append(f"expects {plural(s['expected'], 'family member')}")
    if not s["shareable"]:
        why.append("is not willing to share")
    return "the household " + (", ".join(why[:-1]) + " and " if len(why) > 1 else "") + why[-1]


# --- stage 1 and 2: not available, no compatible dwelling ----------------------------------------------------


def unavailable(r: Reason) -> str:
    return (f"not available this period: available from {r['available_from']}, "
            f"after the period ends ({r['period_end']})")


def funnel(r: Reason) -> str:
    steps = [f"{s['count']} {PASSING[s['step']]}" for s in r["steps"]]
    return f"of {r['region']} dwellings in the region: " + ", then ".join(steps)


def none_available(r: Reason) -> str:
    if r["dwellings"] == 0:
        return "no compatible dwelling: the instance offers no dwelling at all"
    return (f"no compatible dwelling: none of the {r['dwellings']} dwellings is available this period "
            f"(all become available after {r['period_end']})")


def no_size_fit(r: Reason) -> str:
    persons = f"{r['persons']}"
    if r["expected"]:
        persons += f" ({r['size']} persons + {r['expected']} expected)"
    if r["largest"] is None:
        return (f"no compatible dwelling: all {r['available']} dwellings available this period are shared places "
                f"for single sharers only, and {sharer(r['sharer'])}")
    text = (f"no compatible dwelling: no dwelling with max_occupants >= {persons} in the region "
            f"({r['available']} available this period; the largest takes {r['largest']}")
    if r["shared"]:
        text += f"; {r['shared']} are shared places, and {sharer(r['sharer'])}"
    return text + ")"


def too_many_bedrooms(r: Reason) -> str:
    count, extra, need = r["dwellings"], r["extra"], r["need"]
    return (f"no compatible dwelling: {plural(count, 'dwelling')} take {r['persons']} persons but "
            f"{all_or_it(count)} more than {need + extra} bedrooms (the household needs {need}, at most {extra} "
            f"extra allowed; the smallest has {r['smallest']})")


def too_expensive(r: Reason) -> str:
    count = r["dwellings"]
    return (f"no compatible dwelling: {plural(count, 'dwelling')} fit the household's size but "
            f"{'all cost' if count > 1 else 'it costs'} more than its maximum rent of "
            f"EUR {euros(r['max_rent'])} (cheapest EUR {euros(r['cheapest'])})")


def not_step_free(r: Reason) -> str:
    count = r["dwellings"]
    return (f"no compatible dwelling: {plural(count, 'dwelling')} fit size and rent but "
            f"{'none is' if count > 1 else 'it is not'} step-free, and the household needs a step-free home")


def outside_required_ties(r: Reason) -> str:
    count, required = r["dwellings"], r["required"]
    tie = "the required tie's" if len(required) == 1 else "the required ties'"
    return (f"no compatible dwelling: {all_of(count, 'remaining candidate')} in "
            f"{'municipalities' if count > 1 else 'a municipality'} other than {tie} {', '.join(required)} "
            f"({'they are' if count > 1 else 'it is'} in {names(r['found'])})")


def all_forbidden(r: Reason) -> str:
    count = r["dwellings"]["total"]
    return (f"no compatible dwelling: {all_of(count, 'remaining candidate')} "
            f"{'declined pairs' if count > 1 else 'a declined pair'} (forbidden: {names(r['dwellings'])})")


# --- stage 3: compatible but unusable ------------------------------------------------------------------------


def persons_left(cap: int) -> str:
    return "no places left" if cap <= 0 else f"{plural(cap, 'person')} left"


def cap_too_small(r: Reason) -> str:
    caps = names(r["caps"], lambda c: f"{c['municipality']}: {persons_left(c['cap'])}")
    return (f"no usable dwelling: {all_of(r['dwellings'], 'compatible dwelling')} in municipalities whose "
            f"remaining cap is below the household's {r['persons']} persons ({caps})")


def group_cap_zero(r: Reason) -> str:
    return (f"no usable dwelling: {all_of(r['dwellings'], 'remaining dwelling')} in a group whose share cap "
            f"is already used up (cap 0: {names(r['groups'])})")


def no_school_in_reach(r: Reason) -> str:
    count, kind, seats = r["dwellings"], r["kind"], plural(r["kids"], "free seat")
    fit = "1 dwelling fits, but it is not" if count == 1 else f"{count} dwellings fit, but none is"
    nearest = r["nearest"]
    where = (f" (no {kind} school in the region has {seats})" if nearest is None else
             f" (the nearest with enough seats, {nearest['school']}, is {nearest['km']:.1f} km from "
             f"{nearest['dwelling']})")
    return f"no usable dwelling: {fit} within {r['limit_km']:g} km of a {kind} school with {seats}{where}"


def locked_to_others(r: Reason) -> str:
    promised = names(r["promised"], lambda p: f"{p['dwelling']} to {p['household']}")
    return (f"no usable dwelling: {all_of(r['dwellings'], 'remaining dwelling')} promised to other "
            f"households by locks ({promised})")


def pruned(r: Reason) -> str:
    parts = [f"{s['count']} by {USABILITY_WORDS[s['step']]}" for s in r["steps"]]
    return f"{plural(r['dwellings'], 'other compatible dwelling')} can never be used: " + ", ".join(parts)


# --- stage 4: competition ------------------------------------------------------------------------------------


def taken_by_tier(r: Reason) -> str:
    return f"{share(r['share'])} went to {TIER_WHO[r['tier']]} (tier {r['tier']})"


def taken_equal(r: Reason) -> str:
    return (f"{share(r['share'])} went to households that rank equally on every objective; "
            "the solver chose among equals")


def exchange_blocked(r: Reason) -> str:
    higher = r["higher"]
    tiers = (f"tier {higher[0]['tier']}" if len(higher) == 1
             else ", ".join(f"tier {h['tier']} for {h['count']}" for h in higher))
    return (f"{share(r['share'])} went to other households although this household ranks higher on {tiers}; "
            "exchanging them would break a limit elsewhere, or the proposal is not proven optimal")


def municipality_full(r: Reason) -> str:
    def state(m: dict[str, Any]) -> str:
        if m["persons"] >= m["cap"]:
            return f"municipality {m['municipality']} reached its cap ({m['persons']} of {m['cap']} persons)"
        return f"municipality {m['municipality']} has {m['cap'] - m['persons']} of its {m['cap']} places left"

    return (f"{names(r['municipalities'], state)}; the household has {plural(r['persons'], 'person')}, which "
            f"rules out {share(r['share'])}")


def group_full(r: Reason) -> str:
    def state(g: dict[str, Any]) -> str:
        return f"group {g['group']} reached its share cap ({g['used']} of {g['cap']} dwellings)"

    return f"{names(r['groups'], state)}, which rules out {share(r['share'])}"


def school_full(r: Reason) -> str:
    def state(s: dict[str, Any]) -> str:
        left = s["left"]
        seats = "no free seat" if left <= 0 else plural(left, "free seat")
        return f"school {s['school']} has {seats} left"

    return (f"no {r['kind']} school within {r['limit_km']:g} km has {plural(r['kids'], 'free seat')} left "
            f"({names(r['schools'], state)}), which rules out {share(r['share'])}")


def left_free(r: Reason) -> str:
    if r["rewarding"]:
        return (f"{share(r['share'])} stayed free although housing it would raise {r['rewarding']}: "
                "the proposal is not proven optimal (time limit)")
    return (f"{share(r['share'])} stayed free: housing it would improve no objective of this policy "
            f"({', '.join(r['objectives']) or 'no objectives'})")


def unexplained(r: Reason) -> str:
    return "not placed; no specific reason found"


REASONS: dict[str, Callable[[Reason], str]] = {
    "unavailable": unavailable, "funnel": funnel,
    "no_compatible:available": none_available, "no_compatible:size": no_size_fit,
    "no_compatible:bedrooms": too_many_bedrooms, "no_compatible:rent": too_expensive,
    "no_compatible:accessible": not_step_free, "no_compatible:required_tie": outside_required_ties,
    "no_compatible:forbidden": all_forbidden,
    "unusable:municipality_cap": cap_too_small, "unusable:group_cap": group_cap_zero,
    "unusable:school_primary": no_school_in_reach, "unusable:school_secondary": no_school_in_reach,
    "unusable:lock": locked_to_others, "pruned": pruned,
    "taken": taken_by_tier, "taken:equal": taken_equal, "taken:exchange_blocked": exchange_blocked,
    "cap:municipality": municipality_full, "cap:group": group_full, "cap:school": school_full,
    "left_free": left_free, "unexplained": unexplained,
}


# --- a placement's explanation, phrase by phrase -------------------------------------------------------------

PLACEMENT = {
    "locked": "accepted before (locked)",
    "overdue": "overdue (waiting {weeks} weeks)",
    "waiting": "waiting {weeks} weeks",
    "persons": "{persons} persons",
    "one_person": "1 person",
    "expected": "{expected} more expected (reunification), {final} in the end",
    "tie": "tie to {municipality} ({kinds}), {bonus:+d}",
    "unused": "{count} unused bedroom(s), {penalty:+d}",
    "school": "{kind} school {school} at {km} km, {penalty:+d}",
    "quality": "quality {quality:+d}",
    "progress": "{municipality}: from {before} to {after} of a taakstelling of {target} persons",
}
PLACEMENT_SCHOOL_KINDS = {"primary": "primary", "secondary": "secondary"}
TIE_KINDS = {"work": "work", "education": "education", "family": "family", "care": "care"}


def decimal(value: float) -> str:
    return f"{value:.1f}"


# --- a pair of the version under review that a re-plan moved (``moved``) -------------------------------------

MOVED_WHY = {
    "declined": "the pair was declined",
    "lock": "the household accepted another dwelling",
    "rules": "the pair no longer keeps the rules",
    None: "no objective ranked before kept_previous needed it; the proposal is not proven optimal",
}


def moved(m: dict[str, Any], now: str | None, takers: str | None) -> str:
    """``now``/``takers`` are what the reader may see: None hides another municipality's dwelling."""
    needed_by = m.get("needed_by")
    if needed_by in MOVED_WHY:
        why = MOVED_WHY[needed_by]
    elif needed_by in TIER_WHO:
        why = f"keeping it would have cost on objective {needed_by}"
    else:
        why = f"keeping it would break a limit ({needed_by})"
    where = ("is now left waiting" if m.get("now") is None else
             f"is now proposed for {now}" if now else "is now proposed elsewhere")
    taken = f"{m['dwelling']} now goes to {takers}" if takers else f"{m['dwelling']} now stays empty"
    return f"{m['household']} was proposed for {m['dwelling']} and {where}; {taken}. Why: {why}."
