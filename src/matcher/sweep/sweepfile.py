"""The sweep file: which half-year to start from, which what-ifs to try, with which policies and seeds.

A sweep file is TOML (read with the standard library's ``tomllib``) and validated with pydantic. A problem
names the line and the key, e.g. ``sweep.toml:14: variants.low-acceptance.acceptance: must be at most 1``.
``tomllib`` reports line numbers only for syntax errors, so ``key_lines`` finds the line of every key with a
small scan of the text: table headers and ``key =`` lines are all a sweep file needs (a value inside an
inline table or array is reported at the line of its key).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from matcher.exceptions import MatcherError

POLICIES = ("fcfs", "weekly", "lookahead")  # the replay's policies (matcher.simulation.POLICY_NAMES)
FIGURES = ("persons_housed", "households_housed", "overdue_weeks", "max_shortfall_permille", "dwellings_lost",
           "mean_wait_weeks", "declined")  # the figures of a replay (scenario format, "Figures of a replay")
OBJECTIVES = ("overdue_housed", "persons_housed", "max_shortfall_permille", "quality")
BASE_VARIANT = "base"  # the base scenario, untransformed, is always replayed as this variant
DEFAULT_SECONDS_PER_WEEK = 10.0
DEFAULT_MEMORY_MB = 4096  # a U16 half-year's replay peaks far below this (docs/sweeps.md has the measurement)

Name = Annotated[str, Field(pattern=r"^\S(.*\S)?$", max_length=64)]  # a variant: no blank at either end
Code = Annotated[str, Field(min_length=1)]
Share = Annotated[float, Field(ge=0, le=1)]
Factor = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=0)]


class SweepFileInvalid(MatcherError):
    """Every problem of a sweep file at once, each naming its line and key."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problem(s)\n" + "\n".join(f"  {p}" for p in problems))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class AddDwellings(Strict):
    """``count`` new dwellings in ``municipality``, offered on the Monday of ``week`` of the horizon."""

    municipality: Code
    week: Count
    count: int = Field(ge=1, le=10_000)
    bedrooms: Count = 2
    max_occupants: int = Field(default=4, ge=1)
    rent: float = Field(default=650.0, ge=0)
    accessible: bool = False
    offer_weeks: int = Field(default=4, ge=1)
    location: Location | None = None  # default: where the municipality's first dwelling is


class RemoveDwellings(Strict):
    """The first ``count`` dwellings of ``municipality`` (file order) offered in ``week``, or in any week."""

    municipality: Code
    week: Count | None = None
    count: Count | None = None  # default: all of them


class SchoolSeats(Strict):
    """More (or fewer) seats at the schools picked by ``schools`` ids, or by ``kind`` and ``municipality``.

    A school's municipality is that of the dwelling nearest to it: schools carry only a location."""

    schools: list[Code] | None = None
    kind: Literal["primary", "secondary"] | None = None
    municipality: Code | None = None
    add: int = 0
    scale: Factor = 1.0


class GroupCaps(Strict):
    """A new ``max_share`` for the groups picked by ``groups`` ids or ``kind`` (default: every group)."""

    max_share: Share
    groups: list[Code] | None = None
    kind: str | None = None


class Variant(Strict):
    """One what-if: its transforms, each optional, applied in the order of the fields below whatever the
    order in the file (``matcher.sweep.transforms.apply``), so a variant means one thing."""

    weeks: int | None = Field(default=None, ge=1)
    scale_arrivals: Factor | None = None
    add_dwellings: list[AddDwellings] | None = None
    remove_dwellings: list[RemoveDwellings] | None = None
    scale_targets: Factor | None = None
    set_targets: dict[Code, Count] | None = None
    acceptance: Share | None = None
    school_seats: list[SchoolSeats] | None = None
    group_caps: list[GroupCaps] | None = None
    objectives: list[Literal[OBJECTIVES]] | None = None  # type: ignore[valid-type]
    quality_weights: dict[str, Any] | None = None

    @field_validator("objectives")
    @classmethod
    def _no_repeats(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and (not value or len(set(value)) != len(value)):
            raise ValueError("must name each objective at most once, and at least one")
        return value


class Base(Variant):
    """The scenario every variant starts from: a scenario file, or a generator preset (one per seed);
    its own transforms (e.g. ``weeks`` to shorten the horizon) apply to every variant."""

    file: str | None = None
    preset: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Base:
        if (self.file is None) == (self.preset is None):
            raise ValueError("give exactly one of file and preset")
        return self


class Sweep(Strict):
    base: Base
    variants: dict[Name, Variant] = Field(default_factory=dict)
    policies: list[Literal[POLICIES]] = Field(min_length=1)  # type: ignore[valid-type]
    seeds: list[Count] = Field(min_length=1)
    time_limit_per_week: float = Field(default=DEFAULT_SECONDS_PER_WEEK, gt=0)
    memory_mb: int = Field(default=DEFAULT_MEMORY_MB, ge=64)
    figure: Literal[FIGURES] = "persons_housed"  # type: ignore[valid-type]

    @field_validator("variants")
    @classmethod
    def _base_is_reserved(cls, value: dict[str, Variant]) -> dict[str, Variant]:
        if BASE_VARIANT in value:
            raise ValueError(f"{BASE_VARIANT!r} is the base scenario itself; give the variant another name")
        return value

    @field_validator("policies", "seeds")
    @classmethod
    def _distinct(cls, value: list[Any]) -> list[Any]:
        if len(set(value)) != len(value):
            raise ValueError("must not repeat a value")
        return value

    def variant_names(self) -> list[str]:
        return [BASE_VARIANT, *self.variants]


def load_sweep(path: Path) -> Sweep:
    """Read and validate a sweep file; raises ``SweepFileInvalid`` naming line and key of every problem."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SweepFileInvalid(str(path), [f"not valid TOML: {error}"]) from None
    try:
        return Sweep.model_validate(data)
    except ValidationError as error:
        lines = key_lines(text)
        problems = [_problem(str(path), lines, issue["loc"], issue["msg"]) for issue in error.errors()]
        raise SweepFileInvalid(str(path), problems) from None


def located(path: Path, keys: tuple[Any, ...], message: str) -> str:
    """A problem found after validation (a transform that does not fit the scenario), with its line."""
    return _problem(str(path), key_lines(path.read_text(encoding="utf-8")), keys, message)


def _problem(path: str, lines: dict[tuple[str, ...], int], loc: tuple[Any, ...], message: str) -> str:
    keys = tuple(str(part) for part in loc if not isinstance(part, int))
    keys = tuple(k for k in keys if not k.startswith(("literal[", "function-")))  # pydantic's union tags
    line = _line_of(lines, keys)
    where = ".".join(str(part) if not isinstance(part, int) else f"[{part}]" for part in loc).replace(".[", "[")
    return f"{path}:{line}: {where}: {message}" if line else f"{path}: {where}: {message}"


def _line_of(lines: dict[tuple[str, ...], int], keys: tuple[str, ...]) -> int | None:
    """The line of the longest prefix of ``keys`` written in the file (a missing key: its table's line)."""
    for length in range(len(keys), 0, -1):
        if keys[:length] in lines:
            return lines[keys[:length]]
    return None


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'"""  # a bare, "basic" or 'literal' key
_ASSIGNMENT = re.compile(rf"^\s*((?:{_KEY})(?:\s*\.\s*(?:{_KEY}))*)\s*=")
_KEY_PART = re.compile(_KEY)


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The first line (1-based) of every table header and key assignment, keyed by the full key path.

    Lines inside a multi-line array or string are skipped well enough for a sweep file: they hold values,
    and a value line never starts with ``key =`` or ``[name]`` in the files this reads."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header and "=" not in header.group(1):
            table = _parts(header.group(1))
            for length in range(1, len(table) + 1):
                lines.setdefault(table[:length], number)
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment:
            path = table + _parts(assignment.group(1))
            for length in range(len(table) + 1, len(path) + 1):
                lines.setdefault(path[:length], number)
    return lines


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _KEY_PART.findall(dotted))
