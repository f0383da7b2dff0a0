"""A fork server of ingests, for crash tests: load the embedding model once, then run each
requested ingest in a forked child and SIGKILL it at a chosen moment.

Reads one JSON command per line on stdin:
    {"index": DIR, "folders": [DIR, ...], "kill_after": seconds | null, "inject": "" | point, "copies": 1}
and answers with JSON lines: each child's `stage` lines (embedding progress) and its `report`
or `error`, then the parent's `{"exit": [...], "killed": bool}` (`copies` > 1 starts that many
ingests at once). The parent kills the child
itself (it has not reaped it, so the pid cannot have been reused). `inject` kills the child
at a named point instead: before_switch (CURRENT not yet replaced), after_switch (replaced,
sweep not run), mid_sweep (an old snapshot half deleted).
"""
import json
import os
import shutil
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assistant.indexing import run_ingest  # noqa: E402
from vectorstore import ChromaStore, PackagedMiniLM  # noqa: E402

EMBEDDER = PackagedMiniLM()
EMBEDDER.model  # noqa: B018 - loaded before any fork; no inference runs in this parent


def say(obj: dict) -> None:
    os.write(1, (json.dumps(obj) + "\n").encode())  # one write per line: lines of parent and child never mix


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def inject(point: str) -> None:
    write_pointer = ChromaStore._write_pointer
    if point == "before_switch":
        ChromaStore._write_pointer = lambda self, pointer: die()
    elif point == "after_switch":
        def switch_then_die(self, pointer):
            write_pointer(self, pointer)
            die()
        ChromaStore._write_pointer = switch_then_die
    elif point == "mid_sweep":
        def half_delete(path, *args, **kwargs):
            files = [p for p in Path(path).rglob("*") if p.is_file()]
            if files:
                files[0].unlink()
            die()
        shutil.rmtree = half_delete


def child(cmd: dict) -> None:
    inject(cmd.get("inject") or "")
    try:
        report = run_ingest([Path(f) for f in cmd["folders"]], ChromaStore(cmd["index"]), EMBEDDER.encode,
                            lambda done, total: say({"stage": "embed", "done": done, "total": total}))
        say({"report": report.as_dict()})
    except Exception as exc:
        say({"error": f"{type(exc).__name__}: {exc}"})
    os._exit(0)


def main() -> None:
    say({"ready": True})
    for line in sys.stdin:
        cmd = json.loads(line)
        pids = []
        for _ in range(cmd.get("copies", 1)):
            pid = os.fork()
            if pid == 0:
                child(cmd)
            pids.append(pid)
        killed = False
        deadline = None if cmd.get("kill_after") is None else time.monotonic() + cmd["kill_after"]
        status: dict[int, int] = {}
        while len(status) < len(pids):
            for pid in pids:
                if pid not in status and (got := os.waitpid(pid, os.WNOHANG))[0]:
                    status[pid] = got[1]
            if deadline is not None and time.monotonic() >= deadline and len(status) < len(pids):
                for pid in set(pids) - set(status):
                    os.kill(pid, signal.SIGKILL)
                    status[pid] = os.waitpid(pid, 0)[1]
                killed = True
            time.sleep(0.005)
        say({"exit": [os.waitstatus_to_exitcode(status[pid]) for pid in pids], "killed": killed})


if __name__ == "__main__":
    main()
