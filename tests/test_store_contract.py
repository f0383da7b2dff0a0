"""One store contract, run against embedded Chroma and a real `chroma run` server; then ingest in server mode."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from vectorstore import ChromaStore, HybridIndex, NoIndex, Record, ServerUnavailable

pytestmark = pytest.mark.timeout(300)

TEXTS = {
    "a": "Illegal access: accessing a computer system without right.",
    "b": "Expedited preservation of stored traffic data for up to ninety days.",
    "c": "Extradition of nationals and the principle of dual criminality.",
}


def records(texts: dict[str, str], group: dict[str, str] | None = None) -> list[Record]:
    import hashlib

    out = []
    for key, text in texts.items():
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        meta = {"doc_id": "doc", "group": (group or {}).get(key, "x"), "n": len(out)}
        out.append(Record(f"{key}:{digest}", key, f"shown {text}", f"Header\n{text}", meta))
    return out


@pytest.fixture(params=["embedded", "server"])
def store(request, tmp_path) -> ChromaStore:
    url = request.getfixturevalue("chroma_server") if request.param == "server" else None
    return ChromaStore(tmp_path / "index", url)


def test_no_index_before_the_first_sync(store, embedder):
    where = str(store.index_dir) if not store.chroma_url else f"{store.chroma_url} (pointer in {store.index_dir})"
    with pytest.raises(NoIndex) as err:
        HybridIndex(store, embedder)
    assert str(err.value) == f"No index at {where}: run `treaty ingest` first"


def test_sync_search_and_idempotent_resync(store, embedder):
    first = store.sync(records(TEXTS, {"c": "y"}), embedder.encode)
    assert (sorted(first.added), first.updated, first.removed, first.embedded) == (
        sorted(r.id for r in records(TEXTS)), [], [], 3)
    index = HybridIndex(store, embedder)
    assert len(index) == 3
    top = index.search("preserving traffic data", k=1)[0]
    assert top.id.startswith("b:") and top.text == f"shown {TEXTS['b']}"
    assert top.metadata == {"doc_id": "doc", "group": "x", "n": 1}  # no internal keys leak out
    assert 0.3 < top.dense <= 1.0 and top.lexical > 0
    assert [h.id[0] for h in index.search("computer", k=3, where={"group": "y"})] == ["c"]
    assert [h.id[0] for h in index.search("data", k=3, where={"group": ["x"]})] in (["a", "b"], ["b", "a"])

    again = store.sync(records(TEXTS, {"c": "y"}), embedder.encode)
    assert (again.added, again.updated, again.removed, again.unchanged, again.embedded) == ([], [], [], 3, 0)
    assert again.version == first.version


def test_update_add_remove(store, embedder):
    store.sync(records(TEXTS), embedder.encode)
    changed = {**TEXTS, "b": "Expedited preservation of stored traffic data for up to 90 days."}
    del changed["a"]
    changed["d"] = "Protection of witnesses who give testimony."
    report = store.sync(records(changed), embedder.encode)
    assert (len(report.added), len(report.updated), len(report.removed), report.unchanged, report.embedded) == (
        1, 1, 1, 1, 2)
    index = HybridIndex(store, embedder)
    assert sorted(i[0] for i in index.ids) == ["b", "c", "d"]
    assert index.search("witness testimony", k=1)[0].id.startswith("d:")
    assert "90 days" in index.search("preservation", k=1)[0].text


def test_server_mode_ingest_search_and_reingest(chroma_server, make_corpus, ingest_into, embedder, tmp_path):
    from assistant.config import Settings
    from assistant.wiring import Container

    corpus = make_corpus({
        "hanoi.txt": "Hanoi signing\n\nSixty states signed the convention in Hanoi in October 2025.",
        "budget.md": "---\ntitle: Budget note\n---\n\nThe secretariat budget is funded by voluntary contributions.",
    })
    index_dir = tmp_path / "pointer"
    first = ingest_into([corpus], index_dir, chroma_url=chroma_server)
    assert (first.documents, first.chunks, first.embedded) == (2, 2, 2)
    # vectors live on the server; CURRENT and the version's records and BM25 files are local
    assert not list(index_dir.rglob("chroma.sqlite3"))
    snapshot = ChromaStore(index_dir, chroma_server).snapshot_path(ChromaStore(index_dir).folder.read())
    assert sorted(p.name for p in snapshot.iterdir()) == ["bm25", "records"]
    c = Container(Settings(index_dir=index_dir, chroma_url=chroma_server, corpus_dirs=[corpus]))
    c.embedder = embedder
    hits = c.retriever().retrieve("Where was the convention signed?", k=2).hits
    assert hits[0].metadata["doc_id"] == "hanoi"
    again = ingest_into([corpus], index_dir, chroma_url=chroma_server)
    assert (again.added, again.updated, again.removed, again.unchanged, again.embedded) == (0, 0, 0, 2, 0)


def test_server_unavailable_says_what_to_do(tmp_path, embedder):
    from tests.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}"
    store = ChromaStore(tmp_path / "index", url)
    with pytest.raises(ServerUnavailable) as err:
        store.sync(records(TEXTS), embedder.encode)
    assert re.fullmatch(
        rf"Chroma server at {re.escape(url)} does not answer \(\w+\): start it with `chroma run --path DIR --port N`, "
        r"or unset TREATY_CHROMA_URL to use the embedded index",
        str(err.value),
    )
    assert not Path(tmp_path / "index" / "CURRENT").exists()


def test_a_known_text_under_a_new_id_keeps_its_vector(store, embedder):
    store.sync(records(TEXTS), embedder.encode)
    moved = [Record(f"moved-{r.id}", f"moved-{r.key}", r.text, r.embed_text, {**r.metadata, "group": "z"})
             for r in records(TEXTS)]
    report = store.sync(moved, embedder.encode)
    assert (len(report.added), len(report.removed), report.embedded) == (3, 3, 0)
    top = HybridIndex(store, embedder).search("preserving traffic data", k=1)[0]
    assert top.id.startswith("moved-b:") and top.metadata["group"] == "z" and top.dense > 0.3


def test_two_index_folders_share_one_server(chroma_server, embedder, tmp_path):
    """Each index folder keeps its own versions on a shared server: a sync of one never sweeps the other's."""
    one = ChromaStore(tmp_path / "one", chroma_server)
    two = ChromaStore(tmp_path / "two", chroma_server)
    one.sync(records(TEXTS), embedder.encode)
    two.sync(records({"d": "Protection of witnesses who give testimony."}), embedder.encode)
    one.sync(records({**TEXTS, "e": "Jurisdiction over offences on board ships."}), embedder.encode)  # new version
    two.sync(records({"d": "Protection of witnesses who give testimony in court."}), embedder.encode)
    assert sorted(i[0] for i in HybridIndex(one, embedder).ids) == ["a", "b", "c", "e"]
    assert [i[0] for i in HybridIndex(two, embedder).ids] == ["d"]
    assert one.collection_prefix != two.collection_prefix


def hits(index: HybridIndex, queries=("computer system access", "traffic data", "witness testimony", "ships")) -> dict:
    return {q: [(h.id, round(h.score, 9), round(h.dense, 5)) for h in index.search(q, k=3)] for q in queries}


MORE = {"d": "Protection of witnesses who give testimony.", "e": "Jurisdiction over offences on board ships."}


def test_a_reader_keeps_its_version_while_newer_ones_are_written(store, embedder, tmp_path):
    """An answer in progress reads the version it opened; the grown index answers like one built fresh
    (in server mode the newer versions are layered over the first one's collection)."""
    store.sync(records(TEXTS), embedder.encode)
    first = HybridIndex(store, embedder)
    before = hits(first)
    changed = {**{k: v for k, v in TEXTS.items() if k != "a"}, "d": MORE["d"]}
    store.sync(records(changed), embedder.encode)
    second = HybridIndex(store, embedder)
    assert hits(first) == before and sorted(i[0] for i in first.ids) == ["a", "b", "c"]
    assert first.search("computer system access", k=1)[0].id.startswith("a:")
    assert not any(h.id.startswith("a:") for h in second.search("computer system access", k=3))
    assert second.search("witness testimony", k=1)[0].id.startswith("d:")
    kept = hits(second)
    final = {**changed, "e": MORE["e"]}
    store.sync(records(final), embedder.encode)
    assert hits(second) == kept  # the previous version stays readable until the next sync
    fresh = ChromaStore(tmp_path / "fresh", store.chroma_url)
    fresh.sync(records(final), embedder.encode)
    grown = HybridIndex(store, embedder)
    assert hits(grown) == hits(HybridIndex(fresh, embedder)) and len(grown) == 4
    assert grown.collection.count() == 4
    if store.chroma_url:  # layered: the first collection is the base of both later versions
        assert (store.snapshot_path(store.current()) / "layers.json").is_file()
        names = {c.name for c in store.client().list_collections() if c.name.startswith(store.collection_prefix)}
        assert len(names) == 3


def test_returning_to_an_earlier_corpus_keeps_the_version_in_use(store, embedder):
    store.sync(records(TEXTS), embedder.encode)
    first = hits(HybridIndex(store, embedder))
    store.sync(records({**TEXTS, "d": MORE["d"]}), embedder.encode)
    grown = HybridIndex(store, embedder)
    with_d = hits(grown)
    report = store.sync(records(TEXTS), embedder.encode)  # the first corpus again: the same version id
    assert (len(report.removed), report.embedded) == (1, 0)
    assert hits(HybridIndex(store, embedder)) == first
    assert hits(grown) == with_d


def test_server_versions_compact_past_the_layer_limits(chroma_server, embedder, tmp_path, monkeypatch):
    from vectorstore import server

    store = ChromaStore(tmp_path / "index", chroma_server)
    store.sync(records(TEXTS), embedder.encode)
    store.sync(records({**TEXTS, "d": MORE["d"]}), embedder.encode)
    assert (store.snapshot_path(store.current()) / "layers.json").is_file()
    monkeypatch.setattr(server, "MAX_DELTA", 0)  # the delta of one row is now past the limit
    store.sync(records({**TEXTS, **MORE}), embedder.encode)
    assert not (store.snapshot_path(store.current()) / "layers.json").exists()
    compacted = HybridIndex(store, embedder)
    assert compacted.collection.count() == 5 and sorted(i[0] for i in compacted.ids) == ["a", "b", "c", "d", "e"]
    store.sync(records({**TEXTS, **MORE}), embedder.encode)  # unchanged: sweeps the versions before the compaction
    fresh = ChromaStore(tmp_path / "fresh", chroma_server)
    fresh.sync(records({**TEXTS, **MORE}), embedder.encode)
    assert hits(compacted) == hits(HybridIndex(fresh, embedder))
    names = {c.name for c in store.client().list_collections() if c.name.startswith(store.collection_prefix)}
    assert names == {store.current()["collection"]}
