"""Who acts in the service: a key's role (the region's coordinator, or one municipality) and the ``Actor``.

Apart from the storage models, which record them, so that a question's solve process can scope its answer to
a municipality without loading SQLAlchemy (half a second of the question's own time limit).
"""

from __future__ import annotations

from dataclasses import dataclass

COORDINATOR, MUNICIPALITY = "coordinator", "municipality"


@dataclass(frozen=True)
class Actor:
    """Who is acting: a key's id and role (and municipality), never the key itself."""

    key_id: str
    role: str
    municipality: str | None = None

    @property
    def is_coordinator(self) -> bool:
        return self.role == COORDINATOR
