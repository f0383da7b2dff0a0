"""Shared fixtures: isolation from the real data folders, and one real index per session.

Isolation (autouse): TREATY_* variables from the shell are dropped, every test gets its own
TREATY_INDEX_DIR under tmp_path (or the shared index when it asks for `built_index`), and
model-hub / telemetry access is off. Built once per session: `embedder` (the packaged
model), `built_index` (the bundled corpus embedded into real Chroma) and `settings` /
`container` pointed at it: read-only; use `index_copy` to mutate one. `chroma_server`
runs a real `chroma run` (tests/support/servers.py holds the server plumbing). Nothing here
is faked.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .support.servers import BIN, OFFLINE_ENV, ROOT, chroma_run, free_port  # noqa: F401 - free_port: tests import it here

CORPUS = ROOT / "data" / "corpus"
UN = "un-convention-against-cybercrime"
BUDAPEST = "budapest-convention-cets-185"


SLOW_FIXTURES = {"built_index", "built_report", "settings", "container", "index_copy", "chroma_server"}


def pytest_collection_modifyitems(items):
    """Mark tests that need the session index or a server `slow`, so `-m "not slow"` is a quick run."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _offline_session():
    """Session-wide: no hub or telemetry calls, and no TREATY_* setting leaks in from the shell."""
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("TREATY_")]:
            mp.delenv(key)
        for key, value in OFFLINE_ENV.items():
            mp.setenv(key, value)
        yield


@pytest.fixture(autouse=True)
def _isolate(request, monkeypatch, tmp_path):
    """TREATY_INDEX_DIR -> tmp_path/index, or the shared index for tests that use `built_index`."""
    for key in [k for k in os.environ if k.startswith("TREATY_")]:
        monkeypatch.delenv(key)
    if "built_index" in request.fixturenames:
        monkeypatch.setenv("TREATY_INDEX_DIR", str(request.getfixturevalue("built_index")))
    else:
        monkeypatch.setenv("TREATY_INDEX_DIR", str(tmp_path / "index"))


@pytest.fixture(scope="session")
def embedder():
    """The default packaged embedding model for the whole session (loaded here, once)."""
    from assistant.config import Settings
    from vectorstore.embeddings import make_embedder

    defaults = Settings.model_fields
    emb = make_embedder(defaults["embedder"].default, defaults["local_model_dir"].default)
    emb.model  # noqa: B018 - load now so the first test does not pay for it
    return emb


@pytest.fixture(scope="session")
def multilingual():
    """The multilingual embedder for the whole session (TREATY_MULTILINGUAL is on by default)."""
    from vectorstore.multilingual import PackagedUSEM3

    use = PackagedUSEM3()
    use.model  # noqa: B018 - load now
    return use


@pytest.fixture(scope="session")
def ingest_into(embedder, multilingual) -> Callable:
    """`ingest_into(folders, index_dir, chroma_url=None) -> IngestReport`, with the shared models
    (the multilingual vector space included, as `treaty ingest` builds it by default)."""
    from assistant.answer.rank import MULTILINGUAL
    from assistant.indexing import run_ingest
    from vectorstore import ChromaStore

    def run(folders, index_dir, chroma_url=None, progress=None):
        store = ChromaStore(index_dir, chroma_url)
        return run_ingest([Path(f) for f in folders], store, embedder.encode, progress,
                          spaces={MULTILINGUAL: multilingual.encode})

    return run


@pytest.fixture(scope="session")
def built_report(tmp_path_factory, ingest_into):
    """The bundled corpus ingested once per session: (index_dir, IngestReport)."""
    index_dir = tmp_path_factory.mktemp("built") / "index"
    return index_dir, ingest_into([CORPUS], index_dir)


@pytest.fixture(scope="session")
def built_index(built_report) -> Path:
    """Index folder of the bundled corpus (shared: never write to it, copy it with `index_copy`)."""
    return built_report[0]


@pytest.fixture(scope="session")
def settings(built_index):
    """Settings pointed at the shared index, in embedded mode, over the bundled corpus."""
    from assistant.config import Settings

    return Settings(index_dir=built_index, chroma_url="", corpus_dirs=[CORPUS])


@pytest.fixture(scope="session")
def container(settings, embedder, multilingual):
    """A Container over the shared index that reuses the session's embedding models."""
    from assistant.wiring import Container

    c = Container(settings)
    c.embedder = embedder  # fills the cached_property: the model is loaded once per session
    c.multilingual = multilingual
    return c


def copy_index(src: Path, dst: Path) -> Path:
    """Copy an index folder (CURRENT is relative, so the copy stands alone); the lock is not copied."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".lock"))
    return dst


@pytest.fixture
def index_copy(built_index, tmp_path, monkeypatch) -> Path:
    """A private copy of the shared index (cheaper than re-embedding); TREATY_INDEX_DIR points at it."""
    dst = copy_index(built_index, tmp_path / "index-copy")
    monkeypatch.setenv("TREATY_INDEX_DIR", str(dst))
    return dst


@pytest.fixture
def make_corpus(tmp_path) -> Callable[..., Path]:
    """`make_corpus({"a.md": "text", "sub/b.txt": b"bytes"}, name="corpus") -> folder`."""

    def make(files: dict[str, str | bytes], name: str = "corpus") -> Path:
        folder = tmp_path / name
        folder.mkdir(parents=True, exist_ok=True)
        for rel, content in files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return folder

    return make


def run_treaty(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    """Run the installed `treaty` console script with the test's environment plus `env`."""
    return subprocess.run(
        [str(BIN / "treaty"), *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **env}, cwd=ROOT,
    )


@pytest.fixture
def treaty_cli() -> Callable[..., subprocess.CompletedProcess]:
    """`treaty_cli("search", "Q", TREATY_INDEX_DIR=...)`: the real console script in a subprocess."""
    return run_treaty


@pytest.fixture
def cli(monkeypatch, embedder, multilingual) -> Callable:
    """`cli("search", "Q", "--json") -> click Result`: the CLI in-process, reusing the session's models."""
    from click.testing import CliRunner

    from assistant.cli import main
    from assistant.wiring import Container

    monkeypatch.setattr(Container, "embedder", property(lambda self: embedder))
    monkeypatch.setattr(Container, "multilingual", property(lambda self: multilingual if self.settings.multilingual else None))

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def test_model() -> str:
    """Path of the SmolLM2-135M GGUF the LLM tests serve (fetched from its wheel on first use)."""
    fetch = Path(__file__).parent / "support" / "fetch_test_model.py"
    return subprocess.run([sys.executable, str(fetch)], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server (`chroma run`) on a free local port; yields its URL."""
    data = tmp_path_factory.mktemp("chroma-server")
    with chroma_run(data / "db", log=data / "server.log") as (url, _proc):
        yield url
