"""Hostile HTTP input against a real running server (the whole app, Gradio at `/`, uvicorn on
loopback, rate limit lifted): schemathesis fuzzing from the OpenAPI schema (valid and invalid
requests; no 5xx, no unexpected server error in a stream, nothing logged as a server error),
path traversal on source pages, bodies over the size limit (also chunked), and hand-made
bodies schemathesis does not write (NaN, lone surrogates, deep nesting, a lying length).

Already covered in test_web_api.py (not repeated): the 413 for a 1.1 MB body, four traversal
paths through the test client, and the exact messages of bad questions and histories.
"""
from __future__ import annotations

import http.client
import json
import logging
import socket
from collections import Counter

import pytest
import requests
from hypothesis import HealthCheck, given, settings

from .conftest import UN
from .web_fixtures import parse_sse, serve_app, web_container

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

OPERATIONS = {"POST /api/ask", "POST /api/ask/stream", "GET /api/health", "GET /api/sources", "GET /api/sources/{doc_id}",
              "POST /v1/chat/completions", "GET /v1/models", "POST /api/feedback", "GET /api/examples"}
# examples per operation and mode: questions run the whole pipeline, so they are kept modest
EXAMPLES = {"POST /api/ask": 100, "POST /api/ask/stream": 50, "GET /api/sources/{doc_id}": 60,
            "POST /v1/chat/completions": 60}
LAST_QUESTION = "What does Article 25 say about confiscation?"
SERVER_FAILURE = "The answer failed on the server: try again."
STATS: Counter = Counter()  # (operation, mode, status) -> requests


def expected_status(label: str, mode: str) -> int:
    """A status the fuzzing must have produced, so it is known to have reached the handler:
    an answer (or the listing) for valid requests, 404 for an unknown document, 422 for bodies
    that break the schema."""
    if mode == "negative":
        return 422
    return 404 if label == "GET /api/sources/{doc_id}" else 200


class ServerErrors(logging.Handler):
    """Collects ERROR records (uvicorn's "Exception in ASGI application", our stream failures)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture(scope="module")
def server(settings, embedder, tmp_path_factory):
    """(base URL, error log) of the real app served by uvicorn in a thread."""
    from assistant.web import build_app

    errors = ServerErrors()
    logging.getLogger().addHandler(errors)
    db = tmp_path_factory.mktemp("fuzz-feedback") / "feedback.sqlite"
    app = build_app(web_container(settings, embedder, rate_limit="1000000/minute", feedback_db=db))
    try:
        with serve_app(app) as url:
            yield url, errors
    finally:
        logging.getLogger().removeHandler(errors)


@pytest.fixture(scope="module")
def schema(server):
    import schemathesis

    return schemathesis.openapi.from_url(f"{server[0]}/openapi.json")


def test_the_schema_lists_exactly_the_fuzzed_operations(schema):
    assert {op.ok().label for op in schema.get_all_operations()} == OPERATIONS


@pytest.mark.parametrize("label, mode", [(label, "positive") for label in sorted(OPERATIONS)] + [
    (label, "negative") for label in sorted(OPERATIONS) if label.startswith("POST")])  # any string is a valid doc_id
def test_fuzzed_requests_never_get_a_server_error(server, schema, label, mode):
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error

    url, errors = server
    operation = next(op.ok() for op in schema.get_all_operations() if op.ok().label == label)
    session = requests.Session()
    session.trust_env = False  # loopback only, whatever proxy the environment names

    @settings(max_examples=EXAMPLES.get(label, 10), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(GenerationMode(mode)))
    def check(case):
        if label == "POST /v1/chat/completions" and mode == "positive" and isinstance(case.body, dict):
            # JSON Schema cannot say "the last message is the user's question" (else a 400 that names
            # the fix): the generated messages become the history of a question
            case.body["messages"] = [*case.body.get("messages", []), {"role": "user", "content": LAST_QUESTION}]
        response = case.call(base_url=url, session=session, timeout=120)
        STATS[(label, mode, response.status_code)] += 1
        case.validate_response(response, checks=[not_a_server_error])
        if label == "POST /api/ask/stream" and response.status_code == 200:
            events = parse_sse(response.text)
            assert events and events[-1][0] in ("done", "error"), response.text[-300:]
            assert all(data.get("error") != SERVER_FAILURE for _, data in events), response.text[-300:]

    check()
    assert errors.records == []
    got = {status: n for (op, m, status), n in STATS.items() if (op, m) == (label, mode)}
    print(f"\nschemathesis {label} {mode}: {sum(got.values())} requests by status {got}")
    # the requests were sent, and they reached the handler (not all turned away by one early check)
    assert got.get(expected_status(label, mode), 0) > 0, got


# -- raw requests: paths and bodies sent exactly as written ----------------------------------
def raw(url: str, method: str, path: str, body: bytes = b"", headers: dict | None = None) -> tuple[int, bytes]:
    """One request with the path and body as given (no client-side normalisation of `..`)."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    conn.putrequest(method, path, skip_accept_encoding=True)
    headers = {"Content-Type": "application/json", **(headers or {})}
    if body and "Content-Length" not in headers:
        headers["Content-Length"] = str(len(body))
    for key, value in headers.items():
        conn.putheader(key, value)
    conn.endheaders()
    if body:
        conn.send(body)
    response = conn.getresponse()
    return response.status, response.read()


TRAVERSALS = [
    "/api/sources/../../../../etc/passwd", "/api/sources/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/api/sources/%2e%2e%2f%2e%2e%2fpyproject.toml", "/api/sources/..%252F..%252Fetc%252Fpasswd",
    "/api/sources/%252e%252e%252fREADME.md", "/api/sources/....//....//etc/passwd", "/api/sources/..%5c..%5cREADME.md",
    "/api/sources/..\\..\\README.md", "/api/sources/%c0%ae%c0%ae%c0%afetc%c0%afpasswd", "/api/sources/..%00/etc/passwd",
    "/api/sources/%2Fetc%2Fpasswd", "/api/sources//etc/passwd", "/api/sources/..;/README.md",
    f"/api/sources/{UN}/../../../README.md", f"/api/sources/{UN}%2F..%2F..%2FREADME.md", "/api/sources/.%2e/.%2e/Makefile",
    "/api/sources/%2E%2E", "/api/sources/..", "/api/sources/.", "/api/sources/~root", "/api/sources/%uff0e%uff0e",
    "/api/sources/%EF%BC%8E%EF%BC%8E%2fREADME.md", f"/api/sources/{UN}.md",
    "/api/sources/un-convention-against-cybercrime%00.md", "/api/../README.md", "/api/%2e%2e/README.md",
]
SECRET_FILES = ["root:x:0:", "[project]", "Treaty Assistant", ".PHONY"]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_in_a_source_path_is_404_and_reads_no_file(server, path):
    status, body = raw(server[0], "GET", path)
    assert status == 404, (path, status, body[:200])
    text = body.decode(errors="replace")
    assert not any(marker in text for marker in SECRET_FILES), text[:300]


@pytest.mark.parametrize("path", ["/file=/etc/passwd", "/gradio_api/file=/etc/passwd", "/gradio_api/file=../../README.md",
                                  "/gradio_api/file=%2e%2e%2f%2e%2e%2fREADME.md", "/static/../../../etc/passwd",
                                  "/assets/..%2f..%2f..%2fetc%2fpasswd", "/..%2f..%2fREADME.md", "/gradio_api/upload"])
def test_gradio_paths_serve_no_file_from_outside(server, path):
    status, body = raw(server[0], "GET", path)
    assert 400 <= status < 500, (path, status)
    text = body.decode(errors="replace")
    assert not any(marker in text for marker in ["root:x:0:", "[project]", ".PHONY"]), text[:300]


def chunked_post(url: str, path: str, total: int) -> bytes:
    """POST `total` bytes with Transfer-Encoding: chunked (no Content-Length to check up front)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n".encode())
        piece, sent = b'{"question": "' + b"a" * 65536, 0
        try:
            while sent < total:
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                sent += len(piece)
                piece = b"a" * 65536
            sock.sendall(b'2\r\n"}\r\n0\r\n\r\n')
        except OSError:
            pass  # the server may answer and close before the whole body is sent
        return sock.recv(200)


@pytest.mark.parametrize("path", ["/api/ask", "/api/ask/stream"])
def test_bodies_over_the_limit_are_413(server, path):
    status, _ = raw(server[0], "POST", path, b'{"question": "' + b"a" * 1_100_000 + b'"}')
    assert status == 413
    assert chunked_post(server[0], path, 2_000_000).startswith(b"HTTP/1.1 413 ")


QUESTION = b"What does Article 25 say?"


@pytest.mark.parametrize("name, body, status", [
    ("NaN", b'{"question": NaN}', 422),
    ("Infinity in history", b'{"question": "Hi", "history": [Infinity]}', 422),
    ("lone surrogate", b'{"question": "\\ud800 What does Article 25 say?"}', 200),
    ("lone surrogate in history", b'{"question": "And paragraph 2?", "history": [{"role": "user", "content": "\\udfff"}]}', 200),
    ("NUL character", b'{"question": "What does Article\\u0000 25 say?"}', 200),
    ("bytes that are not UTF-8", b'{"question": "\xff\xfe"}', 400),
    ("deeply nested history", b'{"question": "Hi", "history": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", 400),
    ("deeply nested objects", b'{"question": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}", 400),
    ("a 5000-digit number", b'{"question": 1' + b"0" * 5000 + b"}", 400),
    ("900 KB of spaces", b'{"question": "' + b" " * 900_000 + b'"}', 400),
    ("3000 history turns", json.dumps({"question": "And paragraph 2?", "history": [
        {"role": "user", "content": "What does Article 25 say? " * 10}] * 3000}).encode(), 200),
    ("duplicate keys", b'{"question": "x", "question": "' + QUESTION + b'"}', 200),
    ("a JSON list", b'["' + QUESTION + b'"]', 422),
    ("JSON null", b"null", 422),
])
def test_hand_made_hostile_bodies_get_a_json_answer_not_a_500(server, name, body, status):
    url, errors = server
    got, data = raw(url, "POST", "/api/ask", body)
    assert got == status, (name, data[:300])
    parsed = json.loads(data)
    assert ("answer" in parsed) if status == 200 else isinstance(parsed.get("error"), str)
    assert errors.records == []


def test_a_lying_content_length_is_refused_without_a_500(server):
    status, _ = raw(server[0], "POST", "/api/ask", b'{"question": "' + QUESTION + b'"}', {"Content-Length": "5"})
    assert status in (400, 422)
