"""Server mode: each index version is a collection on a `chroma run` server.

Collections are named `chunks-<folder hash>-<version>`, so several index folders can share
one server without sweeping each other's versions. A new version is a new collection with
the old version's kept rows copied over (the server has no collection copy). The records
and BM25 files of each version stay in the local index folder, beside CURRENT.
"""
from __future__ import annotations

from pathlib import Path

from .backend import HNSW, chroma_settings, copy_rows
from .errors import ServerUnavailable


class ServerBackend:
    embedded = False

    def __init__(self, url: str, prefix: str):
        self.url = url
        self.prefix = prefix

    def client(self, path: Path | None = None):
        from urllib.parse import urlparse

        import chromadb

        url = urlparse(self.url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "localhost", port=url.port or 8000,
                ssl=url.scheme == "https", settings=chroma_settings(),
            )
            client.heartbeat()
        except Exception as exc:  # connection errors come in many types
            raise ServerUnavailable(self.url, type(exc).__name__) from None
        return client

    def create(self, snapshot: Path, name: str):
        client = self.client()
        try:
            client.delete_collection(name)  # a leftover of a crashed build
        except Exception:
            pass
        return client.create_collection(name, embedding_function=None, metadata=HNSW)

    def derive(self, old: dict, old_snapshot: Path | None, snapshot: Path, name: str, keep: list[str],
               drop: list[str]) -> tuple[object, str]:
        collection = self.create(snapshot, name)
        copy_rows(self.open(old, old_snapshot), collection, keep)
        return collection, name

    def open(self, pointer: dict, snapshot: Path | None, name: str | None = None):
        return self.client().get_collection(name or pointer["collection"], embedding_function=None)

    def release(self) -> None:
        """Nothing to close: the server holds the files."""

    def sweep(self, live: list[dict]) -> None:
        names = {p["collection"] for p in live if p}
        try:
            client = self.client()
            for col in client.list_collections():
                name = getattr(col, "name", col)
                if name.startswith(self.prefix) and name.split(".")[0] not in names:
                    client.delete_collection(name)
        except Exception:
            pass
