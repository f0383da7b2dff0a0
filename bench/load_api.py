"""Load check for /api/ask: N concurrent clients x M questions; prints errors and latency p50/p95.

    .venv/bin/python bench/load_api.py                    # starts the app in-process on a free port
    .venv/bin/python bench/load_api.py --url http://127.0.0.1:7860   # a running `treaty serve`

In-process, the app uses the normal settings (TREATY_INDEX_DIR, ...) with the rate limit
lifted; a running server keeps its own TREATY_RATE_LIMIT, so 200 questions from one address
will be answered 429 unless it is raised. Not a test: exits 1 when any request failed.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from common import percentile, serve_app

QUESTIONS = [
    "What does Article 25 say about confiscation?",
    "Which offences must States parties criminalize?",
    "What is illegal access under the Convention?",
    "How does the Convention protect human rights?",
    "What are the conditions and safeguards for procedural measures?",
    "What does the Convention say about extradition?",
    "When does the Convention enter into force?",
    "What is the 24/7 network?",
    "How are personal data transferred between States parties?",
    "What does the Budapest Convention say about data interference?",
]


@contextmanager
def in_process_server():
    """The real app (API only) under uvicorn in a thread, rate limit lifted; yields its URL."""
    from assistant.config import load_settings
    from assistant.web import build_app
    from assistant.wiring import Container

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    container = Container(load_settings(rate_limit="1000000/minute"))
    container.index()
    with serve_app(build_app(container, chat=False), limit_concurrency=200, lifespan="auto") as url:
        yield url


def ask(url: str, question: str) -> tuple[float, str | None]:
    """(seconds, error or None) for one POST /api/ask."""
    body = json.dumps({"question": question}).encode()
    req = urllib.request.Request(f"{url}/api/ask", body, {"Content-Type": "application/json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            data = json.loads(resp.read())
        error = None if "answer" in data else "no answer field"
    except urllib.error.HTTPError as exc:
        error = f"HTTP {exc.code}: {exc.read()[:200].decode(errors='replace')}"
    except OSError as exc:
        error = f"{type(exc).__name__}: {exc}"
    return time.perf_counter() - start, error


def client(url: str, n: int, offset: int) -> list[tuple[float, str | None]]:
    return [ask(url, QUESTIONS[(offset + i) % len(QUESTIONS)]) for i in range(n)]


def run(url: str, clients: int, per_client: int) -> int:
    ask(url, QUESTIONS[0])  # warm-up: first use loads the model and the index
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = [r for rs in pool.map(lambda i: client(url, per_client, i), range(clients)) for r in rs]
    wall = time.perf_counter() - start
    times = [t * 1000 for t, _ in results]
    errors = [e for _, e in results if e]
    print(f"{clients} clients x {per_client} questions = {len(results)} requests against {url}/api/ask "
          f"in {wall:.1f}s ({len(results) / wall:.1f} req/s)")
    print(f"errors: {len(errors)}")
    for e in sorted(set(errors))[:5]:
        print(f"  {errors.count(e)} x {e}")
    print(f"latency ms: p50 {percentile(times, 50):.0f}  p95 {percentile(times, 95):.0f}  "
          f"max {max(times):.0f}  mean {statistics.fmean(times):.0f}")
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="A running server (default: start the app in-process).")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10, help="Questions per client.")
    args = parser.parse_args()
    if args.url:
        return run(args.url.rstrip("/"), args.clients, args.questions)
    with in_process_server() as url:
        return run(url, args.clients, args.questions)


if __name__ == "__main__":
    sys.exit(main())
