"""Crash safety: a killed ingest leaves the previous index live; a concurrent ingest is refused cleanly."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import termios
import time

import pytest

from tests.conftest import BIN, BUDAPEST, CORPUS, ROOT
from vectorstore import ChromaStore, HybridIndex

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def wait_for_progress(proc: subprocess.Popen, master: int, timeout: float = 180) -> str:
    """Read the ingest's terminal (stderr on a pty, so tqdm draws) until the progress bar shows."""
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"ingest ended (rc {proc.returncode}) before embedding progress showed:\n{seen}")
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                seen += os.read(master, 4096).decode(errors="replace")
            except OSError:
                pass
            if re.search(r"Embedding chunks:\s+\d+%", seen):
                return seen
    pytest.fail(f"no embedding progress within {timeout}s:\n{seen}")


def test_killed_ingest_keeps_the_previous_index_and_a_concurrent_one_is_refused(
    make_corpus, ingest_into, embedder, tmp_path, treaty_cli
):
    index = tmp_path / "index"
    before = ingest_into([make_corpus({"note.txt": "Hanoi note\n\nSixty states signed the convention."}, "v1")], index)
    pointer = ChromaStore(index).current()
    # the next corpus version: the Budapest Convention (154 chunks, several seconds to embed)
    target = tmp_path / "v2"
    target.mkdir()
    shutil.copy(CORPUS / "related" / f"{BUDAPEST}.md", target)

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # tqdm draws nothing at width 0
    proc = subprocess.Popen(
        [str(BIN / "treaty"), "ingest", "--only", "--corpus", str(target)],
        stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL, cwd=ROOT,
        env={**os.environ, "TREATY_INDEX_DIR": str(index)},
    )
    os.close(slave)
    try:
        wait_for_progress(proc, master)
        os.kill(proc.pid, signal.SIGSTOP)  # freeze it mid-embedding, holding the lock
        # a second ingest while the first one holds the lock: refused at once, nothing written
        second = treaty_cli("ingest", "--only", "--corpus", str(target), TREATY_INDEX_DIR=str(index))
        assert second.returncode == 1
        assert second.stdout == ""
        assert second.stderr == (
            f"Error: Another ingest is writing the index at {index} (pid {proc.pid}): "
            "wait for it to finish, then run `treaty ingest` again\n"
        )
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)

    # the previous version is still live and searchable; the half-built snapshot is only debris
    store = ChromaStore(index)
    assert store.current() == pointer
    assert len(list((index / "snapshots").iterdir())) == 2
    hits = HybridIndex(store, embedder).search("Who signed in Hanoi?", k=3)
    assert [h.metadata["doc_id"] for h in hits] == ["note"]

    # the next ingest completes, and sweeps the debris
    after = ingest_into([target], index)
    assert (after.documents, after.added, after.removed, after.embedded) == (1, after.chunks, 1, after.chunks)
    assert after.corpus_version != before.corpus_version
    assert store.current()["version"] == after.corpus_version
    assert sorted(p.name for p in (index / "snapshots").iterdir()) == sorted(
        [pointer["path"].split("/")[-1], store.current()["path"].split("/")[-1]]
    )
    hits = HybridIndex(store, embedder).search("illegal access", k=1)
    assert hits[0].metadata["doc_id"] == BUDAPEST
