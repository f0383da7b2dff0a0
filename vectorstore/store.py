"""Versioned Chroma snapshots with an atomic switch, a write lock and incremental sync.

Layout of an index folder:
    CURRENT              JSON pointer {"version", "collection", "path"}; replaced atomically;
                         "path" is relative to the index folder, so the folder can be moved
    .lock                flock held by the one writer
    snapshots/<version>/ embedded Chroma of one corpus version (embedded mode)
A sync copies the current snapshot, applies only the difference (embedding just new or
changed texts: a record whose embed text is already indexed keeps its vector) and then
moves CURRENT. A crash before that leaves the old snapshot in use; leftovers are swept
by the next sync (a build that fails on a full or read-only disk removes its own at once).
In server mode (a Chroma URL) each version is a collection on the server and CURRENT
stays in the local folder. Chroma writes to a snapshot's database even to read it, so a
read-only snapshot is read from a private copy.
"""
from __future__ import annotations

import atexit
import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from .errors import IndexLocked, IndexNotWritable, NoIndex, ServerUnavailable
from .models import Record, SyncReport

COLLECTION_PREFIX = "chunks-"
# cosine distance; a wide search beam so neighbours do not depend on how the graph was
# built (insertion is multi-threaded): results stay the same from one load to the next
HNSW = {"hnsw:space": "cosine", "hnsw:search_ef": 256, "hnsw:construction_ef": 256, "hnsw:M": 32}
_PAGE = 5000
# errors that mean "this disk or folder cannot take the write", reported as IndexNotWritable
_NOT_WRITABLE = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EFBIG, errno.ENOTDIR}


def corpus_version(ids: list[str]) -> str:
    """A hash of the set of record ids (ids carry content hashes): the corpus version."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:16]


def _copy_tree(src: Path, dst: Path) -> None:
    """Copy a snapshot folder; unlike shutil.copytree, stop at the first error and raise it
    as the OSError it is (copytree gathers them into one shutil.Error without an errno)."""
    dst.mkdir()
    for item in src.iterdir():
        if item.is_dir():
            _copy_tree(item, dst / item.name)
        else:
            shutil.copy2(item, dst / item.name)


def _settings():
    import chromadb

    return chromadb.Settings(anonymized_telemetry=False, allow_reset=False)


class ChromaStore:
    """Opens Chroma (embedded at `index_dir`, or a server at `chroma_url`) and manages versions."""

    def __init__(self, index_dir: str | Path, chroma_url: str | None = None):
        self.index_dir = Path(index_dir)
        self.chroma_url = chroma_url or None

    @property
    def collection_prefix(self) -> str:
        """Server-mode collections of this index folder: several index folders can share one
        Chroma server without sweeping each other's versions."""
        folder = hashlib.sha256(str(self.index_dir.resolve()).encode()).hexdigest()[:8]
        return f"{COLLECTION_PREFIX}{folder}-"

    # -- locations -------------------------------------------------------------------
    @property
    def where(self) -> str:
        return self.chroma_url or str(self.index_dir)

    def _pointer_path(self) -> Path:
        return self.index_dir / "CURRENT"

    def snapshot_path(self, pointer: dict) -> Path:
        """The snapshot folder a pointer names (older pointers hold an absolute path)."""
        return self.index_dir / pointer["path"]

    def current(self) -> dict | None:
        """The pointer to the live version, or None when nothing was indexed yet."""
        try:
            pointer = json.loads(self._pointer_path().read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None
        if self.chroma_url is None and not (pointer.get("path") and self.snapshot_path(pointer).is_dir()):
            return None
        return pointer

    def require_current(self) -> dict:
        pointer = self.current()
        if pointer is None:
            raise NoIndex(self.where if self.chroma_url is None else f"{self.chroma_url} (pointer in {self.index_dir})")
        return pointer

    # -- clients ---------------------------------------------------------------------
    def client(self, path: Path | None = None):
        import chromadb

        if self.chroma_url:
            from urllib.parse import urlparse

            url = urlparse(self.chroma_url)
            try:
                client = chromadb.HttpClient(
                    host=url.hostname or "localhost", port=url.port or 8000,
                    ssl=url.scheme == "https", settings=_settings(),
                )
                client.heartbeat()
            except Exception as exc:  # connection errors come in many types
                raise ServerUnavailable(self.chroma_url, type(exc).__name__) from None
            return client
        return chromadb.PersistentClient(path=str(path), settings=_settings())

    def open_collection(self, pointer: dict):
        """The Chroma collection a pointer names (no embedding function: we pass vectors)."""
        path = None if self.chroma_url else self._readable(self.snapshot_path(pointer))
        return self.client(path).get_collection(pointer["collection"], embedding_function=None)

    def _readable(self, path: Path) -> Path:
        """`path`, or a private copy of it when it is read-only: Chroma records every open in
        its database, so it cannot even read a snapshot it may not write."""
        if os.access(path, os.W_OK) and os.access(path / "chroma.sqlite3", os.W_OK):
            return path
        copy = Path(tempfile.mkdtemp(prefix="treaty-index-"))
        atexit.register(shutil.rmtree, copy, True)
        try:
            _copy_tree(path, copy / path.name)
        except OSError as exc:
            raise IndexNotWritable(
                str(self.index_dir), f"read-only, and copying it to {copy} failed: {exc.strerror or exc}"
            ) from None
        return copy / path.name

    # -- writing ---------------------------------------------------------------------
    @contextmanager
    def lock(self):
        """The single-writer lock; raises IndexLocked instead of waiting."""
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            fh = open(self.index_dir / ".lock", "a+")
        except OSError as exc:
            raise IndexNotWritable(str(self.index_dir), exc.strerror or str(exc)) from None
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.seek(0)
                raise IndexLocked(str(self.index_dir), fh.read().strip()) from None
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()}")
            fh.flush()
            yield
        finally:
            fh.close()

    def _write_pointer(self, pointer: dict) -> None:
        tmp = self._pointer_path().with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "w") as fh:
            json.dump(pointer, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self._pointer_path())

    def _read_all(self, collection, include: list[str]) -> dict:
        """Every record of a collection, paged so large indexes do not blow up one call."""
        out: dict = {"ids": [], **{k: [] for k in include}}
        total = collection.count()
        for offset in range(0, total, _PAGE):
            page = collection.get(include=include, limit=_PAGE, offset=offset)
            out["ids"].extend(page["ids"])
            for k in include:
                out[k].extend(list(page[k]) if page[k] is not None else [])
        return out

    def sync(
        self,
        records: list[Record],
        embed: Callable[[list[str], Callable[[int], None] | None], list[list[float]]],
        progress: Callable[[int, int], None] | None = None,
    ) -> SyncReport:
        """Make the live index hold exactly `records`, embedding only new or changed ones.

        `embed(texts, on_batch)` computes vectors; `progress(done, total)` follows embedding.
        """
        started = time.perf_counter()
        wanted = {r.id: r for r in records}
        if len(wanted) != len(records):
            raise ValueError("record ids must be unique")
        version = corpus_version(list(wanted))
        with self.lock():
            pointer = self.current()
            if pointer is not None and self.chroma_url is None and pointer.get("version") == version:
                # the live snapshot holds exactly these ids (the version is their hash): an unchanged
                # re-ingest neither opens Chroma nor imports it (~1 s of a `treaty ingest` process)
                self._sweep(pointer)
                report = SyncReport(version=version, total=len(wanted), unchanged=len(wanted))
                report.seconds = time.perf_counter() - started
                return report
            old_ids: dict[str, str] = {}  # id -> key
            old_collection = None
            if pointer is not None:
                old_collection = self.open_collection(pointer)
                got = self._read_all(old_collection, ["metadatas"])
                old_ids = {i: (m or {}).get("_key", "") for i, m in zip(got["ids"], got["metadatas"], strict=True)}
            report = SyncReport(version=version, total=len(wanted))
            old_keys = set(old_ids.values())
            new_keys = {r.key for r in records if r.id not in old_ids}
            for rid, rec in wanted.items():
                if rid in old_ids:
                    report.unchanged += 1
                elif rec.key in old_keys:
                    report.updated.append(rid)
                else:
                    report.added.append(rid)
            report.removed = [i for i, k in old_ids.items() if i not in wanted and k not in new_keys]
            stale = [i for i in old_ids if i not in wanted]
            if pointer is not None and pointer.get("version") == version and not stale:
                self._sweep(pointer)
                report.seconds = time.perf_counter() - started
                return report
            before = self._snapshot_dirs()
            try:
                new_pointer = self._build(pointer, old_collection, version, wanted, stale, embed, progress, report)
                self._write_pointer(new_pointer)
            except BaseException as exc:
                detail = self._write_failure(exc)
                for path in self._snapshot_dirs() - before:
                    shutil.rmtree(path, ignore_errors=True)  # a part-built snapshot only takes space
                if detail:
                    raise IndexNotWritable(str(self.index_dir), detail) from None
                raise
            self._sweep(new_pointer, keep=pointer)
        report.seconds = time.perf_counter() - started
        return report

    def _build(self, pointer, old_collection, version, wanted, stale, embed, progress, report) -> dict:
        name = f"{self.collection_prefix}{version}"
        if self.chroma_url:
            client = self.client()
            new_pointer = {"version": version, "collection": name, "path": ""}
            try:
                client.delete_collection(name)  # a leftover of a crashed build
            except Exception:
                pass
            collection = client.create_collection(name, embedding_function=None, metadata=HNSW)
            if old_collection is not None:
                keep = self._read_all(old_collection, ["embeddings", "documents", "metadatas"])
                rows = [j for j, i in enumerate(keep["ids"]) if i in wanted]
                for s in range(0, len(rows), _PAGE):
                    part = rows[s:s + _PAGE]
                    collection.add(
                        ids=[keep["ids"][j] for j in part],
                        embeddings=[keep["embeddings"][j] for j in part],
                        documents=[keep["documents"][j] for j in part],
                        metadatas=[keep["metadatas"][j] for j in part],
                    )
        else:
            snap_root = self.index_dir / "snapshots"
            snap_root.mkdir(parents=True, exist_ok=True)
            path = snap_root / f"{version}-{int(time.time() * 1000)}"
            if pointer is not None:
                _copy_tree(self.snapshot_path(pointer), path)
                collection = self.client(path).get_collection(pointer["collection"], embedding_function=None)
                if stale:
                    for s in range(0, len(stale), _PAGE):
                        collection.delete(ids=stale[s:s + _PAGE])
                name = pointer["collection"]
            else:
                collection = self.client(path).create_collection(
                    name, embedding_function=None, metadata=HNSW
                )
            new_pointer = {"version": version, "collection": name, "path": str(path.relative_to(self.index_dir))}
        todo = [wanted[i] for i in report.added + report.updated]
        # a changed id whose embed text is already indexed (moved, or only its metadata changed)
        reuse = self._vectors_by_text(old_collection, stale) if old_collection is not None and stale else {}
        total = sum(r.embed_text not in reuse for r in todo)
        done = 0  # texts embedded so far, counted up by the embedder's per-batch reports
        if progress and total:
            progress(0, total)
        for s in range(0, len(todo), 256):
            batch = todo[s:s + 256]
            texts = [r.embed_text for r in batch if r.embed_text not in reuse]

            def on_batch(n: int) -> None:
                nonlocal done
                done += n
                if progress:
                    progress(done, total)

            computed = iter(embed(texts, on_batch) if texts else [])
            collection.add(
                ids=[r.id for r in batch],
                embeddings=[reuse[r.embed_text] if r.embed_text in reuse else next(computed) for r in batch],
                documents=[r.embed_text for r in batch],
                metadatas=[{**r.metadata, "_key": r.key, "_text": r.text} for r in batch],
            )
            report.embedded += len(texts)
            done = report.embedded  # exact even when `embed` reports no batches
            if progress and texts:
                progress(done, total)
        if collection.count() != len(wanted):
            raise RuntimeError(f"index build produced {collection.count()} records, expected {len(wanted)}")
        if not self.chroma_url:
            self._release(self.snapshot_path(new_pointer))
        return new_pointer

    def _snapshot_dirs(self) -> set[Path]:
        snap_root = self.index_dir / "snapshots"
        return set(snap_root.iterdir()) if self.chroma_url is None and snap_root.is_dir() else set()

    def _write_failure(self, exc: BaseException) -> str | None:
        """What stopped a build when the disk or folder refused the write, else None (a bug:
        re-raised as it is). Chroma's own errors carry no errno: a nearly full disk explains them."""
        from chromadb.errors import ChromaError

        if isinstance(exc, OSError) and exc.errno in _NOT_WRITABLE:
            return exc.strerror or str(exc)
        if isinstance(exc, ChromaError) and self.chroma_url is None:
            free = shutil.disk_usage(self.index_dir).free
            if free < 64 * 2**20:
                return f"{free / 2**20:.1f} MB free; Chroma: {exc}"
        return None

    def _vectors_by_text(self, collection, ids: list[str]) -> dict[str, list[float]]:
        """embed text -> vector of the given records of a collection."""
        out: dict[str, list[float]] = {}
        for s in range(0, len(ids), _PAGE):
            got = collection.get(ids=ids[s:s + _PAGE], include=["documents", "embeddings"])
            out.update((t, [float(x) for x in v]) for t, v in zip(got["documents"], got["embeddings"], strict=True))
        return out

    def _release(self, path: Path) -> None:
        """Drop this process's cached Chroma system for a path so its files are closed."""
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()

    def _sweep(self, current: dict, keep: dict | None = None) -> None:
        """Remove snapshots / collections that are neither live nor the previous one."""
        if self.chroma_url:
            live = {p["collection"] for p in (current, keep) if p}
            try:
                client = self.client()
                for col in client.list_collections():
                    name = getattr(col, "name", col)
                    if name.startswith(self.collection_prefix) and name not in live:
                        client.delete_collection(name)
            except Exception:
                pass
            return
        live = {str(self.snapshot_path(p).resolve()) for p in (current, keep) if p}
        snap_root = self.index_dir / "snapshots"
        for path in snap_root.glob("*") if snap_root.is_dir() else []:
            if str(path.resolve()) not in live:
                shutil.rmtree(path, ignore_errors=True)
