"""Hybrid search over one index version: dense (Chroma) + BM25 fused by reciprocal rank.

`HybridIndex` loads the live version's records into memory once (texts and metadata for
BM25, filters and display), asks Chroma for dense neighbours, and fuses the two rankings.
Callers can restrict by metadata (`where`) and reweight by metadata or record id
(`boosts`; the key "_id" names the id); the
meaning of documents and articles is left to the caller.
"""
from __future__ import annotations

import threading

import numpy as np

from .lexical import LexicalIndex
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


def chroma_where(where: Filter | None) -> dict | None:
    """Our simple filter -> Chroma's `where` syntax."""
    if not where:
        return None
    clauses = [{k: {"$in": list(v)} if isinstance(v, (list, tuple, set)) else v} for k, v in where.items()]
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class HybridIndex:
    """Read-only view of one index version with dense, lexical and fused search."""

    def __init__(self, store: ChromaStore, embedder, pointer: dict | None = None):
        self.store = store
        self.embedder = embedder
        self.pointer = pointer or store.require_current()
        self.version = self.pointer["version"]
        self.collection = store.open_collection(self.pointer)
        got = store._read_all(self.collection, ["documents", "metadatas"])
        self.ids: list[str] = got["ids"]
        self.embed_texts: list[str] = got["documents"]
        self.metadatas: list[dict] = [dict(m or {}) for m in got["metadatas"]]
        self.texts: list[str] = [m.pop("_text", t) for m, t in zip(self.metadatas, self.embed_texts, strict=True)]
        for m in self.metadatas:
            m.pop("_key", None)
        self.row = {rid: i for i, rid in enumerate(self.ids)}
        self.lexical = LexicalIndex(self.embed_texts)
        self._lock = threading.Lock()  # Chroma clients are not documented thread-safe

    def __len__(self) -> int:
        return len(self.ids)

    def rows_where(self, where: Filter) -> list[int]:
        """Row numbers of records matching `where`, in index order."""
        return [i for i, m in enumerate(self.metadatas) if matches(m, where)]

    def hit(self, row: int, score: float = 0.0, dense: float = 0.0, lexical: float = 0.0, rank: int = 0) -> Hit:
        return Hit(self.ids[row], self.texts[row], self.metadatas[row], score, dense, lexical, rank)

    def dense(self, query_vec: list[float], n: int, where: Filter | None = None) -> dict[int, float]:
        """Row -> cosine similarity for the n nearest records."""
        n = min(n, len(self.ids))
        if n == 0:
            return {}
        with self._lock:
            res = self.collection.query(
                query_embeddings=[query_vec], n_results=n, where=chroma_where(where), include=["distances"]
            )
        return {self.row[i]: 1.0 - d for i, d in zip(res["ids"][0], res["distances"][0], strict=True) if i in self.row}

    def similarity(self, query_vec: list[float], rows: list[int]) -> dict[int, float]:
        """Cosine similarity of the query with specific records (vectors fetched from Chroma)."""
        if not rows:
            return {}
        with self._lock:
            got = self.collection.get(ids=[self.ids[r] for r in rows], include=["embeddings"])
        q = np.asarray(query_vec, dtype=np.float32)
        return {self.row[i]: float(np.dot(q, np.asarray(v, dtype=np.float32))) for i, v in zip(got["ids"], got["embeddings"], strict=True)}

    def search(
        self,
        query: str,
        k: int = 5,
        where: Filter | None = None,
        boosts: list[tuple[Filter, float]] | None = None,
        depth: int = 50,
        query_vec: list[float] | None = None,
    ) -> list[Hit]:
        """Top-k records by reciprocal-rank fusion of dense and BM25, times matching boosts."""
        if query_vec is None:
            query_vec = self.embedder.embed_query(query)
        allowed = None if not where else set(self.rows_where(where))
        dense = self.dense(query_vec, max(depth, k), where)
        lex_all = self.lexical.scores(query)
        order = np.argsort(-lex_all)
        lex_rank: dict[int, int] = {}
        for row in order:
            if lex_all[row] <= 0 or len(lex_rank) >= max(depth, k):
                break
            if allowed is None or row in allowed:
                lex_rank[int(row)] = len(lex_rank)
        dense_rank = {row: r for r, (row, _) in enumerate(sorted(dense.items(), key=lambda kv: -kv[1]))}
        fused: dict[int, float] = {}
        for ranks in (dense_rank, lex_rank):
            for row, r in ranks.items():
                fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + r + 1)
        for row in fused:
            for flt, factor in boosts or []:
                # "_id" in a boost filter matches the record id (e.g. a set of ids)
                meta = {**self.metadatas[row], "_id": self.ids[row]} if "_id" in flt else self.metadatas[row]
                if matches(meta, flt):
                    fused[row] *= factor
        top = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        missing = [row for row, _ in top if row not in dense]
        dense.update(self.similarity(query_vec, missing))
        return [
            self.hit(row, score, dense.get(row, 0.0), float(lex_all[row]), rank)
            for rank, (row, score) in enumerate(top, start=1)
        ]
