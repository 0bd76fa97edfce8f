"""Joined: a kind's candidate rows from its main block and its delta, ranked as one block."""

from __future__ import annotations

import numpy as np

from matching.store import Block, Card


class _Gathered(dict[str, np.ndarray]):
    """A column of the joined rows, gathered from both blocks on first use (a ranking reads a few)."""

    def __init__(self, parts: tuple[tuple[Block, np.ndarray], tuple[Block, np.ndarray]]) -> None:
        super().__init__()
        self.parts = parts

    def __missing__(self, name: str) -> np.ndarray:
        (a, ia), (b, ib) = self.parts
        got = self[name] = np.concatenate((a.cols[name][ia], b.cols[name][ib]))
        return got


class Joined(Block):
    """A kind's candidate rows from its main block and its delta as one block of rows 0..n: a ranking
    scores and explains them in one pass, not two (under provider churn the delta is never empty,
    and a second pass per kind has a fixed cost of some 30 NumPy calls). Row for row the same sums,
    so the same scores."""

    def __init__(self, main: Block, main_rows: np.ndarray, delta: Block, delta_rows: np.ndarray) -> None:
        # No Block.__init__: nothing of a block's own storage is needed, only the rows' columns.
        self.kind, self.n, self.sorted = main.kind, len(main_rows) + len(delta_rows), False
        self.cols = _Gathered(((main, main_rows), (delta, delta_rows)))
        self.split = len(main_rows)
        self.sources = (main, main_rows, delta, delta_rows)

    def cards_of(self, rows: np.ndarray) -> list[Card]:
        main, main_rows, delta, delta_rows = self.sources
        split, cards = self.split, delta.cards
        return [main.cards[main_rows[r]] if r < split else cards[delta_rows[r - split]] for r in rows.tolist()]
