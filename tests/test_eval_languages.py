"""`treaty eval` per question language: the `lang` field (or the detected language), the
by-language summary, its report table and the CLI lines. Hand-checked records, no pipeline."""
from __future__ import annotations

import json

import pytest

from assistant.evaluation import EvalQuestion, load_questions, summarize_by_language, write_outputs
from assistant.evaluation.command import format_summary
from assistant.evaluation.runner import score_record
from tests.eval_records import UN, records

ML_LINE = {"id": "x", "question": "¿Qué dice el artículo 7?", "answerable": True, "expected_sources": [f"{UN}#art-7"]}


def test_lang_is_read_from_the_file_or_detected(tmp_path):
    path = tmp_path / "q.jsonl"
    rows = [{**ML_LINE, "id": "given", "lang": "fr"}, {**ML_LINE, "id": "detected"},
            {**ML_LINE, "id": "bad", "lang": "de"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    data = load_questions(path)
    assert [(q.id, q.lang) for q in data.questions] == [("given", "fr"), ("detected", "")]
    assert [q.as_dict()["lang"] for q in data.questions] == ["fr", "es"]  # the record says which
    assert [(p.line, p.message) for p in data.problems] == [
        (3, "\"lang\" must be one of en, fr, es, ru, ar, zh, not 'de'")]
    assert EvalQuestion("e", "What does Article 7 say?", True).as_dict()["lang"] == "en"


def _in_languages(langs: list[str]) -> list[dict]:
    recs = records()
    for r, lang in zip(recs, langs, strict=True):
        r["lang"] = lang
    return recs


def test_by_language_only_for_two_languages_or_more():
    assert summarize_by_language(records()) == {}  # no lang: all English
    assert summarize_by_language(_in_languages(["en"] * 5)) == {}
    by = summarize_by_language(_in_languages(["ar", "en", "en", "zh", "ar"]), k=5)
    assert list(by) == ["en", "ar", "zh"]  # the file's order of the six, not alphabetical
    assert (by["en"]["questions"], by["en"]["passed"]) == (2, 0)  # B misses 'alteration', C declined
    assert (by["ar"]["questions"], by["ar"]["passed"]) == (2, 1)  # A passes, E answered an unanswerable one
    assert by["ar"]["metrics"]["hit@5"] == {"value": 1.0, "n": 1}
    assert by["ar"]["metrics"]["correct_decline"] == {"value": 0.0, "n": 1}
    assert by["zh"]["metrics"]["correct_decline"] == {"value": 1.0, "n": 1}
    assert by["en"]["metrics"]["citation_hit"] == {"value": 0.5, "n": 2}


def test_summary_report_and_cli_lines_by_language(tmp_path):
    info = {"dataset": "fixture", "generator": "extractive", "k": 5, "corpus_version": "v1", "settings": {}}
    recs = [score_record(r) for r in _in_languages(["ar", "en", "en", "zh", "ar"])]
    summary = write_outputs(tmp_path, recs, info)
    saved = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert list(saved["by_language"]) == ["en", "ar", "zh"] and saved["by_language"] == summary["by_language"]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<h2>By language</h2><table id="languages">' in html
    assert html.count('<tr data-language="') == 3 and '<tr data-language="ar"><td>ar</td><td class="num">1 / 2</td>' in html
    lines = format_summary(summary).splitlines()
    head = lines.index("") + 1
    assert lines[head].split() == ["lang", "passed", "hit@5", "citation_hit", "correct_decline", "pass_rate"]
    assert lines[head + 2].split() == ["ar", "1/2", "1.000", "(1)", "1.000", "(1)", "0.000", "(1)", "0.500", "(2)"]


@pytest.mark.parametrize("langs", [["en"] * 5, None])
def test_one_language_runs_look_as_before(tmp_path, langs):
    info = {"dataset": "fixture", "generator": "extractive", "k": 5, "corpus_version": "v1", "settings": {}}
    recs = [score_record(r) for r in (_in_languages(langs) if langs else records())]
    summary = write_outputs(tmp_path, recs, info)
    assert "by_language" not in summary and "" not in format_summary(summary).splitlines()
    assert "By language" not in (tmp_path / "report.html").read_text(encoding="utf-8")
