"""`gradio_client` against a running server: the named `/ask` endpoint returns the plain answer
text and structured citations (the same JSON as `POST /api/ask`), errors arrive as the
client's exception with our message, and the chat's rich-HTML event is not a public endpoint.
"""
from __future__ import annotations

import pytest

from .web_fixtures import post_json, serve_app, web_container

pytestmark = [pytest.mark.slow]
QUESTION = "What does Article 25 say?"


@pytest.fixture(scope="module")
def url(settings, embedder):
    from assistant.web import build_app

    with serve_app(build_app(web_container(settings, embedder, rate_limit="1000/minute"))) as base:
        yield base


@pytest.fixture(scope="module")
def client(url):
    gradio_client = pytest.importorskip("gradio_client")
    return gradio_client.Client(url + "/", verbose=False)


def test_ask_returns_plain_text_and_structured_citations(client, url):
    got = client.predict(QUESTION, [], api_name="/ask")
    want = post_json(f"{url}/api/ask", {"question": QUESTION})
    assert got["answer"] == want["answer"] and got["citations"] == want["citations"]
    assert "[1]" in got["answer"] and "\\[" not in got["answer"] and "<" not in got["answer"]
    first = got["citations"][0]
    assert first["label"].startswith("Art. 25(") and first["quote"] in first["passage"]
    assert got["corpus_version"] == want["corpus_version"] and got["refused"] is False


def test_ask_follows_the_history(client):
    first = client.predict(QUESTION, [], api_name="/ask")
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": first["answer"]}]
    follow = client.predict("And paragraph 2?", history, api_name="/ask")
    assert any(c["label"] == "Art. 25(2)" for c in follow["citations"])


def test_errors_carry_our_message(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as failed:
        client.predict("x" * 2001, [], api_name="/ask")
    assert str(failed.value) == "The question is 2001 characters long; the limit is 2000: shorten it and ask again."


def test_only_the_clean_endpoint_is_public(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/ask"]
