"""Typed values that leave the ingest package: a loaded document, a chunk, a skipped file.

Plain frozen dataclasses; metadata values are str/int/float/bool only so they can go
straight into a vector store.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Document:
    """One source file, loaded: body text without front matter, plus its metadata."""

    doc_id: str
    title: str
    text: str
    path: Path
    kind: str = "document"
    source_url: str = ""
    date: str = ""
    short_title: str = ""
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Chunk:
    """A unit of retrieval: `text` is what a user sees, `embed_text` what gets embedded."""

    doc_id: str
    position: int
    text: str
    embed_text: str
    metadata: dict

    @property
    def content_hash(self) -> str:
        """Hash of everything stored for the chunk: a metadata change is a change too."""
        payload = json.dumps([self.embed_text, self.text, self.metadata], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    @property
    def chunk_id(self) -> str:
        # stable: (document id, position, content hash)
        return f"{self.doc_id}:{self.position:04d}:{self.content_hash}"


@dataclass(frozen=True)
class Skipped:
    """A file that was not ingested, and why (a message that says what to do)."""

    path: str
    reason: str

    def as_dict(self) -> dict:
        return {"path": self.path, "reason": self.reason}
