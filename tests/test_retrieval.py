"""Retrieval over the shared index: named articles first, the UN convention preferred, filters, JSON output."""
from __future__ import annotations

import json

from tests.conftest import BUDAPEST, UN


def labels(hits) -> list[tuple[str, str]]:
    return [(h.metadata["doc_id"], h.metadata["label"]) for h in hits]


def test_article_25_comes_first(container):
    hits = container.retriever().retrieve("Article 25", k=5).hits
    n = len(container.index().rows_where({"doc_id": UN, "article": 25, "section": "article"}))
    assert n == 3
    assert {(h.metadata["doc_id"], h.metadata["article"]) for h in hits[:n]} == {(UN, 25)}
    assert {h.metadata["label"] for h in hits[:n]} == {"Art. 25(1)", "Art. 25(2)", "Art. 25(3)"}


def test_art_16_2_puts_the_exact_paragraph_first(container):
    hits = container.retriever().retrieve("art. 16(2)", k=5).hits
    assert labels(hits[:1]) == [(UN, "Art. 16(2)")]
    assert all(h.metadata["article"] == 16 and h.metadata["doc_id"] == UN for h in hits[:5])


def test_article_of_a_named_document(container):
    hits = container.retriever().retrieve("article 2 of the Budapest Convention", k=5).hits
    assert (hits[0].metadata["doc_id"], hits[0].metadata["article"]) == (BUDAPEST, 2)
    assert hits[0].metadata["article_title"] == "Illegal access"


def test_a_question_naming_no_document_prefers_the_un_convention(container):
    hits = container.retriever().retrieve("What is illegal access?", k=10).hits
    assert (hits[0].metadata["doc_id"], hits[0].metadata["article"]) == (UN, 7)
    budapest_art2 = [i for i, h in enumerate(hits) if (h.metadata["doc_id"], h.metadata["article"]) == (BUDAPEST, 2)]
    assert all(i > 0 for i in budapest_art2)


def test_a_related_document_is_still_found(container):
    hits = container.retriever().retrieve("How many signatories does the UN Treaty Collection list?", k=5).hits
    assert hits[0].metadata["doc_id"] == "un-treaty-collection-status-xviii-16"


def test_doc_filter_keeps_one_document(container):
    hits = container.retriever().retrieve("expedited preservation of stored computer data", k=5, doc_id=BUDAPEST).hits
    assert len(hits) == 5
    assert {h.metadata["doc_id"] for h in hits} == {BUDAPEST}
    assert hits[0].metadata["article"] in (16, 29)  # domestic and international preservation


def test_cli_search_json_and_doc_filter(built_index, cli):
    result = cli("search", "preservation of traffic data", "--k", "3", "--doc", BUDAPEST, "--json")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    for hit in hits:
        assert {"chunk_id", "doc_id", "doc_title", "label", "article", "paragraph", "text", "score"} <= set(hit)
        assert hit["doc_id"] == BUDAPEST
        assert hit["doc_title"].startswith("Convention on Cybercrime (Budapest Convention)")
        assert isinstance(hit["article"], int) and isinstance(hit["score"], float)
        assert hit["text"] and not hit["text"].startswith("Convention on Cybercrime")  # text, not embed_text
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)


def test_cli_search_text_output(built_index, cli):
    result = cli("search", "Article 25", "--k", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"1. [{UN}] Art. 25(")
