"""Check eval/multilingual.jsonl against its English originals and the corpus.

Each line must be a valid eval question (the format in eval/README.md) with every field
present plus `lang` and `source_id`; ids unique; each source question present in all six
languages with the original's answer key (answerable, expected_sources, must_include,
category) and history shape; every expected source must exist among the corpus chunks and
every must_include group must occur in the English text of an expected document.
Whether a translation is good is for a reader, not this script.

    .venv/bin/python eval/check_multilingual.py [eval/multilingual.jsonl] [--train eval/train.jsonl]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evaluation.dataset import parse_question  # noqa: E402
from assistant.models import source_id  # noqa: E402
from ingest import load_corpus  # noqa: E402

LANGS = ("en", "fr", "es", "ru", "ar", "zh")
FIELDS = ("id", "lang", "source_id", "question", "answerable", "expected_sources", "must_include", "category")
KEPT = ("answerable", "expected_sources", "must_include", "category")


def corpus_index(corpus: Path) -> tuple[set[str], dict[str, str]]:
    """(every source id the chunks answer to, doc_id -> its whole text lower-cased)."""
    load = load_corpus([corpus])
    sources = {c.doc_id for c in load.chunks}
    sources |= {source_id(c.doc_id, c.metadata.get("article"), c.metadata.get("section", "")) for c in load.chunks}
    texts: dict[str, list[str]] = defaultdict(list)
    for c in load.chunks:
        texts[c.doc_id].append(c.text)
    return sources, {d: " ".join(t).lower() for d, t in texts.items()}


def check(rows: list[dict], train: dict[str, dict], corpus: Path) -> list[str]:
    """Every problem found, one line each (empty: the file is good)."""
    problems: list[str] = []
    sources, texts = corpus_index(corpus)
    ids = Counter(r.get("id") for r in rows)
    problems += [f"duplicate id {i!r}" for i, n in ids.items() if n > 1]
    langs_of: dict[str, set[str]] = defaultdict(set)
    for no, r in enumerate(rows, 1):
        where = f"line {no} ({r.get('id')})"
        if missing := [f for f in FIELDS if f not in r]:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        try:
            parse_question(r)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
        if r["lang"] not in LANGS:
            problems.append(f"{where}: lang {r['lang']!r} is not one of {', '.join(LANGS)}")
        original = train.get(r["source_id"])
        if original is None:
            problems.append(f"{where}: source_id {r['source_id']!r} is not in the train file")
            continue
        langs_of[r["source_id"]].add(r["lang"])
        problems += [f"{where}: {k} differs from {r['source_id']}" for k in KEPT if r[k] != original.get(k)]
        roles = [t["role"] for t in r.get("history") or []]
        if roles != [t["role"] for t in original.get("history") or []]:
            problems.append(f"{where}: history turns differ from {r['source_id']}")
        if r["lang"] == "en" and r["question"] != original["question"]:
            problems.append(f"{where}: the en line must be the original question")
        if r["lang"] != "en" and r["question"] == original["question"]:
            problems.append(f"{where}: question is not translated")
        problems += [f"{where}: expected source {s!r} is not in the corpus" for s in r["expected_sources"] if s not in sources]
        docs = {s.split("#")[0] for s in r["expected_sources"]}
        for group in r["must_include"]:
            if not any(alt.lower() in texts.get(d, "") for alt in group.split("|") for d in docs):
                problems.append(f"{where}: must_include {group!r} occurs in no expected document")
    for sid, langs in sorted(langs_of.items()):
        if set(LANGS) - langs:
            problems.append(f"{sid}: no translation into {', '.join(sorted(set(LANGS) - langs))}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=str(ROOT / "eval" / "multilingual.jsonl"))
    parser.add_argument("--train", default=str(ROOT / "eval" / "train.jsonl"))
    parser.add_argument("--corpus", default=str(ROOT / "data" / "corpus"))
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in Path(args.path).read_text(encoding="utf-8").splitlines() if line.strip()]
    train = {o["id"]: o for o in map(json.loads, Path(args.train).read_text(encoding="utf-8").splitlines()) if o}
    problems = check(rows, train, Path(args.corpus))
    for p in problems:
        print(p)
    per_lang = Counter(r.get("lang") for r in rows)
    cats = Counter(r.get("category") for r in rows if r.get("lang") == "en")
    print(f"{len(rows)} questions: " + ", ".join(f"{k} {v}" for k, v in per_lang.items()))
    print("per language: " + ", ".join(f"{k} {v}" for k, v in sorted(cats.items())))
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
