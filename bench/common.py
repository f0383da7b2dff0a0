"""Helpers the benchmark scripts share: latency summaries, sizes and memory, free ports,
a Chroma server to measure against, offline environments and result files.

Measuring only; nothing here decides what a benchmark measures.
"""
from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))  # scripts run from anywhere

from assistant.evaluation.metrics import percentile  # noqa: E402

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false",
}
# requests to our own servers never go through a proxy from the environment
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def ms_summary(values_ms: list[float], prefix: str) -> dict:
    """{prefix_p50_ms, prefix_p95_ms} rounded to 0.1 ms."""
    return {f"{prefix}_p50_ms": round(percentile(values_ms, 50), 1), f"{prefix}_p95_ms": round(percentile(values_ms, 95), 1)}


def du(path: Path) -> int:
    """Bytes of the files under `path`."""
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def proc_memory_mb(pid: int | str = "self") -> dict:
    """Current (VmRSS) and peak (VmHWM) resident memory of a process, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields.get("VmRSS"), "peak_rss_mb": fields.get("VmHWM")}


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float, proc: subprocess.Popen | None = None) -> float:
    """Poll `url` until it answers 200; returns the seconds waited. Fails if `proc` exits first."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} before {url} answered")
        try:
            with direct.open(url, timeout=2) as resp:
                if resp.status == 200:
                    return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f}s")


def stop(proc: subprocess.Popen) -> None:
    """Terminate a process this script started, and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def chroma_server(path: Path):
    """A real `chroma run` on a free port, storing at `path`; yields (url, process)."""
    port = free_port()
    log = open(Path(path).with_suffix(".log"), "w")
    proc = subprocess.Popen([str(BIN / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **OFFLINE_ENV})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/api/v2/heartbeat", 60, proc)
        yield url, proc
    finally:
        stop(proc)
        log.close()


def write_result(name: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    return out


def print_table(rows: list[tuple[str, object]], header: tuple[str, str] = ("measure", "value")) -> None:
    print(f"| {header[0]} | {header[1]} |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")
