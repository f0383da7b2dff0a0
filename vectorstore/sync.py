"""Incremental sync, the same for both backends: make the live index hold exactly some records.

A sync reads the live version's records (ids, keys, embed texts: from its records files),
works out what was added, updated and removed, has the backend derive a new collection from
the live one (unchanged vectors are kept, not recomputed; a record whose embed text is already
indexed under another id reuses that vector), embeds only the rest, writes the new version's
records and BM25 files, and only then moves CURRENT (ChromaStore._write_pointer). A crash
before that leaves the old version in use; leftovers are swept by the next sync, and a build
that fails on a full or read-only disk removes its own at once. Locking and the pointer are
the index folder's (pointer.py); Chroma calls are the backend's.
"""
from __future__ import annotations

import errno
import hashlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from .backend import collection_name, public, vectors_by_id
from .errors import IndexNotWritable
from .lexical import LexicalIndex
from .models import Record, SyncReport
from .records import RecordTable

BATCH = 1000  # records per embed call and per Chroma add
# errors that mean "this disk or folder cannot take the write", reported as IndexNotWritable
_NOT_WRITABLE = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EFBIG, errno.ENOTDIR}
Embed = Callable[[list[str], Callable[[int], None] | None], list[list[float]]]


def spaces_of(pointer: dict | None) -> list[str]:
    """The further vector spaces a version holds beside its main collection (sorted names)."""
    return sorted(pointer.get("spaces", [])) if pointer else []


def corpus_version(ids: list[str]) -> str:
    """A hash of the set of record ids (ids carry content hashes): the corpus version."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:16]


def sync(store, records: list[Record], embed: Embed, progress: Callable[[int, int], None] | None = None,
         spaces: dict[str, Embed] | None = None) -> SyncReport:
    """See ChromaStore.sync."""
    started = time.perf_counter()
    spaces = dict(spaces or {})
    wanted = {r.id: r for r in records}
    if len(wanted) != len(records):
        raise ValueError("record ids must be unique")
    version = corpus_version(list(wanted))
    report = SyncReport(version=version, total=len(wanted))
    with store.lock():
        pointer = keep = store.current()
        same_spaces = spaces_of(pointer) == sorted(spaces)
        if pointer is not None and store.backend.embedded and pointer["version"] == version \
                and store.has_records(pointer) and same_spaces:
            # the live snapshot holds exactly these ids (the version is their hash): an unchanged
            # re-ingest neither opens Chroma nor imports it (~1 s of a `treaty ingest` process)
            report.unchanged = len(wanted)
        else:
            old = store.open_records(pointer)[0] if pointer is not None else None
            old_ids = dict(zip(old.ids, old.keys, strict=True)) if old is not None else {}
            _classify(report, wanted, old_ids)
            stale = [i for i in old_ids if i not in wanted]
            if old is not None and pointer["version"] == version and not stale and same_spaces:
                if not store.has_records(pointer):  # an index from before records files: add them
                    pointer = keep = _upgrade(store, pointer, old)
            else:
                pointer = _switch(store, pointer, old, version, wanted, stale, embed, progress, report, spaces)
        store.sweep(pointer, keep=keep)
    report.seconds = time.perf_counter() - started
    return report


def _classify(report: SyncReport, wanted: dict[str, Record], old_ids: dict[str, str]) -> None:
    old_keys = set(old_ids.values())
    new_keys = {r.key for r in wanted.values() if r.id not in old_ids}
    for rid, rec in wanted.items():
        if rid in old_ids:
            report.unchanged += 1
        elif rec.key in old_keys:
            report.updated.append(rid)
        else:
            report.added.append(rid)
    report.removed = [i for i, k in old_ids.items() if i not in wanted and k not in new_keys]


def _switch(store, pointer, old, version, wanted, stale, embed, progress, report, spaces) -> dict:
    """Build the new version and move CURRENT to it; clean up after a failed build."""
    before = store.folder.snapshot_dirs()
    try:
        new_pointer = _build(store, pointer, old, version, wanted, stale, embed, progress, report, spaces)
        store._write_pointer(new_pointer)
    except BaseException as exc:
        detail = _write_failure(store, exc)
        for path in store.folder.snapshot_dirs() - before:
            shutil.rmtree(path, ignore_errors=True)  # a part-built snapshot only takes space
        if detail:
            raise IndexNotWritable(str(store.index_dir), detail) from None
        raise
    return new_pointer


def _build(store, pointer, old, version, wanted, stale, embed, progress, report, spaces) -> dict:
    snapshot = store.folder.new_snapshot(version)
    # named by build, not by version alone: a corpus that returns to an earlier version must not
    # replace that version's collection, which a live layered version may use as its base
    name = f"{store.collection_prefix}{snapshot.name}"
    old_collection = None
    if old is not None:
        old_collection = store.open_collection(pointer)
        keep = [i for i in old.ids if i in wanted]
        collection, name = store.backend.derive(pointer, store.snapshot_path(pointer), snapshot, name, keep, stale)
    else:
        collection = store.backend.create(snapshot, name)
    todo = [wanted[i] for i in report.added + report.updated]
    # a changed id whose embed text is already indexed (moved, or only its metadata changed)
    reuse: dict[str, list[float]] = {}
    if old_collection is not None and stale:
        by_text = {old.embed_texts[old.row[i]]: i for i in stale}
        vectors = vectors_by_id(old_collection, list(by_text.values()))
        reuse = {t: vectors[i] for t, i in by_text.items() if i in vectors}
    _add(collection, todo, reuse, embed, progress, report)
    if collection.count() != len(wanted):
        raise RuntimeError(f"index build produced {collection.count()} records, expected {len(wanted)}")
    rows = list(wanted.values())
    for space, embed_space in spaces.items():
        _build_space(store, pointer, old, snapshot, name, space, embed_space, rows, todo, stale, report)
    table = RecordTable.build([r.id for r in rows], [r.key for r in rows], [r.text for r in rows],
                              [r.embed_text for r in rows], [public(r.metadata) for r in rows])
    _write_records(snapshot, table)
    store.backend.release()
    built = {"version": version, "collection": name, "path": str(snapshot.relative_to(store.index_dir))}
    return {**built, "spaces": sorted(spaces)} if spaces else built


def _build_space(store, pointer, old, snapshot, name, space, embed, rows, todo, stale, report) -> None:
    """The version's vectors in a further space (another embedder), in collection `<name>.<space>`:
    derived from the live version's like the main collection, embedding only new or changed
    records; built whole when the live version has none in that space."""
    target = collection_name(name, space)
    counted = SyncReport()
    if old is not None and space in spaces_of(pointer):
        ids = {r.id for r in rows}
        keep = [i for i in old.ids if i in ids]
        collection = store.backend.derive_space(pointer, store.snapshot_path(pointer), snapshot,
                                                collection_name(pointer["collection"], space), target, keep, stale)
        _add(collection, todo, {}, embed, None, counted)
    else:
        collection = store.backend.create(snapshot, target)
        _add(collection, rows, {}, embed, None, counted)
    if collection.count() != len(rows):
        raise RuntimeError(f"index build produced {collection.count()} {space} vectors, expected {len(rows)}")
    report.embedded_spaces[space] = counted.embedded


def _add(collection, todo: list[Record], reuse: dict, embed: Embed, progress, report: SyncReport) -> None:
    total = sum(r.embed_text not in reuse for r in todo)
    done = 0  # texts embedded so far, counted up by the embedder's per-batch reports
    if progress and total:
        progress(0, total)

    def on_batch(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    for s in range(0, len(todo), BATCH):
        batch = todo[s:s + BATCH]
        texts = [r.embed_text for r in batch if r.embed_text not in reuse]
        computed = iter(embed(texts, on_batch) if texts else [])
        # vectors only: metadata, keys and texts live in the records files, and filters run there
        collection.add(ids=[r.id for r in batch],
                       embeddings=[reuse[r.embed_text] if r.embed_text in reuse else next(computed) for r in batch])
        report.embedded += len(texts)
        done = report.embedded  # exact even when `embed` reports no batches
        if progress and texts:
            progress(done, total)


def _write_records(snapshot: Path, table: RecordTable) -> None:
    """The version's records and BM25 files, replacing any copied from the previous version
    (removed file by file: a full disk must find no room freed before Chroma's writes)."""
    for part in ("records", "bm25"):
        if (snapshot / part).is_dir():
            for f in (snapshot / part).iterdir():
                f.unlink()
            (snapshot / part).rmdir()
    LexicalIndex(list(table.embed_texts)).save(snapshot / "bm25")
    table.save(snapshot / "records")  # last: its presence marks the files complete


def _upgrade(store, pointer: dict, table: RecordTable) -> dict:
    """Give a live version written before records files existed its files, in place."""
    snapshot = store.snapshot_path(pointer) or store.folder.new_snapshot(pointer["version"])
    staging = snapshot / f".records-{os.getpid()}"
    staging.mkdir(parents=True)
    _write_records(staging, table)
    os.replace(staging / "bm25", snapshot / "bm25")
    os.replace(staging / "records", snapshot / "records")
    staging.rmdir()
    if not pointer.get("path"):
        pointer = {**pointer, "path": str(snapshot.relative_to(store.index_dir))}
        store._write_pointer(pointer)
    return pointer


def _write_failure(store, exc: BaseException) -> str | None:
    """What stopped a build when the disk or folder refused the write, else None (a bug:
    re-raised as it is). Chroma's own errors carry no errno: a nearly full disk explains them."""
    from chromadb.errors import ChromaError

    if isinstance(exc, OSError) and exc.errno in _NOT_WRITABLE:
        return exc.strerror or str(exc)
    if isinstance(exc, ChromaError) and store.backend.embedded:
        free = shutil.disk_usage(store.index_dir).free
        if free < 64 * 2**20:
            return f"{free / 2**20:.1f} MB free; Chroma: {exc}"
    return None
