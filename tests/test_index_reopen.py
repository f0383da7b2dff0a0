"""Each index version's records and BM25 files: reopened in a fresh process they give the same
hits as the process that built them (embedded and server mode); two processes map one copy
read-only; filters and fusion weights over the stored records behave like their definitions."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from vectorstore import ChromaStore, HybridIndex, Record, matches
from vectorstore.layered import LayeredCollection

from .conftest import ROOT

pytestmark = pytest.mark.timeout(300)

TEXTS = [
    "Illegal access: accessing a computer system without right.",
    "Expedited preservation of stored traffic data for up to ninety days.",
    "Extradition of nationals and the principle of dual criminality.",
    "Protection of witnesses who give testimony about cybercrime.",
    "Jurisdiction over offences committed on board ships and aircraft.",
    "Confiscation and seizure of proceeds of crime, including data.",
    "Real-time collection of traffic data by service providers.",
    "Mutual legal assistance in the interception of content data.",
]
QUERIES = ["preserving traffic data", "witness testimony", "extradite nationals", "seizure of proceeds",
           "ships and aircraft", "computer system access"]
OPEN_AND_SEARCH = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from assistant.config import Settings
from assistant.wiring import Container
from vectorstore import ChromaStore, HybridIndex
index = HybridIndex(ChromaStore(sys.argv[2], sys.argv[3] or None), Container(Settings()).embedder)
hits = {q: [(h.id, round(h.score, 9), round(h.dense, 5), round(h.lexical, 5)) for h in index.search(q, k=4)]
        for q in json.loads(sys.argv[4])}
maps = [line.split() for line in Path("/proc/self/maps").read_text().splitlines() if sys.argv[2] in line]
print(json.dumps({"hits": hits, "maps": [(m[1], m[-1]) for m in maps]}))
"""


def records() -> list[Record]:
    return [Record(f"t{i}:{i * 7}", f"t{i}", f"shown {t}", f"Header\n{t}",
                   {"doc_id": "doc" if i < 5 else "other", "n": i, "even": i % 2 == 0, "w": i / 2})
            for i, t in enumerate(TEXTS)]


def search_all(index: HybridIndex) -> dict:
    return {q: [[h.id, round(h.score, 9), round(h.dense, 5), round(h.lexical, 5)] for h in index.search(q, k=4)]
            for q in QUERIES}


def in_fresh_process(store: ChromaStore) -> dict:
    out = subprocess.run([sys.executable, "-c", OPEN_AND_SEARCH, str(ROOT), str(store.index_dir),
                          store.chroma_url or "", json.dumps(QUERIES)],
                         capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(params=["embedded", "server"])
def store(request, tmp_path) -> ChromaStore:
    url = request.getfixturevalue("chroma_server") if request.param == "server" else None
    return ChromaStore(tmp_path / "index", url)


def test_a_reopened_index_gives_the_same_hits_as_the_one_just_built(store, embedder):
    store.sync(records(), embedder.encode)
    built = HybridIndex(store, embedder)
    assert list(built.texts) == [r.text for r in records()]
    assert list(built.embed_texts) == [r.embed_text for r in records()]
    assert list(built.metadatas) == [r.metadata for r in records()]
    assert [built.row[r.id] for r in records()] == list(range(len(TEXTS))) and "nope" not in built.row
    here = search_all(built)
    assert here["witness testimony"][0][0] == "t3:21" and here["ships and aircraft"][0][0] == "t4:28"
    assert in_fresh_process(store)["hits"] == here


def test_two_processes_map_one_copy_of_the_files_read_only(store, embedder):
    store.sync(records(), embedder.encode)
    snapshot = store.snapshot_path(store.current())
    files = sorted(p for p in snapshot.rglob("*") if p.is_file() and p.parent.name in ("records", "bm25"))
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files}
    procs = [subprocess.Popen([sys.executable, "-c", OPEN_AND_SEARCH, str(ROOT), str(store.index_dir),
                               store.chroma_url or "",
                               json.dumps(QUERIES)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT) for _ in range(2)]
    outs = [json.loads(p.communicate(timeout=240)[0].strip().splitlines()[-1]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert outs[0]["hits"] == outs[1]["hits"] == search_all(HybridIndex(store, embedder))
    for out in outs:
        mapped = {path: perms for perms, path in out["maps"] if "/records/" in path or "/bm25/" in path}
        # texts, offsets, metadata codes, id hashes and the BM25 matrix: shared, read-only maps
        assert {p.rsplit("/", 1)[1] for p in mapped} >= {"texts.bin", "embed_texts.off.npy", "meta.npy",
                                                         "idhash.npy", "data.csc.index.npy"}
        assert all(perms.startswith("r-") and perms.endswith("s") for perms in mapped.values()), mapped
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files} == before


def test_filtered_dense_search_is_exact_search_over_the_matching_records(store, embedder):
    grown = [*records(), Record("t8:56", "t8", "shown late", "Header\nA late row on traffic data.",
                                {"doc_id": "doc", "n": 8, "even": True, "w": 4.0})]
    store.sync(records(), embedder.encode)
    store.sync(grown, embedder.encode)  # server mode: a layered version (base plus a delta of one row)
    index = HybridIndex(store, embedder)
    assert isinstance(index.collection, LayeredCollection) == bool(store.chroma_url)
    vectors = np.asarray(embedder.encode([r.embed_text for r in grown]), dtype=np.float32)
    filters = [{"doc_id": "doc"}, {"doc_id": ["other"]}, {"even": True, "doc_id": "doc"}, {"n": lambda v: v > 5},
               {"missing": "x"}, {}]
    for q in QUERIES:
        qv = np.asarray(embedder.embed_query(q), dtype=np.float32)
        for flt in filters:
            rows = [i for i, r in enumerate(grown) if matches(r.metadata, flt)]
            exact = sorted(rows, key=lambda i: -float(vectors[i] @ qv))[:3]
            got = index.dense(qv.tolist(), 3, flt)
            assert sorted(got, key=lambda r: -got[r]) == exact, (q, flt)
            assert all(abs(got[i] - float(vectors[i] @ qv)) < 1e-4 for i in exact), (q, flt)


def test_rows_where_matches_the_filter_definition(tmp_path, embedder):
    store = ChromaStore(tmp_path / "index")
    store.sync(records(), embedder.encode)
    index = HybridIndex(store, embedder)
    filters = [{"doc_id": "doc"}, {"doc_id": ["other", "x"]}, {"even": True, "doc_id": "doc"}, {"n": 3},
               {"w": 1.5}, {"missing": None}, {"missing": "x"}, {"n": lambda v: v > 5}, {}]
    for flt in filters:
        assert index.rows_where(flt) == [i for i, m in enumerate(records()) if matches(m.metadata, flt)], flt


def test_fusion_weights_and_lexical_ranks(tmp_path, embedder):
    store = ChromaStore(tmp_path / "index")
    store.sync(records(), embedder.encode)
    index = HybridIndex(store, embedder)
    for q in QUERIES:
        vec = embedder.embed_query(q)
        scores = index.lexical.scores(q)
        ranks = index.lexical_ranks(q, 5, where={"doc_id": "doc"})
        expect = sorted((i for i in range(5) if scores[i] > 0), key=lambda i: (-scores[i], i))
        assert list(ranks) == expect and [r for r, _ in ranks.values()] == list(range(len(expect)))
        assert all(abs(s - scores[i]) < 1e-6 for i, (_, s) in ranks.items())
        default = index.search(q, k=4, query_vec=vec)
        assert default == index.search(q, k=4, query_vec=vec, dense_weight=1.0, lexical_weight=1.0, rrf_k=60)
        dense = index.dense(vec, 50)
        dense_only = index.search(q, k=4, query_vec=vec, lexical_weight=0.0)
        assert [h.id for h in dense_only] == [index.ids[r] for r in sorted(dense, key=lambda r: -dense[r])[:4]]
        by_bm25 = [index.ids[i] for i in np.argsort(-scores, kind="stable") if scores[i] > 0]
        lexical_only = index.search(q, k=len(by_bm25), query_vec=vec, dense_weight=0.0, rrf_k=10)
        assert [h.id for h in lexical_only] == by_bm25
        assert [round(h.score, 9) for h in lexical_only] == [round(1 / (10 + r), 9) for r in range(1, len(by_bm25) + 1)]
