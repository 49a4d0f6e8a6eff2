"""Exact search over a local collection's own numpy arrays, a whole batch in one matrix product.

qdrant-client's local mode answers each query on its own: it deep-copies the
query vector (twice through the batch API), normalises every stored row in
place, fully sorts all scores and builds pydantic models, about 1 ms per query
at 1,000 points before any real work. The engine asks one k=1 query per
stored memory (the importance scorer's novelty), so that overhead, not the
search, bounded store throughput. Here the batch is one product against the
collection's matrix, with ``argpartition`` for the top hits.

The same scores as qdrant-client's cosine: stored rows divided by their norm
(rows of norm 0 score 0), the query normalised. Deleted points are skipped;
expired ones and those a user filter rejects too, judged on the stored payload
while walking down the ranking until ``k`` hits are found, which is what a
filter inside the search gives. User filters are judged by
:meth:`soma_core.filters.Filter.matches`, the reference the payload's
``metadata_terms`` reproduce (see :mod:`soma_qdrant.payload`), and only on
candidates in score order: qdrant-client would test every point of the
collection in Python first.

This reads qdrant-client's internals (``_client.collections[name]`` and its
``vectors``, ``deleted``, ``deleted_per_vector`` and ``payload``). Every piece
is checked; when they differ :func:`local_view` returns None and the store
uses the public query API instead. ``test_exact_search_is_active`` fails in
that case, so an upgrade that breaks it is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from qdrant_client import AsyncQdrantClient

from soma_core.filters import Filter
from soma_core.interfaces import VectorHit

from .payload import MEMORY_ID, is_alive

DEFAULT_VECTOR = ""
"""qdrant-client's name of a collection's one unnamed dense vector."""
EPSILON = 1.1920929e-7
"""qdrant-client's stand-in for a zero norm (float32 epsilon)."""
SCORE_CELLS = 1 << 22
"""Scores computed at once (rows x points), about 16 MB: large batches over large collections go in slices."""


@dataclass(frozen=True, slots=True)
class LocalView:
    """One local collection's points: vectors (n x dim), which are live, and their payloads (not copies)."""

    matrix: np.ndarray
    live: np.ndarray
    payloads: list[dict[str, Any]]


def local_view(client: AsyncQdrantClient, name: str) -> LocalView | None:
    """The arrays behind local collection ``name``; None when qdrant-client's internals are not the expected ones."""
    collections = getattr(getattr(client, "_client", None), "collections", None)
    collection = collections.get(name) if isinstance(collections, dict) else None
    vectors = getattr(collection, "vectors", None)
    payloads = getattr(collection, "payload", None)
    deleted = getattr(collection, "deleted", None)
    per_vector = getattr(collection, "deleted_per_vector", None)
    if not (isinstance(vectors, dict) and isinstance(payloads, list) and isinstance(per_vector, dict)):
        return None
    if set(vectors) != {DEFAULT_VECTOR} or getattr(collection, "multivectors", None) or getattr(
        collection, "sparse_vectors", None
    ):
        return None
    matrix, gone = vectors[DEFAULT_VECTOR], per_vector.get(DEFAULT_VECTOR)
    n = len(payloads)
    arrays = (matrix, deleted, gone)
    if not all(isinstance(array, np.ndarray) for array in arrays) or matrix.ndim != 2:
        return None
    if matrix.shape[0] < n or len(deleted) != n or len(gone) != n:  # type: ignore[arg-type]
        return None
    return LocalView(matrix[:n], ~(deleted.astype(bool) | gone.astype(bool)), payloads)  # type: ignore[union-attr]


def nearest(
    view: LocalView, rows: np.ndarray, k: int, now: float, filter: Filter | None = None
) -> list[list[VectorHit]]:
    """The ``k`` nearest live, unexpired hits matching ``filter`` of each row of ``rows``, best first."""
    n = len(view.payloads)
    if n == 0 or k <= 0:
        return [[] for _ in rows]
    norms = np.sqrt(np.einsum("ij,ij->i", view.matrix, view.matrix))
    norms[norms == 0.0] = EPSILON
    lengths = np.linalg.norm(rows, axis=1, keepdims=True)
    queries = rows / np.where(lengths != 0.0, lengths, EPSILON)
    found: list[list[VectorHit]] = []
    step = max(1, SCORE_CELLS // n)
    for start in range(0, len(queries), step):
        # matrix @ queries.T, not queries @ matrix.T: OpenBLAS is several times faster this way round here
        scores = (view.matrix @ queries[start : start + step].T).T / norms
        scores[:, ~view.live] = -np.inf
        found.extend(_top(view, row, k, now, filter) for row in scores)
    return found


def _top(view: LocalView, scores: np.ndarray, k: int, now: float, filter: Filter | None) -> list[VectorHit]:
    """Walk ``scores`` best first, keeping live unexpired matching points, until ``k`` are found or none are left."""
    n, take = len(scores), k
    while True:
        take = min(take, n)
        best = np.argpartition(-scores, take - 1)[:take] if take < n else np.arange(n)
        hits: list[VectorHit] = []
        for index in best[np.argsort(-scores[best], kind="stable")]:
            score = scores[index]
            if score == -np.inf:
                return hits  # deleted points only from here on
            payload = view.payloads[index]
            if is_alive(payload, now) and (filter is None or filter.matches(payload)):
                hits.append(VectorHit(str(payload[MEMORY_ID]), float(score)))
                if len(hits) == k:
                    return hits
        if take == n:
            return hits
        take *= 4  # expired or unmatched points thinned the first candidates: look further
