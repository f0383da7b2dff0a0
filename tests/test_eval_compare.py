"""`treaty eval` for decisions: the hit metric named after --k and per-category summaries on a real
run of the pipeline over the shared index, then `--compare A B --out DIR` writing compare.html
(settings that differ, intervals, moved questions), checked from the CLI's own output."""
from __future__ import annotations

import json

import pytest

from assistant.evaluation import compare_runs, score_record, write_outputs
from tests.conftest import UN
from tests.eval_records import records

QUESTIONS = [
    {"id": "c1", "category": "offences", "question": "What is illegal access under the convention?",
     "answerable": True, "expected_sources": [f"{UN}#art-7"], "must_include": ["without right"]},
    {"id": "c2", "category": "offences", "question": "Is seriously hindering the functioning of a computer system "
     "an offence?", "answerable": True, "expected_sources": [f"{UN}#art-10"], "must_include": ["hindering"]},
    {"id": "c3", "category": "procedure", "question": "How long can expedited preservation of data last?",
     "answerable": True, "expected_sources": [f"{UN}#art-25"], "must_include": ["90 days"]},
    {"id": "c4", "category": "out of scope", "question": "What is the weather in Hanoi today?", "answerable": False},
    {"id": "c5", "question": "Tell me a joke about treaties", "answerable": False},
]


@pytest.mark.slow
def test_k_names_the_metric_categories_group_and_compare_writes_a_page(tmp_path, built_index, cli):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), encoding="utf-8")
    at5, at3, page = tmp_path / "k5", tmp_path / "k3", tmp_path / "cmp"
    assert cli("eval", str(qfile), "--out", str(at5)).exit_code == 0
    run3 = cli("eval", str(qfile), "--k", "3", "--out", str(at3))
    assert run3.exit_code == 0, run3.output
    assert any(line.startswith("hit@3 ") for line in run3.stdout.splitlines())
    assert "hit@5" not in run3.stdout

    summary = json.loads((at3 / "summary.json").read_text())
    assert summary["k"] == 3 and "hit@3" in summary["metrics"] and "hit@5" not in summary["metrics"]
    results = [json.loads(line) for line in (at3 / "results.jsonl").read_text().splitlines()]
    assert all("hit@3" in r["metrics"] and "hit@5" not in r["metrics"] for r in results)
    assert [r["category"] for r in results] == [q.get("category", "") for q in QUESTIONS]
    by = summary["by_category"]
    assert list(by) == ["(no category)", "offences", "out of scope", "procedure"]
    assert by["offences"]["questions"] == 2 and by["offences"]["metrics"]["hit@3"]["n"] == 2
    assert by["offences"]["passed"] == sum(r["passed"] for r in results if r["category"] == "offences")
    assert by["out of scope"]["metrics"]["correct_decline"]["n"] == 1
    report = (at3 / "report.html").read_text()
    assert 'data-metric="hit@3"' in report and 'data-metric="hit@5"' not in report
    assert report.count("<tr data-category=") == 4

    result = cli("eval", "--compare", str(at5), str(at3), "--out", str(page))
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"Comparison page: open {page / 'compare.html'}"
    assert "Settings that differ:\n  k: 5 -> 3" in result.stdout
    html = (page / "compare.html").read_text()
    assert '<tr data-setting="k"><td>k</td>' in html
    assert 'data-metric="hit@5"' in html and 'data-metric="hit@3"' in html  # each measured by one run only
    cmp = compare_runs(at5, at3)
    assert {m.name: m.diff for m in cmp.metrics}["hit@3"] is None
    assert [k for k, _, _ in cmp.settings] == ["k"]
    assert cmp.regressed == [] or all(e["id"] in html for e in cmp.regressed)


def test_compare_out_folder_that_cannot_be_written(tmp_path):
    from click.testing import CliRunner

    from assistant.cli import main

    for name in ("a", "b"):
        scored = [score_record(r) for r in records()]
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in scored))
        write_outputs(tmp_path / name, scored, {"k": 5, "settings": {}})
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = CliRunner().invoke(main, ["eval", "--compare", str(tmp_path / "a"), str(tmp_path / "b"),
                                       "--out", str(blocker / "sub")])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: Cannot write {blocker / 'sub' / 'compare.html'}: ")
    assert result.stderr.endswith(": pass another --out folder.\n")
