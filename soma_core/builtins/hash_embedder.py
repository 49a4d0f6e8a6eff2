"""``hash`` embedder: deterministic lexical feature hashing, no model.

Each text becomes a bag of features — lower-cased words, word bigrams and
character trigrams of words — hashed (CRC32, so stable across processes) into
``dim`` signed buckets and L2-normalised. Texts that share words or word
fragments get similar vectors, so search works for near-verbatim queries. It
knows no synonyms: install soma-sentence-transformers for semantic search.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence

import numpy as np
from pydantic import Field

from ..hookspecs import hookimpl
from ..interfaces import BackendConfig, Capabilities, Embedder, normalize

_WORD = re.compile(r"\w+", re.UNICODE)


class HashConfig(BackendConfig):
    dim: int = Field(default=384, ge=8, le=8192, description="Vector width.")
    word_weight: float = Field(default=1.0, ge=0)
    bigram_weight: float = Field(default=0.5, ge=0)
    trigram_weight: float = Field(default=0.25, ge=0)


class HashEmbedder(Embedder):
    """Feature hashing into ``dim`` buckets; same text, same vector, in every process."""

    name = "hash"
    Config = HashConfig
    capabilities = Capabilities(multi_process=True)  # stateless: any number of processes
    config: HashConfig

    @property
    def dim(self) -> int:
        return self.config.dim

    @property
    def identity(self) -> str:
        c = self.config
        return f"hash:{c.dim}:{c.word_weight}:{c.bigram_weight}:{c.trigram_weight}"

    def _features(self, text: str) -> list[tuple[str, float]]:
        c = self.config
        words = _WORD.findall(text.lower())
        features = [(word, c.word_weight) for word in words]
        features += [(f"{a} {b}", c.bigram_weight) for a, b in zip(words, words[1:], strict=False)]
        for word in words:
            padded = f"<{word}>"
            features += [(padded[i : i + 3], c.trigram_weight) for i in range(len(padded) - 2)]
        return features

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.config.dim, dtype=np.float32)
        for feature, weight in self._features(text):
            h = zlib.crc32(feature.encode())
            vector[h % self.config.dim] += weight if (h >> 31) & 1 else -weight
        return vector

    async def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalize(np.stack([self._vector(text) for text in texts]))


@hookimpl
def register_embedders(register: Callable[[type[Embedder]], None]) -> None:
    register(HashEmbedder)
