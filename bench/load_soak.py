"""Load and soak of /api/ask against a real `treaty serve` process (extractive generator, rate limit lifted).

    .venv/bin/python bench/load_soak.py --load    # 50 concurrent clients for 2 minutes: errors, p50/p95/p99, req/s
    .venv/bin/python bench/load_soak.py --soak    # 10 minutes at a steady rate: errors, server RSS growth
    .venv/bin/python bench/load_soak.py --load --soak --clients 20 --seconds 30 --minutes 2 --rate 3

The server is started here on a free port over TREATY_INDEX_DIR (default data/index; built with
`treaty ingest` first when missing) and stopped at the end. Clients are threads of this process,
each with its own keep-alive connection. Soak: requests are sent on a fixed schedule (open loop,
so a slow answer does not slow the rate down); the server's resident memory is sampled every
few seconds, and growth is measured from the end of a warm-up minute to the end of the run.
Not a test: exits 1 on any failed request or on memory growth of 10% or more. Results go to
bench/results/load_soak.json.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from common import BIN, OFFLINE_ENV, RESULTS, ROOT, free_port, percentile, proc_memory_mb, spawn, write_result
from load_api import QUESTIONS

MAX_GROWTH_PCT = 10.0


class Client:
    """One keep-alive HTTP connection; `ask` -> (seconds, error or None)."""

    def __init__(self, port: int):
        self.port, self.conn = port, None

    def ask(self, question: str) -> tuple[float, str | None]:
        body = json.dumps({"question": question})
        start = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.request("POST", "/api/ask", body, {"Content-Type": "application/json"})
            resp = self.conn.getresponse()
            data = resp.read()
            error = None if resp.status == 200 and b'"answer"' in data else f"HTTP {resp.status}: {data[:120]!r}"
        except (OSError, http.client.HTTPException) as exc:
            self.conn = None  # reconnect next time
            error = f"{type(exc).__name__}: {exc}"
        return time.perf_counter() - start, error


def latency(times_s: list[float]) -> dict:
    ms = [t * 1000 for t in times_s]
    return {"p50_ms": round(percentile(ms, 50), 1), "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1), "max_ms": round(max(ms), 1)}


def error_summary(errors: list[str]) -> dict:
    return {e: errors.count(e) for e in sorted(set(errors))[:5]}


def run_load(port: int, pid: int, clients: int, seconds: float) -> dict:
    """`clients` threads asking back to back for `seconds`."""
    deadline = time.perf_counter() + seconds
    rss_before = proc_memory_mb(pid)["rss_mb"]

    def client(i: int) -> list[tuple[float, str | None]]:
        c, out, n = Client(port), [], i
        while time.perf_counter() < deadline:
            out.append(c.ask(QUESTIONS[n % len(QUESTIONS)]))
            n += 1
        return out

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = [r for rs in pool.map(client, range(clients)) for r in rs]
    wall = time.perf_counter() - start
    errors = [e for _, e in results if e]
    return {"clients": clients, "seconds": round(wall, 1), "requests": len(results), "errors": len(errors),
            "error_kinds": error_summary(errors), "throughput_rps": round(len(results) / wall, 2),
            **latency([t for t, _ in results]), "server_rss_mb_before": rss_before,
            "server_rss_mb_after": proc_memory_mb(pid)["rss_mb"]}


def run_soak(port: int, pid: int, rate: float, minutes: float, warmup_s: float = 60.0, sample_s: float = 5.0) -> dict:
    """`rate` requests a second on a fixed schedule for `minutes`; RSS sampled every `sample_s`."""
    total = int(rate * minutes * 60)
    results: list[tuple[float, str | None]] = []
    samples: list[tuple[float, float]] = []  # (seconds since start, RSS MB)
    local = threading.local()
    start = time.perf_counter()
    done = threading.Event()

    def sampler() -> None:
        while not done.is_set():
            samples.append((round(time.perf_counter() - start, 1), proc_memory_mb(pid)["rss_mb"]))
            done.wait(sample_s)

    def one(i: int) -> None:
        if not hasattr(local, "client"):
            local.client = Client(port)
        results.append(local.client.ask(QUESTIONS[i % len(QUESTIONS)]))

    threading.Thread(target=sampler, daemon=True).start()
    with ThreadPoolExecutor(16) as pool:
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i)
    wall = time.perf_counter() - start
    done.set()
    samples.append((round(wall, 1), proc_memory_mb(pid)["rss_mb"]))
    base = next(rss for t, rss in samples if t >= warmup_s)
    end = samples[-1][1]
    errors = [e for _, e in results if e]
    return {"rate_rps": rate, "minutes": minutes, "seconds": round(wall, 1), "requests": len(results),
            "errors": len(errors), "error_kinds": error_summary(errors), "achieved_rps": round(len(results) / wall, 2),
            **latency([t for t, _ in results]), "rss_mb_start": samples[0][1], "rss_mb_after_warmup": base,
            "rss_mb_end": end, "rss_mb_max": max(r for _, r in samples),
            "rss_growth_pct": round(100 * (end - base) / base, 2), "rss_samples": samples}


@contextmanager
def server(index: Path, log: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    """`treaty serve` over `index` on a free port, warmed up by one question; yields (process, port)."""
    if not (index / "CURRENT").exists():
        print(f"no index at {index}: running `treaty ingest`", flush=True)
        subprocess.run([str(BIN / "treaty"), "ingest"], check=True, env={**os.environ, **OFFLINE_ENV,
                                                                          "TREATY_INDEX_DIR": str(index)})
    port = free_port()
    env = {"TREATY_INDEX_DIR": str(index), "TREATY_RATE_LIMIT": "100000000/minute", "TREATY_GENERATOR": "extractive"}
    with spawn([str(BIN / "treaty"), "serve", "--port", str(port)], f"http://127.0.0.1:{port}/api/health", 180,
               env=env, log=log) as proc:
        Client(port).ask(QUESTIONS[0])  # first question loads the model and the index
        yield proc, port


def measure(mode: str, args: argparse.Namespace) -> dict:
    """A fresh server, one mode against it, the server stopped: the mode's figures and context."""
    log = Path(tempfile.mkdtemp(prefix="load-soak-")) / "server.log"
    with server(args.index, log) as (proc, port):
        context = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "load_average_at_start": os.getloadavg()}
        if mode == "load":
            figures = run_load(port, proc.pid, args.clients, args.seconds)
        else:
            figures = run_soak(port, proc.pid, args.rate, args.minutes)
    logged = [ln for ln in log.read_text(errors="replace").splitlines() if ln.startswith(("ERROR", "Traceback"))]
    return {**context, **figures, "load_average_at_end": os.getloadavg(), "server_log": str(log),
            "server_error_lines": len(logged)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--load", action="store_true", help="concurrent clients asking back to back")
    ap.add_argument("--soak", action="store_true", help="a steady rate for a long time, watching memory")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--rate", type=float, default=5.0, help="soak requests per second")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--index", type=Path, default=Path(os.environ.get("TREATY_INDEX_DIR", ROOT / "data" / "index")))
    args = ap.parse_args()
    modes = [m for m in ("load", "soak") if getattr(args, m)]
    if not modes:
        ap.error("choose --load, --soak or both")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the server
    out = RESULTS / "load_soak.json"
    results = json.loads(out.read_text()) if out.exists() else {}  # the other mode's last run is kept
    ok = True
    for mode in modes:
        results[mode] = measure(mode, args)
        print(json.dumps({k: v for k, v in results[mode].items() if k != "rss_samples"}, indent=1), flush=True)
        ok &= results[mode]["errors"] == 0 and results[mode]["server_error_lines"] == 0
        if mode == "soak":
            ok &= results[mode]["rss_growth_pct"] < MAX_GROWTH_PCT
    print(f"wrote {write_result('load_soak', results)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
