"""Real servers for tests and benchmarks, on loopback: free ports, spawn-and-poll, stop,
uvicorn in a thread, a stdlib handler in a thread, `chroma run`, `treaty serve` and the
OpenAI-compatible llama server (tests/support/llm_server.py).

Imported by tests/conftest.py, tests/web_fixtures.py and bench/common.py; no pytest here, so a
server that does not come up raises `ServerDidNotStart` with the tail of its log. What a
benchmark times (e.g. `treaty serve` readiness) stays in the benchmark: `wait_for` only
returns the seconds it waited.
"""
from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the venv's bin: `treaty`, `chroma`
LLM_SERVER = Path(__file__).with_name("llm_server.py")
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false",
}
# requests to our own servers never go through a proxy from the environment
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerDidNotStart(RuntimeError):
    """A server process exited, or did not answer in time; the message ends with its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the server binds it next)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float, proc: subprocess.Popen | None = None, expect: bytes = b"") -> float:
    """Poll `url` until it answers 200 (with `expect` in the body); returns the seconds waited.
    Raises `ServerDidNotStart` when `proc` exits first or `timeout` passes."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc is not None and proc.poll() is not None:
            raise ServerDidNotStart(f"{Path(str(proc.args[0])).name} exited with {proc.returncode} before {url} answered")
        try:
            with direct.open(url, timeout=2) as resp:
                if resp.status == 200 and expect in resp.read():
                    return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise ServerDidNotStart(f"{url} did not answer 200 within {timeout:.0f}s")


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """Terminate a process we started (SIGKILL if it lingers), and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def spawn(cmd: list[str], ready_url: str, timeout: float, env: dict | None = None, expect: bytes = b"",
          log: Path | None = None) -> Iterator[subprocess.Popen]:
    """Start `cmd`, poll `ready_url` until it answers, yield the process, stop it at the end.
    Its output goes to `log` (or a temporary file), whose tail a start-up failure shows."""
    out = open(log, "wb") if log else tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT,
                            env={**os.environ, **OFFLINE_ENV, **(env or {})})
    try:
        try:
            wait_for(ready_url, timeout, proc, expect)
        except ServerDidNotStart as exc:
            stop(proc)
            out.seek(0)
            raise ServerDidNotStart(f"{exc}; its output ends:\n{out.read()[-2000:].decode(errors='replace')}") from None
        yield proc
    finally:
        stop(proc)
        out.close()


@contextmanager
def chroma_run(path: Path, log: Path | None = None, timeout: float = 60) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real `chroma run` storing at `path`, on a free port; yields (url, process)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [str(BIN / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with spawn(cmd, f"{url}/api/v2/heartbeat", timeout, expect=b"nanosecond heartbeat", log=log) as proc:
        yield url, proc


@contextmanager
def treaty_serve(index: Path, timeout: float = 120, **env: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`treaty serve` on a free port over `index` (plus TREATY_* `env`); yields (url, process)
    once /api/health answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [str(BIN / "treaty"), "serve", "--port", str(port)]
    with spawn(cmd, f"{url}/api/health", timeout, env={"TREATY_INDEX_DIR": str(index), **env}) as proc:
        yield url, proc


@contextmanager
def llm_server(model: Path | str, timeout: float = 60) -> Iterator[str]:
    """The OpenAI-compatible xllamacpp server (tests/support/llm_server.py) serving the GGUF
    `model` on a free port; yields its base URL (ending in /v1) once /health is 200."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with spawn([sys.executable, str(LLM_SERVER), str(model), str(port)], f"{url}/health", timeout):
        yield f"{url}/v1"


@contextmanager
def serve_app(app, timeout: float = 60, **config) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a thread on a free loopback port; yields its base URL.
    `config` goes to uvicorn.Config (e.g. limit_concurrency)."""
    import uvicorn

    from assistant.web.command import UVICORN_OPTIONS

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **{
        "log_level": "warning", "lifespan": "on", **UVICORN_OPTIONS, **config}))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise ServerDidNotStart(f"uvicorn did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def serve_handler(handler) -> Iterator[str]:
    """A threaded stdlib HTTP server for `handler` on a free loopback port; yields its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
