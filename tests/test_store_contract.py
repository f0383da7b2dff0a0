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
