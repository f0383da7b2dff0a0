"""Vectors of the quotable units (sentences, lettered items: `sentences.units`) of every indexed
passage, so the extractive composer can score a unit by its meaning as well as by its words:
people ask "can the request be fast-tracked?" and the sentence that answers says "on an
expedited basis".

`treaty ingest` embeds the units no earlier ingest embedded (`update_unit_vectors`), into one
content-addressed store beside the index (`unit-vectors.npz`: a key per unit, the sha1 of the
model's name and the unit's text, naming a float16 matrix `unit-vectors-<sha>.npy` that serving
processes memory-map and so share); units no passage has any more are dropped. With the
multilingual vector space on, the same units are kept in its embedder's space too
(`multilingual-unit-vectors.npz`, for ranking questions not in English). `UnitVectors`
reads the keys once per index version; a unit the file lacks (an index built
before this file existed, or written by another model) is embedded on first use and kept in
memory, so the scores never depend on the file being fresh, only the speed does.

Leaves out: how units are cut (sentences.py) and how their cosines weigh in (extractive.py).
"""
from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from .sentences import units

FILE = "unit-vectors.npz"
# the same units in the multilingual embedder's space (rank.py's `use_unit` for questions not in English)
MULTILINGUAL_FILE = "multilingual-unit-vectors.npz"


def unit_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x00{text}".encode()).hexdigest()[:20]


def read_store(path: Path) -> tuple[list[str], np.ndarray]:
    """(keys, vectors memory-mapped read-only), or nothing if the files are missing or not ours."""
    for _attempt in range(2):  # an ingest may replace the files between reading the two
        try:
            with np.load(path, allow_pickle=False) as data:
                keys, name = [str(k) for k in data["keys"]], str(data["vectors_file"])
            vectors = np.load(path.parent / name, mmap_mode="r", allow_pickle=False) if keys else None
            if vectors is None or vectors.shape[0] == len(keys):
                return keys, vectors if vectors is not None else np.zeros((0, 0), dtype=np.float16)
        except (OSError, ValueError, KeyError):
            pass
    return [], np.zeros((0, 0), dtype=np.float16)  # everything is embedded again


def _write(path: Path, keys: list[str], vectors: np.ndarray) -> None:
    """The vectors under a name of their content, then the keys naming them (the switch), then
    the vector files no longer named removed (a reader holding one keeps its mapping)."""
    digest = hashlib.sha1(vectors.tobytes()).hexdigest()[:16]
    name = f"{path.stem}-{digest}.npy"  # unit-vectors-<sha>.npy or multilingual-unit-vectors-<sha>.npy
    tmp = path.with_name(f".{name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        np.save(fh, vectors)
    os.replace(tmp, path.parent / name)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        np.savez(fh, keys=np.asarray(keys, dtype="<U20"), vectors_file=np.asarray(name))
    os.replace(tmp, path)  # readers see the old keys or the new ones, never half of them
    for old in path.parent.glob(f"{path.stem}-*.npy"):
        if old.name != name:
            old.unlink(missing_ok=True)


def update_unit_vectors(index_dir: Path, texts: Iterable[str], encode: Callable, model: str,
                        file: str = FILE) -> int:
    """Bring `index_dir`/`file` in line with the passages' `texts`: embed only the units it
    lacks, drop the ones no passage has. Returns how many units were embedded."""
    path = Path(index_dir) / file
    wanted = {unit_key(model, u): u for t in texts for u in units(t)}
    keys, vectors = read_store(path)
    have = {k: i for i, k in enumerate(keys) if k in wanted}
    todo = [k for k in wanted if k not in have]
    if not todo and len(have) == len(keys):
        return 0
    parts = [np.asarray(vectors[list(have.values())], dtype=np.float16)] if have else []
    if todo:
        parts.append(np.asarray(encode([wanted[k] for k in todo]), dtype=np.float16))
    _write(path, list(have) + todo, np.concatenate(parts) if parts else np.zeros((0, 0), np.float16))
    return len(todo)


def unit_length(query_vec) -> np.ndarray:
    """A query vector as float32 of length 1 (a zero vector stays zero)."""
    q = np.asarray(query_vec, dtype=np.float32)
    return q / max(float(np.linalg.norm(q)), 1e-9)


def cosines(unit_texts: list[str], query_vec, vectors: UnitVectors) -> np.ndarray:
    """The cosine of the query with each unit (one per text, in order)."""
    return vectors.matrix(unit_texts) @ unit_length(query_vec) if unit_texts else np.zeros(0, dtype=np.float32)


def best_cosine(texts: Iterable[str], query_vec, vectors: UnitVectors | None) -> float:
    """The highest cosine of the query with any unit of `texts` (0.0 without vectors): how close
    the closest sentence comes to what is asked, for the answerability model."""
    all_units = [u for t in texts for u in units(t)]
    if query_vec is None or vectors is None or not all_units:
        return 0.0
    return float(np.max(cosines(all_units, query_vec, vectors)))


class UnitVectors:
    """unit texts -> their unit-length vectors (float32), from the file or embedded on first use."""

    def __init__(self, path: Path, encode: Callable, model: str):
        self.path, self.encode, self.model = Path(path), encode, model
        self._lock = threading.Lock()
        self._row: dict[str, int] | None = None
        self._matrix = np.zeros((0, 0), dtype=np.float16)
        self._extra: dict[str, np.ndarray] = {}

    def _load(self) -> None:
        keys, self._matrix = read_store(self.path)
        self._row = {k: i for i, k in enumerate(keys)}

    def matrix(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            if self._row is None:
                self._load()
            keys = [unit_key(self.model, t) for t in texts]
            todo = list(dict.fromkeys(k for k in keys if k not in self._row and k not in self._extra))
            if todo:
                by_key = dict(zip(keys, texts, strict=True))
                for k, v in zip(todo, self.encode([by_key[k] for k in todo]), strict=True):
                    self._extra[k] = np.asarray(v, dtype=np.float32)
            rows = [self._matrix[self._row[k]].astype(np.float32) if k in self._row else self._extra[k] for k in keys]
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        m = np.vstack(rows)
        return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
