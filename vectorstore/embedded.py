"""Embedded Chroma: each index version is a Chroma database inside its snapshot folder.

A new version starts as a copy of the live snapshot folder (so unchanged vectors are not
re-inserted) with the removed rows deleted; the sync then replaces the copied records. Chroma writes to a snapshot's database even to
read it, so a read-only snapshot is read from a private copy. Folder sweeping is the index
folder's job (pointer.py), not this module's.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from .backend import HNSW, PAGE, chroma_settings
from .errors import IndexNotWritable
from .pointer import copy_tree


class EmbeddedBackend:
    embedded = True

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir

    def client(self, path: Path | None = None):
        import chromadb

        return chromadb.PersistentClient(path=str(path), settings=chroma_settings())

    def create(self, snapshot: Path, name: str):
        client = self.client(snapshot)
        if name in {getattr(c, "name", c) for c in client.list_collections()}:
            client.delete_collection(name)  # copied from an earlier version that no longer names it
        return client.create_collection(name, embedding_function=None, metadata=HNSW)

    def derive(self, old: dict, old_snapshot: Path | None, snapshot: Path, name: str, keep: list[str],
               drop: list[str]) -> tuple[object, str]:
        copy_tree(old_snapshot, snapshot)  # the old records come along; the sync replaces them
        collection = self.client(snapshot).get_collection(old["collection"], embedding_function=None)
        for s in range(0, len(drop), PAGE):
            collection.delete(ids=drop[s:s + PAGE])
        return collection, old["collection"]

    def derive_space(self, old: dict, old_snapshot: Path | None, snapshot: Path, old_name: str, name: str,
                     keep: list[str], drop: list[str]):
        """A further space's collection, in the snapshot `derive` has already copied (same name)."""
        collection = self.client(snapshot).get_collection(old_name, embedding_function=None)
        for s in range(0, len(drop), PAGE):
            collection.delete(ids=drop[s:s + PAGE])
        return collection

    def open(self, pointer: dict, snapshot: Path | None, name: str | None = None):
        return self.client(self._readable(snapshot)).get_collection(name or pointer["collection"],
                                                                    embedding_function=None)

    def release(self) -> None:
        """Drop this process's cached Chroma systems so the snapshot's files are closed."""
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()

    def sweep(self, live: list[dict]) -> None:
        """Nothing beyond the snapshot folders, which the index folder sweeps."""

    def _readable(self, path: Path) -> Path:
        """`path`, or a private copy of it when it is read-only: Chroma records every open in
        its database, so it cannot even read a snapshot it may not write."""
        if os.access(path, os.W_OK) and os.access(path / "chroma.sqlite3", os.W_OK):
            return path
        copy = Path(tempfile.mkdtemp(prefix="treaty-index-"))
        atexit.register(shutil.rmtree, copy, True)
        try:
            copy_tree(path, copy / path.name)
        except OSError as exc:
            raise IndexNotWritable(
                str(self.index_dir), f"read-only, and copying it to {copy} failed: {exc.strerror or exc}"
            ) from None
        return copy / path.name
