"""A lifecycle as one table of legal moves, each with the parties who may make it (409 otherwise)."""
from __future__ import annotations

from collections.abc import Collection, Mapping

from linkage.errors import Conflict, Message


class StateMachine:
    """`moves[(from, to)]` names who may make the move; any move not in the table is illegal."""

    def __init__(self, noun: str, moves: Mapping[tuple[str, str], frozenset[str]]):
        self.noun = noun
        self.moves: dict[tuple[str, str], frozenset[str]] = dict(moves)

    def can(self, current: str, target: str) -> bool:
        return (current, target) in self.moves

    def require(self, current: str, target: str) -> frozenset[str]:
        """The parties allowed to move from `current` to `target`; Conflict (409) if the move is illegal."""
        parties = self.moves.get((current, target))
        if parties is None:
            raise Conflict(f"{self.noun}.transition", {"to": [Message("transition.not_from", current=current)]},
                           current=current, target=target)
        return parties

    def targets(self, current: str, parties: Collection[str] | None = None) -> list[str]:
        """Where `current` may go next (by any of `parties`, when given), in the table's order."""
        return [to for (start, to), allowed in self.moves.items()
                if start == current and (parties is None or not allowed.isdisjoint(parties))]
