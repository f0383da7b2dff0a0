"""Idempotent ingest: unchanged corpus embeds nothing; a change re-embeds only what changed; deletions remove."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from vectorstore import ChromaStore, HybridIndex

WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliett".split()


def para(topic: str, n: int = 100) -> str:
    """A paragraph of ~n words about `topic` (over half the chunk budget, so it is a chunk of its own)."""
    return f"{topic.capitalize()} is the subject here. " + " ".join(WORDS[i % len(WORDS)] for i in range(n))


def small_corpus() -> dict[str, str]:
    return {
        "guide.md": "---\ntitle: Retention guide\nkind: guide\n---\n\n"
                    + "\n\n".join(para(t) for t in ("subscriber records", "traffic logs", "content data")),
        "news.txt": "Signing news\n\nSixty states signed the convention in Hanoi.",
    }


@pytest.fixture
def corpus(make_corpus):
    return make_corpus(small_corpus())


def doc_ids(index_dir) -> set[str]:
    return {m["doc_id"] for m in HybridIndex(ChromaStore(index_dir), None).metadatas}


def test_second_ingest_embeds_nothing(corpus, ingest_into, tmp_path):
    index = tmp_path / "index"
    first = ingest_into([corpus], index)
    assert (first.documents, first.chunks) == (2, 4)
    assert (first.added, first.updated, first.removed, first.unchanged, first.embedded) == (4, 0, 0, 0, 4)
    pointer = ChromaStore(index).current()
    second = ingest_into([corpus], index)
    assert (second.added, second.updated, second.removed, second.unchanged, second.embedded) == (0, 0, 0, 4, 0)
    assert second.corpus_version == first.corpus_version
    assert ChromaStore(index).current() == pointer  # not even a new snapshot


def test_changing_one_paragraph_re_embeds_only_that_chunk(corpus, ingest_into, tmp_path):
    index = tmp_path / "index"
    first = ingest_into([corpus], index)
    guide = corpus / "guide.md"
    guide.write_text(guide.read_text().replace("Traffic logs is", "Traffic logs are"))
    changed = ingest_into([corpus], index)
    assert (changed.added, changed.updated, changed.removed, changed.unchanged, changed.embedded) == (0, 1, 0, 3, 1)
    assert changed.corpus_version != first.corpus_version
    texts = HybridIndex(ChromaStore(index), None).texts
    assert sum("Traffic logs are" in t for t in texts) == 1
    assert not any("Traffic logs is" in t for t in texts)


def test_appending_a_paragraph_adds_one_chunk(corpus, ingest_into, tmp_path):
    index = tmp_path / "index"
    ingest_into([corpus], index)
    guide = corpus / "guide.md"
    guide.write_text(guide.read_text() + "\n\n" + para("legal safeguards"))
    report = ingest_into([corpus], index)
    assert (report.added, report.updated, report.removed, report.unchanged, report.embedded) == (1, 0, 0, 4, 1)


def test_a_metadata_only_change_updates_without_changing_text(corpus, ingest_into, tmp_path):
    index = tmp_path / "index"
    ingest_into([corpus], index)
    guide = corpus / "guide.md"
    guide.write_text(guide.read_text().replace("kind: guide", "kind: handbook"))
    report = ingest_into([corpus], index)
    assert (report.updated, report.unchanged, report.embedded) == (3, 1, 0)  # same texts: vectors kept
    kinds = {m["kind"] for m in HybridIndex(ChromaStore(index), None).metadatas if m["doc_id"] == "guide"}
    assert kinds == {"handbook"}


def test_inserting_a_paragraph_embeds_only_the_new_text(corpus, ingest_into, embedder, tmp_path):
    index = tmp_path / "index"
    ingest_into([corpus], index)
    guide = corpus / "guide.md"
    guide.write_text(guide.read_text().replace("\n\nSubscriber records", "\n\n" + para("scope") + "\n\nSubscriber records"))
    report = ingest_into([corpus], index)
    # the three old paragraphs moved one position down: new ids at the same keys, same texts
    assert (report.added, report.updated, report.removed, report.unchanged, report.embedded) == (1, 3, 0, 1, 1)
    hybrid = HybridIndex(ChromaStore(index), embedder)
    top = hybrid.search("traffic logs", k=1)[0]
    assert top.text.startswith("Traffic logs is") and top.metadata["label"] == "Retention guide, para. 3"
    assert top.dense > 0.3  # the kept vector still belongs to its text


def test_deleting_a_file_removes_its_chunks(corpus, ingest_into, tmp_path):
    index = tmp_path / "index"
    ingest_into([corpus], index)
    (corpus / "guide.md").unlink()
    report = ingest_into([corpus], index)
    assert (report.documents, report.chunks) == (1, 1)
    assert (report.added, report.updated, report.removed, report.unchanged, report.embedded) == (0, 0, 3, 1, 0)
    assert doc_ids(index) == {"news"}
    assert len(HybridIndex(ChromaStore(index), None)) == 1


def test_only_the_live_and_previous_snapshots_are_kept(corpus, ingest_into, tmp_path):
    index = tmp_path / "index"
    for n in range(3):
        (corpus / "news.txt").write_text(f"Signing news\n\nVersion {n} of the story.")
        ingest_into([corpus], index)
    assert len(list((index / "snapshots").iterdir())) == 2


def test_real_corpus_reingest_on_the_shared_index_embeds_nothing(index_copy, built_report, ingest_into):
    from tests.conftest import CORPUS

    built = built_report[1]
    assert (built.documents, built.embedded) == (9, built.chunks)
    report = ingest_into([CORPUS], index_copy)
    assert (report.added, report.updated, report.removed, report.embedded) == (0, 0, 0, 0)
    assert report.unchanged == report.chunks == built.chunks
    assert report.corpus_version == built.corpus_version


def test_cli_ingest_json_on_an_unchanged_corpus(index_copy, built_report, cli):
    result = cli("ingest", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"documents", "chunks", "added", "updated", "removed", "unchanged", "skipped"} <= set(report)
    built = built_report[1]
    assert (report["documents"], report["chunks"], report["unchanged"]) == (9, built.chunks, built.chunks)
    assert (report["added"], report["updated"], report["removed"], report["embedded"]) == (0, 0, 0, 0)
    assert [s["reason"] for s in report["skipped"]] == ["folder README: describes the corpus, not ingested"]


def test_moved_index_folder_still_opens(index_copy, built_report, tmp_path, embedder):
    moved = index_copy.rename(tmp_path / "moved")
    store = ChromaStore(moved)
    assert not Path(store.current()["path"]).is_absolute()
    index = HybridIndex(store, embedder)
    assert len(index) == built_report[1].chunks
    assert len(index.search("expedited preservation of stored electronic data", k=3)) == 3


def test_progress_counts_up_to_the_number_embedded(make_corpus, ingest_into, tmp_path):
    # 300 one-line files: more than one store batch (256) and several model batches (64)
    corpus = make_corpus({f"n{i:03d}.txt": f"Note {i}\n\nItem number {i} of the list." for i in range(300)})
    calls: list[tuple[int, int]] = []
    report = ingest_into([corpus], tmp_path / "index", progress=lambda done, total: calls.append((done, total)))
    assert report.embedded == 300
    assert calls[0] == (0, 300) and calls[-1] == (300, 300)
    assert all(total == 300 for _, total in calls)
    dones = [d for d, _ in calls]
    assert dones == sorted(dones)
