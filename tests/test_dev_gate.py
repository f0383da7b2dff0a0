"""The quality gate on the development set: `treaty eval` with thresholds a little below the
current level, so a change that makes answers worse fails CI (see README, "Evaluation")."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# current level on eval/dev.jsonl minus a small margin
GATE = ["citation_hit=0.88", "must_include_recall=0.85", "correct_decline=0.8", "hit@5=0.9", "citation_support=0.95"]


def test_dev_set_meets_the_gate(treaty_cli, built_index, tmp_path):
    args = ["eval", str(ROOT / "eval" / "dev.jsonl"), "--out", str(tmp_path / "run")]
    for g in GATE:
        args += ["--fail-under", g]
    result = treaty_cli(*args, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["metrics"]["false_decline"]["value"] <= 0.05
