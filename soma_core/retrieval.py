"""Search: dense and lexical candidates, hydrated from the KV store, fused and ranked.

See :mod:`soma_core.ranking` for the formula and :mod:`soma_core.lexical` for the
lexical signal. Both candidate lists come from the vector store (filters applied
there when it can); the union is scored exactly on both signals, so a memory
found by only one list still gets its true score on the other.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import ValidationError

from . import keys as K
from . import lexical as L
from .config import describe_validation_error
from .errors import InvalidInputError
from .filters import Filter
from .ranking import Components, Weights, blend, fuse
from .records import MemoryRecord
from .validation import check_content, to_filter

Mode = Literal["hybrid", "dense", "lexical"]
MODES = ("hybrid", "dense", "lexical")
CANDIDATES_PER_RESULT = 5
MIN_CANDIDATES = 50
LEXICAL_SHARE = 0.4
"""In hybrid mode the lexical list is 2/5 as long as the dense one (20 at k=10): on both dataset
splits 50 lexical candidates ranked exactly as 20 did, and each one costs a record fetch and decode."""
MAX_CANDIDATES = 100_000
COUNT_CACHE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One ranked search result; ``explain`` holds the score's components when asked for."""

    memory: MemoryRecord
    score: float
    explain: Components | None = None


class Retrieval:
    """The search half of the engine (mixed into :class:`~soma_core.engine.MemoryEngine`)."""

    _counts: dict[str, tuple[float, int]]

    async def search(
        self,
        query: str,
        k: int = 10,
        *,
        filters: Filter | dict[str, Any] | None = None,
        weights: dict[str, Any] | None = None,
        explain: bool = False,
        mode: Mode = "hybrid",
        namespace: str | None = None,
    ) -> list[SearchResult]:
        """The ``k`` best memories for ``query``, ranked as :mod:`soma_core.ranking` describes.

        ``mode``: ``hybrid`` (dense and lexical fused, the default), ``dense`` or
        ``lexical``. ``filters``: memory_type, metadata equality,
        created_after/created_before. ``weights``: per-search overrides of any
        ranking knob. Searching does not count as an access.
        """
        ns = self._ns(namespace)  # type: ignore[attr-defined]
        check_content(query, "query")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise InvalidInputError("k must be a positive integer", field="k")
        if mode not in MODES:
            raise InvalidInputError(f"mode must be one of {', '.join(MODES)}, not {mode!r}", field="mode")
        flt = to_filter(filters)
        try:
            ranking = self.settings.ranking_for(ns).override(weights)  # type: ignore[attr-defined]
        except ValidationError as exc:
            raise InvalidInputError(describe_validation_error(exc, prefix="weights"), field="weights") from None

        qvec = (await self.embedder.embed_many([query]))[0] if mode != "lexical" else None  # type: ignore[attr-defined]
        qlex = await self._query_terms(ns, query) if mode != "dense" else None
        if qvec is None and qlex is None:
            return []
        native = flt if self.vectors.capabilities.filters else None  # type: ignore[attr-defined]
        want = max(k * CANDIDATES_PER_RESULT, MIN_CANDIDATES)
        while True:
            lexical_want = want if qvec is None else max(k, int(want * LEXICAL_SHARE))
            dense_hits, lexical_hits = await asyncio.gather(  # concurrent: network stores overlap
                self._hits(ns, qvec, want, native),
                self._hits(L.lexical_namespace(ns), None if qlex is None else qlex[1], lexical_want, native),
            )
            dense_scores = {h.id: h.score for h in dense_hits}
            ids = list(dict.fromkeys([h.id for h in dense_hits] + [h.id for h in lexical_hits]))
            # lexical-only candidates need their stored vector for an exact dense score
            need = [i for i in ids if i not in dense_scores] if qvec is not None else []
            records, vectors = await self._fetch(ns, ids, need)
            if flt is not None:
                records = [r for r in records if flt.matches(r.to_dict())]
            exhausted = len(dense_hits) < want and len(lexical_hits) < lexical_want
            if len(records) >= k or exhausted or want >= MAX_CANDIDATES:
                break
            want *= 4  # filters or stale entries thinned the candidates: look further
        if not records:
            return []
        dense = None if qvec is None else _dense_scores(records, qvec, dense_scores, vectors)
        lexical = None if qlex is None else L.exact_scores(qlex[0], [r.content for r in records])
        relevance = fuse(ranking, dense, lexical)
        return _rank(ranking, records, relevance, dense, lexical, k, explain)

    async def _hits(self, ns: str, vector: np.ndarray | None, want: int, native: Filter | None) -> list[Any]:
        if vector is None:
            return []
        return await self.vectors.query(ns, vector, k=want, filter=native)  # type: ignore[attr-defined]

    async def _query_terms(self, ns: str, query: str) -> tuple[dict[str, float], np.ndarray] | None:
        """The idf weights of the query's terms and their hashed vector (None: no searchable words)."""
        query_terms = sorted(set(L.terms(query)))
        if not query_terms:
            return None
        raws = await self.kv.mget(ns, [L.DF_PREFIX + t for t in query_terms])  # type: ignore[attr-defined]
        dfs = {t: int(raw) for t, raw in zip(query_terms, raws, strict=True) if raw is not None}
        weights = L.query_weights(query_terms, dfs, await self._total(ns))
        vector = L.query_vector(weights, self.embedder.dim)  # type: ignore[attr-defined]
        return None if vector is None else (weights, vector)

    async def _total(self, ns: str) -> int:
        """Memories in the namespace, for idf; cached briefly (idf barely moves)."""
        now = time.monotonic()
        cached = self._counts.get(ns)
        if cached is None or now - cached[0] > COUNT_CACHE_SECONDS:
            cached = (now, await self.vectors.count(ns))  # type: ignore[attr-defined]
            self._counts[ns] = cached
        return cached[1]

    async def _fetch(
        self, ns: str, ids: list[str], vector_ids: list[str]
    ) -> tuple[list[MemoryRecord], dict[str, np.ndarray]]:
        """Live records for ``ids`` (in order), and the stored vectors of ``vector_ids``.

        The vectors come from the vector store, which holds them anyway (in
        memory for numpy), concurrently with the records' KV round trip.
        """
        kv_read = self.kv.mget(ns, [K.record_key(i) for i in ids]) if ids else _nothing()  # type: ignore[attr-defined]
        vector_read = self.vectors.get(ns, vector_ids) if vector_ids else _nothing()  # type: ignore[attr-defined]
        raws, vectors = await asyncio.gather(kv_read, vector_read)
        now = time.time()
        records = MemoryRecord.many_from_bytes([raw for raw in raws if raw is not None])
        found = {i: v for i, v in zip(vector_ids, vectors, strict=True) if v is not None}
        return [r for r in records if not r.is_expired(now)], found


async def _nothing() -> list[Any]:
    return []


def _dense_scores(
    records: list[MemoryRecord], qvec: np.ndarray, known: dict[str, float], vectors: dict[str, np.ndarray]
) -> np.ndarray:
    """Dense cosine for every candidate: from the hit list, else from its stored vector (0 without one)."""
    out = np.array([known.get(r.id, 0.0) for r in records], dtype=np.float64)
    rows = [n for n, r in enumerate(records) if r.id not in known and r.id in vectors]
    usable = [n for n in rows if vectors[records[n].id].shape == qvec.shape]
    if usable:
        matrix = np.stack([vectors[records[n].id] for n in usable]).astype(np.float64)
        norms = np.linalg.norm(matrix, axis=1)
        dots = matrix @ qvec.astype(np.float64)
        out[usable] = np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)
    return out


def _rank(
    weights: Weights,
    records: list[MemoryRecord],
    relevance: np.ndarray,
    dense: np.ndarray | None,
    lexical: np.ndarray | None,
    k: int,
    explain: bool,
) -> list[SearchResult]:
    importance = np.array([r.importance for r in records], dtype=np.float64)
    accesses = np.array([r.access_count for r in records], dtype=np.float64)
    reference = np.array([r.reference_time for r in records], dtype=np.float64)
    score, boosted, recency = blend(weights, relevance, importance, accesses, reference, time.time())
    order = np.argsort(-score, kind="stable")[:k]
    return [
        SearchResult(
            memory=records[i],
            score=float(score[i]),
            explain=Components(
                relevance=float(relevance[i]),
                importance=float(boosted[i]),
                recency=float(recency[i]),
                score=float(score[i]),
                dense=None if dense is None else float(dense[i]),
                lexical=None if lexical is None else float(lexical[i]),
            )
            if explain
            else None,
        )
        for i in order.tolist()
    ]
