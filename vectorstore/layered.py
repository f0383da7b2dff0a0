"""Server mode's cheap versions: a version's vectors as a shared base collection, minus its hidden
rows, plus a small delta collection of its own.

Copying every row into a new server collection re-inserts each vector into a new HNSW graph (the
server has no collection copy): minutes at 100k chunks. A layered version instead shares the base
collection of an earlier version, which no one ever writes again, and owns only a delta (the rows
added since the base, copied version to version) and the list of base rows it no longer holds.
Readers of an older version keep their own delta, so they see nothing of a newer one. Which
versions are layered, and when they are compacted into a plain collection, is server.py's choice.
"""
from __future__ import annotations

import json
from pathlib import Path

LAYERS = "layers.json"  # <snapshot>/layers.json: {collection: {"base": name, "hidden": [ids]}}


def read_layers(snapshot: Path | None) -> dict:
    """The snapshot's layered collections (an empty dict when it has none)."""
    try:
        return json.loads((snapshot / LAYERS).read_text()) if snapshot else {}
    except FileNotFoundError:
        return {}


def write_layers(snapshot: Path, name: str, base: str, hidden: set[str]) -> None:
    """Record that collection `name` of this snapshot is layered over `base` without `hidden`."""
    snapshot.mkdir(parents=True, exist_ok=True)
    layers = {**read_layers(snapshot), name: {"base": base, "hidden": sorted(hidden)}}
    tmp = snapshot / f"{LAYERS}.tmp"
    tmp.write_text(json.dumps(layers))
    tmp.replace(snapshot / LAYERS)


class LayeredCollection:
    """The Chroma collection calls the sync and the search make (query, get by id, count, add),
    answered from base minus hidden plus delta. Adds go to the delta."""

    def __init__(self, base, delta, hidden: set[str]):
        self.base, self.delta, self.hidden = base, delta, set(hidden)
        self.name = delta.name
        self._base_count = base.count()  # the base never changes
        # the delta changes only through add(), before the version goes live: asked of the server once per change
        self._delta_count: int | None = None
        self._delta_ids: frozenset[str] | None = None

    def _delta_size(self) -> int:
        """The delta's row count, asked of the server once per change rather than on every query."""
        if self._delta_count is None:
            self._delta_count = self.delta.count()
        return self._delta_count

    def _in_delta(self) -> frozenset[str]:
        """The delta's ids (a query among ids fails on an id its collection does not hold)."""
        if self._delta_ids is None:
            self._delta_ids = frozenset(self.delta_ids())
        return self._delta_ids

    def count(self) -> int:
        return self._base_count - len(self.hidden) + self._delta_size()

    def add(self, **rows) -> None:
        self.delta.add(**rows)
        self._delta_count = self._delta_ids = None

    def delta_ids(self) -> list[str]:
        return self.delta.get(include=[])["ids"]

    def get(self, ids: list[str], include: list[str]) -> dict:
        """Rows by id, from the base (unless hidden) and the delta, in no particular order."""
        include = list(include)
        out: dict = {"ids": [], **{k: [] for k in include}}
        for part, skip in ((self.base, self.hidden), (self.delta, ())):
            got = part.get(ids=ids, include=include)
            for n, rid in enumerate(got["ids"]):
                if rid not in skip:
                    out["ids"].append(rid)
                    for k in include:
                        out[k].append(got[k][n])
        return out

    def query(self, query_embeddings, n_results: int, ids: list[str] | None = None, include=("distances",)) -> dict:
        """Each query's n_results nearest rows (among `ids`, when given): the base is asked for as many
        more as it has hidden rows, so that dropping those still leaves n_results; then both lists
        merge by distance."""
        include = list(include)
        asked = include if "distances" in include else [*include, "distances"]
        among: tuple[list[str] | None, list[str] | None] = (None, None)
        if ids is not None:
            delta = self._in_delta()
            among = ([i for i in ids if i not in delta], [i for i in ids if i in delta])
        parts = []
        for part, n, skip, only in ((self.base, n_results + len(self.hidden), self.hidden, among[0]),
                                    (self.delta, n_results, (), among[1])):
            n = min(n, self._base_count if part is self.base else self._delta_size(),
                    len(only) if only is not None else n)
            if n > 0:
                parts.append((part.query(query_embeddings=query_embeddings, n_results=n, ids=only,
                                         include=asked), skip))
        out: dict = {"ids": [], **{k: [] for k in include}}
        for q in range(len(query_embeddings)):
            rows = [(got["distances"][q][i], rid, {k: got[k][q][i] for k in include})
                    for got, skip in parts for i, rid in enumerate(got["ids"][q]) if rid not in skip]
            rows.sort(key=lambda row: row[0])
            out["ids"].append([rid for _, rid, _ in rows[:n_results]])
            for k in include:
                out[k].append([fields[k] for _, _, fields in rows[:n_results]])
        return out
