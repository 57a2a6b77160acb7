"""The words of the pages in Dutch (the default) and English, one catalogue keyed by a short name.

A plain dictionary rather than gettext catalogues: the pages have a few dozen phrases, and a reviewer sees
both languages of a phrase side by side. A phrase may take named fields (``{code}``), filled by ``format``.
"""

from __future__ import annotations

from collections.abc import Callable

DUTCH, ENGLISH = "nl", "en"
LANGUAGES = (DUTCH, ENGLISH)
DEFAULT_LANGUAGE = DUTCH

MESSAGES: dict[str, dict[str, str]] = {
    "app_name": {DUTCH: "matcher — woningen voor vergunninghouders", ENGLISH: "matcher — homes for status holders"},
    "skip_link": {DUTCH: "Naar de inhoud", ENGLISH: "Skip to content"},
    "language": {DUTCH: "Taal", ENGLISH: "Language"},
    "change_language": {DUTCH: "Taal wijzigen", ENGLISH: "Change language"},
    "sign_in": {DUTCH: "Aanmelden", ENGLISH: "Sign in"},
    "sign_out": {DUTCH: "Afmelden", ENGLISH: "Sign out"},
    "signed_in_as": {DUTCH: "Aangemeld als {who}", ENGLISH: "Signed in as {who}"},
    "coordinator": {DUTCH: "regiocoördinator", ENGLISH: "regional coordinator"},
    "municipality_of": {DUTCH: "gemeente {code}", ENGLISH: "municipality {code}"},
    "api_key": {DUTCH: "API-sleutel", ENGLISH: "API key"},
    "api_key_hint": {DUTCH: "De sleutel die u van de regiocoördinator kreeg (matcher keys create).",
                     ENGLISH: "The key the regional coordinator gave you (matcher keys create)."},
    "sign_in_intro": {DUTCH: "Meld u aan met uw API-sleutel.", ENGLISH: "Sign in with your API key."},
    "unknown_key": {DUTCH: "Deze API-sleutel is onbekend of ingetrokken.",
                    ENGLISH: "This API key is unknown or revoked."},
    "key_missing": {DUTCH: "Vul uw API-sleutel in.", ENGLISH: "Enter your API key."},
    "signed_out": {DUTCH: "U bent afgemeld.", ENGLISH: "You have signed out."},
    "please_sign_in": {DUTCH: "Uw sessie is verlopen of u bent niet aangemeld. Meld u opnieuw aan.",
                       ENGLISH: "Your session has expired or you are not signed in. Please sign in again."},
    "errors_title": {DUTCH: "Er is een probleem", ENGLISH: "There is a problem"},
    "forbidden_title": {DUTCH: "Formulier geweigerd", ENGLISH: "Form refused"},
    "forbidden_text": {DUTCH: "Dit formulier kwam zonder geldig beveiligingstoken binnen (CSRF). Open de pagina "
                              "opnieuw en probeer het nog eens.",
                       ENGLISH: "This form arrived without a valid security token (CSRF). Open the page again and "
                                "try once more."},
    "not_found_title": {DUTCH: "Niet gevonden", ENGLISH: "Not found"},
    "not_found_text": {DUTCH: "Deze pagina bestaat niet, of u heeft er geen toegang toe.",
                       ENGLISH: "This page does not exist, or you have no access to it."},
    "conflict_title": {DUTCH: "Nog niet mogelijk", ENGLISH: "Not possible yet"},
    "back_home": {DUTCH: "Terug naar het begin", ENGLISH: "Back to the start"},
    "municipality_title": {DUTCH: "Gemeente {name} ({code})", ENGLISH: "Municipality {name} ({code})"},
    "progress": {DUTCH: "Voortgang taakstelling", ENGLISH: "Progress towards the taakstelling"},
    "target": {DUTCH: "Taakstelling (personen)", ENGLISH: "Taakstelling (persons)"},
    "housed": {DUTCH: "Al gehuisvest", ENGLISH: "Housed so far"},
    "proposed": {DUTCH: "In dit voorstel", ENGLISH: "In this proposal"},
    "accepted": {DUTCH: "Geaccepteerd", ENGLISH: "Accepted"},
    "shortfall": {DUTCH: "Nog te gaan", ENGLISH: "Still to go"},
    "persons": {DUTCH: "personen", ENGLISH: "persons"},
    "progress_label": {DUTCH: "{done} van {target} personen", ENGLISH: "{done} of {target} persons"},
    "proposed_pairs": {DUTCH: "Voorgestelde koppelingen", ENGLISH: "Proposed pairs"},
    "no_proposal": {DUTCH: "Er is nog geen voorstel voor uw gemeente.",
                    ENGLISH: "There is no proposal for your municipality yet."},
    "no_pairs": {DUTCH: "Het voorstel plaatst niemand in uw woningen.",
                 ENGLISH: "The proposal places no one in your dwellings."},
    "household": {DUTCH: "Huishouden", ENGLISH: "Household"},
    "dwelling": {DUTCH: "Woning", ENGLISH: "Dwelling"},
    "explanation": {DUTCH: "Toelichting", ENGLISH: "Explanation"},
    "decision": {DUTCH: "Besluit", ENGLISH: "Decision"},
    "reason": {DUTCH: "Reden", ENGLISH: "Reason"},
    "reason_hint": {DUTCH: "Verplicht bij afwijzen.", ENGLISH: "Required when declining."},
    "accept": {DUTCH: "Accepteren", ENGLISH: "Accept"},
    "decline": {DUTCH: "Afwijzen", ENGLISH: "Decline"},
    "accepted_state": {DUTCH: "geaccepteerd", ENGLISH: "accepted"},
    "declined_state": {DUTCH: "afgewezen", ENGLISH: "declined"},
    "open_state": {DUTCH: "nog open", ENGLISH: "open"},
    "decide_pair": {DUTCH: "Besluit over {household} in {dwelling}",
                    ENGLISH: "Decision on {household} in {dwelling}"},
    "reason_needed": {DUTCH: "Geef een reden om {household} in {dwelling} af te wijzen.",
                      ENGLISH: "Give a reason to decline {household} in {dwelling}."},
    "decision_saved": {DUTCH: "Uw besluit over {household} in {dwelling} is opgeslagen.",
                       ENGLISH: "Your decision on {household} in {dwelling} is saved."},
    "decision_refused": {DUTCH: "Dit besluit kan niet worden genomen: {detail}",
                         ENGLISH: "This decision cannot be taken: {detail}"},
    "history": {DUTCH: "Eerdere besluiten", ENGLISH: "Earlier decisions"},
    "history_intro": {DUTCH: "Besluiten over woningen van uw gemeente, op elk voorstel, nieuwste eerst.",
                      ENGLISH: "Decisions on your municipality's dwellings, on every proposal, newest first."},
    "on_proposal": {DUTCH: "Voorstel", ENGLISH: "Proposal"},
    "newest": {DUTCH: "nieuwste", ENGLISH: "newest"},
    "moved_title": {DUTCH: "Verschoven sinds de vorige versie", ENGLISH: "Moved since the previous version"},
    "no_history": {DUTCH: "Nog geen besluiten.", ENGLISH: "No decisions yet."},
    "decided_at": {DUTCH: "Wanneer", ENGLISH: "When"},
    "decided_by": {DUTCH: "Door", ENGLISH: "By"},
    "solve": {DUTCH: "Voorstel {solve} (instantie {instance})", ENGLISH: "Proposal {solve} (instance {instance})"},
    "coordinator_title": {DUTCH: "Overzicht van de regio", ENGLISH: "The region at a glance"},
    "municipalities": {DUTCH: "Gemeenten", ENGLISH: "Municipalities"},
    "no_instance": {DUTCH: "Er is nog geen week ingelezen.", ENGLISH: "No week has been submitted yet."},
    "open_count": {DUTCH: "Open", ENGLISH: "Open"},
    "code": {DUTCH: "Code", ENGLISH: "Code"},
    "name": {DUTCH: "Naam", ENGLISH: "Name"},
    "upload_title": {DUTCH: "Een week inlezen", ENGLISH: "Submit a week"},
    "upload_intro": {DUTCH: "Kies het werkboek (.xlsx), de CSV-bestanden of het JSON-bestand van deze week.",
                     ENGLISH: "Choose this week's workbook (.xlsx), CSV files or JSON file."},
    "lists": {DUTCH: "Lijsten van de week", ENGLISH: "The week's lists"},
    "upload": {DUTCH: "Inlezen", ENGLISH: "Submit"},
    "upload_what": {DUTCH: "Lees één werkboek (.xlsx) in, één JSON-bestand, of de CSV-bestanden van een week.",
                    ENGLISH: "Upload one .xlsx workbook, one .json instance, or the .csv files of a week."},
    "upload_problems": {DUTCH: "De lijsten hebben {count} probleem/problemen; niets is opgeslagen.",
                        ENGLISH: "The lists have {count} problem(s); nothing was stored."},
    "where": {DUTCH: "Waar", ENGLISH: "Where"},
    "what": {DUTCH: "Wat", ENGLISH: "What"},
    "sheet_row_column": {DUTCH: "blad {sheet}, rij {row}, kolom {column}",
                         ENGLISH: "sheet {sheet}, row {row}, column {column}"},
    "instance_title": {DUTCH: "Week {name} ingelezen", ENGLISH: "Week {name} submitted"},
    "instance_counts": {DUTCH: "{households} huishoudens, {dwellings} woningen, {municipalities} gemeenten.",
                        ENGLISH: "{households} households, {dwellings} dwellings, {municipalities} municipalities."},
    "start_solve": {DUTCH: "Voorstel berekenen", ENGLISH: "Compute a proposal"},
    "time_limit": {DUTCH: "Rekentijd (seconden)", ENGLISH: "Time limit (seconds)"},
    "time_limit_hint": {DUTCH: "Voor alle doelen samen; hooguit {most} seconden. Na afloop is het voorstel het "
                               "beste dat gevonden is, met de bewezen grenzen.",
                        ENGLISH: "For all objectives together; at most {most} seconds. When it runs out, the "
                                 "proposal is the best found, with the bounds proven."},
    "time_limit_invalid": {DUTCH: "Vul een rekentijd in van meer dan 0 en hooguit {most} seconden.",
                           ENGLISH: "Enter a time limit above 0 and at most {most} seconds."},
    "method": {DUTCH: "Rekenmethode", ENGLISH: "Method"},
    "method_cpsat": {DUTCH: "Optimaliseren", ENGLISH: "Optimise"},
    "method_cpsat_hint": {DUTCH: "Zoekt het beste voorstel voor elk doel op volgorde, met bewijs.",
                          ENGLISH: "Searches the best proposal for each objective in order, with proof."},
    "method_greedy": {DUTCH: "Snel: wie het eerst komt", ENGLISH: "Quick: first come, first served"},
    "method_greedy_hint": {DUTCH: "Zoals een coördinator het met de hand doet; in seconden klaar, zonder bewijs.",
                           ENGLISH: "The way a coordinator works by hand; done in seconds, without proof."},
    "cancel": {DUTCH: "Berekening stoppen", ENGLISH: "Stop the solve"},
    "cancel_hint": {DUTCH: "Stopt het rekenen en bewaart het beste voorstel tot nu toe.",
                    ENGLISH: "Stops the search and keeps the best proposal found so far."},
    "solve_title": {DUTCH: "Berekening {solve}", ENGLISH: "Solve {solve}"},
    "status": {DUTCH: "Status", ENGLISH: "Status"},
    "tier": {DUTCH: "Doel", ENGLISH: "Objective"},
    "value": {DUTCH: "Waarde", ENGLISH: "Value"},
    "bound": {DUTCH: "Grens", ENGLISH: "Bound"},
    "open_report": {DUTCH: "Het voorstel als rapport", ENGLISH: "The proposal as a report"},
    "replan": {DUTCH: "Opnieuw plannen", ENGLISH: "Re-plan"},
    "replan_hint": {DUTCH: "Een nieuw voorstel met de besluiten van de gemeenten: geaccepteerde koppelingen "
                           "blijven staan, afgewezen koppelingen komen niet terug, en koppelingen waarover nog "
                           "niet is besloten blijven zo veel mogelijk behouden.",
                    ENGLISH: "A new proposal with the municipalities' decisions: accepted pairs stay, declined "
                             "pairs do not come back, and pairs not yet decided on are kept as far as possible."},
    "audit_title": {DUTCH: "Logboek", ENGLISH: "Audit trail"},
    "audit_intro": {DUTCH: "Alles wat is gedaan, oudste eerst: wie (sleutel en rol), wat en wanneer.",
                    ENGLISH: "Every act, oldest first: who (key and role), what and when."},
    "kind": {DUTCH: "Soort", ENGLISH: "Kind"},
    "action": {DUTCH: "Handeling", ENGLISH: "Action"},
    "previous_page": {DUTCH: "Vorige bladzijde", ENGLISH: "Previous page"},
    "next_page": {DUTCH: "Volgende bladzijde", ENGLISH: "Next page"},
    "queued": {DUTCH: "in de wachtrij", ENGLISH: "queued"},
    "running": {DUTCH: "bezig", ENGLISH: "running"},
    "completed": {DUTCH: "klaar", ENGLISH: "completed"},
    "failed": {DUTCH: "mislukt", ENGLISH: "failed"},
    "cancelled": {DUTCH: "gestopt", ENGLISH: "cancelled"},
    "overdue_housed": {DUTCH: "huishoudens over de termijn geplaatst", ENGLISH: "overdue households housed"},
    "persons_housed": {DUTCH: "personen gehuisvest", ENGLISH: "persons housed"},
    "max_shortfall_permille": {DUTCH: "grootste achterstand op een taakstelling (promille)",
                               ENGLISH: "largest shortfall on a taakstelling (per mille)"},
    "quality": {DUTCH: "kwaliteit van de koppelingen", ENGLISH: "quality of the pairs"},
    "kept_previous": {DUTCH: "eerder voorgestelde koppelingen behouden", ENGLISH: "earlier proposed pairs kept"},
    "new_week": {DUTCH: "Een nieuwe week inlezen", ENGLISH: "Submit a new week"},
}


SOLVE_STATUSES = ("queued", "running", "completed", "failed", "cancelled")
OBJECTIVES = ("overdue_housed", "persons_housed", "kept_previous", "max_shortfall_permille", "quality")


def translator(language: str) -> Callable[..., str]:
    """``t("key", field=value)`` in the given language (the key itself when a phrase is missing)."""

    def t(key: str, **fields: object) -> str:
        phrase = MESSAGES.get(key, {}).get(language) or MESSAGES.get(key, {}).get(DEFAULT_LANGUAGE) or key
        return phrase.format(**fields) if fields else phrase

    return t
