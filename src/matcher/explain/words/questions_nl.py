"""Dutch words for the answers to "why not?" and "what else?": ``questions_en.py`` function for function.

Written for a housing officer from the same statements (a code and its facts), not translated from the English
sentences. Numbers use a decimal comma; money is written ``€ 712,50``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matcher.explain.words.nl import SCHOOL_KINDS, count, decimal, euros, km, objective, sharer

Statement = dict[str, Any]
FORCED = "gedwongen (gevraagd)"  # the forced placement is a lock of the re-solve, but only asked about here
RULES = {"municipality cap": "gemeenteplafond", "group cap": "groepsaandeel", "school seats": "schoolplaatsen",
         "lock": "vastgezet"}
OBSTACLE_NAMES = {
    "dwelling_unavailable": "woning niet beschikbaar", "household_unavailable": "huishouden niet beschikbaar",
    "shared": "gedeelde woonruimte", "max_occupants": "te veel personen", "too_many_bedrooms": "te veel slaapkamers",
    "rent": "huur", "accessible": "gelijkvloers", "required_tie": "verplichte binding", "forbidden": "afgewezen",
    "household_locked": "huishouden vastgezet", "dwelling_locked": "woning vastgezet",
    "locks_together": "vastgezette koppelingen samen", "municipality_cap": "gemeenteplafond",
    "group_cap": "groepsaandeel", "school_primary": "basisschool", "school_secondary": "middelbare school",
}


# --- households, dwellings and objectives ----------------------------------------------------------------------


def household(h: dict[str, Any]) -> str:
    """``h07 (4 personen + 1 verwacht, over de termijn, 30 weken wachtend)``."""
    parts = [count(h["persons"], "persoon", "personen") + (f" + {h['expected']} verwacht" if h["expected"] else "")]
    if h["overdue"]:
        parts.append("over de termijn")
    parts.append(f"{h['weeks']} weken wachtend")
    return f"{h['id']} ({', '.join(parts)})"


def dwelling(d: dict[str, Any]) -> str:
    """``d12 (GM0344, 2 slaapkamers, € 650)``, or ``(GM0344, gedeeld, 3 plaatsen, € 400 per plaats)``."""
    if d["shared"]:
        return f"{d['id']} ({d['municipality']}, gedeeld, {d['places']} plaatsen, {euros(d['rent'])} per plaats)"
    rooms = "studio" if d["bedrooms"] == 0 else count(d["bedrooms"], "slaapkamer", "slaapkamers")
    return f"{d['id']} ({d['municipality']}, {rooms}{', gelijkvloers' if d['accessible'] else ''}, {euros(d['rent'])})"


def partner(s: Statement) -> str:
    return household(s["partner"]) if s["kind"] == "household" else dwelling(s["partner"])


def change(c: dict[str, Any]) -> str:
    """``kwaliteit van de koppelingen 2183 → 2170 (13 slechter)``."""
    name = objective(c["name"])
    if c["worse_by"] > 0:
        return f"{name} {c['before']} → {c['after']} ({c['worse_by']} slechter)"
    if c["worse_by"] < 0:
        return f"{name} {c['before']} → {c['after']} ({-c['worse_by']} beter)"
    return f"{name} {c['after']} (gelijk)"


def worse(c: dict[str, Any]) -> str:
    """What gets worse, in words: ``1 huishouden over de termijn minder gehuisvest``."""
    n = c["worse_by"]
    if c["name"] == "overdue_housed":
        return f"{count(n, 'huishouden', 'huishoudens')} over de termijn minder gehuisvest"
    if c["name"] == "persons_housed":
        return f"{count(n, 'persoon', 'personen')} minder gehuisvest"
    if c["name"] == "kept_previous":
        return f"{count(n, 'koppeling', 'koppelingen')} van de versie in behandeling minder behouden"
    if c["name"] == "max_shortfall_permille":
        return (f"de grootste achterstand van een gemeente op de taakstelling stijgt van {c['before']} naar "
                f"{c['after']} promille")
    return (f"de kwaliteitsscore (binding, slaapkamers, schoolafstand) daalt van {c['before']} naar {c['after']}")


# --- why not ---------------------------------------------------------------------------------------------------


def in_proposal(s: Statement) -> str:
    return f"{household(s['household'])} krijgt {dwelling(s['dwelling'])} in dit voorstel."


def impossible(s: Statement) -> str:
    n = s["rules"]
    return (f"{household(s['household'])} kan {dwelling(s['dwelling'])} niet krijgen: "
            f"{count(n, 'regel verbiedt', 'regels verbieden')} het, wat er ook met de andere huishoudens gebeurt.")


def rule(name: str) -> str:
    """``regel 3``, ``gemeenteplafond``: the rule an obstacle belongs to."""
    return name.replace("rule ", "regel ") if name.startswith("rule ") else RULES.get(name, name)


def label(rule_name: str, name: str) -> str:
    """``regel 3 (huur)``; a rule that has one name only once: ``gemeenteplafond``."""
    said, named = rule(rule_name), OBSTACLE_NAMES.get(name, name)
    return said if said == named else f"{said} ({named})"


def obstacle(s: Statement) -> str:
    word = OBSTACLES.get(s["name"])
    text = word(s) if word is not None else "deze koppeling is niet toegestaan"
    return f"- {label(s['rule'], s['name'])}: {text}"


def situation(s: Statement) -> str:
    current, occupants = s["current"], s["occupants"]
    return (f"In dit voorstel {'heeft het huishouden ' + current if current else 'is het huishouden niet geplaatst'}; "
            f"de woning {'gaat naar ' + ', '.join(occupants) if occupants else 'blijft leeg'}.")


def possible(s: Statement) -> str:
    return f"{household(s['household'])} zou {dwelling(s['dwelling'])} kunnen krijgen."


def cost_none(s: Statement) -> str:
    return ("Deze koppeling afdwingen maakt geen enkel doel slechter: het voorstel had haar evengoed kunnen "
            "bevatten; de rekenmethode koos tussen even goede voorstellen.")


def cost_better(s: Statement) -> str:
    return (f"Deze koppeling afdwingen zou '{objective(s['name'])}' verbeteren ({change(s)}): het gevraagde voorstel "
            "was niet bewezen optimaal.")


def cost_proven(s: Statement) -> str:
    return (f"Het voorstel bevat deze koppeling niet, want met haar: {worse(s)} (doel: {objective(s['name'])}, het "
            "belangrijkste doel dat slechter wordt).")


def proof_all(s: Statement) -> str:
    return "Dit is bewezen: met de koppeling afgedwongen is elk doel bewezen optimaal."


def proof_cost(s: Statement) -> str:
    return ("Elk doel tot en met het beslissende is bewezen optimaal, dus deze kosten zijn bewezen; de latere doelen "
            "zijn binnen de tijdslimiet niet bewezen, dus wie er zou verhuizen is wat er gevonden is.")


def cost_at_least(s: Statement) -> str:
    return (f"Het voorstel bevat deze koppeling niet, want afdwingen maakt '{objective(s['name'])}' bewezen slechter, "
            f"met minstens {s['least']}; het precieze verschil is binnen de tijdslimiet niet bewezen.")


def found_worse(s: Statement) -> str:
    return (f"In het beste voorstel dat met de koppeling gevonden is: {worse(s)} (doel: {objective(s['name'])}); "
            "deze cijfers zijn wat er gevonden is.")


def cost_unproven(s: Statement) -> str:
    return (f"In het beste voorstel dat met de koppeling gevonden is: {worse(s)} (doel: {objective(s['name'])}). "
            "Dat afdwingen iets kost, is binnen de tijdslimiet niet bewezen: met meer tijd kan het minder kosten, "
            "of niets.")


def objectives(s: Statement) -> str:
    heading = ("Doelen met de koppeling afgedwongen" if s["proven"] else
               "Doelen van het voorstel dat met de koppeling afgedwongen gevonden is")
    return f"{heading}: " + "; ".join(change(c) for c in s["changes"])


def forced_placement(s: Statement) -> str:
    """``phrases``: the placement's explanation as ``matcher explain`` words it (added by ``words.answers``)."""
    return f"Het huishouden in {s['dwelling']}: " + "; ".join([FORCED, *s["phrases"]])


def leaves(s: Statement) -> str:
    return f"Het huishouden zou {s['dwelling']} verlaten."


def lost(s: Statement) -> str:
    return "Zouden hun plaats verliezen: " + "; ".join(household(h) for h in s["households"])


def moved(s: Statement) -> str:
    return "Zouden verhuizen: " + "; ".join(f"{m['household']} van {m['from']} naar {m['to']}" for m in s["moves"])


def gained(s: Statement) -> str:
    return "Zouden een plaats krijgen: " + "; ".join(household(h) for h in s["households"])


def no_change(s: Statement) -> str:
    return "Geen ander huishouden hoeft iets te veranderen."


# --- why not: the obstacles, from their facts ------------------------------------------------------------------


def persons(s: Statement) -> str:
    """``5 personen (van wie 1 verwacht)``: the size rule 2 counts."""
    expected = f" (van wie {s['expected']} verwacht)" if s["expected"] else ""
    return count(s["persons"], "persoon", "personen") + expected


def school_seen(s: Statement) -> str:
    seen, kind = s["seen"], SCHOOL_KINDS.get(s["kind"], s["kind"])
    if "in_range" in seen:
        named = [f"{school['school']} {decimal(school['km'])} km, {school['free']} vrij" for school in seen["in_range"]]
        return "in de buurt: " + "; ".join(named) + (f" en nog {seen['more']}" if seen["more"] else "")
    if "nearest" in seen:
        return (f"geen in de buurt; de dichtstbijzijnde, {seen['nearest']['school']}, ligt op "
                f"{decimal(seen['nearest']['km'])} km")
    return f"de regio heeft geen {kind}"


def two_decimals(amount: float) -> str:
    return "€ " + decimal(amount, 2)


OBSTACLES: dict[str, Callable[[Statement], str]] = {
    "dwelling_unavailable": lambda s: (f"de woning is pas beschikbaar vanaf {s['since']}, na het einde van de "
                                       f"periode ({s['end']})"),
    "household_unavailable": lambda s: (f"het huishouden is pas beschikbaar vanaf {s['since']}, na het einde van "
                                        f"de periode ({s['end']})"),
    "shared": lambda s: f"de woning wordt per kamer verhuurd aan alleenstaanden die willen delen; {sharer(s)}",
    "max_occupants": lambda s: (f"het huishouden wordt {persons(s)}; de woning biedt plaats aan hooguit "
                                f"{s['most']}"),
    "too_many_bedrooms": lambda s: (f"het huishouden heeft {count(s['need'], 'slaapkamer', 'slaapkamers')} nodig "
                                    f"({persons(s)}); de woning heeft er {s['bedrooms']}, meer dan {s['extra']} "
                                    "boven die behoefte"),
    "rent": lambda s: (f"de huur is {two_decimals(s['rent'])}; het huishouden kan hooguit "
                       f"{two_decimals(s['max_rent'])} betalen"),
    "accessible": lambda s: "het huishouden heeft een gelijkvloerse woning nodig; deze woning is dat niet",
    "required_tie": lambda s: (f"het huishouden moet wonen in {', '.join(s['required'])} (verplichte binding); de "
                               f"woning ligt in {s['municipality']}"),
    "forbidden": lambda s: "de koppeling is eerder afgewezen (verboden)",
    "household_locked": lambda s: f"het huishouden heeft woning {s['dwelling']} al geaccepteerd (vastgezet)",
    "dwelling_locked": lambda s: (f"de woning is al geaccepteerd door {', '.join(s['households'])} (vastgezet)"
                                  if s["places"] == 1 else
                                  f"alle {s['places']} plaatsen van de woning zijn al geaccepteerd, door "
                                  f"{', '.join(s['households'])} (vastgezet)"),
    "locks_together": lambda s: ("samen met de al geaccepteerde koppelingen (vastgezet) past deze koppeling niet "
                                 "binnen de plaatsen, plafonds of schoolplaatsen"),
    "municipality_cap": lambda s: (f"{s['municipality']} heeft dit halfjaar "
                                   + ("geen plaats meer" if s["cap"] == 0 else
                                      f"nog plaats voor {count(s['cap'], 'persoon', 'personen')}")
                                   + f" (taakstelling {s['target']} + {km(s['percent'])}% staat {s['allowed']} toe, "
                                   f"{s['housed']} al gehuisvest); het huishouden telt "
                                   f"{count(s['persons'], 'persoon', 'personen')}"),
    "group_cap": lambda s: (f"de woning hoort bij groep {s['group']}" + (f" ({s['kind']})" if s["kind"] else "")
                            + f": hooguit {km(s['percent'])}% van de {s['units']} woningen mag naar "
                            f"vergunninghouders gaan en dat zijn er al {s['used']}, dus er kan er geen meer bij"),
    "school_primary": lambda s: school_obstacle(s),
    "school_secondary": lambda s: school_obstacle(s),
}


def school_obstacle(s: Statement) -> str:
    kind = SCHOOL_KINDS.get(s["kind"], s["kind"])
    return (f"het huishouden heeft {count(s['kids'], 'kind', 'kinderen')} van {s['low']}-{s['high']} jaar; geen "
            f"{kind} binnen {km(s['limit_km'])} km van de woning heeft "
            f"{count(s['kids'], 'vrije plaats', 'vrije plaatsen')} ({school_seen(s)})")


# --- recommend -------------------------------------------------------------------------------------------------


def best_dwellings(s: Statement) -> str:
    now = f"nu in {s['current']}" if s["current"] else "nu niet geplaatst"
    return f"Beste woningen voor {household(s['household'])}, {now}:"


def best_households(s: Statement) -> str:
    now = f"nu voor {', '.join(s['current'])}" if s["current"] else "nu leeg"
    return f"Beste huishoudens voor {dwelling(s['dwelling'])}, {now}:"


def this_proposal(s: Statement) -> str:
    return "  (dit voorstel: " + ", ".join(f"{objective(v['name'])} {v['value']}" for v in s["values"]) + ")"


def no_pair(s: Statement) -> str:
    return "  geen enkele koppeling is mogelijk: elke koppeling overtreedt een regel (zie onder)"


PROOF_TAGS = {"proven": "", "cost_proven": "  [kosten bewezen]", "not_proven": "  [kosten niet bewezen]"}


def option(s: Statement) -> str:
    tag = (f"  [bewezen minstens {s['least']} slechter]" if s["proof"] == "at_least" else PROOF_TAGS[s["proof"]])
    return f"{s['rank']:>3}. {partner(s)}{'  [in dit voorstel]' if s['current'] else ''}{tag}"


def option_objectives(s: Statement) -> str:
    return "     " + "; ".join(change(c) for c in s["changes"])


def option_changes(s: Statement) -> str:
    changes = [f"{s['leaves']['household']} verlaat {s['leaves']['dwelling']}"] if s.get("leaves") else []
    changes += [f"{h} verliest de plaats" for h in s["lost"]]
    changes += [f"{m['household']} verhuist {m['from']} → {m['to']}" for m in s["moved"]]
    changes += [f"{h} krijgt een plaats" for h in s["gained"]]
    return "     wijzigingen: " + ("; ".join(changes) if changes else "geen")


def ranking(s: Statement) -> str:
    if not s["unproven"]:
        return ("De volgorde is bewezen: op de doelen van het beleid is elke keuze minstens zo goed als elke "
                "koppeling die lager staat, wat een langere zoektocht ook zou vinden.")
    ranks = ", ".join(str(rank) for rank in s["unproven"])
    return (f"De volgorde is niet bewezen bij plaats {ranks}: een lager geplaatste koppeling kan met een langere "
            "zoektocht nog beter blijken.")


def blocked(s: Statement) -> str:
    shown = ", ".join(f"{label(r['rule'], r['name'])} {r['pairs']}" for r in s["rules"])
    more = f", en nog {s['more']} regels" if s["more"] else ""
    return (f"{count(s['pairs'], 'koppeling is', 'koppelingen zijn')} onmogelijk, per regel: {shown}{more} "
            "(matcher why-not noemt ze koppeling voor koppeling)")


def unanswered(s: Statement) -> str:
    return (f"{count(s['count'], 'mogelijke koppeling is', 'mogelijke koppelingen zijn')} binnen de tijdslimiet niet "
            "opnieuw doorgerekend, dus niet gerangschikt; elk ervan kan hoger uitkomen dan de keuzes hierboven (ze "
            "kwamen als laatste aan de beurt, als minst veelbelovend volgens een eerste schatting; een langere "
            "tijdslimiet beantwoordt ze): " + ", ".join(s["first"]) + (" en meer" if s["more"] else ""))


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
