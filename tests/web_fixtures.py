"""Fixtures for the web tests: app containers over the shared index, an index of a hostile
document, real uvicorn servers in threads (tests/support/servers.py), static host pages on
other loopback origins, and one headless Chromium per test module.

Imported by tests/test_web_api.py and tests/test_web_browser.py (`from .web_fixtures import *`).
"""
from __future__ import annotations

import functools
import http.server
import json
import urllib.request
from pathlib import Path

import pytest

from .support.servers import serve_app, serve_handler  # noqa: F401 - web tests import them from here

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_DOC = f"""---
title: "Retention notes {XSS_SCRIPT}"
source_url: "https://example.org/retention"
---
# Retention rules

The retention officer must log every data request within ten days {XSS_SCRIPT} of receiving it.

The retention officer must display markup such as {XSS_IMG} as plain text in every log.
"""
XSS_QUESTION = "What must the retention officer log?"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def web_container(settings, embedder, **overrides):
    """A Container over `settings` with overrides (e.g. rate_limit), reusing the session's model."""
    from assistant.wiring import Container

    c = Container(settings.model_copy(update=overrides))
    c.embedder = embedder
    return c


@pytest.fixture(scope="session")
def xss_index(tmp_path_factory, ingest_into) -> Path:
    """Index of one document whose title and text carry script and img-onerror markup."""
    root = tmp_path_factory.mktemp("xss")
    (root / "corpus").mkdir()
    (root / "corpus" / "evil-notes.md").write_text(XSS_DOC, encoding="utf-8")
    ingest_into([root / "corpus"], root / "index")
    return root / "index"


def serve_folder(folder: Path):
    """A static file server for host pages: a second (third...) loopback origin."""
    return serve_handler(functools.partial(_QuietHandler, directory=str(folder)))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def post_json(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def parse_sse(text: str) -> list[tuple[str, dict]]:
    """A server-sent-events body -> [(event name, JSON data)]."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


@pytest.fixture(scope="module")
def browser():
    """One headless Debian Chromium per test module (never `playwright install`). Per module, not per
    session: a second sync Playwright (another module's, or the eval report test's) cannot start
    while one is running."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()
