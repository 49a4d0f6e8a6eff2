"""The lexical signal: exact words, names, numbers and rare terms, which embeddings blur.

It works on every stack and across processes because it lives in the configured
backends, not in one process:

- each memory gets a *term vector*: its words (lower-cased, stop words dropped),
  weighted ``1 + log(tf)``, feature-hashed with a sign into the same width as the
  dense vectors, and stored in the vector store under the shadow namespace
  ``<namespace>~lex`` with the same payload (so filters apply);
- the KV store keeps per-namespace document frequencies ``f:<term>``, so a query
  weights its terms by inverse document frequency,
  ``idf = log(1 + (N - df + 0.5) / (df + 0.5))`` (the BM25 idf);
- the vector store's nearest term vectors are the lexical *candidates*; hashing
  into a few hundred dimensions makes unrelated words collide now and then, so
  candidates are then scored *exactly* on their real terms
  (:func:`exact_scores`): the cosine between the query's idf weights and the
  memory's ``1 + log(tf)`` weights — TF-IDF cosine without collision noise.

Document frequencies are counters that a write adjusts with the KV store's
atomic addition (:meth:`~soma_core.interfaces.KVStore.apply`), in the same batch
that clears its pending markers, once the index holds the write. Only a KV store
that keeps the interface's default (read-modify-write) may lose an increment when
several processes write at once, which only nudges idf; ``soma reindex``
rebuilds them exactly.
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from .interfaces import normalize

LEXICAL_SUFFIX = "~lex"
DF_PREFIX = "f:"
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours yourself yourselves s t d ll m re ve
    again also ever get got go goes going let like make made may might much must one said say says tell told""".split()
)


def lexical_namespace(namespace: str) -> str:
    """Where a namespace's term vectors live in the vector store."""
    return namespace + LEXICAL_SUFFIX


def terms(text: str) -> list[str]:
    """Lower-cased, lightly stemmed word tokens without stop words; numbers and codes are kept."""
    return [stem(t) for t in _TOKEN.findall(text.lower()) if t not in STOP_WORDS]


_SUFFIXES = (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""))


def stem(word: str) -> str:
    """A conservative suffix stripper (plural, -ing, -ed) for alphabetic words of 5+ letters.

    "prefers" / "preferred" / "preferring" all become "prefer"; codes such as
    "zx4471" and short words are left alone.
    """
    if len(word) < 5 or not word.isalpha() or word.endswith("ss"):
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            root = word[: -len(suffix)] + replacement
            if suffix in ("ing", "ed") and len(root) > 3 and root[-1] == root[-2]:
                root = root[:-1]  # "preferred" -> "preferr" -> "prefer"
            return root
    return word


def _bucket(term: str, dim: int) -> tuple[int, float]:
    h = zlib.crc32(term.encode())
    return h % dim, (1.0 if (h >> 31) & 1 else -1.0)


def term_counts(text: str) -> Counter[str]:
    """How often each term occurs in ``text``: what both its term vector and the document frequencies need."""
    return Counter(terms(text))


def document_vectors(texts: Sequence[str], dim: int, counts: Sequence[Counter[str]] | None = None) -> np.ndarray:
    """Term vectors of memories (rows L2-normalised; all-zero for a text without terms).

    ``counts`` (their :func:`term_counts`, when the caller already has them) saves tokenising twice.
    """
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, tfs in enumerate(counts if counts is not None else [term_counts(t) for t in texts]):
        for term, tf in tfs.items():
            index, sign = _bucket(term, dim)
            out[row, index] += sign * (1.0 + math.log(tf))
    return normalize(out)


def idf(df: int, total: int) -> float:
    return math.log(1.0 + (max(total, df) - df + 0.5) / (df + 0.5))


def query_vector(weights: dict[str, float], dim: int) -> np.ndarray | None:
    """The hashed, L2-normalised vector of idf-weighted query terms; None when it has no terms."""
    vector = np.zeros(dim, dtype=np.float32)
    for term, weight in weights.items():
        index, sign = _bucket(term, dim)
        vector[index] += sign * weight
    if not vector.any():
        return None
    return normalize(vector)


def query_weights(query_terms: Iterable[str], dfs: dict[str, int], total: int) -> dict[str, float]:
    """The idf weight of each distinct query term."""
    return {term: idf(dfs.get(term, 0), total) for term in set(query_terms)}


def exact_scores(weights: dict[str, float], texts: Sequence[str]) -> np.ndarray:
    """TF-IDF cosine of each text against idf-weighted query terms, on real (unhashed) terms."""
    query_norm = math.sqrt(sum(w * w for w in weights.values()))
    scores = np.zeros(len(texts), dtype=np.float64)
    if not query_norm:
        return scores
    for row, text in enumerate(texts):
        doc, doc_norm = _document_weights(text)
        dot = sum(weight * doc[term] for term, weight in weights.items() if term in doc)
        if dot:
            scores[row] = dot / (query_norm * doc_norm)
    return scores


@functools.lru_cache(maxsize=50_000)
def _document_weights(text: str) -> tuple[dict[str, float], float]:
    """A memory's ``1 + log(tf)`` term weights and their norm; cached, as candidates recur across searches."""
    doc = {term: 1.0 + math.log(count) for term, count in Counter(terms(text)).items()}
    return doc, math.sqrt(sum(v * v for v in doc.values()))


def document_frequencies(texts: Iterable[str]) -> Counter[str]:
    """How many of ``texts`` contain each term."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(terms(text)))
    return counts


def count_documents(counts: Iterable[Counter[str]]) -> Counter[str]:
    """How many documents contain each term, from their :func:`term_counts`."""
    frequencies: Counter[str] = Counter()
    for tfs in counts:
        frequencies.update(tfs.keys())
    return frequencies
