"""The reasons collected per household left out, shared by the stages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Reasons:
    """Reasons collected per household; a household is explained once its first stage finds a reason."""

    texts: dict[int, list[str]]
    codes: dict[int, list[str]]

    def add(self, household: int, code: str, text: str) -> None:
        self.texts.setdefault(household, []).append(text)
        self.codes.setdefault(household, []).append(code)
