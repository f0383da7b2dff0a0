"""The index folder: its CURRENT pointer, its single-writer lock and its snapshot folders.

    CURRENT              JSON {"version", "collection", "path"}, replaced atomically; "path" is
                         relative to the index folder (so the folder can be moved)
    .lock                flock held by the one writer
    snapshots/<version>-<ms>/
                         one corpus version: its records and BM25 files (both modes) and, in
                         embedded mode, its Chroma database
Knows nothing of Chroma: the backends and the sync decide what goes into a snapshot.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import IndexLocked, IndexNotWritable


def copy_tree(src: Path, dst: Path) -> None:
    """Copy a snapshot folder; unlike shutil.copytree, stop at the first error and raise it
    as the OSError it is (copytree gathers them into one shutil.Error without an errno)."""
    dst.mkdir()
    for item in src.iterdir():
        if item.is_dir():
            copy_tree(item, dst / item.name)
        else:
            shutil.copy2(item, dst / item.name)


class IndexFolder:
    """One index folder on the local disk (embedded and server mode alike)."""

    def __init__(self, index_dir: str | Path):
        self.index_dir = Path(index_dir)
        self.pointer_path = self.index_dir / "CURRENT"
        self.snap_root = self.index_dir / "snapshots"

    def read(self) -> dict | None:
        """The pointer as written, or None when there is none (or it is unreadable)."""
        try:
            pointer = json.loads(self.pointer_path.read_text())
        except (OSError, ValueError):
            return None
        return pointer if isinstance(pointer, dict) and "version" in pointer else None

    def write(self, pointer: dict) -> None:
        """Replace CURRENT atomically (write a temporary file, fsync, rename)."""
        tmp = self.pointer_path.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "w") as fh:
            json.dump(pointer, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer_path)

    def snapshot_path(self, pointer: dict) -> Path | None:
        """The snapshot folder a pointer names (older pointers hold an absolute path; older
        server-mode pointers none)."""
        return self.index_dir / pointer["path"] if pointer.get("path") else None

    def new_snapshot(self, version: str) -> Path:
        """A fresh, not yet created, snapshot folder name for `version`."""
        self.snap_root.mkdir(parents=True, exist_ok=True)
        return self.snap_root / f"{version}-{int(time.time() * 1000)}"

    def snapshot_dirs(self) -> set[Path]:
        return set(self.snap_root.iterdir()) if self.snap_root.is_dir() else set()

    def sweep(self, live: list[dict]) -> None:
        """Remove snapshot folders no pointer in `live` names."""
        keep = {str(p.resolve()) for p in (self.snapshot_path(x) for x in live if x) if p}
        for path in self.snapshot_dirs():
            if str(path.resolve()) not in keep:
                shutil.rmtree(path, ignore_errors=True)

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
