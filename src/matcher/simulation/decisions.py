"""Whether a proposed pair is accepted: a fixed draw per pair, so every replay of a scenario decides alike.

The scenario format fixes the draw: ``u(h, d)`` is the first 16 hex digits of ``sha256("{seed}:{h}:{d}")``
read as an integer and divided by ``2**64``; the pair is accepted when ``u < probability``. The draw
depends on the pair only, never on the week or on the other pairs, so two policies that propose the same
pair get the same answer, and hindsight knows in advance which pairs would be declined.
"""

from __future__ import annotations

import hashlib

HEX_DIGITS = 16
DRAW_RANGE = 2**64


def acceptance_draw(seed: int, household: str, dwelling: str) -> float:
    """``u(h, d)`` in [0, 1)."""
    digest = hashlib.sha256(f"{seed}:{household}:{dwelling}".encode()).hexdigest()
    return int(digest[:HEX_DIGITS], 16) / DRAW_RANGE


def is_accepted(probability: float, seed: int, household: str, dwelling: str) -> bool:
    return acceptance_draw(seed, household, dwelling) < probability
