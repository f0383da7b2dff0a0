"""Helpers for the chat and widget browser tests: driving the Gradio chat, axe-core in the page,
element sizes, and a small OpenAI-compatible endpoint whose pace the test sets.

The endpoint speaks the real streaming protocol to the real `openai` client: it answers with
the first sentence of passage [1] from the prompt (without its paragraph number) (so verification keeps it), one word per
`delay` seconds, and records when its client hangs up (how a stop is seen server-side).
"""
from __future__ import annotations

import http.server
import json
import re
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "tests" / "support" / "node" / "node_modules" / "axe-core" / "axe.min.js"
TEXTBOX = 'textarea[data-testid="textbox"]'
STOP = '[data-testid="stop-button"]'
BOT = '[data-testid="bot"]'
WIDGET = "treaty-assistant-widget"


def chat_ask(page, question: str, timeout: float = 60000) -> None:
    """Type a question into the chat and wait until its reply (answer or error) is complete."""
    before = page.locator(BOT).count()
    page.fill(TEXTBOX, question)
    page.keyboard.press("Enter")
    page.wait_for_function(f"n => document.querySelectorAll('{BOT}').length > n", arg=before, timeout=timeout)
    page.wait_for_selector(STOP, state="hidden", timeout=timeout)
    page.wait_for_function(
        f"() => {{ const b = [...document.querySelectorAll('{BOT}')].pop();"
        " return b && (b.querySelector('.tw-error') || b.querySelector('.tw-copy')); }", timeout=timeout)
    page.get_by_text(re.compile(r"^processing \|")).first.wait_for(state="hidden", timeout=timeout)  # input overlay


def last_bot(page):
    return page.locator(BOT).last


AXE_CONTEXT = {"bypass_csp": True}


def axe_violations(page, context: str = "document") -> list[dict]:
    """Serious and critical axe-core violations on the page (or inside `context`). Our pages' policy
    allows only their own scripts, so the page must come from a context made with `bypass_csp=True`
    (`AXE_CONTEXT`): the test tool is injected, the page's own code runs under its real policy."""
    if not AXE.exists():
        raise AssertionError(f"axe-core is missing at {AXE}: run `npm ci --prefix tests/support/node`")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (ctx) => { const r = await axe.run(ctx === 'document' ? document : eval(ctx),"
        " {resultTypes: ['violations']}); return r.violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})); }", context)
    return [v for v in found if v["impact"] in ("serious", "critical")]


def box(locator) -> dict:
    b = locator.bounding_box()
    assert b is not None, "element is not visible"
    return b


class PacedLLM:
    """`with PacedLLM(delay) as llm:` a threaded OpenAI-compatible server; `llm.url` ends in /v1."""

    def __init__(self, delay: float = 0.0, port: int = 0):
        self.delay, self.port = delay, port
        self.requests = 0
        self.hung_up = threading.Event()

    def __enter__(self) -> PacedLLM:
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                outer.requests += 1
                prompt = body["messages"][-1]["content"]
                m = re.search(r"^\[1\] \(.*?\)\n(?:\(?\w{1,3}[.)]\s+)?(.+?[.;:])(?:\s|$)", prompt, re.M | re.S)
                words = (m.group(1) if m else "The documents do not answer this question.").split()
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for i, word in enumerate([*words[:-1], words[-1][:-1], " [1]."]):
                        text = word if word == " [1]." else ("" if i == 0 else " ") + word
                        chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "paced",
                                 "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                        time.sleep(outer.delay)
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    outer.hung_up.set()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
