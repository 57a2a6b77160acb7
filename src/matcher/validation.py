"""Reading an instance: every problem at once, each naming its JSON path and the record it belongs to.

A coordinator who submits 600 households wants the full list of what to fix, not a traceback and not
just the first problem. Two passes: pydantic checks each record on its own, then the cross-record checks
(unique ids, references) run on whatever parsed. Problems render as
``households[17] (id "h-0342").members: must not be empty``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matcher.exceptions import InstanceInvalid, Problem
from matcher.format import INSTANCE_FORMAT, Instance

COLLECTIONS = ("municipalities", "dwellings", "households", "groups", "schools", "locks", "forbidden")


def read_json(source: str | bytes | Path) -> Any:
    """Parse a JSON document from text, bytes or a file path; a syntax error becomes one problem."""
    if isinstance(source, Path):
        try:
            source = source.read_bytes()
        except OSError as error:
            raise InstanceInvalid([Problem("", None, f"cannot read file: {error.strerror}", "io")]) from None
    try:
        return json.loads(source)
    except UnicodeDecodeError:
        raise InstanceInvalid([Problem("", None, "is not UTF-8 text", "json")]) from None
    except json.JSONDecodeError as error:
        message = f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        raise InstanceInvalid([Problem("", None, message, "json")]) from None


def load_instance(source: str | bytes | Path | dict[str, Any]) -> Instance:
    """Return a fully validated instance or raise ``InstanceInvalid`` with every problem found."""
    data = source if isinstance(source, dict) else read_json(source)
    if not isinstance(data, dict):
        raise InstanceInvalid([Problem("", None, "must be a JSON object", "type")])
    if data.get("format") != INSTANCE_FORMAT:
        found = json.dumps(data.get("format")) if "format" in data else "nothing"
        raise InstanceInvalid([Problem("format", None, f'must be "{INSTANCE_FORMAT}", got {found}', "format")])
    try:
        instance = Instance.model_validate(data)
    except ValidationError as error:
        raise InstanceInvalid(list(_pydantic_problems(error, data))) from None
    problems = list(reference_problems(instance))
    if problems:
        raise InstanceInvalid(problems)
    return instance


# --- pydantic errors in the user's words ----------------------------------------------------------------


def _pydantic_problems(error: ValidationError, data: dict[str, Any]) -> Iterator[Problem]:
    for detail in error.errors(include_url=False):
        location = [part for part in detail["loc"] if not _is_pydantic_tag(part)]
        yield Problem(
            path=_render_path(location),
            record_id=_record_id(data, location),
            message=_friendly_message(detail),
            code=str(detail["type"]),
        )


def _is_pydantic_tag(part: Any) -> bool:
    """Union and literal branches add tags such as ``'literal[...]'`` or ``'function-after[...]'`` to locations."""
    return isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "bool", "date", "none"})


def _render_path(location: Iterable[Any]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _record_id(data: dict[str, Any], location: list[Any]) -> str | None:
    """The ``id`` of the top-level record the location points into, when the input has one."""
    if len(location) < 2 or location[0] not in COLLECTIONS or not isinstance(location[1], int):
        return None
    records = data.get(location[0])
    if not isinstance(records, list) or location[1] >= len(records) or not isinstance(records[location[1]], dict):
        return None
    record_id = records[location[1]].get("id")
    return record_id if isinstance(record_id, str) else None


def _friendly_message(detail: Any) -> str:
    kind, context, given = detail["type"], detail.get("ctx") or {}, detail.get("input")
    if kind == "missing":
        return "is required"
    if kind == "too_short" and context.get("min_length") == 1:
        return "must not be empty"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        symbol = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        limit = next(iter(context.values()))
        return f"must be {symbol} {limit}, got {_show(given)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"must be a whole number, got {_show(given)}"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number, got {_show(given)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"must be true or false, got {_show(given)}"
    if kind.startswith("date"):
        return f"must be a date YYYY-MM-DD, got {_show(given)}"
    if kind in ("string_type", "string_too_short"):
        return f"must be a non-empty string, got {_show(given)}"
    if kind == "list_type":
        return f"must be a list, got {_show(given)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"must be an object, got {_show(given)}"
    if kind == "literal_error":
        return f"must be one of {context.get('expected')}, got {_show(given)}"
    if kind == "value_error":
        return str(context.get("error", detail["msg"]))
    return str(detail["msg"][:1].lower() + detail["msg"][1:])


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


# --- cross-record checks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Directory:
    """Where each id of each collection lives, for reference checks."""

    ids: dict[str, dict[str, int]]

    @classmethod
    def of(cls, instance: Instance) -> _Directory:
        return cls({name: {record.id: i for i, record in enumerate(getattr(instance, name)) if hasattr(record, "id")}
                    for name in COLLECTIONS})

    def has(self, collection: str, record_id: str) -> bool:
        return record_id in self.ids[collection]


def reference_problems(instance: Instance) -> Iterator[Problem]:
    """Unique ids, references that resolve, and the lock rules that need no solver."""
    yield from _duplicate_ids(instance)
    directory = _Directory.of(instance)
    yield from _dwelling_references(instance, directory)
    yield from _tie_references(instance, directory)
    yield from _pair_references(instance, directory, "locks")
    yield from _pair_references(instance, directory, "forbidden")
    yield from _lock_consistency(instance, directory)


def _duplicate_ids(instance: Instance) -> Iterator[Problem]:
    for collection in ("municipalities", "dwellings", "households", "groups", "schools"):
        records = getattr(instance, collection)
        counts = Counter(record.id for record in records)
        first_seen: dict[str, int] = {}
        for i, record in enumerate(records):
            if counts[record.id] > 1:
                if record.id in first_seen:
                    where = f"{collection}[{first_seen[record.id]}]"
                    yield Problem(f"{collection}[{i}].id", record.id, f"duplicate id, already used by {where}",
                                  "duplicate_id")
                else:
                    first_seen[record.id] = i


def _dwelling_references(instance: Instance, directory: _Directory) -> Iterator[Problem]:
    for i, dwelling in enumerate(instance.dwellings):
        if not directory.has("municipalities", dwelling.municipality):
            yield Problem(f"dwellings[{i}].municipality", dwelling.id,
                          f'unknown municipality "{dwelling.municipality}"', "unknown_reference")
        for j, group in enumerate(dwelling.groups):
            if not directory.has("groups", group):
                yield Problem(f"dwellings[{i}].groups[{j}]", dwelling.id, f'unknown group "{group}"',
                              "unknown_reference")


def _tie_references(instance: Instance, directory: _Directory) -> Iterator[Problem]:
    for i, household in enumerate(instance.households):
        for j, tie in enumerate(household.ties):
            if not directory.has("municipalities", tie.municipality):
                yield Problem(f"households[{i}].ties[{j}].municipality", household.id,
                              f'unknown municipality "{tie.municipality}"', "unknown_reference")


def _pair_references(instance: Instance, directory: _Directory, collection: str) -> Iterator[Problem]:
    for i, pair in enumerate(getattr(instance, collection)):
        label = f"{pair.household} -> {pair.dwelling}"
        if not directory.has("households", pair.household):
            yield Problem(f"{collection}[{i}].household", label, f'unknown household "{pair.household}"',
                          "unknown_reference")
        if not directory.has("dwellings", pair.dwelling):
            yield Problem(f"{collection}[{i}].dwelling", label, f'unknown dwelling "{pair.dwelling}"',
                          "unknown_reference")


def _lock_consistency(instance: Instance, directory: _Directory) -> Iterator[Problem]:
    forbidden = {(pair.household, pair.dwelling) for pair in instance.forbidden}
    locked_before: dict[str, int] = {}
    for i, lock in enumerate(instance.locks):
        label = f"{lock.household} -> {lock.dwelling}"
        if (lock.household, lock.dwelling) in forbidden:
            yield Problem(f"locks[{i}]", label, "lock is also a forbidden pair", "lock_forbidden")
        if lock.household in locked_before:
            yield Problem(f"locks[{i}].household", label,
                          f'household "{lock.household}" is already locked by locks[{locked_before[lock.household]}]',
                          "lock_duplicate")
        else:
            locked_before[lock.household] = i
        for kind, school_id in lock.named_schools().items():
            position = directory.ids["schools"].get(school_id)
            if position is None:
                yield Problem(f"locks[{i}].schools.{kind}", label, f'unknown school "{school_id}"', "unknown_reference")
            elif instance.schools[position].kind != kind:
                yield Problem(f"locks[{i}].schools.{kind}", label,
                              f'school "{school_id}" is a {instance.schools[position].kind} school, not {kind}',
                              "lock_school_kind")
