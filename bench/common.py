"""Helpers the benchmark scripts share: latency summaries, sizes and memory, and result files.
Servers, free ports, polling and offline environments come from tests/support/servers.py
(the same plumbing the tests use), re-exported here under their old names.

Measuring only; nothing here decides what a benchmark measures.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))  # scripts run from anywhere; `tests.support` and `assistant` import from here

from assistant.evaluation.metrics import percentile  # noqa: E402, F401 - the one percentile (linear interpolation)
from tests.support.servers import (  # noqa: E402, F401 - re-exported for the bench scripts
    BIN,
    OFFLINE_ENV,
    chroma_run,
    direct,
    free_port,
    serve_app,
    spawn,
    stop,
    wait_for,
)


def ms_summary(values_ms: list[float], prefix: str) -> dict:
    """{prefix_p50_ms, prefix_p95_ms} rounded to 0.1 ms."""
    return {f"{prefix}_p50_ms": round(percentile(values_ms, 50), 1), f"{prefix}_p95_ms": round(percentile(values_ms, 95), 1)}


def du(path: Path) -> int:
    """Bytes of the files under `path`."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def peak_rss_mb() -> float:
    """This process's peak resident memory so far: VmHWM, not getrusage's ru_maxrss, which in a
    process started by fork + exec also counts the parent's memory at the fork (a bench parent
    holding 100k synthetic vectors made a query child's "peak" read ~2 GB)."""
    return proc_memory_mb()["peak_rss_mb"]


def proc_memory_mb(pid: int | str = "self") -> dict:
    """Current (VmRSS) and peak (VmHWM) resident memory of a process, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields.get("VmRSS"), "peak_rss_mb": fields.get("VmHWM")}


def rss_parts_mb(pid: int | str = "self") -> dict:
    """Resident memory split into private (anonymous: heaps, the model's weights, Chroma's HNSW in
    embedded mode) and file-backed pages (memory-mapped records and BM25 files: shared by every
    process that maps them, and given back by the kernel under pressure), from smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, value = line.partition(":")
        fields[key] = int(value.split()[0]) / 1024
    anon = fields.get("Anonymous", 0.0)
    return {"anon_mb": round(anon, 1), "file_mb": round(fields.get("Rss", 0.0) - anon, 1)}


def cpu_s(pid: int | str = "self") -> float:
    """CPU seconds (user + system) a running process has used so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_measured(cmd: list[str], env: dict) -> dict:
    """Run a command to completion: wall seconds, CPU seconds (which barely move when other
    jobs share the cores; wall time does) and peak RSS. The peak is VmHWM polled from /proc:
    wait4's ru_maxrss would report this (large) process's peak, which Linux carries over
    into a forked child."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak = 0.0
    while True:
        try:
            peak = max(peak, proc_memory_mb(proc.pid)["peak_rss_mb"] or 0.0)
        except (OSError, ValueError):  # exiting: /proc/<pid>/status is going or gone
            pass
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.02)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}")
    return {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3), "peak_rss_mb": peak}


@contextmanager
def chroma_server(path: Path):
    """A real `chroma run` on a free port, storing at `path` (log beside it); yields (url, process)."""
    with chroma_run(path, log=Path(path).with_suffix(".log")) as server:
        yield server


def write_result(name: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    tmp = out.with_suffix(f".{os.getpid()}.tmp")  # whole or not at all: another bench may be reading it
    tmp.write_text(json.dumps(result, indent=1) + "\n")
    tmp.replace(out)
    return out


def print_table(rows: list[tuple[str, object]], header: tuple[str, str] = ("measure", "value")) -> None:
    print(f"| {header[0]} | {header[1]} |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")
