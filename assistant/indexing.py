"""`treaty ingest`: corpus folders -> chunks (ingest) -> records synced into the store.

Also embeds the passages' new quotable units for the composer (answer/unit_vectors.py).
Returns an `IngestReport` (documents, chunks, added/updated/removed/unchanged, skipped)
that the CLI prints as text or JSON. Embedding progress is reported through a callback.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ingest import load_corpus
from vectorstore import ChromaStore, Record

from .answer.rank import MULTILINGUAL
from .answer.unit_vectors import MULTILINGUAL_FILE, update_unit_vectors


@dataclass(frozen=True)
class IngestReport:
    documents: int
    chunks: int
    added: int
    updated: int
    removed: int
    unchanged: int
    embedded: int
    embedded_spaces: dict = field(default_factory=dict)  # further vector space -> vectors computed in it
    skipped: list[dict] = field(default_factory=list)
    corpus_version: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        lines = [
            f"Indexed {self.documents} documents, {self.chunks} chunks (corpus version {self.corpus_version}) "
            f"in {self.seconds:.1f}s",
            f"  added {self.added}, updated {self.updated}, removed {self.removed}, unchanged {self.unchanged} "
            f"(embedded {self.embedded}" + "".join(f"; {n} in the {s} space" for s, n in self.embedded_spaces.items())
            + ")",
        ]
        if self.skipped:
            lines.append(f"  skipped {len(self.skipped)} file(s):")
            lines += [f"    {s['path']}: {s['reason']}" for s in self.skipped]
        return "\n".join(lines)


def record_id(chunk_id: str, embedder: str) -> str:
    """`doc:position:hash`, the hash also over the embedder's name: another model, other ids,
    so switching models re-embeds everything instead of mixing vectors."""
    doc_pos, _, digest = chunk_id.rpartition(":")
    if not embedder:
        return chunk_id
    return f"{doc_pos}:{hashlib.sha256(f'{digest}|{embedder}'.encode()).hexdigest()[:16]}"


def chunk_records(folders: list[Path], embedder: str = ""):
    """Load the corpus and turn its chunks into store records; returns (load, records)."""
    load = load_corpus(folders)
    records = [
        Record(record_id(c.chunk_id, embedder), f"{c.doc_id}:{c.position}", c.text, c.embed_text,
               {**c.metadata, "embedder": embedder} if embedder else c.metadata)
        for c in load.chunks
    ]
    return load, records


def run_ingest(
    folders: list[Path],
    store: ChromaStore,
    embed: Callable,
    progress: Callable[[int, int], None] | None = None,
    embedder: str = "",
    spaces: dict[str, Callable] | None = None,
) -> IngestReport:
    """Bring the index in line with the corpus folders; embed only what changed.
    `embedder`: the model's name, stored with every record (see `record_id`); `spaces`: further
    vector spaces (name -> embed), e.g. {MULTILINGUAL: the multilingual embedder's encode}."""
    embedder = embedder or getattr(getattr(embed, "__self__", None), "name", "")  # embedder.encode's model
    load, records = chunk_records(folders, embedder)
    sync = store.sync(records, embed, progress, spaces)
    update_unit_vectors(store.index_dir, [r.text for r in records], embed, embedder)
    if spaces and MULTILINGUAL in spaces:  # the units in the multilingual space too (rank.py's use_unit)
        encode = spaces[MULTILINGUAL]
        update_unit_vectors(store.index_dir, [r.text for r in records], encode,
                            getattr(getattr(encode, "__self__", None), "name", MULTILINGUAL), MULTILINGUAL_FILE)
    return IngestReport(
        documents=len(load.documents),
        chunks=len(records),
        added=len(sync.added),
        updated=len(sync.updated),
        removed=len(sync.removed),
        unchanged=sync.unchanged,
        embedded=sync.embedded,
        embedded_spaces=dict(sync.embedded_spaces),
        skipped=[s.as_dict() for s in load.skipped],
        corpus_version=sync.version,
        seconds=round(sync.seconds, 3),
    )
