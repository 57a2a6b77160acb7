"""English words for the answers to "why not?" and "what else?" (``matcher why-not``, ``matcher recommend``).

An answer is a list of statements, each a code and its facts (``matcher.accountability.statements``);
``STATEMENTS`` maps a code to the function that says it in one line. ``questions_nl.py`` is the same in
Dutch, function for function. Every statement says what is proven, or plainly that it is not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matcher.explain.wording import euros, plural

Statement = dict[str, Any]
FORCED = "forced (asked about)"  # the forced placement is a lock of the re-solve, but only asked about here


# --- households, dwellings and objectives ----------------------------------------------------------------------


def household(h: dict[str, Any]) -> str:
    """``h07 (4 persons + 1 expected, overdue, waiting 30 weeks)``."""
    parts = [plural(h["persons"], "person") + (f" + {h['expected']} expected" if h["expected"] else "")]
    if h["overdue"]:
        parts.append("overdue")
    parts.append(f"waiting {h['weeks']} weeks")
    return f"{h['id']} ({', '.join(parts)})"


def dwelling(d: dict[str, Any]) -> str:
    """``d12 (GM0344, 2 bedrooms, EUR 650)``, or ``(GM0344, shared, 3 places, EUR 400 a place)``."""
    rent = f"EUR {euros(d['rent'])}"
    if d["shared"]:
        return f"{d['id']} ({d['municipality']}, shared, {d['places']} places, {rent} a place)"
    rooms = "studio" if d["bedrooms"] == 0 else plural(d["bedrooms"], "bedroom")
    return f"{d['id']} ({d['municipality']}, {rooms}{', step-free' if d['accessible'] else ''}, {rent})"


def partner(s: Statement) -> str:
    return household(s["partner"]) if s["kind"] == "household" else dwelling(s["partner"])


def change(c: dict[str, Any]) -> str:
    """``quality 2183 -> 2170 (13 worse)``."""
    if c["worse_by"] > 0:
        return f"{c['name']} {c['before']} -> {c['after']} ({c['worse_by']} worse)"
    if c["worse_by"] < 0:
        return f"{c['name']} {c['before']} -> {c['after']} ({-c['worse_by']} better)"
    return f"{c['name']} {c['after']} (unchanged)"


def worse(c: dict[str, Any]) -> str:
    """What gets worse, in words: ``1 overdue household fewer would be housed``."""
    n = c["worse_by"]
    if c["name"] == "overdue_housed":
        return f"{n} overdue household{'s' if n != 1 else ''} fewer would be housed"
    if c["name"] == "persons_housed":
        return f"{n} person{'s' if n != 1 else ''} fewer would be housed"
    if c["name"] == "kept_previous":
        return f"{n} pair{'s' if n != 1 else ''} fewer of the version under review would stay as proposed"
    if c["name"] == "max_shortfall_permille":
        return (f"the worst municipal shortfall on the taakstelling would rise from {c['before']} to "
                f"{c['after']} per mille")
    return f"the quality score (ties, unused bedrooms, school distance) would drop from {c['before']} to {c['after']}"


# --- why not ---------------------------------------------------------------------------------------------------


def in_proposal(s: Statement) -> str:
    return f"{household(s['household'])} gets {dwelling(s['dwelling'])} in this proposal."


def impossible(s: Statement) -> str:
    n = s["rules"]
    return (f"{household(s['household'])} cannot get {dwelling(s['dwelling'])}: {n} rule{'s' if n != 1 else ''} "
            f"forbid{'s' if n == 1 else ''} it, whatever happens to the other households.")


def obstacle(s: Statement) -> str:
    return f"- {s['rule']} ({s['name']}): {s['text']}"


def situation(s: Statement) -> str:
    current, occupants = s["current"], s["occupants"]
    return (f"In this proposal the household {'has ' + current if current else 'is not placed'}; "
            f"the dwelling {'goes to ' + ', '.join(occupants) if occupants else 'stays empty'}.")


def possible(s: Statement) -> str:
    return f"{household(s['household'])} could get {dwelling(s['dwelling'])}."


def cost_none(s: Statement) -> str:
    return ("Forcing it changes no objective: the proposal could equally contain it; the optimizer chose among "
            "equally good proposals.")


def cost_better(s: Statement) -> str:
    return (f"Forcing it would improve {s['name']} ({change(s)}): the proposal asked about was not proven "
            "optimal.")


def cost_proven(s: Statement) -> str:
    return (f"The proposal does not contain it because {worse(s)} ({s['name']}, the most important objective that "
            "gets worse).")


def proof_all(s: Statement) -> str:
    return "This is proven: with the pair forced, every objective is proven optimal."


def proof_cost(s: Statement) -> str:
    return ("Every objective up to the one that decides is proven optimal, so this cost is proven; the later "
            "objectives were not proven within the time limit, so who would move is what was found.")


def cost_at_least(s: Statement) -> str:
    return (f"The proposal does not contain it because forcing it makes {s['name']} worse by at least {s['least']} "
            "(proven); the exact figure was not proven within the time limit.")


def found_worse(s: Statement) -> str:
    return (f"In the best proposal found with the pair forced, {worse(s)} ({s['name']}); these figures are what "
            "was found.")


def cost_unproven(s: Statement) -> str:
    return (f"In the best proposal found with the pair forced, {worse(s)} ({s['name']}). That forcing it costs "
            "anything at all was not proven within the time limit: with more time the cost could be lower, or "
            "nothing.")


def objectives(s: Statement) -> str:
    heading = ("Objectives with the pair forced" if s["proven"] else
               "Objectives of the proposal found with the pair forced")
    return f"{heading}: " + "; ".join(change(c) for c in s["changes"])


def forced_placement(s: Statement) -> str:
    """``phrases``: the placement's explanation as ``matcher explain`` words it (added by ``words.answers``)."""
    return f"The household in {s['dwelling']}: " + "; ".join([FORCED, *s["phrases"]])


def leaves(s: Statement) -> str:
    return f"The household would leave {s['dwelling']}."


def lost(s: Statement) -> str:
    return "Would lose their place: " + "; ".join(household(h) for h in s["households"])


def moved(s: Statement) -> str:
    return "Would move: " + "; ".join(f"{m['household']} from {m['from']} to {m['to']}" for m in s["moves"])


def gained(s: Statement) -> str:
    return "Would get a place: " + "; ".join(household(h) for h in s["households"])


def no_change(s: Statement) -> str:
    return "No other household would have to change."


# --- recommend -------------------------------------------------------------------------------------------------


def best_dwellings(s: Statement) -> str:
    now = f"now in {s['current']}" if s["current"] else "now not placed"
    return f"Best dwellings for {household(s['household'])}, {now}:"


def best_households(s: Statement) -> str:
    now = f"now for {', '.join(s['current'])}" if s["current"] else "now empty"
    return f"Best households for {dwelling(s['dwelling'])}, {now}:"


def this_proposal(s: Statement) -> str:
    return "  (this proposal: " + ", ".join(f"{v['name']} {v['value']}" for v in s["values"]) + ")"


def no_pair(s: Statement) -> str:
    return "  no pair can be made: every one breaks a rule (below)"


PROOF_TAGS = {"proven": "", "cost_proven": "  [cost proven]", "not_proven": "  [cost not proven]"}


def option(s: Statement) -> str:
    tag = f"  [cost at least {s['least']} worse, proven]" if s["proof"] == "at_least" else PROOF_TAGS[s["proof"]]
    return f"{s['rank']:>3}. {partner(s)}{'  [in this proposal]' if s['current'] else ''}{tag}"


def option_objectives(s: Statement) -> str:
    return "     " + "; ".join(change(c) for c in s["changes"])


def option_changes(s: Statement) -> str:
    changes = [f"{s['leaves']['household']} leaves {s['leaves']['dwelling']}"] if s.get("leaves") else []
    changes += [f"{h} loses its place" for h in s["lost"]]
    changes += [f"{m['household']} moves {m['from']} -> {m['to']}" for m in s["moved"]]
    changes += [f"{h} gets a place" for h in s["gained"]]
    return "     changes: " + ("; ".join(changes) if changes else "none")


def ranking(s: Statement) -> str:
    if not s["unproven"]:
        return ("The order is proven: on the policy's objectives each option is at least as good as every pair "
                "ranked after it, whatever a longer search would find.")
    ranks = ", ".join(str(rank) for rank in s["unproven"])
    return (f"The order is not proven at rank{'s' if len(s['unproven']) != 1 else ''} {ranks}: a pair ranked "
            "lower could still turn out better with a longer search.")


def blocked(s: Statement) -> str:
    shown = ", ".join(f"{r['rule']} ({r['name']}) {r['pairs']}" for r in s["rules"])
    more = f", and {s['more']} more rules" if s["more"] else ""
    return f"{s['pairs']} pair(s) are impossible, by rule: {shown}{more} (matcher why-not names them pair by pair)"


def unanswered(s: Statement) -> str:
    return (f"{s['count']} possible pair(s) were not re-solved within the time limit, so they are not ranked and "
            "any of them could rank above the options listed (they were tried last, as the least promising by a "
            "first estimate; a longer time limit answers them): " + ", ".join(s["first"])
            + (" and more" if s["more"] else ""))


STATEMENTS: dict[str, Callable[[Statement], str]] = {
    "in_proposal": in_proposal, "impossible": impossible, "obstacle": obstacle, "situation": situation,
    "possible": possible, "cost_none": cost_none, "cost_better": cost_better, "cost_proven": cost_proven,
    "proof_all": proof_all, "proof_cost": proof_cost, "cost_at_least": cost_at_least, "found_worse": found_worse,
    "cost_unproven": cost_unproven, "objectives": objectives, "forced_placement": forced_placement,
    "leaves": leaves, "lost": lost, "moved": moved, "gained": gained, "no_change": no_change,
    "best_dwellings": best_dwellings, "best_households": best_households, "this_proposal": this_proposal,
    "no_pair": no_pair, "option": option, "option_objectives": option_objectives, "option_changes": option_changes,
    "ranking": ranking, "blocked": blocked, "unanswered": unanswered,
}

