"""Vectors of the quotable units (sentences, lettered items: `sentences.units`) of every indexed
passage, so the extractive composer can score a unit by its meaning as well as by its words:
people ask "can the request be fast-tracked?" and the sentence that answers says "on an
expedited basis".

`treaty ingest` embeds the units no earlier ingest embedded (`update_unit_vectors`), into one
content-addressed file beside the index (`unit-vectors.npz`: a key per unit, the sha1 of the
model's name and the unit's text, and a float16 matrix); units no passage has any more are
dropped. `UnitVectors` reads it once per index version; a unit the file lacks (an index built
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


def unit_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x00{text}".encode()).hexdigest()[:20]


def _read(path: Path) -> tuple[list[str], np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            return [str(k) for k in data["keys"]], np.asarray(data["vectors"])
    except (OSError, ValueError, KeyError):  # missing, or not ours: everything is embedded again
        return [], np.zeros((0, 0), dtype=np.float16)


def update_unit_vectors(index_dir: Path, texts: Iterable[str], encode: Callable, model: str) -> int:
    """Bring `index_dir`/unit-vectors.npz in line with the passages' `texts`: embed only the
    units it lacks, drop the ones no passage has. Returns how many units were embedded."""
    path = Path(index_dir) / FILE
    wanted = {unit_key(model, u): u for t in texts for u in units(t)}
    keys, vectors = _read(path)
    have = {k: i for i, k in enumerate(keys) if k in wanted}
    todo = [k for k in wanted if k not in have]
    new = np.asarray(encode([wanted[k] for k in todo]), dtype=np.float32) if todo else None
    if not todo and len(have) == len(keys):
        return 0
    parts = [vectors[list(have.values())].astype(np.float16)] if have else []
    if new is not None:
        parts.append(new.astype(np.float16))
    out_keys = np.asarray(list(have) + todo)
    tmp = path.with_name(f".{FILE}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        np.savez(fh, keys=out_keys, vectors=np.concatenate(parts) if parts else np.zeros((0, 0), np.float16))
    os.replace(tmp, path)  # readers see the old file or the new one, never half of one
    return len(todo)


def best_cosine(texts: Iterable[str], query_vec, vectors: UnitVectors | None) -> float:
    """The highest cosine of the query with any unit of `texts` (0.0 without vectors): how close
    the closest sentence comes to what is asked, for the answerability model."""
    all_units = [u for t in texts for u in units(t)]
    if query_vec is None or vectors is None or not all_units:
        return 0.0
    q = np.asarray(query_vec, dtype=np.float32)
    return float(np.max(vectors.matrix(all_units) @ (q / max(float(np.linalg.norm(q)), 1e-9))))


class UnitVectors:
    """unit texts -> their unit-length vectors (float32), from the file or embedded on first use."""

    def __init__(self, path: Path, encode: Callable, model: str):
        self.path, self.encode, self.model = Path(path), encode, model
        self._lock = threading.Lock()
        self._row: dict[str, int] | None = None
        self._matrix = np.zeros((0, 0), dtype=np.float16)
        self._extra: dict[str, np.ndarray] = {}

    def _load(self) -> None:
        keys, self._matrix = _read(self.path)
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
