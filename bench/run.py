"""`make bench`: run every benchmark script and collect their results in bench/results/latest.json.

Scripts: retrieval.py (our retriever and answers vs the textbook LangChain RAG and BM25),
query_speed.py (ingest, re-ingest, embedding throughput, retrieval, ask, local generator),
startup.py (`treaty --help`, `treaty serve` readiness), scale.py (1k-100k chunks, embedded
and server Chroma), llm_sample.py (the packaged Qwen vs extractive on 40 questions; skipped
without the local extra). Each prints its own markdown table; `python bench/readme_table.py`
turns latest.json into the README's Performance section.

    .venv/bin/python bench/run.py [--scale-sizes 1000,10000,100000]   (or BENCH_SCALE_SIZES=...)
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [("retrieval", "retrieval.py"), ("retrieval_train", "retrieval.py"), ("query_speed", "query_speed.py"),
           ("startup", "startup.py"), ("scale", "scale.py"), ("llm_sample", "llm_sample.py")]


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    return {"python": platform.python_version(), "cpu_count": os.cpu_count(), "cpu": cpu,
            "memory_gb": round(memory_kb / 1024 ** 2, 1), "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale-sizes", default=os.environ.get("BENCH_SCALE_SIZES", "1000,10000,100000"),
                    help="chunk counts for scale.py (default: BENCH_SCALE_SIZES or 1000,10000,100000)")
    args = ap.parse_args()
    extra = {"scale": ["--sizes", args.scale_sizes],
             "retrieval_train": ["--questions", str(HERE.parent / "eval" / "train.jsonl"),
                                 "--out", str(HERE / "results" / "retrieval_train.json")]}
    results: dict = {"date": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(), "seconds": {}}
    started = time.perf_counter()
    for name, script in SCRIPTS:
        print(f"\n## {name}\n", flush=True)
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, str(HERE / script), *extra.get(name, [])])
        results["seconds"][name] = round(time.perf_counter() - t)
        if proc.returncode != 0:
            print(f"{script} failed with exit code {proc.returncode}", file=sys.stderr)
            return proc.returncode
        results[name] = json.loads((HERE / "results" / f"{name}.json").read_text())
    results["seconds"]["total"] = round(time.perf_counter() - started)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    (HERE / "results" / "latest.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nwrote {HERE / 'results' / 'latest.json'} ({results['seconds']['total']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
