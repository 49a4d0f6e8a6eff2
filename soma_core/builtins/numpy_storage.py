"""How the ``numpy`` store holds one namespace's vectors: a dense matrix, or posting lists.

Both layouts are addressed by *row* (0..size-1, the index's own numbering) and
give the same scores, so the choice is only about cost:

- :class:`DenseRows`: one contiguous float32 matrix; a query is one
  matrix-vector product, bound by memory bandwidth (the whole matrix is read).
- :class:`SparseRows`: for vectors with few non-zero dimensions (Soma's
  lexical term vectors have a handful of 384): each row's non-zeros in a flat
  buffer, and per dimension a posting list of (slot, value). A query touches
  only the postings of its own non-zero dimensions, and the memory is a few
  bytes per non-zero instead of ``4 * dim`` per row.

The index picks the layout from the share of non-zero entries among all its
live vectors, with hysteresis: sparse while it stays at most ``DENSE_ABOVE``,
dense above that, and back to sparse only below ``SPARSE_BELOW`` (so one long
text among short ones, or a few sparse vectors among embeddings, flip nothing).
"""

from __future__ import annotations

import numpy as np

SPARSE_COST = 8
"""Work per row and query of a sparse-layout search, in multiply-adds (a dense one does ``dim``): one pass over
the rows plus the query's postings. Only compared with the worker-thread threshold."""
DENSE_ABOVE = 0.25
"""Posting lists take 16 bytes per non-zero, a dense row 4 per dimension: dense above 1/4 non-zero."""
SPARSE_BELOW = 0.125
"""A dense index of at least ``MIN_ROWS_TO_SWITCH`` rows turns sparse again below this share."""
MIN_ROWS_TO_SWITCH = 64
GROWTH = 1.5
"""Capacity growth factor: 1.5 keeps the unused tail of a large index under a third."""


def layout_for(current: str | None, nonzeros: int, rows: int, dim: int) -> str:
    """``"sparse"`` or ``"dense"`` for an index whose ``rows`` live vectors hold ``nonzeros`` non-zeros."""
    share = nonzeros / max(rows * dim, 1)
    if current is None:
        return "dense" if share > DENSE_ABOVE else "sparse"
    if current == "sparse" and share > DENSE_ABOVE:
        return "dense"
    if current == "dense" and rows >= MIN_ROWS_TO_SWITCH and share < SPARSE_BELOW:
        return "sparse"
    return current


def grown(array: np.ndarray, needed: int, used: int) -> np.ndarray:
    """``array`` with room for ``needed`` leading entries (its first ``used`` kept)."""
    capacity = len(array)
    if needed <= capacity:
        return array
    out = np.zeros((max(needed, int(capacity * GROWTH), 1024), *array.shape[1:]), dtype=array.dtype)
    out[:used] = array[:used]
    return out


class DenseRows:
    """Row ``r`` of ``matrix`` is the vector of row ``r``; deleting moves the last row into the hole."""

    kind = "dense"

    def __init__(self, dim: int) -> None:
        self.matrix = np.zeros((0, dim), dtype=np.float32)

    def reserve(self, needed: int, used: int) -> None:
        self.matrix = grown(self.matrix, needed, used)

    def write(self, rows: np.ndarray, vectors: np.ndarray) -> None:
        self.matrix[rows] = vectors

    def remove(self, row: int, last: int) -> None:
        """Forget ``row``; the vector at ``last`` (the final row) moves into it."""
        if row != last:
            self.matrix[row] = self.matrix[last]

    def scores(self, queries: np.ndarray, size: int, candidates: np.ndarray | None) -> np.ndarray:
        """Dot products, ``(len(queries), rows)``, against every row or only ``candidates``."""
        rows = self.matrix[:size] if candidates is None else self.matrix[candidates]
        return queries @ rows.T

    def vector(self, row: int) -> np.ndarray:
        return self.matrix[row].copy()

    def to_sparse(self, size: int) -> SparseRows:
        """The same rows as a :class:`SparseRows`, converted a block at a time to bound the peak."""
        sparse = SparseRows(self.matrix.shape[1])
        sparse.reserve(len(self.matrix), 0)
        for start in range(0, size, 65_536):
            stop = min(start + 65_536, size)
            sparse.write(np.arange(start, stop), self.matrix[start:stop])
        return sparse

    def nbytes(self) -> int:
        return int(self.matrix.nbytes)


class SparseRows:
    """Non-zeros per row in a flat buffer, and per dimension a posting list of (slot, value).

    Postings name *slots*, not rows, so that moving a row (on delete) rewrites
    two integers instead of every posting: ``slot_of_row`` and ``row_of_slot``
    map between them. Rewriting a row gives it a new slot; the old slot is dead
    (``row_of_slot == -1``) until :meth:`compact` drops dead slots, which runs
    once they outnumber the live ones.
    """

    kind = "sparse"

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.slot_of_row = np.zeros(0, dtype=np.int64)
        self.row_of_slot = np.zeros(0, dtype=np.int64)
        self.slots = 0
        self.live = 0
        self.starts = np.zeros(0, dtype=np.int64)  # slot -> offset of its non-zeros in cols/vals
        self.lengths = np.zeros(0, dtype=np.int32)
        self.cols = np.zeros(0, dtype=np.int32)
        self.vals = np.zeros(0, dtype=np.float32)
        self.used = 0  # entries of cols/vals in use
        self.posting_slots = [np.zeros(0, dtype=np.int32) for _ in range(dim)]
        self.posting_vals = [np.zeros(0, dtype=np.float32) for _ in range(dim)]
        self.posting_len = np.zeros(dim, dtype=np.int64)

    def reserve(self, needed: int, used: int) -> None:
        self.slot_of_row = grown(self.slot_of_row, needed, used)

    def write(self, rows: np.ndarray, vectors: np.ndarray) -> None:
        """Give each of ``rows`` a fresh slot holding the non-zeros of its vector."""
        which, cols = np.nonzero(vectors)  # row-major: each row's non-zeros together
        self._append(rows, np.bincount(which, minlength=len(rows)), cols, vectors[which, cols])
        self._compact_if_sparse()

    def _append(self, rows: np.ndarray, lengths: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
        """New slots for ``rows``: row i's non-zeros are the next ``lengths[i]`` entries of cols/vals."""
        self._kill(rows)
        first, count = self.slots, len(rows)
        self.row_of_slot = grown(self.row_of_slot, first + count, first)
        self.starts = grown(self.starts, first + count, first)
        self.lengths = grown(self.lengths, first + count, first)
        self.row_of_slot[first : first + count] = rows
        self.slot_of_row[rows] = np.arange(first, first + count, dtype=np.int64)
        self.lengths[first : first + count] = lengths
        self.starts[first : first + count] = self.used + np.cumsum(lengths) - lengths
        self.slots += count
        self.live += count
        end = self.used + len(cols)
        self.cols = grown(self.cols, end, self.used)
        self.vals = grown(self.vals, end, self.used)
        self.cols[self.used : end] = cols
        self.vals[self.used : end] = vals
        self.used = end
        owners = np.repeat(np.arange(first, first + count, dtype=np.int32), lengths)
        self._post(owners, np.asarray(cols, dtype=np.int32), np.asarray(vals, dtype=np.float32))

    def _post(self, slots: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
        """Append (slot, value) entries to the posting lists of their columns."""
        order = np.argsort(cols, kind="stable")
        cols, slots, vals = cols[order], slots[order], vals[order]
        bounds = np.flatnonzero(np.diff(cols)) + 1
        for start, stop in zip(np.concatenate(([0], bounds)).tolist(), np.concatenate((bounds, [len(cols)])).tolist()):
            if start == stop:
                continue
            column = int(cols[start])
            have = int(self.posting_len[column])
            total = have + stop - start
            self.posting_slots[column] = grown(self.posting_slots[column], total, have)
            self.posting_vals[column] = grown(self.posting_vals[column], total, have)
            self.posting_slots[column][have:total] = slots[start:stop]
            self.posting_vals[column][have:total] = vals[start:stop]
            self.posting_len[column] = total

    def _kill(self, rows: np.ndarray) -> None:
        """Mark the current slots of ``rows`` (those that have one) dead."""
        if self.live == 0 or len(rows) == 0:
            return
        slots = self.slot_of_row[rows]
        mine = (slots < self.slots) & (self.row_of_slot[np.minimum(slots, max(self.slots - 1, 0))] == rows)
        dead = slots[mine]
        self.row_of_slot[dead] = -1
        self.live -= len(dead)

    def remove(self, row: int, last: int) -> None:
        """Forget ``row``; the vector at ``last`` (the final row) moves into it."""
        self._kill(np.array([row], dtype=np.int64))
        if row != last:
            moved = self.slot_of_row[last]
            self.slot_of_row[row] = moved
            self.row_of_slot[moved] = row
        self._compact_if_sparse()

    def _compact_if_sparse(self) -> None:
        if self.slots > 1024 and self.slots > 2 * self.live:
            self.compact()

    def _live_entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Live rows (ascending), their non-zero counts, and their non-zeros in that order."""
        alive = np.flatnonzero(self.row_of_slot[: self.slots] >= 0)
        rows = self.row_of_slot[alive]
        order = np.argsort(rows)
        alive, rows = alive[order], rows[order]
        lengths = self.lengths[alive].astype(np.int64)
        take = np.repeat(self.starts[alive] - (np.cumsum(lengths) - lengths), lengths) + np.arange(lengths.sum())
        return rows, lengths, self.cols[take], self.vals[take]

    def compact(self) -> None:
        """Rebuild the buffers and postings from live slots only."""
        rows, lengths, cols, vals = self._live_entries()
        capacity = len(self.slot_of_row)
        self.__init__(self.dim)  # type: ignore[misc]
        self.reserve(capacity, 0)
        self._append(rows, lengths, cols, vals)

    def _accumulate(self, query: np.ndarray) -> np.ndarray:
        """The dot product of ``query`` with every slot, from the postings of its non-zero columns."""
        acc = np.zeros(self.slots, dtype=np.float32)
        for column in np.flatnonzero(query).tolist():
            n = int(self.posting_len[column])
            if n:
                acc[self.posting_slots[column][:n]] += query[column] * self.posting_vals[column][:n]
        return acc

    def scores(self, queries: np.ndarray, size: int, candidates: np.ndarray | None) -> np.ndarray:
        """Dot products, ``(len(queries), rows)``, against every row or only ``candidates``."""
        slots = self.slot_of_row[:size] if candidates is None else self.slot_of_row[candidates]
        return np.stack([self._accumulate(query)[slots] for query in queries]).reshape(len(queries), len(slots))

    def positive(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows that score above zero against ``query``, and their scores; every other row scores <= 0.

        This reads only the query's postings, so when at least k of these rows
        pass the filter they are the exact top k without touching the rest.
        """
        acc = self._accumulate(query)
        slots = np.flatnonzero(acc > 0)
        rows = self.row_of_slot[slots]
        live = rows >= 0
        return rows[live], acc[slots[live]]

    def vector(self, row: int) -> np.ndarray:
        slot = int(self.slot_of_row[row])
        start, length = int(self.starts[slot]), int(self.lengths[slot])
        out = np.zeros(self.dim, dtype=np.float32)
        out[self.cols[start : start + length]] = self.vals[start : start + length]
        return out

    def to_dense(self) -> DenseRows:
        """The same rows as a :class:`DenseRows` (an index turns dense when a dense vector arrives)."""
        dense = DenseRows(self.dim)
        dense.reserve(len(self.slot_of_row), 0)
        rows, lengths, cols, vals = self._live_entries()
        dense.matrix[np.repeat(rows, lengths), cols] = vals
        return dense

    def nbytes(self) -> int:
        arrays = [self.slot_of_row, self.row_of_slot, self.starts, self.lengths, self.cols, self.vals]
        return sum(int(a.nbytes) for a in arrays + self.posting_slots + self.posting_vals)
