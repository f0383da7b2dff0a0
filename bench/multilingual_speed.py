"""What the multilingual signal adds to a question's retrieval, on the configured index.

Two retrievers over the same index version and tuning, one with the multilingual embedder
(USE v3 query embedding, its nearest neighbours from the index's second vector space, the
extra candidates' features) and one without; each question of eval/dev.jsonl and
eval/multilingual.jsonl is retrieved by both in alternation (so load from other jobs falls on
both alike), after a warm-up. Reports, for the English questions and for the others apart
(only the others use the multilingual signal), p50/p95 wall and CPU milliseconds of each and
of their difference per question, and the two parts of the cost measured alone: the query
embedding and the neighbour query. Writes bench/results/multilingual_speed.json.

    .venv/bin/python bench/multilingual_speed.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict

from common import ROOT, ms_summary, print_table, write_result


def timed(fn, *args) -> tuple[float, float]:
    """(wall ms, CPU ms of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="times each question is retrieved by each retriever")
    args = ap.parse_args()
    from assistant.answer.rank import MULTILINGUAL
    from assistant.answer.retrieve import Retriever
    from assistant.config import load_settings
    from assistant.i18n import detect
    from assistant.wiring import Container

    c = Container(load_settings(multilingual=True))
    index, s = c.index(), c.settings
    if MULTILINGUAL not in index.spaces:
        raise SystemExit("The index has no multilingual vector space: run `treaty ingest` with TREATY_MULTILINGUAL=1")
    use = c.multilingual
    plain = Retriever(index, s.primary_doc, c.tuning, s.k, c.adapter)
    multi = Retriever(index, s.primary_doc, c.tuning, s.k, c.adapter, multilingual=use)
    rows = [json.loads(line) for f in ("dev.jsonl", "multilingual.jsonl")
            for line in (ROOT / "eval" / f).read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [r["question"] for r in rows]
    for r in (plain, multi):  # warm-up: IDF table, document vectors, the models' first calls
        r.retrieve(questions[0])
        r.retrieve(questions[-1])
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.repeat):
        for q in questions:
            group = "en" if detect(q) == "en" else "other"
            off, off_cpu = timed(plain.retrieve, q)
            on, on_cpu = timed(multi.retrieve, q)
            for key, value in (("off", off), ("on", on), ("off_cpu", off_cpu), ("on_cpu", on_cpu),
                               ("added", on - off), ("added_cpu", on_cpu - off_cpu)):
                samples[f"{group}_{key}"].append(value)
            start = time.perf_counter()
            vec = use.embed_query(q)
            samples["use_embed"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            index.dense(vec, multi.features.depth, space=MULTILINGUAL)
            samples["use_neighbours"].append((time.perf_counter() - start) * 1000)
    result = {"questions": len(questions), "repeat": args.repeat, "chunks": len(index),
              **{k: v for key, values in samples.items() for k, v in ms_summary(values, key).items()}}
    out = write_result("multilingual_speed", result)
    print_table(list(result.items()))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
