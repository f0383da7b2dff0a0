"""A fork server of ingests, for crash tests: load the embedding model once, then run each
requested ingest in a forked child and SIGKILL it at a point chosen from its own progress.

Reads one JSON command per line on stdin:
    {"index": DIR, "folders": [DIR, ...], "kill_at": {"event": i, "after": seconds} | null,
     "inject": "" | point, "copies": 1, "batch": 32}
and answers with JSON lines: each child's `stage` lines (embedding progress, done/total) and
its `report` or `error`, each stamped with `t` (seconds since the fork), then the parent's
`{"exit": [...], "killed": bool}` (`copies` > 1 starts that many ingests at once; `batch` is
the embedding batch size, so a small corpus reports progress more often). `kill_at` kills the
child `after` seconds past its i-th stage line (i = -1: past the fork): the parent reads the
child's lines itself and kills it (not yet reaped, so the pid cannot have been reused).
`inject` kills the child at a named point instead: before_switch (CURRENT not yet replaced),
after_switch (replaced, sweep not run), mid_sweep (an old snapshot half deleted).
"""
import json
import os
import select
import shutil
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assistant.config import Settings  # noqa: E402
from assistant.indexing import run_ingest  # noqa: E402
from assistant.wiring import Container  # noqa: E402
from vectorstore import ChromaStore  # noqa: E402

EMBEDDER = Container(Settings()).embedder  # the configured one, as the tests' index uses
EMBEDDER.model  # noqa: B018 - loaded before any fork; no inference runs in this parent


def say(obj: dict, fd: int = 1) -> None:
    data = (json.dumps(obj) + "\n").encode()
    while data:
        data = data[os.write(fd, data):]


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


def child(cmd: dict, out: int) -> None:
    inject(cmd.get("inject") or "")
    EMBEDDER.batch_size = cmd.get("batch", EMBEDDER.batch_size)
    try:
        report = run_ingest([Path(f) for f in cmd["folders"]], ChromaStore(cmd["index"]), EMBEDDER.encode,
                            lambda done, total: say({"stage": "embed", "done": done, "total": total}, out))
        say({"report": report.as_dict()}, out)
    except Exception as exc:
        say({"error": f"{type(exc).__name__}: {exc}"}, out)
    os._exit(0)


def run(cmd: dict) -> None:
    """Fork the ingests, relay their lines (stamped), kill them where `kill_at` says, reap them."""
    kids = {}  # read fd -> {"pid", "started", "events", "buffer"}
    for _ in range(cmd.get("copies", 1)):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            for fd in kids:
                os.close(fd)
            child(cmd, write)
        os.close(write)
        kids[read] = {"pid": pid, "started": time.monotonic(), "events": 0, "buffer": b""}
    kill_at = cmd.get("kill_at")
    deadline = kids[next(iter(kids))]["started"] + kill_at["after"] if kill_at and kill_at["event"] < 0 else None
    killed, status, open_fds = False, {}, set(kids)
    while open_fds or len(status) < len(kids):
        for fd in select.select(list(open_fds), [], [], 0.002)[0] if open_fds else []:
            kid, chunk = kids[fd], os.read(fd, 65536)
            if not chunk:
                open_fds.discard(fd)
                continue
            *lines, kid["buffer"] = (kid["buffer"] + chunk).split(b"\n")
            for line in lines:
                obj = json.loads(line)
                say({**obj, "t": round(time.monotonic() - kid["started"], 4)})
                if "stage" in obj:
                    if kill_at and kid["events"] == kill_at["event"] and deadline is None:
                        deadline = time.monotonic() + kill_at["after"]
                    kid["events"] += 1
        for kid in kids.values():
            if kid["pid"] not in status and (got := os.waitpid(kid["pid"], os.WNOHANG))[0]:
                status[kid["pid"]] = got[1]
        if deadline is not None and time.monotonic() >= deadline and not killed:
            for kid in kids.values():
                if kid["pid"] not in status:
                    os.kill(kid["pid"], signal.SIGKILL)
                    status[kid["pid"]] = os.waitpid(kid["pid"], 0)[1]
                    killed = True
        if not open_fds:
            time.sleep(0.002)
    for fd in kids:
        os.close(fd)
    say({"exit": [os.waitstatus_to_exitcode(status[kid["pid"]]) for kid in kids.values()], "killed": killed})


def main() -> None:
    say({"ready": True})
    for line in sys.stdin:
        run(json.loads(line))


if __name__ == "__main__":
    main()
