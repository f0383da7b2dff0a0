"""The fitted query adapter: a low-rank linear map that moves a question's embedding towards
the passages that answer questions worded like it (everyday words -> the treaty's terms).

q' = normalise(q + (q U) W), with U (d x r) and W (r x d) fitted by `treaty tune` on a
question file (assistant/tune/adapter_fit.py) and saved beside the tuning file. The chunk
vectors are untouched, so refitting never re-embeds the corpus. Here: applying it, the two
ranking features it feeds, and loading its file. Fitting lives in the tune package.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class QueryAdapter:
    U: np.ndarray  # d x r
    W: np.ndarray  # r x d
    embedder: str  # the model whose query space it was fitted in

    @property
    def dims(self) -> int:
        return int(self.U.shape[0])

    def apply(self, query_vec) -> np.ndarray:
        q = np.asarray(query_vec, dtype=np.float32)
        q2 = q + (q @ self.U) @ self.W
        norm = float(np.linalg.norm(q2))
        return q2 / norm if norm > 0 else q

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(buf, U=self.U.astype(np.float32), W=self.W.astype(np.float32),
                            embedder=np.array(self.embedder))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> QueryAdapter:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            U, W, name = z["U"], z["W"], str(z["embedder"])
        if U.ndim != 2 or W.ndim != 2 or U.shape[1] != W.shape[0] or U.shape[0] != W.shape[1]:
            raise ValueError(f"adapter matrices of shapes {U.shape} and {W.shape} do not fit together")
        return cls(U.astype(np.float32), W.astype(np.float32), name)


def similarity_features(sims) -> np.ndarray:
    """Per candidate: its cosine, and 1 / (1 + its rank among the candidates by that cosine)."""
    sims = np.asarray(sims, dtype=np.float64)
    rank = np.empty(len(sims), dtype=np.int64)
    rank[np.argsort(-sims, kind="stable")] = np.arange(len(sims))
    return np.column_stack([sims, 1.0 / (1.0 + rank)]) if len(sims) else np.zeros((0, 2))


def adapted_features(query_vec, vectors: np.ndarray, adapter: QueryAdapter | None) -> np.ndarray:
    """similarity_features of the candidates (rows of `vectors`) with the adapted question
    (without an adapter, the plain question)."""
    if len(vectors) == 0:
        return np.zeros((0, 2))
    q = adapter.apply(query_vec) if adapter is not None else np.asarray(query_vec, dtype=np.float32)
    return similarity_features(np.asarray(vectors, dtype=np.float32) @ q)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_adapter(path: Path, expected_sha256: str) -> QueryAdapter:
    """The adapter saved at `path`; ValueError if it is missing, altered or unreadable."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read the query adapter {path} ({exc.strerror})") from None
    if expected_sha256 and sha256(data) != expected_sha256:
        raise ValueError(f"the query adapter {path} does not match the tuning file's checksum")
    try:
        return QueryAdapter.from_bytes(data)
    except (ValueError, KeyError, OSError) as exc:
        raise ValueError(f"the query adapter {path} is not readable ({exc})") from None
