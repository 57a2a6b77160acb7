"""The instance and proposal formats (``matcher.instance/1``, ``matcher.proposal/1``) as pydantic models.

These models are the contract of ``docs/format.md`` turned into code: field names are the JSON
names, defaults are the documented defaults, and ``null`` means "take the default" wherever a field has
one. Checks that need the whole document (unique ids, references between collections) live in
``matcher.validation``; the models check only what a single record can tell about itself.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from matcher.problem_words import ENGLISH, WORDS

INSTANCE_FORMAT: Final = "matcher.instance/1"
PROPOSAL_FORMAT: Final = "matcher.proposal/1"

ObjectiveName = Literal["overdue_housed", "persons_housed", "kept_previous", "max_shortfall_permille", "quality"]
OBJECTIVE_NAMES: tuple[str, ...] = ("overdue_housed", "persons_housed", "kept_previous", "max_shortfall_permille",
                                    "quality")
MAXIMISED_OBJECTIVES = frozenset({"overdue_housed", "persons_housed", "kept_previous", "quality"})
DEFAULT_OBJECTIVES: tuple[str, ...] = ("overdue_housed", "persons_housed", "max_shortfall_permille", "quality")
# A re-plan after decisions keeps what municipalities are still looking at unless an overdue household or a
# person more housed needs it (the contract's "Additions of 2026-12").
REPLAN_OBJECTIVES: tuple[str, ...] = ("overdue_housed", "persons_housed", "kept_previous", "max_shortfall_permille",
                                      "quality")
PERMILLE = 1000  # max_shortfall_permille, and every progress figure, counts thousandths of a target
PERCENT = 100  # shares of the policy (max_over_target_share, a group's max share) as people read them

TieKind = Literal["work", "education", "family", "care"]
TIE_KINDS: tuple[str, ...] = ("work", "education", "family", "care")

SchoolKind = Literal["primary", "secondary"]
SCHOOL_KINDS: tuple[str, ...] = ("primary", "secondary")

MAX_ID_LENGTH = 200  # one limit for every id: instance records, proposals and the service's decisions alike
ID_NORMAL_FORM: Final = "NFC"  # two ids that look the same are the same string only in one normal form


def _worded_error(key: str, **facts: Any) -> PydanticCustomError:
    """A check of this module failed: its error type is the wording key, so the reader words it in any language."""
    return PydanticCustomError(key, WORDS[key][ENGLISH], facts)


def normal_id(text: str) -> str:
    """An id is in normal form NFC, so that "é" typed two ways cannot be two different ids. (Unpaired
    surrogates, which are no Unicode text at all, pydantic already refuses.)"""
    if not unicodedata.is_normalized(ID_NORMAL_FORM, text):
        raise _worded_error("id_normal_form")
    return text


Id = Field(min_length=1, max_length=MAX_ID_LENGTH)
Identifier = Annotated[str, Id, AfterValidator(normal_id)]

# --- JSON types, taken literally ---------------------------------------------------------------------------
# pydantic's lax mode would read "5" or true as the age 5 or 1, "yes" as true and 0 as 1970-01-01; a
# coordinator's typo must be reported instead of silently becoming data. Whole numbers also get a generous
# upper bound so that every derived quantity fits numpy's and CP-SAT's 64-bit integers.

LARGEST_INTEGER = 1_000_000_000
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _whole_number(value: Any) -> Any:
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if isinstance(value, int | float) and abs(value) > LARGEST_INTEGER:
        raise PydanticCustomError("less_than_equal", "Input should be at most {le}", {"le": LARGEST_INTEGER})
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError("float_type", "Input should be a valid number")
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")


Whole = Annotated[int, BeforeValidator(_whole_number)]
Number = Annotated[float, BeforeValidator(_number)]
Flag = Annotated[bool, Strict()]
Date = Annotated[dt.date, BeforeValidator(_iso_date)]


def _defaulted_fields(model: type[BaseModel]) -> set[str]:
    """Fields with a default other than None: for these, ``null`` in a document means "take the default"."""
    return {name for name, field in model.model_fields.items() if not field.is_required() and field.default is not None}


def _or_null(schema: dict[str, Any]) -> None:
    """Widen a field's JSON Schema (in place) to accept ``null`` as well; its title and default stay on top."""
    accepted = dict(schema)
    notes: dict[str, Any] = {key: accepted.pop(key) for key in ("title", "description", "default") if key in accepted}
    schema.clear()
    schema.update({"anyOf": [accepted, {"type": "null"}], **notes})


def _null_allowed_where_defaulted(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """The JSON Schema says what the reader accepts: ``null`` too, wherever it takes the default."""
    properties = schema.get("properties", {})
    for name in _defaulted_fields(model) & properties.keys():
        _or_null(properties[name])


class Record(BaseModel):
    """Base for every input record: unknown fields are ignored, and ``null`` takes the field's default."""

    model_config = ConfigDict(extra="ignore", frozen=False, allow_inf_nan=False,
                              json_schema_extra=_null_allowed_where_defaulted)

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        defaulted = _defaulted_fields(cls)
        return {key: value for key, value in data.items() if not (value is None and key in defaulted)}


class Location(Record):
    lat: Number = Field(ge=-90.0, le=90.0)
    lon: Number = Field(ge=-180.0, le=180.0)


class Period(Record):
    start: Date
    end: Date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start > self.end:
            raise _worded_error("period_order", start=str(self.start), end=str(self.end))
        return self


class MaxSchoolKm(Record):
    primary: Number = Field(default=5.0, ge=0.0)
    secondary: Number = Field(default=20.0, ge=0.0)

    def for_kind(self, kind: str) -> float:
        return self.primary if kind == "primary" else self.secondary


class TieWeights(Record):
    work: Whole = 30
    education: Whole = 20
    family: Whole = 20
    care: Whole = 20

    def for_kind(self, kind: str) -> int:
        return int(getattr(self, kind))


class QualityWeights(Record):
    tie: TieWeights = Field(default_factory=TieWeights)
    unused_bedroom: Whole = 10
    school_km: Whole = 1


def _default_objectives() -> list[ObjectiveName]:
    return ["overdue_housed", "persons_housed", "max_shortfall_permille", "quality"]


class Policy(Record):
    max_extra_bedrooms: Whole = Field(default=1, ge=0)
    persons_per_bedroom: Whole = Field(default=2, ge=1)
    max_school_km: MaxSchoolKm = Field(default_factory=MaxSchoolKm)
    primary_ages: tuple[Whole, Whole] = (4, 11)
    secondary_ages: tuple[Whole, Whole] = (12, 17)
    max_over_target_share: Number = Field(default=0.10, ge=0.0)
    default_max_share: float = Field(default=0.5, ge=0.0, le=1.0)
    overdue_weeks: Whole = Field(default=14, ge=0)
    objectives: list[ObjectiveName] = Field(default_factory=_default_objectives)
    quality_weights: QualityWeights = Field(default_factory=QualityWeights)

    @field_validator("primary_ages", "secondary_ages")
    @classmethod
    def _range_is_ordered(cls, ages: tuple[int, int]) -> tuple[int, int]:
        low, high = ages
        if low < 0 or high < low:
            raise _worded_error("age_range_order", low=low, high=high)
        return ages

    @field_validator("objectives")
    @classmethod
    def _objectives_unique(cls, names: list[str]) -> list[str]:
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise _worded_error("objectives_repeated", names=", ".join(repeated))
        return names

    @model_validator(mode="after")
    def _age_ranges_disjoint(self) -> Policy:
        (p_low, p_high), (s_low, s_high) = self.primary_ages, self.secondary_ages
        if p_low <= s_high and s_low <= p_high:
            raise _worded_error("age_ranges_overlap", p_low=p_low, p_high=p_high, s_low=s_low, s_high=s_high)
        return self

    def ages(self, kind: str) -> tuple[int, int]:
        return self.primary_ages if kind == "primary" else self.secondary_ages


class Municipality(Record):
    id: Identifier
    name: str = ""
    target: Whole = Field(ge=0)
    housed: Whole = Field(ge=0)


class Dwelling(Record):
    id: Identifier
    municipality: Identifier
    location: Location
    bedrooms: Whole = Field(ge=0)
    max_occupants: Whole = Field(ge=1)
    rent: Number = Field(ge=0.0)
    accessible: Flag = False
    shared_places: Whole = Field(default=0, ge=0)
    groups: list[str] = Field(default_factory=list)
    available_from: Date | None = None

    @property
    def is_shared(self) -> bool:
        return self.shared_places > 0


class Member(Record):
    age: Whole = Field(ge=0)


class Tie(Record):
    municipality: Identifier
    kind: TieKind
    required: Flag = False


class Household(Record):
    id: Identifier
    members: list[Member] = Field(min_length=1)
    expected_members: Whole = Field(default=0, ge=0)
    needs_accessible: Flag = False
    max_rent: Number | None = Field(default=None, ge=0.0)
    shareable: Flag = False
    ties: list[Tie] = Field(default_factory=list)
    waiting_since: Date
    available_from: Date | None = None

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def final_size(self) -> int:
        return len(self.members) + self.expected_members


class Group(Record):
    id: Identifier
    kind: str = ""
    units: Whole = Field(ge=1)
    status_holder_units: Whole = Field(ge=0)
    max_share: Number | None = Field(default=None, ge=0.0, le=1.0)


class School(Record):
    id: Identifier
    kind: SchoolKind
    location: Location
    seats: Whole = Field(ge=0)


class Lock(Record):
    household: Identifier
    dwelling: Identifier
    schools: dict[SchoolKind, str | None] | None = None

    def named_schools(self) -> dict[str, str]:
        return {kind: school for kind, school in (self.schools or {}).items() if school is not None}


class Forbidden(Record):
    household: Identifier
    dwelling: Identifier
    reason: str | None = None


class Previous(Record):
    """A pair of a proposal still under review: neither accepted nor declined. A re-plan keeps it if it can."""

    household: str = Id
    dwelling: str = Id


class Instance(Record):
    """A weekly allocation problem. Construct it through ``matcher.validation`` to get every check."""

    format: Literal["matcher.instance/1"]
    id: Identifier
    period: Period
    policy: Policy = Field(default_factory=Policy)
    municipalities: list[Municipality]
    dwellings: list[Dwelling]
    households: list[Household]
    groups: list[Group] = Field(default_factory=list)
    schools: list[School] = Field(default_factory=list)
    locks: list[Lock] = Field(default_factory=list)
    forbidden: list[Forbidden] = Field(default_factory=list)
    previous: list[Previous] = Field(default_factory=list)

    def dwelling_available_from(self, dwelling: Dwelling) -> dt.date:
        return dwelling.available_from or self.period.start

    def household_available_from(self, household: Household) -> dt.date:
        return household.available_from or self.period.start

    def group_max_share(self, group: Group) -> float:
        return self.policy.default_max_share if group.max_share is None else group.max_share


# --- proposal ---------------------------------------------------------------------------------------------


class OpenRecord(BaseModel):
    """Proposal records keep every extra field (explanations, stats): nothing written is dropped."""

    model_config = ConfigDict(extra="allow")


class ObjectiveValue(OpenRecord):
    name: ObjectiveName
    value: int
    bound: int


class Assignment(OpenRecord):
    household: str
    dwelling: str
    schools: dict[SchoolKind, str | None] = Field(default_factory=dict, json_schema_extra=_or_null)

    @field_validator("schools", mode="before")
    @classmethod
    def _missing_schools_is_empty(cls, schools: Any) -> Any:
        return {} if schools is None else schools

    def named_schools(self) -> dict[str, str]:
        return {kind: school for kind, school in self.schools.items() if school is not None}


class Unassigned(OpenRecord):
    household: str
    reasons: list[str] = Field(default_factory=list)


class MunicipalityProgress(OpenRecord):
    id: str
    target: int
    housed: int
    placed: int


ProposalStatus = Literal["optimal", "feasible", "invalid"]


class Proposal(OpenRecord):
    format: Literal["matcher.proposal/1"] = PROPOSAL_FORMAT
    instance: str
    status: ProposalStatus
    objectives: list[ObjectiveValue] = Field(default_factory=list)
    assignments: list[Assignment] = Field(default_factory=list)
    unassigned: list[Unassigned] = Field(default_factory=list)
    municipalities: list[MunicipalityProgress] = Field(default_factory=list)
    errors: list[str] | None = None

    def objective(self, name: str) -> ObjectiveValue | None:
        return next((objective for objective in self.objectives if objective.name == name), None)

    def to_json(self, indent: int | None = 1) -> str:
        return self.model_dump_json(indent=indent, exclude_none=True)
