"""The OpenAI-compatible API (/v1) driven by the official `openai` client against a real uvicorn
server running the whole app (Gradio mounted): completions streamed and not, conversations,
declines, /v1/models, errors in OpenAI's shape, and the rate limit, origins and body limit of /api.
"""
from __future__ import annotations

import json

import httpx
import openai
import pytest

from .web_fixtures import post_json, serve_app, web_container

pytestmark = pytest.mark.slow

ALLOWED = "http://127.0.0.1:9911"
QUESTION = "What does Article 25 say?"


@pytest.fixture(scope="module")
def server(settings, embedder):
    from assistant.web import build_app

    container = web_container(settings, embedder, allowed_origins=ALLOWED, rate_limit="1000/minute")
    with serve_app(build_app(container)) as url:
        yield url


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=f"{server}/v1", api_key="not-needed", max_retries=0, timeout=60)


def test_completion_carries_the_answer_and_its_citations(client, server, container):
    resp = client.chat.completions.create(
        model="treaty-assistant",
        messages=[{"role": "system", "content": "You are a pirate."}, {"role": "user", "content": QUESTION}])
    expected = post_json(f"{server}/api/ask", {"question": QUESTION})
    assert resp.object == "chat.completion" and resp.model == "treaty-assistant" and resp.id.startswith("chatcmpl-")
    choice = resp.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    assert choice.message.content == expected["answer"]  # the system message changes nothing
    assert "[1]" in choice.message.content
    extra = resp.model_extra
    assert extra["citations"] == expected["citations"]
    assert any(c["label"].startswith("Art. 25(") for c in extra["citations"])
    assert extra["treaty"]["refused"] is False
    assert extra["treaty"]["corpus_version"] == container.index().version
    assert set(extra["treaty"]) == set(expected) - {"answer", "citations"}


def test_streamed_completion_matches_the_plain_one(client):
    plain = client.chat.completions.create(model="treaty-assistant", messages=[{"role": "user", "content": QUESTION}])
    chunks = list(client.chat.completions.create(model="treaty-assistant", stream=True,
                                                 messages=[{"role": "user", "content": QUESTION}]))
    assert chunks[0].choices[0].delta.role == "assistant"
    assert len(chunks) >= 4  # role, at least two sentences, the final chunk
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == plain.choices[0].message.content
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert [c["label"] for c in last.model_extra["citations"]] == [c["label"] for c in plain.model_extra["citations"]]
    assert len({c.id for c in chunks}) == 1


def test_async_client_streams_too(server):
    import asyncio

    async def run() -> str:
        async with openai.AsyncOpenAI(base_url=f"{server}/v1", api_key="x", max_retries=0) as aclient:
            stream = await aclient.chat.completions.create(model="any-name", stream=True,
                                                           messages=[{"role": "user", "content": QUESTION}])
            return "".join([c.choices[0].delta.content or "" async for c in stream])

    assert "[1]" in asyncio.run(run())


def test_the_conversation_comes_from_messages(client, server):
    first = post_json(f"{server}/api/ask", {"question": QUESTION})
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": first["answer"]}]
    follow_up = "How long can it last?"
    expected = post_json(f"{server}/api/ask", {"question": follow_up, "history": history})
    resp = client.chat.completions.create(model="treaty-assistant", messages=[
        *history, {"role": "user", "content": [{"type": "text", "text": follow_up}]}])
    assert resp.choices[0].message.content == expected["answer"]
    assert resp.model_extra["treaty"]["standalone_question"] == expected["standalone_question"] != follow_up


def test_a_decline_is_a_normal_answer(client):
    resp = client.chat.completions.create(model="treaty-assistant",
                                          messages=[{"role": "user", "content": "Tell me a joke about pirates"}])
    assert resp.choices[0].finish_reason == "stop"
    assert resp.model_extra["treaty"]["refused"] is True and resp.model_extra["citations"] == []
    assert resp.choices[0].message.content.startswith("I can only answer questions about the documents I hold")


def test_models_lists_the_assistant(client):
    assert [m.id for m in client.models.list()] == ["treaty-assistant"]


@pytest.mark.parametrize(("messages", "error", "message"), [
    ([{"role": "user", "content": "  "}], openai.BadRequestError,
     "The question is empty: type a question about the Convention."),
    ([{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "Sure."}], openai.BadRequestError,
     'The last message must be the user\'s question: end `messages` with {"role": "user", "content": "..."}.'),
    ([{"role": "user", "content": "x" * 2001}], openai.UnprocessableEntityError, "2000"),
    ([], openai.UnprocessableEntityError, "Invalid request: messages"),
])
@pytest.mark.parametrize("stream", [False, True])
def test_errors_reach_the_client_with_their_message(client, messages, error, message, stream):
    with pytest.raises(error) as caught:
        client.chat.completions.create(model="treaty-assistant", messages=messages, stream=stream)
    assert message in caught.value.message
    assert caught.value.body["type"] == "invalid_request_error" and caught.value.body["code"] in (400, 422)
    assert caught.value.request_id  # X-Request-ID, as OpenAI's own API sends


def test_body_limit_unknown_paths_and_methods(server):
    with httpx.Client(base_url=server, timeout=30) as http:
        big = http.post("/v1/chat/completions", content=b'{"messages": [' + b" " * 1_100_000 + b"]}",
                        headers={"Content-Type": "application/json"})
        assert big.status_code == 413 and big.json()["error"]["code"] == 413
        missing = http.post("/v1/completions", json={})
        assert missing.status_code == 404
        assert missing.json()["error"]["message"] == ("No endpoint /v1/completions: use POST /v1/chat/completions "
                                                      "or GET /v1/models.")
        wrong = http.get("/v1/chat/completions")
        assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"


def test_origins_are_those_of_the_api(server):
    with httpx.Client(base_url=server, timeout=30) as http:
        def preflight(origin: str) -> httpx.Response:
            return http.options("/v1/chat/completions", headers={
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type"})

        assert preflight(ALLOWED).headers.get("access-control-allow-origin") == ALLOWED
        assert "access-control-allow-origin" not in preflight("http://127.0.0.1:9922").headers
        same_as_api = http.options("/api/ask", headers={"Origin": "http://127.0.0.1:9922",
                                                        "Access-Control-Request-Method": "POST"})
        assert same_as_api.status_code == preflight("http://127.0.0.1:9922").status_code


def test_rate_limit_is_shared_with_the_api(settings, embedder):
    from assistant.web import build_app

    container = web_container(settings, embedder, rate_limit="2/minute")
    with serve_app(build_app(container, chat=False)) as url:
        assert post_json(f"{url}/api/ask", {"question": QUESTION})["citations"]
        limited = openai.OpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0)
        limited.chat.completions.create(model="m", messages=[{"role": "user", "content": QUESTION}])
        with pytest.raises(openai.RateLimitError) as caught:
            limited.chat.completions.create(model="m", messages=[{"role": "user", "content": QUESTION}])
        assert "Rate limit of 2/minute exceeded: wait" in caught.value.message
        assert int(caught.value.response.headers["retry-after"]) >= 1
        body = json.loads(caught.value.response.text)
        assert body["error"]["type"] == "rate_limit_exceeded"
