"""`treaty tune` on a small question file: it cross-validates, writes a tuning file, and the
pipeline loads that file and ranks by it."""
from __future__ import annotations

import json
from dataclasses import replace

from assistant.answer.retrieve import Retriever
from assistant.answer.tuning import DEFAULT, load_tuning
from tests.conftest import UN, run_treaty

QUESTIONS = [
    ("What must a State Party do to preserve stored electronic data quickly?", f"{UN}#art-25", "treaty-vocab"),
    ("Can the police make a company keep data before it is deleted?", f"{UN}#art-25", "lay"),
    ("Is hacking into a computer a crime under the treaty?", f"{UN}#art-7", "lay"),
    ("What does the convention say about illegal access?", f"{UN}#art-7", "treaty-vocab"),
    ("Is listening in on private data transmissions an offence?", f"{UN}#art-8", "lay"),
    ("What is illegal interception?", f"{UN}#art-8", "treaty-vocab"),
    ("Can a country refuse to extradite its own citizens?", f"{UN}#art-37", "lay"),
    ("What does the convention say about extradition of nationals?", f"{UN}#art-37", "treaty-vocab"),
]


def _write(tmp_path):
    path = tmp_path / "q.jsonl"
    rows = [{"id": f"q{i}", "question": q, "answerable": True, "expected_sources": [src], "must_include": [],
             "category": cat} for i, (q, src, cat) in enumerate(QUESTIONS)]
    rows += [{"id": "u1", "question": "How tall is Mount Everest?", "answerable": False, "expected_sources": [],
              "must_include": [], "category": "unanswerable/off-topic"},
             {"id": "u2", "question": "What is the best rice for risotto?", "answerable": False,
              "expected_sources": [], "must_include": [], "category": "unanswerable/off-topic"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_tune_writes_a_file_the_pipeline_loads_and_ranks_by(tmp_path, built_index, container):
    out = tmp_path / "tuning.json"
    result = run_treaty("tune", str(_write(tmp_path)), "--out", str(out), "--folds", "2", timeout=600)
    assert result.returncode == 0, result.stderr
    assert "| lay | 4 |" in result.stdout and "CV / in" in result.stdout  # the per-category table
    data = json.loads(out.read_text())
    assert set(data["cv"]) >= {"lay", "treaty-vocab", "unanswerable/off-topic"}
    assert data["values"]["rank_weights"] != DEFAULT.rank_weights
    tuning = load_tuning(out)
    assert tuning.rank_weights == data["values"]["rank_weights"]
    assert tuning.decline_threshold == data["values"]["decline_threshold"]
    # the fitted weights are what the retriever ranks by: other weights, another order
    index = container.index()
    fitted = Retriever(index, UN, tuning)
    flipped = Retriever(index, UN, replace(tuning, rank_weights={k: -v for k, v in tuning.rank_weights.items()}))
    q = "Can the police make a company keep data before it is deleted?"
    assert [h.id for h in fitted.retrieve(q).hits] != [h.id for h in flipped.retrieve(q).hits]


def test_a_broken_tuning_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "tuning.json"
    bad.write_text('{"values": {"rank_weights": 3, "max_units": "many"}}', encoding="utf-8")
    result = run_treaty("ask", "What is illegal access?", TREATY_TUNING_FILE=str(bad))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(f"Error: Tuning file {bad} is not valid")
    assert "run `treaty tune`" in result.stderr


def test_the_questions_the_chats_rules_decline_are_left_out_of_the_fit(container):
    """tune fits the answerability model on what the chat's model decides: a question a rule
    declines (a missing article, "today") is marked, one the model decides is not."""
    from assistant.answer.decide import rule_decision
    from assistant.evaluation.dataset import EvalQuestion
    from assistant.tune.decline_fit import rule_decided
    from assistant.tune.examples import build_examples

    rows = [("What is the weather in Hanoi today?", False), ("What does Article 99 say?", False),
            ("How tall is Mount Everest?", False), ("What is illegal interception?", True)]
    questions = [EvalQuestion(id=f"r{i}", question=q, answerable=a) for i, (q, a) in enumerate(rows)]
    examples = build_examples(questions, container)
    assert [rule_decided(ex) for ex in examples] == [True, True, False, False]
    pipeline = container.pipeline("extractive")
    for (q, _), ex in zip(rows, examples, strict=True):  # the same rules as the chat's decision
        answer = pipeline.ask(q)
        retrieval = container.retriever().retrieve(q)
        assert (rule_decision(q, retrieval) is not None) == rule_decided(ex), q
        assert answer.refused or not rule_decided(ex)
