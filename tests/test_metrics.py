"""/metrics scraped from a real server after real requests (through /api, /v1 and a rate-limited
client), parsed with prometheus_client's own parser; off unless TREATY_METRICS=1. And
`treaty serve` with TREATY_LOG_FORMAT=json: one JSON object per line, with the request id."""
from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import openai
import pytest

from .conftest import BIN, OFFLINE_ENV, ROOT, free_port
from .web_fixtures import get_json, post_json, serve_app, web_container

pytestmark = pytest.mark.slow

QUESTION = "What does Article 25 say?"


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} from the exposition text."""
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"{url}/metrics", timeout=30) as resp:
        assert resp.headers["Content-Type"].startswith("text/plain; version=")
        text = resp.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def status_of(url: str, body: dict) -> int:
    try:
        post_json(url, body)
    except urllib.error.HTTPError as exc:
        return exc.code
    return 200


def test_scrape_after_requests(settings, embedder, container):
    from assistant.web import build_app

    app_container = web_container(settings, embedder, metrics=True, rate_limit="4/minute")
    with serve_app(build_app(app_container, chat=False)) as url:
        before = scrape(url)
        assert not any(name == "treaty_http_requests_total" and ("route", "/api/ask") in labels
                       for name, labels in before)
        post_json(f"{url}/api/ask", {"question": QUESTION})  # answered
        post_json(f"{url}/api/ask", {"question": "Tell me a joke"})  # declined: task
        post_json(f"{url}/api/ask", {"question": "What does Article 99 say?"})  # declined: missing_article
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="x", max_retries=0)
        "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
            model="m", stream=True, messages=[{"role": "user", "content": QUESTION}]))  # answered, streamed
        assert status_of(f"{url}/api/ask", {"question": " "}) == 400  # invalid: spends no quota
        # the four questions spent the quota of 4/minute
        assert status_of(f"{url}/api/ask", {"question": QUESTION}) == 429
        assert status_of(f"{url}/api/ask", {"question": QUESTION}) == 429
        get_json(f"{url}/api/health")
        after = scrape(url)

    def value(name: str, **labels) -> float:
        return after.get((name, tuple(sorted(labels.items()))), 0.0)

    assert value("treaty_http_requests_total", route="/api/ask", method="POST", status="200") == 3
    assert value("treaty_http_requests_total", route="/api/ask", method="POST", status="400") == 1
    assert value("treaty_http_requests_total", route="/api/ask", method="POST", status="429") == 2
    assert value("treaty_http_requests_total", route="/v1/chat/completions", method="POST", status="200") == 1
    assert value("treaty_http_requests_total", route="/api/health", method="GET", status="200") == 1
    assert value("treaty_http_requests_total", route="/metrics", method="GET", status="200") == 1  # `before`
    assert value("treaty_rate_limited_total") == 2
    assert value("treaty_declines_total", reason="task") == 1
    assert value("treaty_declines_total", reason="missing_article") == 1
    assert value("treaty_answer_seconds_count", generator="extractive", refused="false") == 2
    assert value("treaty_answer_seconds_count", generator="extractive", refused="true") == 2
    assert 0 < value("treaty_answer_seconds_sum", generator="extractive", refused="false") < 60
    assert value("treaty_answer_seconds_bucket", generator="extractive", refused="false", le="+Inf") == 2
    index = container.index()
    assert value("treaty_index_info", version=index.version) == 1
    assert value("treaty_index_chunks") == len(index)
    assert value("treaty_index_documents") == len({m["doc_id"] for m in index.metadatas})


def test_metrics_are_off_by_default(settings, embedder):
    from assistant.web import build_app

    with serve_app(build_app(web_container(settings, embedder), chat=False)) as url:
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(f"{url}/metrics", timeout=30)
        assert caught.value.code == 404
        assert json.loads(caught.value.read()) == {"error": "Metrics are off: start the server with TREATY_METRICS=1."}


def test_json_logs_carry_the_request_id(built_index, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, **OFFLINE_ENV, "TREATY_INDEX_DIR": str(built_index), "TREATY_LOG_FORMAT": "json",
           "TREATY_METRICS": "1"}
    with log.open("wb") as err:
        proc = subprocess.Popen([str(BIN / "treaty"), "serve", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 240
            while True:
                try:
                    get_json(f"{url}/api/health")
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"treaty serve did not start:\n{log.read_text()[-2000:]}")
                    time.sleep(0.5)
            req = urllib.request.Request(f"{url}/api/ask", json.dumps({"question": QUESTION}).encode(),
                                         {"Content-Type": "application/json", "X-Request-ID": "trace-42"})
            with urllib.request.urlopen(req, timeout=120) as resp:
                assert resp.headers["X-Request-ID"] == "trace-42"
            req = urllib.request.Request(f"{url}/api/ask", b'{"question": "What is Article 2 about?"}',
                                         {"Content-Type": "application/json", "X-Request-ID": "not a token " * 9})
            with urllib.request.urlopen(req, timeout=120) as resp:
                generated = resp.headers["X-Request-ID"]
            assert len(generated) == 32 and generated != "trace-42"
            assert scrape(url)  # metrics are on in this process too
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines if line.startswith("{")]
    stray = [line for line in lines if not line.startswith("{") and not line.startswith("Treaty Assistant on ")]
    assert stray == []
    assert all({"ts", "level", "logger", "message"} <= set(r) for r in records)
    asked = [r for r in records if r["message"] == "request" and r["path"] == "/api/ask"]
    assert [(r["request_id"], r["status"], r["method"]) for r in asked] == [("trace-42", 200, "POST"),
                                                                           (generated, 200, "POST")]
    assert all(r["duration_ms"] > 0 for r in asked)
    assert any(r["logger"].startswith("uvicorn") for r in records)  # the server's own lines are JSON too
