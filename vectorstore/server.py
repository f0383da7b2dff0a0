"""Server mode: each index version is a collection on a `chroma run` server.

Collections are named `chunks-<folder hash>-<version>-<ms>`, so several index folders can share
one server without sweeping each other's versions. The server has no collection copy, and
copying every row re-inserts it into a new HNSW graph (minutes at 100k chunks), so a new version
is layered (layered.py): it shares the old version's base collection and copies only the rows
added since. Once the hidden or added rows grow past the limits below, or would not save a
copy, the version is compacted into a plain collection with every row. The records, BM25 and
layers files of each version stay in the local index folder, beside CURRENT.
"""
from __future__ import annotations

from pathlib import Path

from .backend import HNSW, chroma_settings, copy_rows
from .errors import ServerUnavailable
from .layered import LayeredCollection, read_layers, write_layers

# Beyond these a version is compacted: each hidden row is one more result every base query asks
# for (2000: a few ms at 100k), each delta row is copied again into every later version (20k: ~15 s).
MAX_HIDDEN = 2000
MAX_DELTA = 20000


class ServerBackend:
    embedded = False

    def __init__(self, url: str, prefix: str, folder):
        self.url = url
        self.prefix = prefix
        self.folder = folder  # the IndexFolder: sweep reads the live versions' layers files

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
        source = self.open(old, old_snapshot)
        if isinstance(source, LayeredCollection):
            base, delta_ids, hidden = source.base, source.delta_ids(), source.hidden
        else:
            base, delta_ids, hidden = source, [], set()
        gone = set(drop)
        delta_keep = [i for i in delta_ids if i not in gone]
        hidden = hidden | (gone - set(delta_ids))
        collection = self.create(snapshot, name)
        if len(hidden) > MAX_HIDDEN or len(delta_keep) > MAX_DELTA or len(hidden) + len(delta_keep) >= base.count():
            copy_rows(source, collection, keep)  # compact
            return collection, name
        if delta_keep:
            copy_rows(source.delta, collection, delta_keep)
        write_layers(snapshot, name, base.name, hidden)
        return LayeredCollection(base, collection, hidden), name

    def derive_space(self, old: dict, old_snapshot: Path | None, snapshot: Path, old_name: str, name: str,
                     keep: list[str], drop: list[str]):
        """A further space's collection: layered over (or compacted from) the old one, as `derive`."""
        return self.derive({**old, "collection": old_name}, old_snapshot, snapshot, name, keep, drop)[0]

    def open(self, pointer: dict, snapshot: Path | None, name: str | None = None):
        client = self.client()
        name = name or pointer["collection"]
        collection = client.get_collection(name, embedding_function=None)
        layer = read_layers(snapshot).get(name)
        if layer is None:
            return collection
        return LayeredCollection(client.get_collection(layer["base"], embedding_function=None), collection,
                                 set(layer["hidden"]))

    def release(self) -> None:
        """Nothing to close: the server holds the files."""

    def sweep(self, live: list[dict]) -> None:
        """Delete this index's collections that no live version names, as its own or as a base."""
        names = {p["collection"] for p in live if p}
        bases = {layer["base"] for p in live if p
                 for layer in read_layers(self.folder.snapshot_path(p)).values()}
        try:
            client = self.client()
            for col in client.list_collections():
                name = getattr(col, "name", col)
                if name.startswith(self.prefix) and name.split(".")[0] not in names and name not in bases:
                    client.delete_collection(name)
        except Exception:
            pass
