"""`ChromaStore`: one index (a local folder, vectors embedded or on a Chroma server) and its versions.

The facade the rest of the project uses: it picks the backend (embedded.py, or server.py when
a Chroma URL is given), and hands the pointer and lock to the index folder (pointer.py), the
sync to sync.py, and the per-version records and BM25 files to records.py and lexical.py.
The folder layout is described in pointer.py; the sync's guarantees in sync.py.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from .errors import NoIndex
from .models import Record, SyncReport
from .pointer import IndexFolder
from .sync import Embed, corpus_version

__all__ = ["COLLECTION_PREFIX", "ChromaStore", "corpus_version"]

COLLECTION_PREFIX = "chunks-"


class ChromaStore:
    """Opens Chroma (embedded at `index_dir`, or a server at `chroma_url`) and manages versions."""

    def __init__(self, index_dir: str | Path, chroma_url: str | None = None):
        self.index_dir = Path(index_dir)
        self.chroma_url = chroma_url or None
        self.folder = IndexFolder(self.index_dir)
        if self.chroma_url:
            from .server import ServerBackend

            self.backend = ServerBackend(self.chroma_url, self.collection_prefix, self.folder)
        else:
            from .embedded import EmbeddedBackend

            self.backend = EmbeddedBackend(self.index_dir)

    @property
    def collection_prefix(self) -> str:
        """Server-mode collections of this index folder: several index folders can share one
        Chroma server without sweeping each other's versions."""
        folder = hashlib.sha256(str(self.index_dir.resolve()).encode()).hexdigest()[:8]
        return f"{COLLECTION_PREFIX}{folder}-"

    @property
    def where(self) -> str:
        return self.chroma_url or str(self.index_dir)

    def snapshot_path(self, pointer: dict) -> Path | None:
        """The local folder of a version (None for server-mode versions written before records files)."""
        return self.folder.snapshot_path(pointer)

    def current(self) -> dict | None:
        """The pointer to the live version, or None when nothing was indexed yet."""
        pointer = self.folder.read()
        if pointer is None or "collection" not in pointer:
            return None
        snapshot = self.snapshot_path(pointer)
        if self.backend.embedded and not (snapshot and snapshot.is_dir()):
            return None
        return pointer

    def require_current(self) -> dict:
        pointer = self.current()
        if pointer is None:
            raise NoIndex(self.where if self.chroma_url is None else f"{self.chroma_url} (pointer in {self.index_dir})")
        return pointer

    def client(self, path: Path | None = None):
        return self.backend.client(path)

    def open_collection(self, pointer: dict, name: str | None = None):
        """The Chroma collection of a version (no embedding function: we pass vectors)."""
        return self.backend.open(pointer, self.snapshot_path(pointer), name)

    def has_records(self, pointer: dict) -> bool:
        """Whether a version has its records and BM25 files (every version written since they exist)."""
        snapshot = self.snapshot_path(pointer)
        return bool(snapshot) and (snapshot / "records" / "meta.json").is_file() \
            and (snapshot / "bm25" / "count.json").is_file()

    def open_records(self, pointer: dict):
        """(RecordTable, LexicalIndex) of a version: its files memory-mapped, or, for an index
        written before they existed, read back from Chroma and BM25 rebuilt in memory."""
        from .lexical import LexicalIndex
        from .records import RecordTable

        if self.has_records(pointer):
            snapshot = self.snapshot_path(pointer)
            return RecordTable.open(snapshot / "records"), LexicalIndex.load(snapshot / "bm25")
        from .backend import legacy_records

        table = legacy_records(self.open_collection(pointer))
        return table, LexicalIndex(list(table.embed_texts))

    # -- writing ---------------------------------------------------------------------
    def lock(self):
        """The single-writer lock (a context manager); raises IndexLocked instead of waiting."""
        return self.folder.lock()

    def _write_pointer(self, pointer: dict) -> None:
        """Switch CURRENT (one method, so crash tests can stop a sync right here)."""
        self.folder.write(pointer)

    def sync(self, records: list[Record], embed: Embed,
             progress: Callable[[int, int], None] | None = None, spaces: dict[str, Embed] | None = None) -> SyncReport:
        """Make the live index hold exactly `records`, embedding only new or changed ones.

        `embed(texts, on_batch)` computes vectors; `progress(done, total)` follows embedding.
        `spaces`: further vector spaces (name -> embed), each kept in its own collection the
        same incremental way; a space the live version lacks is embedded whole.
        """
        from .sync import sync

        return sync(self, records, embed, progress, spaces)

    def sweep(self, current: dict, keep: dict | None = None) -> None:
        """Remove versions (snapshot folders, server collections) that are neither live nor `keep`."""
        live = [p for p in (current, keep) if p]
        self.folder.sweep(live)
        self.backend.sweep(live)
