"""`make bench`: run every benchmark script and collect their results in bench/results/latest.json.

Scripts: retrieval.py (our retriever vs the textbook LangChain RAG vs BM25), query_speed.py
(ingest, re-ingest, retrieval and ask latency). Each prints its own markdown table.
"""
from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [("retrieval", "retrieval.py"), ("query_speed", "query_speed.py")]


def main() -> int:
    results: dict = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": {
        "python": platform.python_version(), "cpu_count": __import__("os").cpu_count(), "platform": platform.platform()}}
    for name, script in SCRIPTS:
        print(f"\n## {name}\n", flush=True)
        proc = subprocess.run([sys.executable, str(HERE / script)])
        if proc.returncode != 0:
            print(f"{script} failed with exit code {proc.returncode}", file=sys.stderr)
            return proc.returncode
        out = HERE / "results" / f"{name}.json"
        if out.exists():
            results[name] = json.loads(out.read_text())
    (HERE / "results" / "latest.json").write_text(json.dumps(results, indent=1))
    print(f"\nwrote {HERE / 'results' / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
