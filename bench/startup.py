"""Benchmark: start-up times. `treaty --help` wall time (a fresh process each run), and
`treaty serve` with a built index: seconds until /api/health answers 200, then the first
/api/ask (which loads the embedding model). Writes bench/results/startup.json.

    .venv/bin/python bench/startup.py [--index data/index] [--help-runs 5] [--serve-runs 2]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

from common import (
    BIN,
    OFFLINE_ENV,
    ROOT,
    cpu_s,
    direct,
    free_port,
    percentile,
    print_table,
    run_measured,
    spawn,
    write_result,
)


def env(**extra: str) -> dict:
    return {**os.environ, **OFFLINE_ENV, **extra}


def median(values: list[float]) -> float:
    return round(percentile(values, 50), 2)


def serve_once(index: Path) -> dict:
    """Start `treaty serve` on a free port; time readiness and the first answer; stop it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with spawn([str(BIN / "treaty"), "serve", "--port", str(port)], f"{url}/api/health", 180,
               env={"TREATY_INDEX_DIR": str(index)}) as proc:
        ready, ready_cpu = time.perf_counter() - started, cpu_s(proc.pid)
        body = json.dumps({"question": "How long can expedited preservation last?"}).encode()
        started = time.perf_counter()
        req = urllib.request.Request(f"{url}/api/ask", data=body, headers={"Content-Type": "application/json"})
        with direct.open(req, timeout=120) as resp:
            answer = json.loads(resp.read())
        first_answer = time.perf_counter() - started
    return {"ready_s": round(ready, 2), "ready_cpu_s": round(ready_cpu, 2), "first_ask_s": round(first_answer, 2), "first_ask_refused": answer.get("refused")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", type=Path, default=None, help="built index folder (default: TREATY_INDEX_DIR or data/index)")
    ap.add_argument("--help-runs", type=int, default=5)
    ap.add_argument("--serve-runs", type=int, default=2)
    args = ap.parse_args()
    from assistant.config import load_settings

    index = load_settings(index_dir=args.index).index_dir
    if not (index / "CURRENT").exists():
        print(f"No index at {index}: run `treaty ingest` first", file=sys.stderr)
        return 1
    helps = [run_measured([str(BIN / "treaty"), "--help"], env()) for _ in range(args.help_runs)]
    serves = [serve_once(index) for _ in range(args.serve_runs)]
    result = {
        "help_wall_s": [h["wall_s"] for h in helps], "help_median_s": median([h["wall_s"] for h in helps]),
        "help_max_s": max(h["wall_s"] for h in helps), "help_median_cpu_s": median([h["cpu_s"] for h in helps]),
        "serve": serves, "serve_ready_median_s": median([s["ready_s"] for s in serves]),
        "serve_ready_max_s": max(s["ready_s"] for s in serves),
        "serve_ready_median_cpu_s": median([s["ready_cpu_s"] for s in serves]),
        "serve_first_ask_max_s": max(s["first_ask_s"] for s in serves),
    }
    out = write_result("startup", result)
    print_table([(k, v) for k, v in result.items()])
    print(f"\nwrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
