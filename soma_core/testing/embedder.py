"""Conformance suite for :class:`~soma_core.interfaces.Embedder` backends."""

from __future__ import annotations

import numpy as np

from ..interfaces import Embedder, normalize
from ._suite import StandardSuite

SIMILAR = ("The cat sat on the mat.", "A cat was sitting on the mat.")
UNRELATED = "Quarterly revenue rose five percent in Europe."


class EmbedderSuite(StandardSuite):
    """Subclass and provide ``backend``: an opened :class:`Embedder`."""

    async def test_dimension_is_known(self, backend: Embedder) -> None:
        """dim is a positive int after open, and identity is a non-empty string.

        Troubleshooting: read the dimension from the model at open.
        """
        assert isinstance(backend.dim, int) and backend.dim > 0
        assert isinstance(backend.identity, str) and backend.identity

    async def test_embed_batch_shape_and_dtype(self, backend: Embedder) -> None:
        """embed_batch returns float32 of shape (n, dim), finite, and (0, dim) for no texts.

        Troubleshooting: convert tensors to numpy float32; handle the empty batch without calling the model.
        """
        vectors = await backend.embed_batch(["one", "two", "three"])
        assert isinstance(vectors, np.ndarray) and vectors.dtype == np.float32
        assert vectors.shape == (3, backend.dim)
        assert np.isfinite(vectors).all()
        empty = await backend.embed_batch([])
        assert empty.shape == (0, backend.dim)

    async def test_deterministic_and_batch_independent(self, backend: Embedder) -> None:
        """The same text gives the same vector alone or inside a batch.

        Troubleshooting: disable dropout (eval mode); avoid padding-dependent pooling.
        """
        texts = ["alpha beta", "gamma delta epsilon", "zeta"]
        batch = normalize(await backend.embed_batch(texts))
        singles = normalize(np.concatenate([await backend.embed_batch([t]) for t in texts]))
        np.testing.assert_allclose(batch, singles, atol=1e-4)

    async def test_similar_texts_are_closer(self, backend: Embedder) -> None:
        """Two paraphrases are closer to each other than to an unrelated sentence.

        Troubleshooting: a constant or random embedder fails here; check pooling and normalisation.
        """
        a, b, c = normalize(await backend.embed_batch([*SIMILAR, UNRELATED]))
        assert float(a @ b) > float(a @ c) + 0.05

    async def test_odd_texts(self, backend: Embedder) -> None:
        """Empty strings, whitespace, emoji, non-Latin scripts and very long texts embed without error.

        Troubleshooting: truncate to the model's maximum sequence length.
        """
        texts = ["", "   ", "🙂🚀", "日本語のテキスト", "word " * 5000]
        vectors = await backend.embed_batch(texts)
        assert vectors.shape == (len(texts), backend.dim) and np.isfinite(vectors).all()

    async def test_embed_many_chunks_and_normalises(self, backend: Embedder) -> None:
        """embed_many over several chunks returns unit vectors equal to embed_batch's directions.

        Troubleshooting: do not override embed_many; implement embed_batch.
        """
        texts = [f"text number {i}" for i in range(10)]
        many = await backend.embed_many(texts, batch_size=3)
        assert many.shape == (10, backend.dim)
        np.testing.assert_allclose(np.linalg.norm(many, axis=1), 1.0, atol=1e-4)
        np.testing.assert_allclose(many, normalize(await backend.embed_batch(texts)), atol=1e-4)
