"""Hybrid search over one index version: dense (Chroma) + BM25 fused by weighted reciprocal rank.

`HybridIndex` maps the version's records and BM25 files (texts and metadata for filters and
display; nothing is rebuilt on open), asks Chroma for dense neighbours, and fuses the two
rankings: score = dense_weight / (rrf_k + dense rank) + lexical_weight / (rrf_k + BM25 rank),
ranks from 1. Callers can restrict by metadata (`where`: run on the records, Chroma searching only
among the matching ids) and reweight by metadata or record id (`boosts`; the key "_id" names the
id); the meaning of documents and articles is left to the caller.
"""
from __future__ import annotations

import threading

import numpy as np

from .backend import PAGE, collection_name
from .models import Hit
from .store import ChromaStore

RRF_K = 60
Filter = dict  # field -> value, a list of allowed values, or (boosts only) a predicate


def matches(metadata: dict, where: Filter | None) -> bool:
    if not where:
        return True
    for key, want in where.items():
        have = metadata.get(key)
        if callable(want):
            if not want(have):
                return False
        elif isinstance(want, (list, tuple, set)):
            if have not in want:
                return False
        elif have != want:
            return False
    return True


class HybridIndex:
    """Read-only view of one index version with dense, lexical and fused search."""

    def __init__(self, store: ChromaStore, embedder, pointer: dict | None = None):
        self.store = store
        self.embedder = embedder
        self.pointer = pointer or store.require_current()
        self.version = self.pointer["version"]
        self.collection = store.open_collection(self.pointer)
        # further vector spaces of the same rows (another embedder's vectors): space -> collection
        self.spaces = {space: store.open_collection(self.pointer, collection_name(self.pointer["collection"], space))
                       for space in self.pointer.get("spaces", [])}
        self.records, self.lexical = store.open_records(self.pointer)
        self.ids = self.records.ids
        self.texts = self.records.texts
        self.embed_texts = self.records.embed_texts
        self.metadatas = self.records.metadatas
        self.row = self.records.row
        self._lock = threading.Lock()  # Chroma clients are not documented thread-safe

    def __len__(self) -> int:
        return len(self.ids)

    def mask_where(self, where: Filter | None) -> np.ndarray:
        """Boolean mask over rows: the records matching `where` (every row when it is empty)."""
        mask = np.ones(len(self.ids), dtype=bool)
        for key, want in (where or {}).items():
            mask &= self.records.codes_where(key, lambda have, k=key, w=want: matches({k: have}, {k: w}))
        return mask

    def rows_where(self, where: Filter) -> list[int]:
        """Row numbers of records matching `where`, in index order."""
        return np.flatnonzero(self.mask_where(where)).tolist()

    def hit(self, row: int, score: float = 0.0, dense: float = 0.0, lexical: float = 0.0, rank: int = 0) -> Hit:
        return Hit(self.ids[row], self.texts[row], self.metadatas[row], score, dense, lexical, rank)

    def dense(self, query_vec: list[float], n: int, where: Filter | None = None,
              space: str | None = None) -> dict[int, float]:
        """Row -> cosine similarity for the n nearest records (matching `where`; in a further vector `space`, if named)."""
        n = min(n, len(self.ids))
        if n == 0:
            return {}
        collection = self.collection if space is None else self.spaces[space]
        # Chroma holds vectors only: a filter runs on the records, and Chroma searches among the
        # matching ids, a page of ids per call (the n best of each page, merged by distance)
        pages: list[list[str] | None] = [None]
        if where:
            rows = self.rows_where(where)
            pages = [[self.ids[r] for r in rows[s:s + PAGE]] for s in range(0, len(rows), PAGE)]
        found: list[tuple[float, str]] = []
        for ids in pages:
            with self._lock:
                res = collection.query(query_embeddings=[query_vec], n_results=min(n, len(ids or self.ids)),
                                            ids=ids, include=["distances"])
            found += zip(res["distances"][0], res["ids"][0], strict=True)
        if len(pages) > 1:
            found = sorted(found)[:n]
        return {self.row[i]: 1.0 - d for d, i in found if i in self.row}

    def vectors(self, rows: list[int]) -> np.ndarray:
        """The stored vectors of specific records, in the order of `rows` (fetched from Chroma)."""
        if not rows:
            return np.zeros((0, getattr(self.embedder, "dimensions", 0) or 0), dtype=np.float32)
        with self._lock:
            got = self.collection.get(ids=[self.ids[r] for r in rows], include=["embeddings"])
        by_id = {i: v for i, v in zip(got["ids"], got["embeddings"], strict=True)}
        return np.stack([np.asarray(by_id[self.ids[r]], dtype=np.float32) for r in rows])

    def similarity(self, query_vec: list[float], rows: list[int]) -> dict[int, float]:
        """Cosine similarity of the query with specific records (vectors fetched from Chroma)."""
        if not rows:
            return {}
        sims = self.vectors(rows) @ np.asarray(query_vec, dtype=np.float32)
        return {r: float(s) for r, s in zip(rows, sims, strict=True)}

    def lexical_ranks(self, query: str, n: int, where: Filter | None = None,
                      scores: np.ndarray | None = None) -> dict[int, tuple[int, float]]:
        """Row -> (rank from 0, BM25 score) of the n best records matching `where` that share a term with the query."""
        scores = self.lexical.scores(query) if scores is None else scores
        if where:
            scores = np.where(self.mask_where(where), scores, 0.0)
        n = min(n, int(np.count_nonzero(scores > 0)))
        if n == 0:
            return {}
        top = np.argpartition(-scores, n - 1)[:n] if n < len(scores) else np.arange(len(scores))
        top = top[np.lexsort((top, -scores[top]))]  # by score, ties by row: the same order as a full sort
        return {int(row): (rank, float(scores[row])) for rank, row in enumerate(top[:n])}

    def dense_ranks(self, query_vec: list[float], n: int, where: Filter | None = None) -> dict[int, tuple[int, float]]:
        """Row -> (rank from 0, cosine similarity) of the n nearest records matching `where`."""
        dense = self.dense(query_vec, n, where)
        return {row: (r, sim) for r, (row, sim) in enumerate(sorted(dense.items(), key=lambda kv: -kv[1]))}

    def search(
        self,
        query: str,
        k: int = 5,
        where: Filter | None = None,
        boosts: list[tuple[Filter, float]] | None = None,
        depth: int = 50,
        query_vec: list[float] | None = None,
        dense_weight: float = 1.0,
        lexical_weight: float = 1.0,
        rrf_k: int = RRF_K,
    ) -> list[Hit]:
        """Top-k records by weighted reciprocal-rank fusion of dense and BM25, times matching boosts."""
        if query_vec is None:
            query_vec = self.embedder.embed_query(query)
        n = max(depth, k)
        lex_all = self.lexical.scores(query)
        dense_rank = self.dense_ranks(query_vec, n, where)
        lex_rank = self.lexical_ranks(query, n, where, scores=lex_all)
        fused: dict[int, float] = {}
        for ranks, weight in ((dense_rank, dense_weight), (lex_rank, lexical_weight)):
            for row, (r, _) in ranks.items():
                fused[row] = fused.get(row, 0.0) + weight / (rrf_k + r + 1)
        for row in fused:
            for flt, factor in boosts or []:
                # "_id" in a boost filter matches the record id (e.g. a set of ids)
                meta = {**self.metadatas[row], "_id": self.ids[row]} if "_id" in flt else self.metadatas[row]
                if matches(meta, flt):
                    fused[row] *= factor
        top = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        dense = {row: sim for row, (_, sim) in dense_rank.items()}
        dense.update(self.similarity(query_vec, [row for row, _ in top if row not in dense]))
        return [
            self.hit(row, score, dense.get(row, 0.0), float(lex_all[row]), rank)
            for rank, (row, score) in enumerate(top, start=1)
        ]
