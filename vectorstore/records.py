"""The records of one snapshot, stored beside its vectors and opened memory-mapped.

Layout of `<snapshot>/records/`:
    <column>.bin, <column>.off.npy   ids, keys, texts, embed texts: UTF-8 bytes + offsets
    meta.npy                        int32 (rows x fields): per field an index into its values, -1 absent
    meta.json                       {"fields": [...], "values": [[distinct values of each field], ...]}
    idhash.npy                      (64-bit id hash, row) pairs sorted by hash: id -> row lookup
Opening maps the arrays and reads only meta.json, so a serving process pays for the rows it
touches and several processes share one copy in the page cache. Filters run on the integer
codes. What the records mean is left to the caller.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

COLUMNS = ("ids", "keys", "texts", "embed_texts")


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)


class TextColumn(Sequence):
    """Strings stored as one UTF-8 buffer and their end offsets; decoded on access."""

    def __init__(self, data, ends):
        self._data, self._ends = data, ends

    @classmethod
    def build(cls, strings: list[str]) -> TextColumn:
        encoded = [s.encode() for s in strings]
        ends = np.cumsum([len(b) for b in encoded], dtype=np.int64) if encoded else np.zeros(0, np.int64)
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), ends)

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        start = int(self._ends[i - 1]) if i else 0
        return bytes(self._data[start:int(self._ends[i])]).decode()

    def __iter__(self) -> Iterator[str]:
        data = bytes(self._data)  # one read; far faster than slicing a map per row
        start = 0
        for end in self._ends.tolist():
            yield data[start:end].decode()
            start = end


class MetaColumn(Sequence):
    """Row metadata (dicts) rebuilt on access from the integer codes."""

    def __init__(self, codes, fields: list[str], values: list[list]):
        self.codes, self.fields, self.values = codes, fields, values

    def __len__(self) -> int:
        return len(self.codes)

    def _row(self, codes) -> dict:
        return {f: vals[c] for f, vals, c in zip(self.fields, self.values, codes, strict=True) if c >= 0}

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._row(self.codes[i].tolist())

    def __iter__(self) -> Iterator[dict]:
        for s in range(0, len(self.codes), 4096):
            yield from (self._row(c) for c in self.codes[s:s + 4096].tolist())


class RowMap(Mapping):
    """Record id -> row, by binary search over sorted 64-bit id hashes (checked against the id)."""

    def __init__(self, pairs, ids: TextColumn):
        self._hashes, self._rows, self._ids = pairs[:, 0], pairs[:, 1], ids

    def __getitem__(self, rid: str) -> int:
        h = _hash(rid)
        i = int(np.searchsorted(self._hashes, h))
        while i < len(self._hashes) and self._hashes[i] == h:
            row = int(self._rows[i])
            if self._ids[row] == rid:
                return row
            i += 1
        raise KeyError(rid)

    def __contains__(self, rid) -> bool:
        try:
            self[rid]
        except (KeyError, TypeError, AttributeError):
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class RecordTable:
    """ids, keys, texts, embed texts and metadata of one snapshot, row by row."""

    def __init__(self, columns: dict[str, TextColumn], codes, fields: list[str], values: list[list], pairs):
        self.ids, self.keys = columns["ids"], columns["keys"]
        self.texts, self.embed_texts = columns["texts"], columns["embed_texts"]
        self.metadatas = MetaColumn(codes, fields, values)
        self.row = RowMap(pairs, self.ids)
        self._columns, self._pairs = columns, pairs

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, ids: list[str], keys: list[str], texts: list[str], embed_texts: list[str],
              metadatas: list[dict]) -> RecordTable:
        fields = sorted({f for m in metadatas for f in m})
        lookup: list[dict] = [{} for _ in fields]
        codes = np.full((len(ids), len(fields)), -1, dtype=np.int32)
        for r, meta in enumerate(metadatas):
            for c, field in enumerate(fields):
                if field in meta:
                    codes[r, c] = lookup[c].setdefault((type(meta[field]), meta[field]), len(lookup[c]))
        values = [[v for _, v in table] for table in lookup]  # insertion order = code order
        pairs = np.array(sorted((_hash(i), r) for r, i in enumerate(ids)), dtype=np.int64).reshape(-1, 2)
        columns = {name: TextColumn.build(col) for name, col in zip(COLUMNS, (ids, keys, texts, embed_texts),
                                                                   strict=True)}
        return cls(columns, codes, fields, values, pairs)

    def save(self, folder: Path) -> None:
        """Write the table into `folder` (created; it must not exist), fsynced."""
        folder.mkdir(parents=True)
        for name, col in self._columns.items():
            _write(folder / f"{name}.bin", lambda fh, c=col: fh.write(memoryview(np.ascontiguousarray(c._data))))
            _write(folder / f"{name}.off.npy", lambda fh, c=col: np.save(fh, np.asarray(c._ends)))
        _write(folder / "meta.npy", lambda fh: np.save(fh, np.asarray(self.metadatas.codes)))
        _write(folder / "idhash.npy", lambda fh: np.save(fh, np.asarray(self._pairs)))
        meta = {"fields": self.metadatas.fields, "values": self.metadatas.values}
        _write(folder / "meta.json", lambda fh: fh.write(json.dumps(meta).encode()))

    @classmethod
    def open(cls, folder: Path) -> RecordTable:
        """Map a saved table (read-only)."""
        meta = json.loads((folder / "meta.json").read_text())
        columns = {}
        for name in COLUMNS:
            ends = _load(folder / f"{name}.off.npy")
            size = (folder / f"{name}.bin").stat().st_size
            data = np.memmap(folder / f"{name}.bin", dtype=np.uint8, mode="r") if size else np.zeros(0, np.uint8)
            columns[name] = TextColumn(data, ends)
        return cls(columns, _load(folder / "meta.npy"), meta["fields"], meta["values"], _load(folder / "idhash.npy"))

    def codes_where(self, field: str, accept) -> np.ndarray:
        """Boolean row mask: rows whose `field` value (None when absent) passes `accept`."""
        if field not in self.metadatas.fields:  # (accept is asked about None only if a row lacks the field)
            return np.full(len(self), bool(len(self) and accept(None)))
        c = self.metadatas.fields.index(field)
        ok = [i for i, v in enumerate(self.metadatas.values[c]) if accept(v)]
        column = self.metadatas.codes[:, c]
        mask = np.isin(column, np.asarray(ok, dtype=np.int32))
        absent = column < 0
        if absent.any() and accept(None):
            mask |= absent
        return mask


def _load(path: Path):
    """A saved array, memory-mapped (numpy cannot map an empty one: that one is read)."""
    try:
        return np.load(path, mmap_mode="r")
    except ValueError:
        return np.load(path)


def _write(path: Path, fill) -> None:
    with open(path, "wb") as fh:
        fill(fh)
        fh.flush()
        os.fsync(fh.fileno())
