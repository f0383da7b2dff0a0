"""What the sync and the search need from a Chroma backend, and the parts both backends share.

A backend holds the vectors of each index version in a named collection: embedded Chroma
inside the version's snapshot folder, or a collection on a `chroma run` server. A version may
hold further vector spaces (another embedder's vectors of the same rows) in collections named
`collection_name(base, space)`; every method takes the collection it works on. Chroma stores ids and vectors only: metadata,
texts and keys live in the snapshot's records, where filters run too (search.py asks Chroma
among the matching ids). Writing the metadata to Chroma as well took most of a build: 100k rows
of the scale bench took 232-234 CPU s with it, 53 without (bench/results/scale.json). Indexes
written before the records files existed, whose metadata and texts are in Chroma, are read back
with `legacy_records`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

# Cosine distance. Chosen by bench/hnsw_sweep.py (bench/results/hnsw_sweep.json, 2026-12-02, scale
# corpus, tie-aware recall@10 vs exact over 305 dev+train questions): M=16 leaves the graph too sparse
# (recall@10 0.30-0.42 at 20k at any search_ef); at 20k, M=32 reaches 0.9951 at search_ef 1600 (0.9384 at
# 200), construction_ef 64 0.9925; M=48 no better. search_ef costs no build time (7 ms/query at 20k), so
# it is 1600 (was 256). M and construction_ef barely move build time (20k: 45-48 s; half of the CPU is
# Chroma's metadata writes, measured apart), and cef 128 beats 64 at 100k, so they stay. Non-default
# batch_size 1000 / sync_threshold 100000 built slower (65 s vs 45 s). At 100k no set tried reaches 0.99
# (0.34 at M=32, cef 128, search_ef 3200): see README "Server mode at scale".
HNSW = {"hnsw:space": "cosine", "hnsw:search_ef": 1600, "hnsw:construction_ef": 128, "hnsw:M": 32}
PAGE = 5000


class Backend(Protocol):
    embedded: bool

    def client(self, path: Path | None = None): ...

    def create(self, snapshot: Path, name: str):
        """A new, empty collection `name` for the version being built in `snapshot`."""

    def derive(self, old: dict, old_snapshot: Path | None, snapshot: Path, name: str, keep: list[str],
               drop: list[str]) -> tuple[object, str]:
        """A writable collection holding the old version's `keep` rows (not its `drop` rows),
        and its name."""

    def derive_space(self, old: dict, old_snapshot: Path | None, snapshot: Path, old_name: str, name: str,
                     keep: list[str], drop: list[str]):
        """Like `derive`, for the old version's further-space collection `old_name`, after `derive`."""

    def open(self, pointer: dict, snapshot: Path | None, name: str | None = None):
        """The collection of a live version, to read."""

    def release(self) -> None:
        """Close what this process holds open for the versions just written."""

    def sweep(self, live: list[dict]) -> None:
        """Remove this index's collections that no pointer in `live` names."""


def collection_name(base: str, embedder: str | None = None) -> str:
    """The collection of a version's vectors by one embedder (the default one: `base`)."""
    return base if not embedder else f"{base}.{embedder}"


def chroma_settings():
    import chromadb

    return chromadb.Settings(anonymized_telemetry=False, allow_reset=False)


def vectors_by_id(collection, ids: list[str]) -> dict[str, list[float]]:
    """id -> vector of the given rows of a collection, fetched page by page."""
    out: dict[str, list[float]] = {}
    for s in range(0, len(ids), PAGE):
        got = collection.get(ids=ids[s:s + PAGE], include=["embeddings"])
        out.update((i, [float(x) for x in v]) for i, v in zip(got["ids"], got["embeddings"], strict=True))
    return out


def copy_rows(source, target, ids: list[str]) -> None:
    """Copy rows (their vectors: all Chroma needs, see the module docstring) from one collection
    into another, page by page."""
    for s in range(0, len(ids), PAGE):
        got = source.get(ids=ids[s:s + PAGE], include=["embeddings"])
        if got["ids"]:
            target.add(ids=got["ids"], embeddings=got["embeddings"])


def public(metadata: dict) -> dict:
    """Metadata as stored in Chroma: without the internal `_`-prefixed keys."""
    return {k: v for k, v in metadata.items() if not k.startswith("_")}


def legacy_records(collection):
    """The records of a version written before records files existed (texts and keys then
    lived in Chroma: documents, `_text`, `_key`), read page by page."""
    from .records import RecordTable

    ids, keys, texts, embed_texts, metas = [], [], [], [], []
    for offset in range(0, collection.count(), PAGE):
        page = collection.get(include=["documents", "metadatas"], limit=PAGE, offset=offset)
        for rid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"], strict=True):
            meta = dict(meta or {})
            ids.append(rid)
            keys.append(str(meta.get("_key", "")))
            embed_texts.append(doc or "")
            texts.append(meta.get("_text", doc or ""))
            metas.append(public(meta))
    return RecordTable.build(ids, keys, texts, embed_texts, metas)
