"""The web app's HTTP surface, in-process: /api/ask, the SSE stream, health, source pages,
status codes 200/400/404/405/413/422/429, CORS and frame-ancestors, the widget files, `treaty serve`.

The app under test is the real one (Gradio mounted at `/`) over the session's real index.
"""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from .conftest import UN, free_port, run_treaty
from .web_fixtures import XSS_IMG, XSS_SCRIPT, get_json, parse_sse, web_container, xss_index  # noqa: F401

pytestmark = pytest.mark.slow

ALLOWED = "http://127.0.0.1:9911"
OTHER = "http://127.0.0.1:9922"
QUESTION = "What does Article 25 say?"
ANSWER_KEYS = {"answer", "citations", "refused", "corpus_version", "timings_ms", "question", "standalone_question",
               "generator", "retrieved", "unverified", "suggestions", "decline_reason", "lang", "fallback"}
CITATION_KEYS = {"n", "doc_id", "doc_title", "label", "article", "paragraph", "quote", "source_url", "chunk_id",
                 "section", "passage", "doc_short_title", "article_title"}


@pytest.fixture(scope="module")
def web(settings, embedder):
    from assistant.web import build_app

    container = web_container(settings, embedder, allowed_origins=f"{ALLOWED}, {ALLOWED}/", rate_limit="1000/minute")
    with TestClient(build_app(container)) as client:
        yield client


@pytest.fixture(scope="module")
def asked(web) -> dict:
    r = web.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text
    return r.json()


def test_ask_returns_the_answer_json(asked, container):
    assert set(asked) == ANSWER_KEYS
    assert not asked["refused"] and asked["citations"]
    assert asked["corpus_version"] == container.index().version
    assert set(asked["citations"][0]) == CITATION_KEYS
    assert any(c["label"].startswith("Art. 25(") for c in asked["citations"])
    assert "[1]" in asked["answer"]
    # an answer, not a decline: no decline reason or suggestions; the question's language
    assert (asked["decline_reason"], asked["suggestions"], asked["lang"]) == ("", [], "en")


def test_ask_matches_the_cli_json(asked, cli, built_index):
    import json

    from_cli = json.loads(cli("ask", QUESTION, "--json").output)
    assert set(from_cli) == set(asked)
    assert from_cli["answer"] == asked["answer"]
    assert from_cli["citations"] == asked["citations"]


def test_follow_up_uses_history(web, asked):
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": asked["answer"]}]
    r = web.post("/api/ask", json={"question": "And paragraph 2?", "history": history})
    assert r.status_code == 200
    assert "Article 25" in r.json()["standalone_question"]


def test_stream_sends_deltas_then_citations_then_done(web, asked):
    with web.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(r.read().decode())
    names = [name for name, _ in events]
    assert names[0] == "delta" and names[-2:] == ["citations", "done"]
    assert set(names[:-2]) == {"delta"}
    text = "".join(data["text"] for name, data in events if name == "delta")
    done = events[-1][1]["answer"]
    assert text == done["answer"] == asked["answer"]
    assert events[-2][1]["citations"] == done["citations"] == asked["citations"]


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
@pytest.mark.parametrize("body, status, error", [
    ({"question": "   "}, 400, "The question is empty: type a question about the Convention."),
    ({"question": "x" * 2001}, 422, "The question is 2001 characters long; the limit is 2000: shorten it and ask again."),
    ({"question": "Hi", "history": [{"role": "system", "content": "x"}]}, 422,
     "History turn 1 has role 'system': use \"user\" or \"assistant\"."),
    ({"question": "Hi", "history": ["turn"]}, 422,
     "History turn 1 is not an object: use {\"role\": ..., \"content\": ...}."),
    ({}, 422, 'Invalid request: question: Field required. Send JSON like {"question": "...", "history": []}.'),
    ({"question": 7}, 422, 'Invalid request: question: Input should be a valid string. '
                           'Send JSON like {"question": "...", "history": []}.'),
])
def test_bad_input_is_a_json_error(web, path, body, status, error):
    r = web.post(path, json=body)
    assert r.status_code == status
    assert r.json()["error"] == error


def test_non_json_body_is_422(web):
    r = web.post("/api/ask", content=b"question=hi", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422


def test_oversized_body_is_413(web):
    r = web.post("/api/ask", content=b'{"question": "' + b"a" * 1_100_000 + b'"}',
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_rate_limit_answers_429_with_retry_after(settings, embedder):
    from assistant.web import build_app

    app = build_app(web_container(settings, embedder, rate_limit="2/minute"), chat=False)
    client = TestClient(app)
    assert client.post("/api/ask", json={"question": " "}).status_code == 400  # invalid: not counted (issue 16)
    assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200
    assert client.post("/api/ask/stream", json={"question": QUESTION}).status_code == 200  # shared limit
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert r.json()["error"] == f"Rate limit of 2/minute exceeded: wait {r.headers['Retry-After']} seconds and ask again."
    assert client.get("/api/health").status_code == 200  # health is not limited


def test_bad_rate_limit_setting_is_explained(settings, embedder):
    from assistant.errors import TreatyError
    from assistant.web import build_app

    with pytest.raises(TreatyError, match=re.escape("TREATY_RATE_LIMIT='lots' is not a rate: use a form like 30/minute")):
        build_app(web_container(settings, embedder, rate_limit="lots"), chat=False)


def test_health(web, container):
    r = web.get("/api/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "corpus_version": container.index().version, "documents": 9,
                        "chunks": len(container.index()), "generator": "extractive"}


def test_no_index_is_503(settings, embedder, tmp_path):
    from assistant.web import build_app

    client = TestClient(build_app(web_container(settings, embedder, index_dir=tmp_path / "none"), chat=False))
    for r in (client.get("/api/health"), client.post("/api/ask", json={"question": QUESTION})):
        assert r.status_code == 503  # the fix (run `treaty ingest`) and the path go to the log, not to clients
        assert r.json()["error"].startswith("The answer service is not available on the server right now")
        assert str(tmp_path) not in r.text


def test_api_paths_keep_404_and_405_with_gradio_at_root(web):
    r = web.get("/api/ask")
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    assert r.json() == {"error": "Method GET is not allowed on /api/ask: use POST."}
    assert web.post("/api/health").status_code == 405
    r = web.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.json() == {"error": "No API endpoint /api/nothing-here: see /docs for the list."}
    assert web.get("/").status_code == 200  # the Gradio chat


def test_openapi_docs_list_the_endpoints(web):
    assert web.get("/docs").status_code == 200
    paths = web.get("/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/ask/stream", "/api/health", "/api/sources/{doc_id}"} <= set(paths)


def test_source_page_has_anchors_for_articles_and_cited_paragraphs(web, asked):
    r = web.get(f"/api/sources/{UN}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src" not in r.headers["content-security-policy"]  # default-src 'none' covers scripts
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    page = r.text
    assert '<span id="art-25"></span>' in page and '<span id="preamble"></span>' in page
    for c in asked["citations"]:
        assert f'id="{c["chunk_id"]}"' in page
    assert "<script" not in page


@pytest.mark.parametrize("path", ["/api/sources/nope", "/api/sources/..%2F..%2Fetc%2Fpasswd",
                                  "/api/sources/%2e%2e", "/api/sources/a/../../README.md"])
def test_unknown_or_traversing_document_is_404(web, path):
    assert web.get(path).status_code == 404


def test_source_page_escapes_document_markup(settings, embedder, xss_index):  # noqa: F811
    from assistant.web import build_app

    client = TestClient(build_app(web_container(settings, embedder, index_dir=xss_index), chat=False))
    page = client.get("/api/sources/evil-notes").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert XSS_SCRIPT not in page and XSS_IMG not in page


def test_cors_grants_only_allowed_origins(web):
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = web.options("/api/ask/stream", headers={"Origin": ALLOWED, **preflight})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ALLOWED
    denied = web.options("/api/ask/stream", headers={"Origin": OTHER, **preflight})
    assert denied.status_code == 400 and "access-control-allow-origin" not in denied.headers
    simple = web.get("/api/health", headers={"Origin": OTHER})
    assert "access-control-allow-origin" not in simple.headers
    r = web.post("/api/ask", json={"question": " "}, headers={"Origin": ALLOWED})
    assert r.headers["access-control-allow-origin"] == ALLOWED
    assert "retry-after" in r.headers["access-control-expose-headers"].lower()


def test_frame_ancestors_follow_allowed_origins(web):
    assert web.get("/api/health").headers["content-security-policy"] == f"frame-ancestors 'self' {ALLOWED}"
    for path in ("/", "/widget-demo"):  # pages: the whole page policy (tests/test_attack_surface.py), ending so
        assert web.get(path).headers["content-security-policy"].endswith(f"frame-ancestors 'self' {ALLOWED}")
    assert web.get(f"/api/sources/{UN}").headers["content-security-policy"].endswith(f"frame-ancestors 'self' {ALLOWED}")


def test_widget_files(web):
    js = web.get("/widget.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "attachShadow" in js.text and "innerHTML = '<svg" in js.text
    assert js.text.count("innerHTML") == 1  # only the constant icon; data goes through textContent
    demo = web.get("/widget-demo")
    assert demo.status_code == 200 and '<script src="/widget.js"' in demo.text


def test_web_package_surface():
    import assistant.web

    assert assistant.web.__all__ == ["build_app"]
    assert callable(assistant.web.build_app)


def test_treaty_serve_runs_the_app(built_index):
    from .support.servers import treaty_serve

    with treaty_serve(built_index, timeout=90) as (url, _proc):
        assert get_json(f"{url}/api/health")["status"] == "ok"


def test_treaty_serve_without_index_says_what_to_do(tmp_path):
    result = run_treaty("serve", "--port", str(free_port()), TREATY_INDEX_DIR=str(tmp_path / "none"))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: No index at")
    assert "treaty ingest" in result.stderr
