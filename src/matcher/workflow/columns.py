"""The sheets and columns of a coordinator's workbook, in English and Dutch.

One table says, for every sheet of the workbook, which columns it has, what kind of value each holds, the
English and Dutch header, the other spellings a coordinator might use, and a one-line explanation in both
languages. The importer, the template and the explanation sheet all read this table, so a new column is
added in exactly one place.

Headers are matched after ``normalise``: case, spaces, hyphens and a trailing unit in parentheses do not
matter, so ``Max huur (€)`` finds the column ``max_huur``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")
DEFAULT_LANGUAGE: Language = "nl"

# What a cell holds; ``matcher.workflow.spreadsheet_values`` has one reader per kind.
CellKind = Literal[
    "text",  # free text or an id
    "whole",  # whole number >= 0
    "number",  # decimal number, Dutch decimal comma accepted
    "optional_number",  # a number, or empty for "no limit" (null)
    "flag",  # ja/nee, yes/no, true/false, 1/0
    "date",  # Excel date, ISO 2026-12-21 or Dutch 21-12-2026
    "ages",  # ages of the members in one cell: 34;31;7;3
    "ties",  # ties in one cell: GM0344:work:required;GM0356:family
    "ids",  # a list of ids in one cell: g01;g02
    "tie_kind",  # work, education, family, care (or Dutch)
    "school_kind",  # primary, secondary (or Dutch)
    "age_range",  # two ages: 4-11
    "objectives",  # objective names in order: overdue_housed;persons_housed
]


@dataclass(frozen=True)
class Label:
    en: str
    nl: str

    def __call__(self, language: Language) -> str:
        return self.nl if language == "nl" else self.en


@dataclass(frozen=True)
class Column:
    """One column of a sheet (or one key of a key/value sheet such as the policy)."""

    field: str  # where the value goes in the instance record (dotted for nested fields)
    header: Label
    kind: CellKind
    help: Label
    required: bool = False
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        """Every normalised spelling that identifies this column."""
        return {normalise(name) for name in (self.field, self.header.en, self.header.nl, *self.aliases)}


@dataclass(frozen=True)
class Sheet:
    """One sheet of the workbook; a key/value sheet has a row per column instead of a column per field."""

    collection: str  # instance collection it fills (or "instance", "policy", "ties")
    title: Label
    columns: tuple[Column, ...]
    help: Label
    required: bool = False
    key_value: bool = False
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {normalise(name) for name in (self.collection, self.title.en, self.title.nl, *self.aliases)}

    def column(self, field: str) -> Column:
        return next(column for column in self.columns if column.field == field)


def normalise(header: str) -> str:
    """Lower case, a unit in parentheses dropped, runs of spaces, hyphens and dots turned into one ``_``."""
    text = re.sub(r"\(.*?\)", "", str(header)).strip().lower()
    return re.sub(r"[\s\-./]+", "_", text).strip("_")


def _c(field: str, en: str, nl: str, kind: CellKind, help_en: str, help_nl: str, *,
       required: bool = False, aliases: tuple[str, ...] = ()) -> Column:
    return Column(field, Label(en, nl), kind, Label(help_en, help_nl), required, aliases)




def _id(*aliases: str) -> Column:
    return _c("id", "id", "id", "text", "Unique code of the record.", "Unieke code van het record.",
              required=True, aliases=("code", *aliases))


LAT = _c("location.lat", "lat", "breedtegraad", "number", "Latitude (WGS84), e.g. 52.0907.",
         "Breedtegraad (WGS84), bijv. 52,0907.", required=True, aliases=("latitude", "breedte"))
LON = _c("location.lon", "lon", "lengtegraad", "number", "Longitude (WGS84), e.g. 5.1214.",
         "Lengtegraad (WGS84), bijv. 5,1214.", required=True, aliases=("longitude", "lng", "lengte"))
AVAILABLE_FROM = _c("available_from", "available_from", "beschikbaar_vanaf", "date",
                    "First day available; empty = start of the week.",
                    "Eerste beschikbare dag; leeg = begin van de week.", aliases=("beschikbaar",))

INSTANCE = Sheet(
    "instance", Label("instance", "instantie"),
    (
        _c("id", "id", "id", "text", "Name of this week's allocation, e.g. u16-2026-w48.",
           "Naam van de toewijzing van deze week, bijv. u16-2026-w48.", required=True, aliases=("naam", "name")),
        _c("period.start", "period_start", "periode_begin", "date", "First day of the planning week.",
           "Eerste dag van de planningsweek.", required=True, aliases=("start", "begin", "periode_start")),
        _c("period.end", "period_end", "periode_einde", "date", "Last day of the planning week.",
           "Laatste dag van de planningsweek.", required=True, aliases=("end", "einde", "eind", "periode_eind")),
    ),
    Label("The week this workbook plans (field / value rows).",
          "De week die deze werkmap plant (regels veld / waarde)."),
    required=True, key_value=True,
)

POLICY = Sheet(
    "policy", Label("policy", "beleid"),
    (
        _c("max_extra_bedrooms", "max_extra_bedrooms", "max_extra_slaapkamers", "whole",
           "Bedrooms a dwelling may have above the household's need (default 1).",
           "Slaapkamers die een woning meer mag hebben dan nodig (standaard 1)."),
        _c("persons_per_bedroom", "persons_per_bedroom", "personen_per_slaapkamer", "whole",
           "Persons per bedroom when computing the need (default 2).",
           "Personen per slaapkamer bij het bepalen van de behoefte (standaard 2)."),
        _c("max_school_km.primary", "max_school_km_primary", "max_schoolafstand_basis_km", "number",
           "Farthest primary school in km (default 5).", "Verste basisschool in km (standaard 5)."),
        _c("max_school_km.secondary", "max_school_km_secondary", "max_schoolafstand_voortgezet_km", "number",
           "Farthest secondary school / ISK in km (default 20).",
           "Verste school voor voortgezet onderwijs / ISK in km (standaard 20)."),
        _c("primary_ages", "primary_ages", "leeftijden_basisschool", "age_range",
           "Ages that need a primary school, e.g. 4-11.", "Leeftijden die naar de basisschool gaan, bijv. 4-11."),
        _c("secondary_ages", "secondary_ages", "leeftijden_voortgezet", "age_range",
           "Ages that need a secondary school, e.g. 12-17.",
           "Leeftijden die naar het voortgezet onderwijs gaan, bijv. 12-17."),
        _c("max_over_target_share", "max_over_target_share", "max_boven_taakstelling", "number",
           "Share a municipality may end above its taakstelling, e.g. 0.10.",
           "Aandeel dat een gemeente boven de taakstelling mag uitkomen, bijv. 0,10."),
        _c("default_max_share", "default_max_share", "standaard_max_aandeel", "number",
           "Cap on status holders in a group that gives none, e.g. 0.5.",
           "Maximaal aandeel statushouders in een groep zonder eigen maximum, bijv. 0,5."),
        _c("overdue_weeks", "overdue_weeks", "weken_tot_urgent", "whole",
           "Weeks of waiting after which a household is overdue (default 14).",
           "Weken wachten waarna een huishouden urgent is (standaard 14)."),
        _c("objectives", "objectives", "doelen", "objectives",
           "Objectives, most important first, separated by ';'. 'none' for no objective.",
           "Doelen, belangrijkste eerst, gescheiden door ';'. 'geen' voor geen doel."),
        _c("quality_weights.tie.work", "weight_tie_work", "gewicht_binding_werk", "whole",
           "Quality points for a work tie (default 30).", "Kwaliteitspunten voor een werkbinding (standaard 30)."),
        _c("quality_weights.tie.education", "weight_tie_education", "gewicht_binding_opleiding", "whole",
           "Quality points for an education tie (default 20).",
           "Kwaliteitspunten voor een opleidingsbinding (standaard 20)."),
        _c("quality_weights.tie.family", "weight_tie_family", "gewicht_binding_familie", "whole",
           "Quality points for a family tie (default 20).",
           "Kwaliteitspunten voor een familiebinding (standaard 20)."),
        _c("quality_weights.tie.care", "weight_tie_care", "gewicht_binding_zorg", "whole",
           "Quality points for a care tie (default 20).", "Kwaliteitspunten voor een zorgbinding (standaard 20)."),
        _c("quality_weights.unused_bedroom", "weight_unused_bedroom", "gewicht_lege_slaapkamer", "whole",
           "Points lost per unused bedroom (default 10).", "Puntenaftrek per ongebruikte slaapkamer (standaard 10)."),
        _c("quality_weights.school_km", "weight_school_km", "gewicht_school_km", "whole",
           "Points lost per km to school (default 1).", "Puntenaftrek per km naar school (standaard 1)."),
    ),
    Label("Allocation rules; leave a value empty to keep the default.",
          "Toewijzingsregels; laat een waarde leeg voor de standaard."),
    key_value=True, aliases=("beleidsregels",),
)

MUNICIPALITIES = Sheet(
    "municipalities", Label("municipalities", "gemeenten"),
    (
        _c("id", "id", "id", "text", "CBS code, e.g. GM0344.", "CBS-code, bijv. GM0344.",
           required=True, aliases=("code", "gemeentecode", "cbs_code")),
        _c("name", "name", "naam", "text", "Name of the municipality.", "Naam van de gemeente."),
        _c("target", "target", "taakstelling", "whole", "Taakstelling of this half-year, in persons.",
           "Taakstelling van dit halfjaar, in personen.", required=True),
        _c("housed", "housed", "gehuisvest", "whole", "Persons already housed this half-year.",
           "Personen die dit halfjaar al gehuisvest zijn.", required=True, aliases=("al_gehuisvest", "gerealiseerd")),
    ),
    Label("One row per municipality.", "Eén regel per gemeente."),
    required=True, aliases=("gemeentes",),
)

DWELLINGS = Sheet(
    "dwellings", Label("dwellings", "woningen"),
    (
        _id("dwelling", "woning", "woningcode"),
        _c("municipality", "municipality", "gemeente", "text", "CBS code of the municipality.",
           "CBS-code van de gemeente.", required=True, aliases=("gemeentecode",)),
        LAT,
        LON,
        _c("bedrooms", "bedrooms", "slaapkamers", "whole", "Number of bedrooms (0 = studio).",
           "Aantal slaapkamers (0 = studio).", required=True),
        _c("max_occupants", "max_occupants", "max_bewoners", "whole", "Most persons allowed to live there.",
           "Maximaal aantal bewoners.", required=True, aliases=("max_personen",)),
        _c("rent", "rent", "huur", "number", "Bare rent per month in euros (per place when shared).",
           "Kale huur per maand in euro (per plaats bij delen).", required=True, aliases=("kale_huur",)),
        _c("accessible", "accessible", "toegankelijk", "flag", "Step-free: ja/nee.", "Gelijkvloers/traploos: ja/nee.",
           aliases=("gelijkvloers", "traploos")),
        _c("shared_places", "shared_places", "gedeelde_plaatsen", "whole",
           "Places for single sharers; 0 or empty = not shared.",
           "Plaatsen voor alleenstaanden die delen; 0 of leeg = niet gedeeld.", aliases=("kamers_te_delen",)),
        _c("groups", "groups", "groepen", "ids", "Mixed-occupancy groups, separated by ';'.",
           "Groepen voor gemengd wonen, gescheiden door ';'.", aliases=("groep",)),
        AVAILABLE_FROM,
    ),
    Label("One row per dwelling offered this week.", "Eén regel per woning die deze week beschikbaar is."),
    required=True,
)

HOUSEHOLDS = Sheet(
    "households", Label("households", "huishoudens"),
    (
        _id("household", "huishouden"),
        _c("members", "ages", "leeftijden", "ages", "Ages of the members now here, separated by ';', e.g. 34;31;7;3.",
           "Leeftijden van de leden die er nu zijn, gescheiden door ';', bijv. 34;31;7;3.",
           required=True, aliases=("members", "leden")),
        _c("expected_members", "expected_members", "nareizigers", "whole",
           "Members expected through family reunification.", "Verwachte nareizigers (gezinshereniging).",
           aliases=("verwachte_leden", "gezinshereniging")),
        _c("needs_accessible", "needs_accessible", "toegankelijk_nodig", "flag", "Needs a step-free dwelling: ja/nee.",
           "Heeft een gelijkvloerse woning nodig: ja/nee.", aliases=("heeft_toegankelijk_nodig",)),
        _c("max_rent", "max_rent", "max_huur", "optional_number", "Highest rent; empty = no limit.",
           "Hoogste huur; leeg = geen grens.", aliases=("maximale_huur",)),
        _c("shareable", "shareable", "wil_delen", "flag", "Single adult willing to share: ja/nee.",
           "Alleenstaande die wil delen: ja/nee.", aliases=("deelbaar",)),
        _c("ties", "ties", "bindingen", "ties",
           "Ties as municipality:kind[:required], separated by ';', e.g. GM0344:work:required;GM0356:family.",
           "Bindingen als gemeente:soort[:verplicht], gescheiden door ';', bijv. GM0344:werk:verplicht;GM0356:familie.",
           aliases=("binding", "banden")),
        _c("waiting_since", "waiting_since", "wacht_sinds", "date", "Date the household started waiting.",
           "Datum waarop het huishouden begon te wachten.", required=True, aliases=("wachtend_sinds",)),
        AVAILABLE_FROM,
    ),
    Label("One row per household (ages only: no names).", "Eén regel per huishouden (alleen leeftijden: geen namen)."),
    required=True,
)

TIES = Sheet(
    "ties", Label("ties", "bindingen"),
    (
        _c("household", "household", "huishouden", "text", "Household id.", "Code van het huishouden.", required=True),
        _c("municipality", "municipality", "gemeente", "text", "CBS code of the municipality.",
           "CBS-code van de gemeente.", required=True),
        _c("kind", "kind", "soort", "tie_kind", "work, education, family or care.", "werk, opleiding, familie of zorg.",
           required=True),
        _c("required", "required", "verplicht", "flag", "Must be housed there: ja/nee.", "Moet daar wonen: ja/nee."),
    ),
    Label("Optional: ties one per row, added to those in the households sheet.",
          "Optioneel: bindingen één per regel, aanvullend op die in het blad huishoudens."),
)

GROUPS = Sheet(
    "groups", Label("groups", "groepen"),
    (
        _id("group", "groep"),
        _c("kind", "kind", "soort", "text", "E.g. complex, street, neighbourhood.", "Bijv. complex, straat, buurt."),
        _c("units", "units", "eenheden", "whole", "Dwellings in the group.", "Woningen in de groep.", required=True,
           aliases=("woningen",)),
        _c("status_holder_units", "status_holder_units", "eenheden_statushouders", "whole",
           "Of those, already let to status holders.", "Daarvan al verhuurd aan statushouders.", required=True,
           aliases=("statushouders",)),
        _c("max_share", "max_share", "max_aandeel", "number",
           "Highest share of status holders, e.g. 0.4; empty = policy.",
           "Hoogste aandeel statushouders, bijv. 0,4; leeg = beleid."),
    ),
    Label("Mixed-occupancy groups (complex, street, neighbourhood).",
          "Groepen voor gemengd wonen (complex, straat, buurt)."),
)

SCHOOLS = Sheet(
    "schools", Label("schools", "scholen"),
    (
        _id("school"),
        _c("kind", "kind", "soort", "school_kind", "primary or secondary (newcomer class, ISK).",
           "basis of voortgezet (nieuwkomersklas, ISK).", required=True),
        LAT,
        LON,
        _c("seats", "seats", "vrije_plaatsen", "whole", "Free seats for newcomer pupils.",
           "Vrije plaatsen voor nieuwkomers.", required=True, aliases=("plaatsen",)),
    ),
    Label("Schools that take newcomer pupils.", "Scholen die nieuwkomers opnemen."),
)

LOCKS = Sheet(
    "locks", Label("locks", "vastgelegd"),
    (
        _c("household", "household", "huishouden", "text", "Household id.", "Code van het huishouden.", required=True),
        _c("dwelling", "dwelling", "woning", "text", "Dwelling id.", "Code van de woning.", required=True),
        _c("schools.primary", "primary_school", "basisschool", "text", "Agreed primary school (optional).",
           "Afgesproken basisschool (optioneel)."),
        _c("schools.secondary", "secondary_school", "school_voortgezet", "text", "Agreed secondary school (optional).",
           "Afgesproken school voortgezet onderwijs (optioneel).", aliases=("isk", "middelbare_school")),
    ),
    Label("Pairs already accepted: they stay in every proposal.", "Al geaccepteerde koppelingen: die blijven staan."),
    aliases=("vast", "geaccepteerd"),
)

FORBIDDEN = Sheet(
    "forbidden", Label("forbidden", "uitgesloten"),
    (
        _c("household", "household", "huishouden", "text", "Household id.", "Code van het huishouden.", required=True),
        _c("dwelling", "dwelling", "woning", "text", "Dwelling id.", "Code van de woning.", required=True),
        _c("reason", "reason", "reden", "text", "Why this pair is declined.", "Waarom deze koppeling niet kan."),
    ),
    Label("Pairs that must not be proposed.", "Koppelingen die niet voorgesteld mogen worden."),
    aliases=("geweigerd", "verboden"),
)

SHEETS: tuple[Sheet, ...] = (INSTANCE, POLICY, MUNICIPALITIES, DWELLINGS, HOUSEHOLDS, TIES, GROUPS, SCHOOLS, LOCKS,
                             FORBIDDEN)

# Header of the two (three) columns of a key/value sheet.
KEY_HEADER = Label("field", "veld")
VALUE_HEADER = Label("value", "waarde")
NOTE_HEADER = Label("explanation", "toelichting")
KEY_NAMES = {normalise(name) for name in ("field", "veld", "key", "sleutel", "naam")}
VALUE_NAMES = {normalise(name) for name in ("value", "waarde")}
# Columns a coordinator may add for their own notes; the importer skips them without a warning.
NOTE_NAMES = {normalise(name) for name in ("explanation", "toelichting", "notes", "note", "opmerking", "opmerkingen",
                                             "comment", "commentaar")}

EXPLANATION_TITLE = Label("explanation", "uitleg")

# Values of the drop-downs, in each language; the importer accepts every spelling listed here.
TIE_KIND_NAMES: dict[str, Label] = {
    "work": Label("work", "werk"),
    "education": Label("education", "opleiding"),
    "family": Label("family", "familie"),
    "care": Label("care", "zorg"),
}
TIE_KIND_ALIASES = {"studie": "education", "onderwijs": "education", "gezin": "family"}
SCHOOL_KIND_NAMES: dict[str, Label] = {
    "primary": Label("primary", "basis"),
    "secondary": Label("secondary", "voortgezet"),
}
SCHOOL_KIND_ALIASES = {"basisschool": "primary", "primair": "primary", "po": "primary", "isk": "secondary",
                       "vo": "secondary", "secundair": "secondary", "voortgezet_onderwijs": "secondary"}
REQUIRED_WORDS = {"required", "verplicht", "must", "moet"}
FLAG_VALUES: dict[Language, tuple[str, str]] = {"nl": ("ja", "nee"), "en": ("yes", "no")}


def find_sheet(name: str) -> Sheet | None:
    wanted = normalise(name)
    return next((sheet for sheet in SHEETS if wanted in sheet.names()), None)


def find_column(sheet: Sheet, header: str) -> Column | None:
    wanted = normalise(header)
    return next((column for column in sheet.columns if wanted in column.names()), None)


# --- the decision columns of an exported proposal ---------------------------------------------------------
# Municipalities fill these in on the assignments sheet; ``matcher replan`` reads them back. Either
# language's words are accepted when reading, whatever language the workbook was written in.

DECISION_HEADERS: dict[str, tuple[str, str]] = {"nl": ("besluit", "reden"), "en": ("decision", "reason")}
DECISION_VALUES: dict[str, tuple[str, str]] = {"nl": ("geaccepteerd", "afgewezen"), "en": ("accepted", "declined")}
