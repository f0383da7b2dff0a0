"""Secrets never leave: the LLM API key (TREATY_LLM_API_KEY) and credentials in an endpoint URL
appear in no log line, error message, HTTP response or output file, whatever fails.

Failures tried: an endpoint that is down; a hostile endpoint that answers 401 and echoes the
Authorization header it got (as some proxies do); bad requests to the API; bad settings; the
eval judge against the same endpoint. Logs are captured at DEBUG level (every library),
so a client that logged its headers would be caught. The hostile endpoint records the header
it received: the key is really sent, so the checks are not vacuous.
"""
from __future__ import annotations

import base64
import http.server
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from .conftest import free_port, run_treaty
from .web_fixtures import parse_sse, serve_handler, web_container

pytestmark = pytest.mark.slow

KEY = "sk-test-SECRET-7f3a9c2e41d8b6a0"
PASSWORD = "hunter2-PASSWORD-5e1b"
BASIC = base64.b64encode(f"user:{PASSWORD}".encode()).decode()  # what a client sends for user:password@ in a URL
QUESTION = "What is illegal access under the convention?"


class EchoingEndpoint(http.server.BaseHTTPRequestHandler):
    """An OpenAI-compatible endpoint that refuses every key and echoes it back in the error."""

    seen: list[str] = []

    def _refuse(self) -> None:
        auth = self.headers.get("Authorization", "")
        EchoingEndpoint.seen.append(auth)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({"error": {"message": f"Incorrect API key provided: {auth}", "type": "invalid_request_error",
                                     "code": "invalid_api_key"}}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _refuse

    def log_message(self, *args) -> None:
        pass


@contextmanager
def echoing_endpoint() -> Iterator[str]:
    with serve_handler(EchoingEndpoint) as url:
        yield f"{url}/v1"


@pytest.fixture
def all_logs(caplog):
    """Every log record of every library at DEBUG, for the duration of the test."""
    caplog.set_level(logging.DEBUG)
    for name in ("openai", "httpx", "httpcore", "langchain", "langchain_openai", "uvicorn", "fastapi"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert KEY not in text and KEY[8:] not in text, text[:2000]
        assert PASSWORD not in text and BASIC not in text, text[:2000]


def openai_container(settings, embedder, url: str):
    return web_container(settings, embedder, generator="openai", llm_base_url=url, llm_model="m", llm_timeout=10,
                         llm_api_key=SecretStr(KEY), rate_limit="1000/minute")


@pytest.mark.parametrize("endpoint", ["down", "down, with credentials in the URL", "echoing", "echoing, with credentials"])
def test_llm_failures_in_the_api_do_not_show_the_key(settings, embedder, all_logs, endpoint):
    from assistant.web import build_app

    EchoingEndpoint.seen.clear()
    with echoing_endpoint() as echoing:
        url = echoing if endpoint.startswith("echoing") else f"http://127.0.0.1:{free_port()}/v1"
        if "credentials" in endpoint:
            url = url.replace("http://", f"http://user:{PASSWORD}@")
        client = TestClient(build_app(openai_container(settings, embedder, url), chat=False))
        asked = client.post("/api/ask", json={"question": QUESTION})
        with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as r:
            streamed = r.read().decode()
        others = [client.get(p).text for p in ("/api/health", "/openapi.json", "/api/nothing")]
        others.append(client.post("/api/ask", json={"question": 7, "history": KEY}).text)
    assert asked.status_code == 503
    assert asked.json()["error"].startswith("The answer service is not available on the server right now")
    assert "127.0.0.1" not in asked.text  # the internal LLM address stays in the log (issue 16)
    assert parse_sse(streamed)[-1][0] == "error"
    if endpoint.startswith("echoing"):
        sent = f"Basic {BASIC}" if "credentials" in endpoint else f"Bearer {KEY}"  # URL credentials win
        assert EchoingEndpoint.seen and set(EchoingEndpoint.seen) == {sent}  # the secret really went out
    assert_no_secret(asked.text, streamed, *others, all_logs.text)


def test_the_key_is_not_in_reprs(settings, embedder):
    with echoing_endpoint() as url:
        container = openai_container(settings, embedder, url)
        generator = container.generator()
        assert_no_secret(repr(container.settings), str(container.settings.model_dump()), repr(generator),
                         repr(vars(generator)), repr(generator.llm))


def test_cli_errors_do_not_show_the_key(built_index):
    down = f"http://user:{PASSWORD}@127.0.0.1:{free_port()}/v1"
    env = {"TREATY_INDEX_DIR": str(built_index), "TREATY_LLM_API_KEY": KEY, "TREATY_LLM_BASE_URL": down}
    runs = {  # (an endpoint that echoes the key: in-process above, the CLI prints the same message)
        "ask, endpoint down": run_treaty("ask", QUESTION, "--generator", "openai", "--json", **env),
        "bad setting": run_treaty("search", QUESTION, **{**env, "TREATY_K": "many"}),
        "bad question": run_treaty("ask", "", "--generator", "openai", **env),
    }
    for name, proc in runs.items():
        assert proc.returncode == 1, (name, proc.stderr)
        assert proc.stderr.startswith("Error: ") and "Traceback" not in proc.stderr, (name, proc.stderr)
        assert_no_secret(proc.stdout, proc.stderr)
    assert runs["bad setting"].stderr.startswith("Error: Invalid setting TREATY_K='many': ")


def test_eval_judge_errors_do_not_write_the_key(built_index, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "q1", "question": QUESTION, "answerable": True,
                                     "expected_sources": ["un-convention-against-cybercrime#art-7"],
                                     "reference_answer": "Access without right."}) + "\n")
    out = tmp_path / "run"
    with echoing_endpoint() as echoing:
        proc = run_treaty("eval", str(questions), "--out", str(out), "--judge", TREATY_INDEX_DIR=str(built_index),
                          TREATY_LLM_API_KEY=KEY, TREATY_LLM_BASE_URL=echoing)
    assert EchoingEndpoint.seen, "the judge never called the endpoint"
    written = [p.read_text(errors="replace") for p in out.rglob("*") if p.is_file()]
    assert written, proc.stderr
    assert_no_secret(proc.stdout, proc.stderr, *written)
