"""Robust ingest: serving during a re-ingest, SIGKILL at random points, two ingests at once,
a read-only index folder and a full disk.

Fault simulation (tests run as root, where chmod stops no write): a read-only index is a
read-only bind mount and a full disk a small tmpfs, each inside a private mount namespace
(`unshare -m`, skipped where it is not allowed); always run: an index folder under a regular
file (ENOTDIR) and a file-size limit (RLIMIT_FSIZE, EFBIG). Crashes: a fork server
(tests/support/ingest_driver.py) loads the model once and SIGKILLs forked ingests at random
moments placed by the ingest's own progress reports (seed in CRASH_SEED to replay) and at three
named points around the switch.
"""
from __future__ import annotations

import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.answer.chain import AnswerPipeline
from assistant.answer.generate.extractive import ExtractiveGenerator
from assistant.web import build_app
from vectorstore import ChromaStore, HybridIndex

from .conftest import BIN, CORPUS, OFFLINE_ENV, ROOT, copy_index, run_treaty
from .support.servers import treaty_serve
from .web_fixtures import get_json, post_json, serve_app, web_container

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]

DRIVER = Path(__file__).parent / "support" / "ingest_driver.py"
BATCH = 2  # embedding batch of the crash runs: a progress report every two chunks
EXTRA_DOC = """---
title: Hanoi liaison office memo
---
# Hanoi liaison office memo

The Hanoi liaison office answers every preservation request from a partner State within two working days.
"""
EXTRA_QUESTION = "Within how many working days does the Hanoi liaison office answer?"
QUESTIONS = ["What does Article 25 say about confiscation?", "What is illegal access under the Convention?",
             EXTRA_QUESTION, "When does the Convention enter into force?"]
NOT_WRITABLE = ("): free disk space or fix permissions, or set TREATY_INDEX_DIR to a writable folder; "
                "the previous index is unchanged\n")
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa "
         "quebec romeo sierra tango").split()


def words_doc(seed: str, paragraphs: int) -> str:
    rng = random.Random(seed)
    return "\n\n".join(f"Paragraph {i} of note {seed}. " + " ".join(rng.choice(WORDS) for _ in range(70)) + "."
                       for i in range(paragraphs))


def clear_chroma_cache() -> None:
    """Close this process's Chroma systems (a test opens snapshots an ingest later deletes)."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def live_records(index_dir: Path, embedder) -> HybridIndex:
    """The live version, checked: every record once, as many as Chroma counts, searchable."""
    index = HybridIndex(ChromaStore(index_dir), embedder)
    assert len(set(index.ids)) == len(index.ids) == index.collection.count()
    assert index.search("alpha bravo paragraph", k=3), "search found nothing"
    return index


# -- ingest while serving ------------------------------------------------------------------
class Hammer(threading.Thread):
    """Asks one server questions (and its health) in a loop; records (status, version, body)."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.seen, self.stop = url, [], threading.Event()

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            q = QUESTIONS[i % len(QUESTIONS)]
            i += 1
            try:
                body = post_json(f"{self.url}/api/ask", {"question": q})
                self.seen.append((200, body["corpus_version"], body))
                health = get_json(f"{self.url}/api/health")
                self.seen.append((200, health["corpus_version"], health))
            except Exception as exc:  # noqa: BLE001 - every failure is recorded and asserted on
                self.seen.append((getattr(exc, "code", type(exc).__name__), None, str(exc)))

    def versions(self) -> list[str]:
        return [v for _, v, _ in self.seen]


@pytest.fixture
def serve_process(index_copy):
    """`treaty serve` in its own process on the index copy (a second worker on the same index)."""
    with treaty_serve(index_copy, TREATY_RATE_LIMIT="100000/minute") as (url, _proc):
        yield url


def test_servers_keep_answering_and_switch_once_when_a_reingest_completes(
    index_copy, serve_process, settings, embedder, make_corpus
):
    old = get_json(f"{serve_process}/api/health")
    extra = make_corpus({"hanoi-liaison-memo.md": EXTRA_DOC}, "extra")
    app = build_app(web_container(settings, embedder, index_dir=index_copy, rate_limit="100000/minute"), chat=False)
    with serve_app(app) as in_thread:
        hammers = [Hammer(in_thread), Hammer(serve_process)]
        for h in hammers:
            h.start()
        while min(len(h.seen) for h in hammers) < 4:
            time.sleep(0.1)
        ingest = run_treaty("ingest", "--corpus", str(extra), "--json", timeout=300, TREATY_INDEX_DIR=str(index_copy))
        assert ingest.returncode == 0, ingest.stderr
        report = json.loads(ingest.stdout)
        deadline = time.monotonic() + 60
        while any(h.versions()[-6:].count(report["corpus_version"]) < 6 for h in hammers):
            assert time.monotonic() < deadline, "a server did not switch to the new index"
            time.sleep(0.1)
        for h in hammers:
            h.stop.set()
            h.join(timeout=60)

    new = report["corpus_version"]
    assert new != old["corpus_version"] and (report["added"], report["removed"]) == (1, 0)
    assert report["chunks"] == old["chunks"] + 1
    for h in hammers:
        assert all(status == 200 for status, _, _ in h.seen), [s for s in h.seen if s[0] != 200][:3]
        versions = h.versions()
        switch = versions.index(new)
        # old ... old new ... new: one switch, to the complete index, never back, never anything else
        assert set(versions[:switch]) == {old["corpus_version"]} and set(versions[switch:]) == {new}
        healths = [b for _, _, b in h.seen if "chunks" in b]
        assert {(b["corpus_version"], b["chunks"]) for b in healths} == {
            (old["corpus_version"], old["chunks"]), (new, report["chunks"])}
        after = [b for _, v, b in h.seen if v == new and b.get("question") == EXTRA_QUESTION]
        assert after and "hanoi-liaison-memo" in {r["doc_id"] for r in after[-1]["retrieved"]}
        before = [b for _, v, b in h.seen if v != new and b.get("question") == EXTRA_QUESTION]
        assert all("hanoi-liaison-memo" not in {r["doc_id"] for r in b["retrieved"]} for b in before)
    print(f"\nserving during re-ingest: {[len(h.seen) for h in hammers]} responses, all 200, one switch each")


def test_an_answer_uses_one_index_version_even_when_the_switch_comes_mid_answer(
    index_copy, settings, embedder, ingest_into, tmp_path
):
    """An ingest that drops a document completes while a question is being retrieved: the answer
    is still built from the version it retrieved from (passages, relevance, corpus_version)."""
    smaller = tmp_path / "smaller"
    shutil.copytree(CORPUS, smaller, ignore=shutil.ignore_patterns("unga-resolution-79-243.md"))
    switched = []

    class SwitchingEmbedder:
        """The session's model; the first question embedding also runs the ingest to completion."""

        def __getattr__(self, name):
            return getattr(embedder, name)

        def embed_query(self, text):
            if not switched:
                switched.append(ingest_into([smaller], index_copy))
            return embedder.embed_query(text)

    container = web_container(settings, SwitchingEmbedder(), index_dir=index_copy)
    old = container.index().version
    question = "What did resolution 79/243 decide about the opening for signature?"
    answer = AnswerPipeline(container, ExtractiveGenerator()).ask(question)
    assert switched and switched[0].corpus_version != old and switched[0].removed > 0
    assert answer.corpus_version == old
    assert "unga-resolution-79-243" in {c.doc_id for c in answer.citations}
    after = AnswerPipeline(container, ExtractiveGenerator()).ask(question)
    assert after.corpus_version == switched[0].corpus_version
    assert "unga-resolution-79-243" not in {c.doc_id for c in after.citations}


# -- SIGKILL at random points, and two ingests at once --------------------------------------
@pytest.fixture(scope="module")
def driver():
    """`run(index, folders, kill_at=None, inject="", copies=1, batch=32) -> (lines, exit)` in a fork server."""
    proc = subprocess.Popen([sys.executable, str(DRIVER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env={**os.environ, **OFFLINE_ENV}, cwd=ROOT)
    assert json.loads(proc.stdout.readline()) == {"ready": True}

    def run(index: Path, folders: list[Path], kill_at: dict | None = None, inject: str = "", copies: int = 1,
            batch: int = 32):
        cmd = {"index": str(index), "folders": [str(f) for f in folders], "kill_at": kill_at,
               "inject": inject, "copies": copies, "batch": batch}
        proc.stdin.write(json.dumps(cmd) + "\n")
        proc.stdin.flush()
        lines = []
        while True:
            line = json.loads(proc.stdout.readline() or '{"exit": "driver died"}')
            if "exit" in line:
                return lines, line
            lines.append(line)

    yield run
    proc.stdin.close()
    proc.wait(timeout=30)


def kill_point(rng: random.Random, lines: list[dict]) -> dict:
    """A moment of a run like the full one in `lines` (its stage lines and report, with times):
    a random gap between two of its progress reports (or the fork and the first, or the last
    and the end), and a random point inside it. Placed by the run's own progress, so a fast
    machine moves the moment with the work instead of finishing before it."""
    marks = [0.0] + [ln["t"] for ln in lines if "stage" in ln] + [next(ln["t"] for ln in lines if "report" in ln)]
    gap = rng.randrange(len(marks) - 1)  # after the gap-th progress line; the first gap starts at the fork
    return {"event": gap - 1, "after": round(rng.uniform(0, 0.9) * (marks[gap + 1] - marks[gap]), 4)}


@pytest.mark.timeout(900)  # 16-20 ingests: minutes on a loaded 2-core machine
def test_sigkill_at_random_points_leaves_a_consistent_index(driver, make_corpus, tmp_path, embedder):
    seed = int(os.environ.get("CRASH_SEED") or time.time())
    rng = random.Random(seed)
    corpora = [make_corpus({"note-a.md": words_doc("a", 14)}, "a"), make_corpus({"note-b.md": words_doc("b", 14)}, "b")]
    index = tmp_path / "index"
    versions, counts, full_runs = [], {}, {}
    for target, folder in enumerate(corpora):  # each full run (from the other version) embeds a whole note
        lines = driver(index, [folder], batch=BATCH)[0]
        report = lines[-1]["report"]
        versions.append(report["corpus_version"])
        counts[report["corpus_version"]] = report["chunks"]
        full_runs[target] = lines
    assert sum("stage" in ln for ln in full_runs[1]) >= 4, full_runs[1]  # enough progress reports to kill between
    plan = ["random"] * 5 + ["before_switch", "after_switch", "mid_sweep"]
    rng.shuffle(plan)
    live, outcomes, random_kills = 1, [], 0
    while plan:
        point = plan.pop(0)
        target = 1 - live
        kill_at = kill_point(rng, full_runs[target]) if point == "random" else None
        lines, end = driver(index, [corpora[target]], kill_at=kill_at, inject="" if point == "random" else point,
                            batch=BATCH)
        stage = ([ln for ln in lines if "stage" in ln] or [{"stage": "before embedding"}])[-1]
        where = f"random {kill_at}" if kill_at is not None else point
        context = f"seed {seed}, {where}: {end}, last {stage}"
        assert end["exit"] in ([-9], [0]) and not any("error" in ln for ln in lines), (context, lines)
        if point == "random" and end["exit"] == [0] and len(outcomes) < 12:
            plan.append("random")  # it finished before the kill: draw another moment
        random_kills += point == "random" and end["exit"] == [-9]
        # consistent: the previous version or the new one, complete; every id once; searchable
        current = ChromaStore(index).current()
        assert current is not None, context
        allowed = {"before_switch": {versions[live]}, "after_switch": {versions[target]},
                   "mid_sweep": {versions[target]}}.get(point, set(versions))
        assert current["version"] in allowed, context
        assert len(live_records(index, embedder)) == counts[current["version"]], context
        clear_chroma_cache()
        outcomes.append(f"{where} -> exit {end['exit'][0]}, {stage}, live {versions.index(current['version'])}")
        # the next ingest completes, reports the chunks the index then holds, and sweeps the debris
        lines, end = driver(index, [corpora[target]], batch=BATCH)
        report = lines[-1]["report"]
        assert end["exit"] == [0] and report["corpus_version"] == versions[target], context
        assert len(live_records(index, embedder)) == report["chunks"] == counts[versions[target]], context
        assert len(list((index / "snapshots").iterdir())) <= 2, context
        clear_chroma_cache()
        if current["version"] == versions[live]:  # rebuilt from the other version: a run like the killed one
            full_runs[target] = lines
        live = target
    print(f"\nseed {seed}; {len(outcomes)} killed runs:\n  " + "\n  ".join(outcomes))
    assert random_kills >= 5, outcomes


def test_two_ingests_at_once_one_writes_the_other_stops_with_the_lock_message(driver, make_corpus, tmp_path, embedder):
    index = tmp_path / "index"
    driver(index, [make_corpus({"note-a.md": words_doc("a", 6)}, "a")])
    lines, end = driver(index, [make_corpus({"note-b.md": words_doc("b", 6)}, "b")], copies=2)
    assert end["exit"] == [0, 0]
    reports = [ln["report"] for ln in lines if "report" in ln]
    errors = [ln["error"] for ln in lines if "error" in ln]
    assert len(reports) + len(errors) == 2 and reports
    chunks = reports[0]["chunks"]
    assert reports[0]["embedded"] == chunks > 0  # one of them did the work
    # the other stopped at the lock, or (started after the first had finished) found nothing to do
    for r in reports[1:]:
        assert r["embedded"] == 0 and r["unchanged"] == chunks
    for e in errors:
        # the pid is named once the writer has recorded it (a moment after it takes the lock)
        assert re.fullmatch(rf"IndexLocked: Another ingest is writing the index at {re.escape(str(index))}"
                            r"(?: \(pid \d+\))?: wait for it to finish, then run `treaty ingest` again", e), e
        assert e.endswith("): wait for it to finish, then run `treaty ingest` again")
    assert len(live_records(index, embedder)) == chunks
    clear_chroma_cache()


# -- read-only folder, full disk -------------------------------------------------------------
def mount_namespace_available() -> bool:
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                           capture_output=True) if shutil.which("unshare") else None
    return probe is not None and probe.returncode == 0


needs_mounts = pytest.mark.skipif(not mount_namespace_available(),
                                  reason="needs `unshare -m` and mount (CAP_SYS_ADMIN) for a private mount namespace")


def in_namespace(setup: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run `treaty ARGS` after `setup` (shell mount commands) in a private mount namespace."""
    return subprocess.run(["unshare", "-m", "sh", "-c", f'{setup} && exec "$@"', "sh", str(BIN / "treaty"), *args],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, **env})


@pytest.fixture
def small_index(make_corpus, ingest_into, tmp_path) -> tuple[Path, Path]:
    """(index, extra corpus): an index of one note, and a second note to ingest into it."""
    index = tmp_path / "index"
    ingest_into([make_corpus({"note-a.md": words_doc("a", 3)}, "a")], index)
    return index, make_corpus({"note-b.md": words_doc("b", 2)}, "b")


@needs_mounts
def test_read_only_index_refuses_ingest_in_one_line_and_still_answers(small_index, embedder):
    index, extra = small_index
    before = ChromaStore(index).current()
    ro = f"mount --bind -o ro {index} {index}"
    result = in_namespace(ro, "ingest", "--only", "--corpus", str(extra), TREATY_INDEX_DIR=str(index))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"Error: Cannot write the index at {index} (Read-only file system{NOT_WRITABLE}"
    # a read-only index still serves: Chroma's writes go to a private copy, removed at exit
    result = in_namespace(ro, "search", "alpha bravo", "--json", TREATY_INDEX_DIR=str(index))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["doc_id"] == "note-a"
    assert ChromaStore(index).current() == before


def test_index_folder_under_a_regular_file_is_one_clear_line(tmp_path, make_corpus):
    (tmp_path / "file").write_text("not a folder")
    index = tmp_path / "file" / "index"
    result = run_treaty("ingest", "--only", "--corpus", str(make_corpus({"n.md": "Note.\n"})), TREATY_INDEX_DIR=str(index))
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"Error: Cannot write the index at {index} (Not a directory{NOT_WRITABLE}"


def test_file_size_limit_fails_the_ingest_cleanly_and_keeps_the_index(small_index, embedder):
    """RLIMIT_FSIZE (the snapshot copy is larger): EFBIG, one line, the previous index live, no debris."""
    index, extra = small_index
    before = ChromaStore(index).current()
    snapshots = sorted(os.listdir(index / "snapshots"))
    records = len(live_records(index, embedder))
    clear_chroma_cache()

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (128 * 1024, 128 * 1024))  # the database is ~200 KB

    result = subprocess.run([str(BIN / "treaty"), "ingest", "--only", "--corpus", str(extra)], capture_output=True,
                            text=True, timeout=300, cwd=ROOT, env={**os.environ, "TREATY_INDEX_DIR": str(index)},
                            preexec_fn=limit_file_size)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f"Error: Cannot write the index at {index} (File too large{NOT_WRITABLE}"
    assert ChromaStore(index).current() == before
    assert sorted(os.listdir(index / "snapshots")) == snapshots
    assert len(live_records(index, embedder)) == records
    clear_chroma_cache()


FULL_DISK = """
import json, os, shutil, subprocess, sys
from pathlib import Path
index, extra, treaty, leave, out = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
snap = next((index / "snapshots").iterdir())
copy_size = sum(-(-p.stat().st_size // 4096) * 4096 for p in snap.rglob("*") if p.is_file())  # tmpfs pages
room = copy_size // 2 if leave == "copy" else copy_size + 4096  # no room for the copy / for the new rows
with open(index.parent / "filler", "wb") as fh:
    os.posix_fallocate(fh.fileno(), 0, shutil.disk_usage(index).free - room)
ingest = subprocess.run([treaty, "ingest", "--only", "--corpus", extra], capture_output=True, text=True,
                        env={**os.environ, "TREATY_INDEX_DIR": str(index)})
shutil.copytree(index, out)  # the tmpfs goes with this namespace: the test checks the copy
print(json.dumps({"rc": ingest.returncode, "stdout": ingest.stdout, "stderr": ingest.stderr}))
"""


@needs_mounts
@pytest.mark.parametrize("leave", ["copy", "rows"])
def test_full_disk_fails_the_ingest_cleanly_and_keeps_the_index(small_index, tmp_path, leave, embedder):
    """A 64 MB tmpfs filled up to leave no room for the snapshot copy (ENOSPC) or for the new
    rows once copied (Chroma's own error, explained by the free space)."""
    index, extra = small_index
    disk = tmp_path / "disk"
    disk.mkdir()
    copy_index(index, disk / "index")
    (disk / "extra").mkdir()
    shutil.copy(next(extra.iterdir()), disk / "extra")
    on_disk = disk / "index"
    before = sorted(os.listdir(on_disk / "snapshots"))
    script = tmp_path / "full_disk.py"
    script.write_text(FULL_DISK)
    setup = (f"mkdir -p {tmp_path}/stash && cp -a {disk}/. {tmp_path}/stash/ && mount -t tmpfs -o size=64m tmpfs {disk}"
             f" && cp -a {tmp_path}/stash/. {disk}/")
    after = tmp_path / "after"
    result = subprocess.run(["unshare", "-m", "sh", "-c", f'{setup} && exec "$@"', "sh", sys.executable, str(script),
                             str(on_disk), str(disk / "extra"), str(BIN / "treaty"), leave, str(after)],
                            capture_output=True, text=True, timeout=300, cwd=ROOT, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["rc"], out["stdout"]) == (1, ""), out
    if leave == "copy":
        assert out["stderr"] == f"Error: Cannot write the index at {on_disk} (No space left on device{NOT_WRITABLE}"
    else:
        assert out["stderr"].startswith(f"Error: Cannot write the index at {on_disk} (0."), out["stderr"]
        assert " MB free; Chroma: " in out["stderr"] and out["stderr"].endswith(NOT_WRITABLE)
    assert sorted(os.listdir(after / "snapshots")) == before  # the part-built snapshot was removed
    assert ChromaStore(after).current() == ChromaStore(index).current()
    assert len(live_records(after, embedder)) == len(live_records(index, embedder))
    clear_chroma_cache()
