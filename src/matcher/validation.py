"""Reading an instance: every problem at once, each naming its JSON path and the record it belongs to.

A coordinator who submits 600 households wants the full list of what to fix, not a traceback and not
just the first problem. Two passes, both always run: pydantic checks each record on its own, and the
cross-record checks (unique ids, references, lock consistency) read the plain document, so they need no
valid models and their problems are reported together with the record problems. Problems render as
``households[17] (id "h-0342").members: must not be empty``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matcher.exceptions import InstanceInvalid, Problem
from matcher.format import INSTANCE_FORMAT, SCHOOL_KINDS, Instance
from matcher.problem_words import UNKNOWN, WORDS

COLLECTIONS = ("municipalities", "dwellings", "households", "groups", "schools", "locks", "forbidden", "previous")
IDENTIFIED_COLLECTIONS = ("municipalities", "dwellings", "households", "groups", "schools")  # ids unique within each


def read_json(source: str | bytes | Path) -> Any:
    """Parse a JSON document from text, bytes or a file path; a syntax error becomes one problem."""
    if isinstance(source, Path):
        try:
            source = source.read_bytes()
        except OSError as error:
            raise InstanceInvalid([Problem.worded("", None, "io", "cannot_read", reason=error.strerror)]) from None
    try:
        return json.loads(source)
    except UnicodeDecodeError:
        raise InstanceInvalid([Problem.worded("", None, "json", "not_utf8")]) from None
    except json.JSONDecodeError as error:
        raise InstanceInvalid([Problem.worded("", None, "json", "not_json", error=error.msg, line=error.lineno,
                                              column=error.colno)]) from None
    except RecursionError:
        raise InstanceInvalid([Problem.worded("", None, "json", "too_deep")]) from None


def load_instance(source: str | bytes | Path | dict[str, Any]) -> Instance:
    """Return a fully validated instance or raise ``InstanceInvalid`` with every problem found."""
    data = source if isinstance(source, dict) else read_json(source)
    if not isinstance(data, dict):
        raise InstanceInvalid([Problem.worded("", None, "type", "not_object_document")])
    if data.get("format") != INSTANCE_FORMAT:
        if "format" in data:
            raise InstanceInvalid([Problem.worded("format", None, "format", "format_wrong", expected=INSTANCE_FORMAT,
                                                  found=_show(data["format"]))])
        raise InstanceInvalid([Problem.worded("format", None, "format", "format_missing", expected=INSTANCE_FORMAT)])
    try:
        instance: Instance | None = Instance.model_validate(data)
        record_problems: list[Problem] = []
    except ValidationError as error:
        instance, record_problems = None, list(_pydantic_problems(error, data))
    problems = record_problems + list(document_reference_problems(data))
    if problems or instance is None:
        raise InstanceInvalid(problems)
    return instance


# --- pydantic errors in the user's words ----------------------------------------------------------------


def _pydantic_problems(error: ValidationError, data: dict[str, Any]) -> Iterator[Problem]:
    for detail in error.errors(include_url=False):
        location = [part for part in detail["loc"] if not _is_pydantic_tag(part)]
        path, record_id, code = _render_path(location), _record_id(data, location), str(detail["type"])
        wording = _wording(detail)
        if wording is None:
            yield Problem(path, record_id, _free_text(detail), code)
        else:
            key, facts = wording
            yield Problem.worded(path, record_id, code, key, **facts)


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
    """The ``id`` of the top-level record the location points into (for a lock or forbidden pair, its pair)."""
    if len(location) < 2 or location[0] not in COLLECTIONS or not isinstance(location[1], int):
        return None
    records = data.get(location[0])
    if not isinstance(records, list) or location[1] >= len(records) or not isinstance(records[location[1]], dict):
        return None
    record = records[location[1]]
    if location[0] not in IDENTIFIED_COLLECTIONS:
        return pair_label(record)
    record_id = record.get("id")
    return record_id if isinstance(record_id, str) and record_id else None


def pair_label(pair: dict[str, Any]) -> str | None:
    """How a lock, forbidden or previous pair, which has no id of its own, is named in messages: ``h-1 -> d-7``."""
    household, dwelling = pair.get("household"), pair.get("dwelling")
    if not isinstance(household, str) and not isinstance(dwelling, str):
        return None
    return f"{household if isinstance(household, str) else '?'} -> {dwelling if isinstance(dwelling, str) else '?'}"


COMPARISONS = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}
WORDING_OF_TYPE = {  # pydantic's error types that are worded alike, each showing the value given
    "int_parsing": "whole_number", "int_type": "whole_number", "int_from_float": "whole_number",
    "float_parsing": "number", "float_type": "number", "bool_parsing": "true_false", "bool_type": "true_false",
    "string_type": "text", "string_too_short": "text", "list_type": "list", "model_type": "object",
    "dict_type": "object", "model_attributes_type": "object", "finite_number": "finite",
}


def _wording(detail: Any) -> tuple[str, dict[str, Any]] | None:
    """The wording key and facts of a pydantic error, or None for one that only has pydantic's English."""
    kind, context, given = detail["type"], detail.get("ctx") or {}, _show(detail.get("input"))
    if kind == "missing":
        return "required", {}
    if kind == "too_short" and context.get("min_length") == 1:
        return "not_empty", {}
    if kind in COMPARISONS:
        return "compare", {"symbol": COMPARISONS[kind], "limit": next(iter(context.values())), "given": given}
    if kind.startswith("date"):
        return "date", {"given": given}
    if kind == "literal_error":
        return "one_of", {"choices": str(context.get("expected")).replace(chr(39), chr(34)), "given": given}
    if kind in WORDING_OF_TYPE:
        return WORDING_OF_TYPE[kind], {"given": given}
    if kind in WORDS:  # matcher's own checks in matcher.format, raised with their wording key and facts
        return kind, dict(context)
    return None


def _free_text(detail: Any) -> str:
    if detail["type"] == "value_error":
        return str((detail.get("ctx") or {}).get("error", detail["msg"]))
    return str(detail["msg"][:1].lower() + detail["msg"][1:])


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


# --- cross-record checks --------------------------------------------------------------------------------
# They read the plain document rather than the models, so that they also run when some records failed the
# record checks: a coordinator then sees a broken age and an unknown municipality in the same report. A
# value of the wrong type is skipped here (the record checks already report it).


def reference_problems(instance: Instance) -> Iterator[Problem]:
    """Unique ids, references that resolve, and the lock rules that need no solver."""
    yield from document_reference_problems(instance.model_dump())


def document_reference_problems(document: dict[str, Any]) -> Iterator[Problem]:
    """The cross-record checks on a parsed JSON document, whichever of its records are themselves valid."""
    directory = _Directory.of(document)
    yield from _duplicate_ids(document)
    yield from _dwelling_references(document, directory)
    yield from _tie_references(document, directory)
    yield from _pair_references(document, directory, "locks")
    yield from _pair_references(document, directory, "forbidden")
    yield from _pair_references(document, directory, "previous")
    yield from _lock_consistency(document, directory)
    yield from _previous_once_per_household(document)


def _records(document: dict[str, Any], collection: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Position and content of each record of a collection that is at least a JSON object."""
    records = document.get(collection)
    if isinstance(records, list):
        for i, record in enumerate(records):
            if isinstance(record, dict):
                yield i, record


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class _Directory:
    """Where each id of each collection lives (first occurrence), and each school's kind."""

    ids: dict[str, dict[str, int]]
    school_kind: dict[str, Any]

    @classmethod
    def of(cls, document: dict[str, Any]) -> _Directory:
        ids: dict[str, dict[str, int]] = {}
        for collection in IDENTIFIED_COLLECTIONS:
            positions: dict[str, int] = {}
            for i, record in _records(document, collection):
                record_id = _text(record.get("id"))
                if record_id is not None:
                    positions.setdefault(record_id, i)
            ids[collection] = positions
        school_kind = {school_id: document["schools"][i].get("kind") for school_id, i in ids["schools"].items()}
        return cls(ids, school_kind)

    def has(self, collection: str, record_id: str) -> bool:
        return record_id in self.ids[collection]


def _unknown(path: str, record_id: str | None, referred: str, reference: str) -> Problem:
    """A reference to a municipality, group, household, dwelling or school that the document does not hold."""
    return Problem.worded(path, record_id, "unknown_reference", UNKNOWN + referred, id=reference)


def _duplicate_ids(document: dict[str, Any]) -> Iterator[Problem]:
    for collection in IDENTIFIED_COLLECTIONS:
        first_seen: dict[str, int] = {}
        for i, record in _records(document, collection):
            record_id = _text(record.get("id"))
            if record_id is None:
                continue
            if record_id in first_seen:
                yield Problem.worded(f"{collection}[{i}].id", record_id, "duplicate_id", "duplicate_id",
                                     first=f"{collection}[{first_seen[record_id]}]")
            else:
                first_seen[record_id] = i


def _dwelling_references(document: dict[str, Any], directory: _Directory) -> Iterator[Problem]:
    for i, dwelling in _records(document, "dwellings"):
        dwelling_id = _text(dwelling.get("id"))
        municipality = _text(dwelling.get("municipality"))
        if municipality is not None and not directory.has("municipalities", municipality):
            yield _unknown(f"dwellings[{i}].municipality", dwelling_id, "municipality", municipality)
        for j, group in enumerate(_list(dwelling.get("groups"))):
            if isinstance(group, str) and not directory.has("groups", group):
                yield _unknown(f"dwellings[{i}].groups[{j}]", dwelling_id, "group", group)


def _tie_references(document: dict[str, Any], directory: _Directory) -> Iterator[Problem]:
    for i, household in _records(document, "households"):
        for j, tie in enumerate(_list(household.get("ties"))):
            municipality = _text(tie.get("municipality")) if isinstance(tie, dict) else None
            if municipality is not None and not directory.has("municipalities", municipality):
                yield _unknown(f"households[{i}].ties[{j}].municipality", _text(household.get("id")),
                               "municipality", municipality)


def _pair_references(document: dict[str, Any], directory: _Directory, collection: str) -> Iterator[Problem]:
    for i, pair in _records(document, collection):
        label = pair_label(pair)
        for field, target in (("household", "households"), ("dwelling", "dwellings")):
            reference = _text(pair.get(field))
            if reference is not None and not directory.has(target, reference):
                yield _unknown(f"{collection}[{i}].{field}", label, field, reference)


def _lock_consistency(document: dict[str, Any], directory: _Directory) -> Iterator[Problem]:
    forbidden = {(_text(pair.get("household")), _text(pair.get("dwelling")))
                 for _, pair in _records(document, "forbidden")}
    locked_before: dict[str, int] = {}
    for i, lock in _records(document, "locks"):
        label = pair_label(lock)
        household, dwelling = _text(lock.get("household")), _text(lock.get("dwelling"))
        if household is not None and dwelling is not None and (household, dwelling) in forbidden:
            yield Problem.worded(f"locks[{i}]", label, "lock_forbidden", "lock_forbidden")
        if household is not None and household in locked_before:
            yield Problem.worded(f"locks[{i}].household", label, "lock_duplicate", "lock_duplicate",
                                 household=household, first=f"locks[{locked_before[household]}]")
        elif household is not None:
            locked_before[household] = i
        yield from _lock_school_references(i, lock, label, directory)


def _previous_once_per_household(document: dict[str, Any]) -> Iterator[Problem]:
    """A proposal under review gives a household one dwelling, so ``previous`` names a household at most once."""
    first_seen: dict[str, int] = {}
    for i, pair in _records(document, "previous"):
        household = _text(pair.get("household"))
        if household is None:
            continue
        if household in first_seen:
            yield Problem.worded(f"previous[{i}].household", pair_label(pair), "previous_duplicate",
                                 "previous_duplicate", household=household, first=f"previous[{first_seen[household]}]")
        else:
            first_seen[household] = i


def _lock_school_references(i: int, lock: dict[str, Any], label: str | None,
                            directory: _Directory) -> Iterator[Problem]:
    schools = lock.get("schools")
    if not isinstance(schools, dict):
        return
    for kind, school_id in schools.items():
        if kind not in SCHOOL_KINDS or not isinstance(school_id, str):
            continue
        if not directory.has("schools", school_id):
            yield _unknown(f"locks[{i}].schools.{kind}", label, "school", school_id)
        elif directory.school_kind[school_id] != kind:
            yield Problem.worded(f"locks[{i}].schools.{kind}", label, "lock_school_kind", "lock_school_kind",
                                 school=school_id, kind=directory.school_kind[school_id], wanted=kind)
