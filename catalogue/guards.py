"""Guards that higher apps register to refuse changes to purchase lists, so the catalogue never imports them.

A line-removal guard is called with the keys of the lines an editor is removing and returns one message for each
line it refuses (an empty list allows the removal). The bids app refuses lines whose tender is already under way.
"""

import uuid
from collections.abc import Callable, Iterable

LineRemovalGuard = Callable[[frozenset[uuid.UUID]], Iterable[str]]

_line_removal_guards: list[LineRemovalGuard] = []


def register_line_removal_guard(guard: LineRemovalGuard) -> LineRemovalGuard:
    """Register `guard` (usable as a decorator). Registering the same function twice has no further effect."""
    if guard not in _line_removal_guards:
        _line_removal_guards.append(guard)
    return guard


def line_removal_problems(keys: Iterable[uuid.UUID]) -> list[str]:
    """The messages of every guard that refuses removing these lines; empty when all allow it."""
    keys = frozenset(keys)
    if not keys:
        return []
    return [str(message) for guard in _line_removal_guards for message in guard(keys)]
