"""Ratings: the SQLite store (re-rating, comments, withdrawal, no client address), the
`POST /api/feedback` endpoint and its errors, and `treaty feedback export` as an eval file
that the eval loader accepts (up-votes as regression cases, down-votes to label).
"""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from assistant.evaluation.dataset import load_questions
from assistant.feedback import FeedbackEntry, FeedbackError, FeedbackStore, export_jsonl

from .conftest import UN
from .web_fixtures import web_container

QUESTION = "What does Article 25 say?"
CITE = {"n": 1, "doc_id": UN, "doc_title": "UN Convention", "label": "Art. 25(2)", "article": 25, "paragraph": 2,
        "quote": "up to a maximum of 90 days", "source_url": "", "chunk_id": f"{UN}:0083:abc", "section": "article"}


def entry(answer_id="a-1", rating="up", **kw) -> FeedbackEntry:
    return FeedbackEntry(answer_id=answer_id, rating=rating, question=kw.pop("question", QUESTION),
                         answer=kw.pop("answer", "Up to 90 days [1]."), citations=kw.pop("citations", [CITE]), **kw)


def test_rating_again_replaces_it_and_comments_and_withdrawals_apply(tmp_path):
    store = FeedbackStore(tmp_path / "f" / "feedback.sqlite")
    assert store.entries() == []
    store.rate(entry(history=[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]))
    first = store.entries()[0]
    store.rate(entry(rating="down", comment="wrong"))
    [again] = store.entries()
    assert (again.rating, again.comment, again.created_at) == ("down", "wrong", first.created_at)
    assert again.history == first.history and again.citations == [CITE]
    assert store.comment("a-1", "better now") and store.entries()[0].comment == "better now"
    assert not store.comment("never-rated", "x")
    assert store.remove("a-1") and store.entries() == []
    with pytest.raises(FeedbackError, match="Rating 'meh' is not one of: up, down."):
        entry(rating="meh")


def test_export_writes_eval_questions_the_loader_accepts(tmp_path):
    entries = [entry("a-up"), entry("a-decline", refused=True, answer="The documents do not cover this.",
                                    citations=[], question="Tell me a joke"),
               entry("a-down", rating="down", comment="It missed the 90 days.")]
    out = tmp_path / "out" / "rated.jsonl"
    assert export_jsonl(entries, out) == {"up": 2, "down": 1}
    loaded = {q.id: q for q in load_questions(out, strict=True).questions}
    assert loaded["feedback-a-up"].expected_sources == (f"{UN}#art-25",)
    assert loaded["feedback-a-up"].answerable is True
    assert loaded["feedback-a-decline"].answerable is False
    assert (loaded["feedback-a-down"].answerable, loaded["feedback-a-down"].expected_sources) == (True, ())
    raw = {json.loads(line)["id"]: json.loads(line) for line in out.read_text().splitlines()}
    assert raw["feedback-a-down"]["needs_label"] is True and "needs_label" not in raw["feedback-a-up"]
    assert raw["feedback-a-down"]["feedback"]["comment"] == "It missed the 90 days."
    assert raw["feedback-a-down"]["feedback"]["citations"] == [CITE]
    assert export_jsonl(entries, tmp_path / "down.jsonl", rating="down") == {"up": 0, "down": 1}


def test_api_stores_ratings_without_the_client_address(settings, embedder, tmp_path):
    from assistant.web import build_app

    db = tmp_path / "feedback.sqlite"
    client = TestClient(build_app(web_container(settings, embedder, feedback_db=db), chat=False))
    answer = client.post("/api/ask", json={"question": QUESTION}).json()
    body = {"answer_id": "w-test-0001", "rating": "up", "question": QUESTION, "history": [], "answer": answer}
    assert client.post("/api/feedback", json=body).json() == {"status": "saved", "answer_id": "w-test-0001"}
    client.post("/api/feedback", json={**body, "rating": "down", "comment": " Too long. "})
    [saved] = FeedbackStore(db).entries()
    assert (saved.rating, saved.comment, saved.channel) == ("down", "Too long.", "widget")
    assert saved.citations == answer["citations"] and saved.corpus_version == answer["corpus_version"]
    assert b"testclient" not in db.read_bytes()  # TestClient's client address
    assert client.post("/api/feedback", json={**body, "rating": "none"}).json()["status"] == "removed"
    assert FeedbackStore(db).entries() == []
    bad = client.post("/api/feedback", json={**body, "rating": "meh"})
    assert bad.status_code == 422 and bad.json()["error"].startswith("Invalid request: rating:")
    long = client.post("/api/feedback", json={**body, "question": "x" * 2001})
    assert long.status_code == 422


def test_unwritable_store_is_a_503_with_what_to_do(settings, embedder, tmp_path):
    from assistant.web import build_app

    (tmp_path / "file").write_text("not a folder")
    db = tmp_path / "file" / "feedback.sqlite"
    client = TestClient(build_app(web_container(settings, embedder, feedback_db=db), chat=False))
    body = {"answer_id": "w-test-0002", "rating": "up", "question": QUESTION,
            "answer": {"answer": "Up to 90 days [1].", "citations": [CITE]}}
    res = client.post("/api/feedback", json=body)
    assert res.status_code == 503
    assert res.json()["error"].startswith(f"Cannot open the feedback store {db}: ")
    assert res.json()["error"].endswith(": set TREATY_FEEDBACK_DB to a writable file.")


def test_cli_export_and_its_error(cli, monkeypatch, tmp_path):
    db = tmp_path / "feedback.sqlite"
    FeedbackStore(db).rate(entry("a-cli"))
    monkeypatch.setenv("TREATY_FEEDBACK_DB", str(db))
    out = tmp_path / "rated.jsonl"
    result = cli("feedback", "export", "--out", str(out))
    assert result.exit_code == 0
    assert result.output.strip() == (f"Wrote 1 questions to {out} (1 up-votes as regression cases, 0 down-votes "
                                     f"to label) from {db}.")
    assert [q.id for q in load_questions(out).questions] == ["feedback-a-cli"]
    (tmp_path / "taken").write_text("a file, not a folder")
    result = cli("feedback", "export", "--out", str(tmp_path / "taken" / "x.jsonl"))
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: Cannot write {tmp_path / 'taken' / 'x.jsonl'}: File exists: choose another --out file."
