"""Errors raised by the vector store.

    StoreError              base; never raised directly
    ├── NoIndex             nothing has been indexed at this location yet
    ├── IndexLocked         another ingest holds the write lock
    ├── IndexNotWritable    the index folder is read-only or the disk is full
    └── ServerUnavailable   the Chroma server at the configured URL does not answer
"""
from __future__ import annotations


class StoreError(Exception):
    """Base class for vector store errors."""


class NoIndex(StoreError):
    def __init__(self, where: str):
        super().__init__(f"No index at {where}: run `treaty ingest` first")
        self.where = where


class IndexLocked(StoreError):
    def __init__(self, where: str, holder: str = ""):
        who = f" ({holder})" if holder else ""
        super().__init__(
            f"Another ingest is writing the index at {where}{who}: wait for it to finish, then run `treaty ingest` again"
        )


class IndexNotWritable(StoreError):
    def __init__(self, where: str, detail: str):
        super().__init__(
            f"Cannot write the index at {where} ({detail}): free disk space or fix permissions, "
            "or set TREATY_INDEX_DIR to a writable folder; the previous index is unchanged"
        )


class ServerUnavailable(StoreError):
    def __init__(self, url: str, detail: str = ""):
        more = f" ({detail})" if detail else ""
        super().__init__(
            f"Chroma server at {url} does not answer{more}: start it with `chroma run --path DIR --port N`, "
            "or unset TREATY_CHROMA_URL to use the embedded index"
        )


class MissingModel(RuntimeError):
    """A packaged embedding model is not installed (or its pieces fail their checksum)."""
