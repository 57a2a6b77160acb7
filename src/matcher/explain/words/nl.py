"""Dutch words for the structured reasons and explanations: ``en.py`` function for function.

Written for a housing officer, not translated from the English sentences: the same facts, said the way a
Dutch case file says them. Numbers use a decimal comma; money is written ``€ 712,50``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Reason = dict[str, Any]

PASSING = {"available": "beschikbaar in deze periode", "size": "groot genoeg", "bedrooms": "passend in slaapkamers",
           "rent": "binnen de huurgrens", "accessible": "gelijkvloers waar nodig",
           "required_tie": "in een gemeente van de verplichte binding", "forbidden": "niet eerder afgewezen"}
USABILITY_WORDS = {"municipality_cap": "een gemeenteplafond onder de omvang van het huishouden",
                   "group_cap": "een vol groepsaandeel",
                   "school_primary": "geen basisschool in de buurt met genoeg plaatsen",
                   "school_secondary": "geen middelbare school in de buurt met genoeg plaatsen",
                   "lock": "vastgezette koppelingen van andere huishoudens"}
OBJECTIVES = {"overdue_housed": "huishoudens over de termijn geplaatst", "persons_housed": "personen gehuisvest",
              "kept_previous": "eerder voorgestelde koppelingen behouden",
              "max_shortfall_permille": "grootste achterstand op een taakstelling",
              "quality": "kwaliteit van de koppelingen"}
TIER_WHO = {
    "overdue_housed": "huishoudens die over de termijn zijn",
    "persons_housed": "grotere huishoudens",
    "kept_previous": "huishoudens die de versie in behandeling al voor deze woningen voorstelde",
    "max_shortfall_permille": "huishoudens waarmee de grootste achterstand van een gemeente kleiner blijft",
    "quality": "huishoudens die beter passen op binding, slaapkamers en schoolafstand",
}
SCHOOL_KINDS = {"primary": "basisschool", "secondary": "middelbare school"}


def objective(name: str) -> str:
    return OBJECTIVES.get(name, name)


def count(n: int, one: str, many: str) -> str:
    """``1 woning``, ``3 woningen``."""
    return f"{n} {one if n == 1 else many}"


def decimal(value: float, places: int = 1) -> str:
    return f"{value:.{places}f}".replace(".", ",")


def km(value: float) -> str:
    """``2,5`` km; a whole number without decimals."""
    return f"{value:g}".replace(".", ",")


def euros(amount: float) -> str:
    return f"€ {amount:.0f}" if float(amount).is_integer() else f"€ {decimal(amount, 2)}"


def names(listed: dict[str, Any], describe: Callable[[Any], str] = str) -> str:
    """``a, b, c en nog 4`` from ``{"first": [...], "total": n}``."""
    shown = [describe(item) for item in listed["first"]]
    more = int(listed["total"]) - len(shown)
    if more > 0:
        return ", ".join(shown) + f" en nog {more}"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " en " + shown[-1]


def share(s: dict[str, int]) -> str:
    """'de 4 passende woningen', '3 van de 4 bruikbare woningen', 'de enige passende woning'."""
    n, usable, compatible = s["count"], s["usable"], s["compatible"]
    adjective = "passende" if usable == compatible else "bruikbare"
    if n == usable:
        return f"de enige {adjective} woning" if usable == 1 else f"alle {usable} {adjective} woningen"
    return f"{n} van de {usable} {adjective} woningen"


def verb(s: dict[str, int], one: str, many: str) -> str:
    """The verb after ``share``: singular for one dwelling (``ging``), plural otherwise (``gingen``)."""
    return one if s["count"] == 1 else many


def sharer(s: dict[str, Any]) -> str:
    """Why the household cannot take a shared place."""
    why = []
    if s["size"] != 1:
        why.append(f"bestaat uit {s['size']} personen")
    if s["expected"]:
        why.append(f"verwacht nog {count(s['expected'], 'gezinslid', 'gezinsleden')}")
    if not s["shareable"]:
        why.append("wil niet delen")
    return "het huishouden " + (", ".join(why[:-1]) + " en " if len(why) > 1 else "") + why[-1]


# --- stage 1 and 2: not available, no compatible dwelling ----------------------------------------------------


def unavailable(r: Reason) -> str:
    return (f"niet beschikbaar in deze periode: beschikbaar vanaf {r['available_from']}, na het einde van de "
            f"periode ({r['period_end']})")


def funnel(r: Reason) -> str:
    steps = [f"{s['count']} {PASSING[s['step']]}" for s in r["steps"]]
    return f"van de {r['region']} woningen in de regio: " + ", daarna ".join(steps)


def none_available(r: Reason) -> str:
    if r["dwellings"] == 0:
        return "geen passende woning: er is in deze week geen enkele woning aangeboden"
    return (f"geen passende woning: geen van de {r['dwellings']} woningen is in deze periode beschikbaar "
            f"(alle komen pas vrij na {r['period_end']})")


def no_size_fit(r: Reason) -> str:
    persons = f"{r['persons']} personen"
    if r["expected"]:
        persons += f" ({r['size']} nu en {r['expected']} verwacht)"
    if r["largest"] is None:
        return (f"geen passende woning: alle {r['available']} woningen die in deze periode beschikbaar zijn, zijn "
                f"gedeelde woonruimte voor alleenstaanden die willen delen, en {sharer(r['sharer'])}")
    text = (f"geen passende woning: geen woning in de regio biedt plaats aan {persons} "
            f"({r['available']} beschikbaar in deze periode; de grootste biedt plaats aan {r['largest']}")
    if r["shared"]:
        text += f"; {r['shared']} zijn gedeelde woonruimte, en {sharer(r['sharer'])}"
    return text + ")"


def too_many_bedrooms(r: Reason) -> str:
    n, extra, need = r["dwellings"], r["extra"], r["need"]
    return (f"geen passende woning: {count(n, 'woning biedt', 'woningen bieden')} plaats aan {r['persons']} "
            f"personen, maar {'heeft' if n == 1 else 'hebben alle'} meer dan {need + extra} slaapkamers (het "
            f"huishouden heeft er {need} nodig, hooguit {extra} extra toegestaan; de kleinste heeft er "
            f"{r['smallest']})")


def too_expensive(r: Reason) -> str:
    n = r["dwellings"]
    return (f"geen passende woning: {count(n, 'woning is', 'woningen zijn')} groot genoeg, maar "
            f"{'kost' if n == 1 else 'kosten alle'} meer dan de maximale huur van {euros(r['max_rent'])} "
            f"(de goedkoopste {euros(r['cheapest'])})")


def not_step_free(r: Reason) -> str:
    n = r["dwellings"]
    return (f"geen passende woning: {count(n, 'woning past', 'woningen passen')} in omvang en huur, maar "
            f"{'die is' if n == 1 else 'geen ervan is'} gelijkvloers, en het huishouden heeft een gelijkvloerse "
            "woning nodig")


def outside_required_ties(r: Reason) -> str:
    n, required = r["dwellings"], r["required"]
    binding = "de verplichte binding" if len(required) == 1 else "de verplichte bindingen"
    return (f"geen passende woning: {remaining(n, 'ligt', 'liggen')} buiten de gemeente(n) van {binding} "
            f"({', '.join(required)}); {'hij ligt' if n == 1 else 'ze liggen'} in {names(r['found'])}")


def all_forbidden(r: Reason) -> str:
    n = r["dwellings"]["total"]
    return (f"geen passende woning: {remaining(n, 'is', 'zijn')} eerder afgewezen voor dit huishouden "
            f"({names(r['dwellings'])})")


# --- stage 3: compatible but unusable ------------------------------------------------------------------------


def persons_left(cap: int) -> str:
    return "geen plaats meer" if cap <= 0 else f"nog {count(cap, 'persoon', 'personen')}"


def remaining(n: int, one: str, many: str) -> str:
    """``de enige overgebleven woning is``, ``alle 3 overgebleven woningen zijn``."""
    return f"de enige overgebleven woning {one}" if n == 1 else f"alle {n} overgebleven woningen {many}"


def all_dwellings(n: int, adjective: str) -> str:
    return f"de enige {adjective} woning ligt" if n == 1 else f"alle {n} {adjective} woningen liggen"


def cap_too_small(r: Reason) -> str:
    caps = names(r["caps"], lambda c: f"{c['municipality']}: {persons_left(c['cap'])}")
    return (f"geen bruikbare woning: {all_dwellings(r['dwellings'], 'passende')} in gemeenten waar minder "
            f"plaats over is dan de {r['persons']} personen van het huishouden ({caps})")


def group_cap_zero(r: Reason) -> str:
    return (f"geen bruikbare woning: {all_dwellings(r['dwellings'], 'overgebleven')} in een complex of buurt "
            f"waarvan het aandeel voor vergunninghouders al vol is (nog 0 toegestaan: {names(r['groups'])})")


def no_school_in_reach(r: Reason) -> str:
    n, school = r["dwellings"], SCHOOL_KINDS.get(r["kind"], r["kind"])
    seats = count(r["kids"], "vrije plaats", "vrije plaatsen")
    fit = "1 woning past, maar die ligt niet" if n == 1 else f"{n} woningen passen, maar geen ervan ligt"
    nearest = r["nearest"]
    where = (f" (geen {school} in de regio heeft {seats})" if nearest is None else
             f" (de dichtstbijzijnde met genoeg plaatsen, {nearest['school']}, ligt op {decimal(nearest['km'])} km "
             f"van {nearest['dwelling']})")
    return f"geen bruikbare woning: {fit} binnen {km(r['limit_km'])} km van een {school} met {seats}{where}"


def locked_to_others(r: Reason) -> str:
    promised = names(r["promised"], lambda p: f"{p['dwelling']} aan {p['household']}")
    n = r["dwellings"]
    return (f"geen bruikbare woning: {remaining(n, 'is', 'zijn')} al toegezegd aan andere huishoudens "
            f"({promised})")


def pruned(r: Reason) -> str:
    parts = [f"{s['count']} door {USABILITY_WORDS[s['step']]}" for s in r["steps"]]
    return (f"{count(r['dwellings'], 'andere passende woning is', 'andere passende woningen zijn')} nooit bruikbaar: "
            + ", ".join(parts))


# --- stage 4: competition ------------------------------------------------------------------------------------


def taken_by_tier(r: Reason) -> str:
    went = verb(r["share"], "ging", "gingen")
    return f"{share(r['share'])} {went} naar {TIER_WHO[r['tier']]} (doel: {objective(r['tier'])})"


def taken_equal(r: Reason) -> str:
    return (f"{share(r['share'])} {verb(r['share'], 'ging', 'gingen')} naar huishoudens die op elk doel gelijk "
            "scoren; de rekenmethode koos tussen gelijken")


def exchange_blocked(r: Reason) -> str:
    higher = r["higher"]
    goals = (objective(higher[0]["tier"]) if len(higher) == 1
             else ", ".join(f"{objective(h['tier'])} bij {h['count']}" for h in higher))
    return (f"{share(r['share'])} {verb(r['share'], 'ging', 'gingen')} naar andere huishoudens, hoewel dit "
            f"huishouden hoger scoort op {goals}; ruilen zou elders een grens overschrijden, of het voorstel is niet "
            "bewezen optimaal")


def municipality_full(r: Reason) -> str:
    def state(m: dict[str, Any]) -> str:
        if m["persons"] >= m["cap"]:
            return f"gemeente {m['municipality']} zit aan haar plafond ({m['persons']} van {m['cap']} personen)"
        return f"gemeente {m['municipality']} heeft nog {m['cap'] - m['persons']} van haar {m['cap']} plaatsen"

    return (f"{names(r['municipalities'], state)}; het huishouden telt {count(r['persons'], 'persoon', 'personen')}, "
            f"en dat sluit {share(r['share'])} uit")


def group_full(r: Reason) -> str:
    def state(g: dict[str, Any]) -> str:
        return f"groep {g['group']} heeft haar aandeel bereikt ({g['used']} van {g['cap']} woningen)"

    return f"{names(r['groups'], state)}, en dat sluit {share(r['share'])} uit"


def school_full(r: Reason) -> str:
    def state(s: dict[str, Any]) -> str:
        left = s["left"]
        return f"school {s['school']} heeft " + ("geen vrije plaats meer" if left <= 0
                                                 else f"nog {count(left, 'vrije plaats', 'vrije plaatsen')}")

    school = SCHOOL_KINDS.get(r["kind"], r["kind"])
    return (f"geen {school} binnen {km(r['limit_km'])} km heeft nog "
            f"{count(r['kids'], 'vrije plaats', 'vrije plaatsen')} ({names(r['schools'], state)}), en dat sluit "
            f"{share(r['share'])} uit")


def left_free(r: Reason) -> str:
    if r["rewarding"]:
        return (f"{share(r['share'])} {verb(r['share'], 'bleef', 'bleven')} leeg, hoewel wonen daar "
                f"'{objective(r['rewarding'])}' zou verhogen: het voorstel is niet bewezen optimaal (tijdslimiet)")
    goals = ", ".join(objective(name) for name in r["objectives"]) or "geen doelen"
    stayed = verb(r["share"], "bleef", "bleven")
    return f"{share(r['share'])} {stayed} leeg: wonen daar verbetert geen doel van dit beleid ({goals})"


def unexplained(r: Reason) -> str:
    return "niet geplaatst; geen specifieke reden gevonden"


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
    "locked": "eerder al geaccepteerd (vastgezet)",
    "overdue": "over de termijn ({weeks} weken wachtend)",
    "waiting": "{weeks} weken wachtend",
    "persons": "{persons} personen",
    "one_person": "1 persoon",
    "expected": "nog {expected} verwacht (gezinshereniging), straks {final}",
    "tie": "binding met {municipality} ({kinds}), {bonus:+d}",
    "unused": "{count} slaapkamer(s) over, {penalty:+d}",
    "school": "{kind} {school} op {km} km, {penalty:+d}",
    "quality": "kwaliteit {quality:+d}",
    "progress": "{municipality}: van {before} naar {after} van de taakstelling van {target} personen",
}
PLACEMENT_SCHOOL_KINDS = SCHOOL_KINDS
TIE_KINDS = {"work": "werk", "education": "opleiding", "family": "familie", "care": "zorg"}


# --- a pair of the version under review that a re-plan moved (``moved``) -------------------------------------

MOVED_WHY = {
    "declined": "de koppeling is afgewezen",
    "lock": "het huishouden heeft een andere woning geaccepteerd",
    "rules": "de koppeling voldoet niet meer aan de regels",
    None: "geen doel dat voor het behouden van koppelingen gaat had het nodig; het voorstel is niet bewezen optimaal",
}


def moved(m: dict[str, Any], now: str | None, takers: str | None) -> str:
    """``now``/``takers`` are what the reader may see: None hides another municipality's dwelling."""
    needed_by = m.get("needed_by")
    if needed_by in MOVED_WHY:
        why = MOVED_WHY[needed_by]
    elif needed_by in OBJECTIVES:
        why = f"behouden had gekost op het doel '{objective(needed_by)}'"
    else:
        why = f"behouden zou een grens overschrijden ({needed_by})"
    where = ("wacht nu" if m.get("now") is None else
             f"is nu voorgesteld voor {now}" if now else "is nu elders voorgesteld")
    taken = f"{m['dwelling']} gaat nu naar {takers}" if takers else f"{m['dwelling']} blijft nu leeg"
    return f"{m['household']} was voorgesteld voor {m['dwelling']} en {where}; {taken}. Waarom: {why}."
