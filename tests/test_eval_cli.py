"""`treaty eval`: errors, --compare, resume after an interruption, the judge over HTTP, and one
end-to-end run of a small question file through the real pipeline and the shared index."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.evaluation import EvalError, EvalQuestion, run_questions, score_record, write_outputs
from assistant.evaluation.judge import LLMJudge
from assistant.models import Citation
from tests.conftest import UN, free_port
from tests.eval_records import records

pytestmark = pytest.mark.timeout(300)


def invoke(*args: str):
    return CliRunner().invoke(main, ["eval", *args])


def test_missing_file_and_missing_index_say_what_to_do(tmp_path):
    result = invoke(str(tmp_path / "none.jsonl"))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: Question file {tmp_path / 'none.jsonl'} does not exist: pass a .jsonl file "
                             "(one JSON object per line, see eval/README.md).\n")
    q = tmp_path / "q.jsonl"
    q.write_text(json.dumps({"id": "a", "question": "What is illegal access?", "answerable": True}) + "\n")
    result = invoke(str(q), "--out", str(tmp_path / "run"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: No index at {tmp_path / 'index'}: run `treaty ingest` first\n"
    result = invoke(str(q), "--judge")
    assert result.stderr == ("Error: --judge needs an OpenAI-compatible endpoint: set TREATY_LLM_BASE_URL "
                             "(e.g. http://127.0.0.1:8080/v1), or run without --judge.\n")


@pytest.mark.parametrize("args, code, message", [
    (["--resume", "x.jsonl"], 1, "Error: --resume needs --out DIR: the folder of the run to continue."),
    ([], 2, "Missing FILE: the question set to run, e.g. `treaty eval eval/dev.jsonl`."),
    (["x.jsonl", "--compare", "a", "b"], 2, "--compare takes two run folders and no FILE."),
    (["x.jsonl", "--fail-under", "recall=0.5"], 2,
     "Invalid value for '--fail-under': 'recall=0.5' is not METRIC=VALUE with METRIC one of: hit@1, hit@5, mrr,"),
    (["--compare", "nowhere", "b"], 1,
     "Error: No eval run at nowhere (no summary.json): pass the --out folder of a finished `treaty eval`."),
])
def test_usage_errors(args, code, message):
    result = invoke(*args)
    assert result.exit_code == code
    assert message in result.stderr


def test_compare_lists_metric_differences_and_regressions(tmp_path):
    info = {"dataset": "fixture", "generator": "extractive", "k": 5, "corpus_version": "v1", "settings": {}}
    before, after = records(), records()
    after[0].update(refused=True, citations=[], answer="The documents do not answer this question.")  # A breaks
    after[1]["answer"] += " Alteration too."  # B is fixed
    for name, recs in (("a", before), ("b", after)):
        (tmp_path / name).mkdir()
        scored = [score_record(r) for r in recs]
        (tmp_path / name / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in scored))
        write_outputs(tmp_path / name, scored, info)
    result = invoke("--compare", str(tmp_path / "a"), str(tmp_path / "b"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # citation_hit per question A, B, C: (1, 0), (1, 1), (0, 0). A resample of 3 is all A with chance
    # 1/27 > 2.5 %, so the lower bound is -1; 8/27 of resamples hold no A, so the upper bound is 0
    assert "citation_hit                0.667      0.333     -0.333  [-1.000, +0.000]      worse" in lines
    assert "false_decline               0.333      0.667     +0.333  [+0.000, +1.000]      worse" in lines
    assert "hit@1                       0.333      0.333     +0.000  [+0.000, +0.000]" in lines
    assert lines[lines.index("Pass -> fail (1):") + 1] == (
        "  A: Question A?  [declined; no citation of an expected source; missing 'without right'; "
        "missing 'intent|intentionally']")
    assert "Fail -> pass (1): B" in lines
    data = json.loads(invoke("--compare", str(tmp_path / "a"), str(tmp_path / "b"), "--json").stdout)
    assert data["metrics"]["pass_rate"]["a"] == data["metrics"]["pass_rate"]["b"] == 0.4
    assert data["metrics"]["pass_rate"]["pairs"] == 5 and data["metrics"]["pass_rate"]["diff"] == 0.0
    low, high = data["metrics"]["pass_rate"]["ci95"]  # A: pass -> fail, B: fail -> pass, 3 unchanged
    assert -1 < low < 0 < high < 1
    assert data["settings"] == {}
    assert [e["id"] for e in data["regressed"]] == ["A"] and [e["id"] for e in data["fixed"]] == ["B"]


def _questions(n: int) -> list[EvalQuestion]:
    return [EvalQuestion(f"q{i}", f"Question {i}?", True, (), ("answer",), reference_answer="ref") for i in range(n)]


def test_an_interrupted_run_resumes_without_redoing_finished_questions(tmp_path):
    asked: list[str] = []

    def ask(question, history):
        asked.append(question)
        if question == "Question 2?" and len(asked) == 3:
            raise KeyboardInterrupt
        return {"answer": f"An answer to {question}", "citations": [], "refused": False}

    info = {"generator": "extractive", "k": 5, "corpus_version": "v1", "judge": False}
    with pytest.raises(KeyboardInterrupt):
        run_questions(_questions(4), ask, tmp_path, info)
    done = (tmp_path / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["id"] for line in done] == ["q0", "q1"]
    (tmp_path / "results.jsonl").write_text("\n".join(done) + '\n{"id": "q2", "quest')  # a line cut short
    with pytest.raises(EvalError) as err:
        run_questions(_questions(4), ask, tmp_path, {**info, "k": 8}, resume=True)
    assert str(err.value) == (f"{tmp_path} was run with k=5, not 8: resume with the same settings, "
                              "or start a new run with another --out.")
    asked.clear()
    out = run_questions(_questions(4), ask, tmp_path, info, resume=True)
    assert asked == ["Question 2?", "Question 3?"]
    assert [r["id"] for r in out] == ["q0", "q1", "q2", "q3"] and all(r["passed"] for r in out)
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 4


def test_an_error_in_one_question_is_recorded_and_the_run_goes_on(tmp_path):
    def ask(question, history):
        if question == "Question 0?":
            raise ValueError("boom")
        return {"answer": "answer", "citations": [], "refused": False}

    out = run_questions(_questions(2), ask, tmp_path, {})
    assert out[0]["error"] == "ValueError: boom" and out[0]["failures"] == ["error: ValueError: boom"]
    assert out[1]["passed"]


@pytest.fixture
def judge_server():
    """A real HTTP server speaking the two OpenAI routes the judge uses, with a fixed grade."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def _send(self, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # /v1/models
            self._send({"object": "list", "data": [{"id": "grader", "object": "model", "owned_by": "test"}]})

        def do_POST(self):  # /v1/chat/completions
            seen.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self._send({"id": "1", "object": "chat.completion", "created": 0, "model": "grader", "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "SCORE: 0.9"}}]})

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", seen
    server.shutdown()
    server.server_close()


def test_judge_grades_against_the_reference(tmp_path, judge_server):
    url, seen = judge_server
    judge = LLMJudge(url, "grader")
    judge.check()
    out = run_questions(_questions(1), lambda q, h: {"answer": "An answer", "citations": [], "refused": False},
                        tmp_path, {}, judge=judge)
    assert out[0]["judge"] == {"score": 0.9, "reply": "SCORE: 0.9"}
    assert out[0]["metrics"]["judge_correctness"] == 0.9
    assert "REFERENCE: ref" in seen[0]["messages"][0]["content"]
    with pytest.raises(EvalError) as err:
        LLMJudge(f"http://127.0.0.1:{free_port()}/v1", "grader", timeout=2).check()
    assert str(err.value).startswith("Cannot reach the judge endpoint http://127.0.0.1:")


QUESTIONS = [
    {"id": "e1", "question": "What is illegal access under the convention?", "answerable": True,
     "expected_sources": [f"{UN}#art-7"], "must_include": ["without right"], "notes": "unknown fields are ignored"},
    {"id": "e2", "question": "And does that apply to people under 18?", "answerable": True,
     "expected_sources": [f"{UN}#art-16"], "must_include": ["18"],
     "history": [{"role": "user", "content": "What does the convention say about non-consensual sharing of intimate images?"},
                 {"role": "assistant", "content": "Article 16 requires States Parties to criminalise it."}]},
    {"id": "e3", "question": "What is the weather in Hanoi today?", "answerable": False, "expected_sources": [],
     "must_include": []},
    {"id": "e4", "question": "What kind of sanctions must states provide for offences under the convention?",
     "answerable": True, "expected_sources": [f"{UN}#art-21"], "must_include": ["effective", "dissuasive"]},
]


@pytest.mark.slow
def test_end_to_end_run_then_resume_with_a_failing_gate(tmp_path, built_index, container, treaty_cli):
    lines = [json.dumps(q) for q in QUESTIONS]
    lines.insert(2, '{"id": "broken", ')
    qfile = tmp_path / "small.jsonl"
    qfile.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    first = treaty_cli("eval", str(qfile), "--out", str(out), "--fail-under", "hit@5=0.5", timeout=240)
    assert first.returncode == 0, first.stderr
    assert f"Skipped {qfile}: line 3: not valid JSON" in first.stderr
    assert "passed" in first.stdout and "hit@1" in first.stdout

    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in results] == ["e1", "e2", "e3", "e4"]
    pipeline = container.pipeline()
    for r, q in zip(results, QUESTIONS, strict=True):  # the very pipeline the chat uses, history included
        chat = pipeline.ask(q["question"], q.get("history")).as_dict()
        assert (r["answer"], r["refused"], r["citations"]) == (chat["answer"], chat["refused"], chat["citations"])
        # top 3 only: near-tied dense scores at rank 5 can swap between process loads of a fresh index
        ranked = [[(h["chunk_id"], h["rank"]) for h in hits[:3]] for hits in (r["retrieved"], chat["retrieved"])]
        assert ranked[0] == ranked[1] and len(r["retrieved"]) == len(chat["retrieved"])
        assert set(r["metrics"]) >= {"hit@1", "hit@5", "mrr", "citation_hit", "citation_precision", "citation_support",
                                     "must_include_recall", "correct_decline", "false_decline", "latency_ms"}
        assert r["timings_ms"]["total"] > 0 and r["latency_ms"] > 0
    assert all(set(c) == set(Citation.__dataclass_fields__) for r in results for c in r["citations"])
    assert results[2]["refused"] and results[2]["passed"]
    assert results[0]["metrics"]["hit@1"] == 1.0 and results[0]["passed"]

    summary = json.loads((out / "summary.json").read_text())
    assert summary["generator"] == "extractive" and summary["k"] == 5 and summary["date"]
    assert summary["corpus_version"] == container.index().version
    assert summary["settings"]["primary_doc"] == UN and "llm_api_key" not in summary["settings"]
    assert summary["metrics"]["correct_decline"] == {"value": 1.0, "n": 1}
    assert summary["metrics"]["hit@1"]["n"] == 3 and summary["metrics"]["latency_p50_ms"]["n"] == 4
    assert (out / "report.html").read_text().count('class="question ') == 4

    kept = (out / "results.jsonl").read_text().splitlines()
    (out / "results.jsonl").write_text(kept[0] + "\n" + kept[1][:40])  # as if stopped during question 2
    second = treaty_cli("eval", str(qfile), "--out", str(out), "--resume", "--json",
                        "--fail-under", "must_include_recall=1.01", timeout=240)
    assert second.returncode == 1
    assert second.stderr.strip().endswith("needs must_include_recall >= 1.01")
    assert "Gate failed: must_include_recall is " in second.stderr
    again = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert again[0] == results[0]  # not redone: same latency to the tenth of a millisecond
    assert [r["id"] for r in again] == ["e1", "e2", "e3", "e4"]
    assert json.loads(second.stdout)["questions"] == 4
