"""The TF-IDF vocabulary: de-duplicated provider documents, their vectors and the need-side transform."""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

EMPTY_COLS = np.zeros(0, dtype=np.int64)
EMPTY_VALS = np.zeros(0, dtype=np.float32)


def char_grams(doc: str) -> list[str]:
    """Character 1- and 2-grams inside each space-separated term.

    Chinese needs no segmenter this way; grams never cross a term boundary, and the blank
    that sklearn's char_wb adds would sit in every document and cost a posting per provider.
    """
    grams: list[str] = []
    for term in doc.lower().split():
        grams.extend(term)
        grams.extend(term[i : i + 2] for i in range(len(term) - 1))
    return grams


def intern(ids: dict[str, int], names: list[str], name: str) -> int:
    """The number of `name` in a table that only grows (`ids` maps each name to its place in `names`)."""
    number = ids.get(name)
    if number is None:
        number = ids[name] = len(names)
        names.append(name)
    return number


class Vocabulary:
    """Interns provider documents (many providers share one) and holds their TF-IDF rows."""

    def __init__(self) -> None:
        self.doc_ids: dict[str, int] = {}
        self.docs: list[str] = []
        self.vectorizer: TfidfVectorizer | None = None
        self.size = 0  # number of n-gram columns
        self._rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._terms: dict[str, int] = {}
        self._idf: np.ndarray | None = None

    @property
    def fitted(self) -> bool:
        return self.vectorizer is not None

    def intern(self, doc: str) -> int:
        return intern(self.doc_ids, self.docs, doc)

    def fit(self, doc_counts: Mapping[int, int]) -> None:
        """Fit on the live documents; IDF counts providers, not distinct documents."""
        ids = sorted(doc_counts, key=lambda d: self.docs[d])  # order-free: same set, same fit
        texts = [self.docs[d] for d in ids] or [""]
        vec = TfidfVectorizer(analyzer=char_grams, dtype=np.float32, norm="l2", smooth_idf=True)
        try:
            counts = vec.fit_transform(texts)
        except ValueError:  # every document empty: keep a one-column placeholder vocabulary
            vec = TfidfVectorizer(analyzer=lambda d: ["\0"], dtype=np.float32)
            counts = vec.fit_transform(texts)
        mult = np.array([doc_counts[d] for d in ids] or [1], dtype=np.float64)
        df = (counts > 0).T.astype(np.float64) @ mult
        n = mult.sum()
        vec.idf_ = np.log((1.0 + n) / (1.0 + df)) + 1.0
        self.vectorizer = vec
        self._terms = dict(vec.vocabulary_)
        self._idf = np.asarray(vec.idf_, dtype=np.float64)
        self.size = len(self._terms)
        self._rows = {}
        if ids:
            self._store(ids, vec.transform(texts))

    def _store(self, ids: list[int], matrix: Any) -> None:  # a SciPy sparse matrix (no stubs)
        matrix = matrix.tocsr()
        matrix.sort_indices()
        for i, d in enumerate(ids):
            a, b = matrix.indptr[i], matrix.indptr[i + 1]
            self._rows[d] = (matrix.indices[a:b].astype(np.int64), matrix.data[a:b].astype(np.float32))

    def row(self, doc_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(columns ascending, float32 weights) of one provider document."""
        if self.vectorizer is None:
            return EMPTY_COLS, EMPTY_VALS
        got = self._rows.get(doc_id)
        if got is None:
            self._store([doc_id], self.vectorizer.transform([self.docs[doc_id]]))
            got = self._rows[doc_id]
        return got

    def query(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The need's L2-normalised TF-IDF over the provider vocabulary (same maths as sklearn)."""
        if self.vectorizer is None or self._idf is None:
            return EMPTY_COLS, np.zeros(0)
        counts: dict[int, int] = {}
        terms = self._terms
        for g in char_grams(text):
            col = terms.get(g)
            if col is not None:
                counts[col] = counts.get(col, 0) + 1
        if not counts:
            return EMPTY_COLS, np.zeros(0)
        order = sorted(counts)
        cols = np.array(order, dtype=np.int64)
        vals = np.array([counts[c] for c in order], dtype=np.float64) * self._idf[cols]
        return cols, vals / math.sqrt(float(vals @ vals))
