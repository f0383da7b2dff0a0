"""Eval metrics, source matching, failures, gate, question-file loading and the judge's
score parsing, on hand-checked values (tests/eval_records.py). No pipeline, no index."""
from __future__ import annotations

import inspect
import json

import pytest

import assistant.evaluation as evaluation
from assistant.evaluation import (
    EvalError,
    check_gates,
    cited_sentences,
    failures,
    load_questions,
    matches,
    must_include_found,
    paired_bootstrap,
    parse_threshold,
    percentile,
    score_question,
    summarize,
    summarize_by_category,
)
from assistant.evaluation.judge import parse_score
from assistant.evaluation.metrics import METRICS, metrics_for, spec
from tests.eval_records import EXPECTED, FAILURES, UN, cite, records


def test_public_surface_is_honest():
    assert sorted(evaluation.__all__) == sorted(set(evaluation.__all__))
    for name in evaluation.__all__:
        assert hasattr(evaluation, name), name
    # and the other way: every public name the package binds (its submodules aside) is listed
    public = {name for name, value in vars(evaluation).items()
              if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"}
    assert public == set(evaluation.__all__), public ^ set(evaluation.__all__)


def test_every_metric_on_the_hand_checked_fixture():
    summary = summarize(records())
    assert list(summary) == [m.name for m in METRICS]
    assert set(summary) == set(EXPECTED)
    for name, (value, n) in EXPECTED.items():
        assert summary[name]["n"] == n, name
        assert summary[name]["value"] == pytest.approx(value, abs=1e-4), name


def test_per_question_metrics_of_one_record():
    a, b, c, d, _ = records()
    assert score_question(a) == {
        "hit@1": 1.0, "hit@5": 1.0, "mrr": 1.0, "citation_hit": 1.0, "citation_precision": pytest.approx(1 / 3),
        "citation_support": 0.5, "must_include_recall": 1.0, "correct_decline": None, "false_decline": 0.0,
        "judge_correctness": 0.8, "latency_ms": 100.0,
    }
    assert score_question(b)["mrr"] == 0.5
    assert score_question(c)["citation_precision"] is None  # no citations: precision does not apply
    assert {k for k, v in score_question(d).items() if v is not None} == {"correct_decline", "latency_ms"}


def test_failures_say_why():
    for record in records():
        assert failures(record) == FAILURES[record["id"]], record["id"]


def test_an_error_fails_the_question_and_leaves_latency_out():
    recs = records()
    recs[0]["error"] = "InvalidQuestion: The question is empty"
    recs[0]["latency_ms"] = 1.0
    assert failures(recs[0]) == ["error: InvalidQuestion: The question is empty"]
    summary = summarize(recs)
    assert summary["pass_rate"]["value"] == 0.2
    assert summary["latency_p50_ms"] == {"value": 350.0, "n": 4}


@pytest.mark.parametrize("expected, item, ok", [
    (f"{UN}#art-7", cite(1, UN, 7, "article"), True),
    (f"{UN}#art-7", cite(1, UN, 17, "article"), False),
    (f"{UN}#art-7", cite(1, "budapest", 7, "article"), False),
    (f"{UN}#art-7", cite(1, UN, 7, "annex"), False),  # an annex paragraph about art. 7 is not art. 7
    (UN, cite(1, UN, 7, "article"), True),  # a whole document matches any part of it
    (f"{UN}#annex", cite(1, UN, None, "annex"), True),
    (f"{UN}#preamble", cite(1, UN, None, "preamble"), True),
    (f"{UN}#preamble", cite(1, UN, None, "closing"), False),
    (f"{UN}#art-2", {"doc_id": UN, "source": f"{UN}#art-2", "rank": 1}, True),  # retrieved chunk
    (f"{UN}#art-2", {"doc_id": UN, "source": f"{UN}#art-20", "rank": 1}, False),
])
def test_source_matching(expected, item, ok):
    assert matches(expected, item) is ok


def test_must_include_is_case_insensitive_with_alternatives():
    assert must_include_found("Effective AND proportionate", ["effective", "dissuasive|proportionate", "x|y"]) == [
        True, True, False]


def test_percentile_interpolates():
    assert percentile([], 50) is None
    assert percentile([7.0], 95) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5
    assert percentile([10.0, 20.0], 95) == pytest.approx(19.5)


def test_citation_support_uses_the_verifier_on_the_cited_passages():
    passage = "Each State Party shall establish as a criminal offence the access to an ICT system without right."
    citations = [cite(1, UN, 7, "article", passage=passage)]
    answer = ("States must criminalise access to an ICT system without right [1]. "
              "It was signed in Paris in 1999 [1]. Uncited sentence. A marker with no passage [4].")
    checked = cited_sentences(answer, citations)
    assert [(s["markers"], s["supported"]) for s in checked] == [([1], True), ([1], False), ([4], False)]
    assert checked[2]["reasons"] == ["cites no passage"]


def test_gate_thresholds():
    summary = summarize(records())
    ok = [parse_threshold("hit@5=0.6"), parse_threshold("false_decline=0.5", under=False)]
    assert check_gates(summary, ok) == []
    bad = [parse_threshold("hit@1=0.5"), parse_threshold("latency_p95_ms=400", under=False)]
    assert check_gates(summary, bad) == ["hit@1 is 0.3333, needs hit@1 >= 0.5",
                                         "latency_p95_ms is 480, needs latency_p95_ms <= 400"]
    empty = summarize([records()[3]])
    assert check_gates(empty, [parse_threshold("mrr=0.1")]) == ["mrr has no applicable questions (needs mrr >= 0.1)"]


def test_hit_metric_follows_k():
    recs = records()
    at3 = summarize(recs, k=3)
    assert "hit@3" in at3 and "hit@5" not in at3
    assert list(at3) == [m.name for m in metrics_for(3)]
    assert at3["hit@3"] == {"value": round(2 / 3, 4), "n": 3}  # A rank 1, B rank 2; C's annex at rank 6
    assert summarize(recs, k=1)["hit@1"] == summarize(recs)["hit@1"]
    c = recs[2]
    assert score_question(c, k=6)["hit@6"] == 1.0 and score_question(c, k=5)["hit@5"] == 0.0
    assert spec("hit@3").description == "an expected source is among the top 3 retrieved passages"
    assert check_gates(at3, [parse_threshold("hit@3=0.6")]) == []
    assert check_gates(at3, [parse_threshold("hit@5=0.6")]) == [
        f"hit@5 is not measured by this run (it has {', '.join(at3)}): match the metric to --k"]


def test_per_category_summaries():
    recs = records()
    assert summarize_by_category(recs) == {}  # no categories: no table
    for r, cat in zip(recs, ["offences", "offences", "procedure", "out-of-scope", ""], strict=True):
        r["category"] = cat
    by = summarize_by_category(recs, k=5)
    assert list(by) == ["(no category)", "offences", "out-of-scope", "procedure"]
    assert by["offences"]["questions"] == 2 and by["offences"]["passed"] == 1  # A passes, B misses 'alteration'
    assert by["offences"]["metrics"]["hit@5"] == {"value": 1.0, "n": 2}
    assert by["procedure"]["metrics"]["false_decline"] == {"value": 1.0, "n": 1}
    assert by["out-of-scope"]["metrics"]["correct_decline"] == {"value": 1.0, "n": 1}
    assert by["(no category)"]["metrics"]["pass_rate"] == {"value": 0.0, "n": 1}  # E answered an unanswerable one


def test_paired_bootstrap_interval():
    # the same values: no difference at all
    assert paired_bootstrap([(1.0, 1.0), (0.0, 0.0), (1.0, 1.0)], "pass_rate") == (0.0, 0.0)
    # every question improves by exactly 0.5: the interval is that point
    assert paired_bootstrap([(0.0, 0.5), (0.5, 1.0), (0.2, 0.7)], "mrr") == (0.5, 0.5)
    # one of 40 questions breaks: the interval spans 0 (Δ = -0.025 is within noise)
    low, high = paired_bootstrap([(1.0, 0.0)] + [(1.0, 1.0)] * 39, "pass_rate")
    assert low < 0 and high == 0.0
    # 20 of 40 break: clearly worse, and the interval holds the observed -0.5
    low, high = paired_bootstrap([(1.0, 0.0)] * 20 + [(1.0, 1.0)] * 20, "pass_rate")
    assert -0.75 < low < -0.5 < high < -0.25
    assert paired_bootstrap([(1.0, 0.0)], "pass_rate") is None  # one pair: no interval
    # latency percentiles are resampled as percentiles: B is always 100 ms slower
    assert paired_bootstrap([(a, a + 100.0) for a in range(0, 500, 50)], "latency_p50_ms") == (100.0, 100.0)


@pytest.mark.parametrize("text, message", [
    ("hit@0=0.5", "'hit@0=0.5' is not METRIC=VALUE with METRIC one of: hit@1, hit@5, mrr"),
    ("hit@x=0.5", "'hit@x=0.5' is not METRIC=VALUE"),
    ("mrr", "'mrr' is not METRIC=VALUE"),
    ("mrr=high", "'mrr=high': 'high' is not a number"),
])
def test_bad_thresholds_name_the_allowed_metrics(text, message):
    with pytest.raises(ValueError) as err:
        parse_threshold(text)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize("reply, score", [
    ("SCORE: 0.75", 0.75), ("score=1", 1.0), ("Score: 0", 0.0), ("0.5", 0.5), ("SCORE: 7", None), ("good", None),
])
def test_judge_score_parsing(reply, score):
    assert parse_score(reply) == score


def _write(tmp_path, lines: list[str]):
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps({"id": "q1", "question": "What is illegal access?", "answerable": True,
                   "expected_sources": [f"{UN}#art-7"], "must_include": ["without right"], "difficulty": "easy"})


def test_load_skips_malformed_lines_with_their_numbers(tmp_path):
    path = _write(tmp_path, [
        GOOD,
        "{not json",
        "",
        json.dumps({"id": "q2", "question": "Q?"}),
        json.dumps({"id": "q1", "question": "again?", "answerable": False}),
        json.dumps({"id": "q3", "question": "Q?", "answerable": True, "expected_sources": ["doc#article-3"]}),
        json.dumps({"id": "q4", "question": "Q?", "answerable": True, "history": [{"role": "bot", "content": "x"}]}),
        json.dumps(["a list"]),
        json.dumps({"id": "q5", "question": "Follow-up?", "answerable": False,
                    "history": [{"role": "user", "content": "Hi"}], "reference_answer": "No."}),
    ])
    data = load_questions(path)
    assert [q.id for q in data.questions] == ["q1", "q5"]
    assert data.questions[0].must_include == ("without right",)  # the unknown "difficulty" is ignored
    assert data.questions[1].history == ({"role": "user", "content": "Hi"},)
    assert [str(p) for p in data.problems] == [
        "line 2: not valid JSON (Expecting property name enclosed in double quotes, column 2)",
        'line 4: "answerable" must be true or false',
        "line 5: duplicate id 'q1'",
        "line 6: expected source 'doc#article-3' is not DOC_ID, DOC_ID#art-N, DOC_ID#annex or DOC_ID#preamble",
        'line 7: History turn 1 has role \'bot\': use "user" or "assistant".',
        "line 8: not a JSON object",
    ]
    with pytest.raises(EvalError) as err:
        load_questions(path, strict=True)
    assert str(err.value).startswith(f"{path} has 6 malformed line(s): line 2: not valid JSON")
    assert str(err.value).endswith("; and 1 more. Fix them or drop --strict.")


def test_empty_missing_and_all_bad_files_are_clear_errors(tmp_path):
    with pytest.raises(EvalError) as err:
        load_questions(tmp_path / "nope.jsonl")
    assert str(err.value) == (f"Question file {tmp_path / 'nope.jsonl'} does not exist: pass a .jsonl file "
                              "(one JSON object per line, see eval/README.md).")
    empty = _write(tmp_path, ["", "  "])
    with pytest.raises(EvalError) as err:
        load_questions(empty)
    assert str(err.value) == f"Question file {empty} is empty: add questions (one JSON object per line, see eval/README.md)."
    bad = _write(tmp_path, ["[]"])
    with pytest.raises(EvalError) as err:
        load_questions(bad)
    assert str(err.value) == (f"{bad} has no valid question (1 malformed line(s), first: line 1: not a JSON object): "
                              "fix the file (one JSON object per line, see eval/README.md).")


def test_the_dev_set_loads_cleanly():
    from tests.conftest import ROOT

    data = load_questions(ROOT / "eval" / "dev.jsonl", strict=True)
    assert len(data.questions) == 45 and not data.problems


def test_citation_support_counts_the_article_title_a_list_answer_opens_with():
    """A list answer's quote opens with its label and article title ("Art. 33(4) (Protection of
    witnesses): …"): the title is the citation's metadata, citable like the label."""
    passage = "The provisions of this article shall also apply to victims insofar as they are witnesses."
    answer = f"Art. 33(4) (Protection of witnesses): {passage[:-1]} [1]."
    titled = dict(cite(1, UN, 33, "article", passage=passage), label="Art. 33(4)",
                  article_title="Protection of witnesses")
    assert [s["supported"] for s in cited_sentences(answer, [titled])] == [True]
    untitled = dict(titled, article_title="")
    assert [s["supported"] for s in cited_sentences(answer, [untitled])] == [False]


def test_the_lead_line_in_the_question_language_is_not_checked_as_a_claim():
    from assistant.i18n import quote_lead

    passage = "(a) The authority seeking the preservation."
    answer = f"{quote_lead('fr')} (a) The authority seeking the preservation [1]."
    cites = [dict(cite(1, UN, 42, "article", passage=passage), label="Art. 42(3)")]
    assert [s["supported"] for s in cited_sentences(answer, cites, "fr")] == [True]
    assert [s["supported"] for s in cited_sentences(answer, cites)] == [False]  # read as English: one claim
