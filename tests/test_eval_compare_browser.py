"""compare.html and the per-category part of report.html in headless Chromium: settings that differ,
metric rows with intervals, both answers of the moved questions side by side; from the file
alone, with no network request and document text shown as text."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.evaluation import score_record, write_outputs
from tests.eval_records import records
from tests.test_eval_report_browser import page  # noqa: F401 - the module's Chromium page

pytestmark = pytest.mark.browser


def write_run(folder, recs, settings: dict) -> None:
    folder.mkdir()
    scored = [score_record(r) for r in recs]
    (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in scored))
    write_outputs(folder, scored, {"dataset": "fixture.jsonl", "generator": "extractive", "k": 5,
                                   "corpus_version": "v1", "settings": settings})


@pytest.fixture
def comparison(tmp_path):
    before, after = records(), records()
    after[0].update(refused=True, citations=[], answer="The documents do not answer this question.")  # A breaks
    after[1]["answer"] += " Alteration <script>window.injected = 1</script> too."  # B is fixed
    write_run(tmp_path / "a", before, {"k": 5, "min_relevance": 0.5})
    write_run(tmp_path / "b", after, {"k": 5, "min_relevance": 0.6})
    result = CliRunner().invoke(main, ["eval", "--compare", str(tmp_path / "a"), str(tmp_path / "b"),
                                       "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    return tmp_path / "cmp" / "compare.html"


def test_comparison_page(page, comparison):  # noqa: F811
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith("file:") else None)
    page.goto(comparison.as_uri())

    settings = page.locator("table#settings tbody tr")
    assert [settings.nth(i).get_attribute("data-setting") for i in range(settings.count())] == ["min_relevance"]
    assert settings.first.locator("td").all_inner_texts() == ["min_relevance", "0.5", "0.6"]

    row = page.locator('table#metrics tr[data-metric="citation_hit"] td')
    texts = row.all_inner_texts()
    assert texts[:5] == ["citation_hit", "0.667", "0.333", "-0.333", "[-1.000, +0.000]"]
    assert texts[6:] == ["3", "worse (within noise)"]  # the interval reaches 0: 3 questions prove little
    assert row.nth(5).locator("svg.ci").is_visible()
    assert page.locator("table#metrics tbody tr").count() == 13

    regressed = page.locator('section#regressed details[data-qid="A"]')
    assert regressed.count() == 1 and regressed.locator(".side").count() == 2
    a_side, b_side = regressed.locator(".side.a"), regressed.locator(".side.b")
    assert a_side.locator(".badge").inner_text() == "PASS" and b_side.locator(".badge").inner_text() == "FAIL"
    assert a_side.locator(".answer").inner_text().startswith("Access WITHOUT RIGHT")
    assert "(declined)" in b_side.locator("h4").inner_text()
    assert b_side.locator(".why").inner_text().startswith("declined; no citation of an expected source")
    box_a, box_b = a_side.bounding_box(), b_side.bounding_box()
    assert box_a["x"] + box_a["width"] <= box_b["x"] and abs(box_a["y"] - box_b["y"]) < 2  # side by side

    fixed = page.locator('section#fixed details[data-qid="B"]')
    assert fixed.count() == 1
    assert "<script>window.injected = 1</script>" in fixed.locator(".side.b .answer").inner_text()
    assert page.evaluate("window.injected") is None
    assert outside == []


def test_report_shows_categories(page, tmp_path):  # noqa: F811
    recs = records()
    for r, cat in zip(recs, ["offences", "offences", "procedure", "out-of-scope", "out-of-scope"], strict=True):
        r["category"] = cat
    write_outputs(tmp_path, [score_record(r) for r in recs], {"dataset": "f", "k": 5, "settings": {}})
    page.goto((tmp_path / "report.html").as_uri())
    rows = page.locator("table#categories tbody tr")
    assert [rows.nth(i).get_attribute("data-category") for i in range(3)] == ["offences", "out-of-scope", "procedure"]
    offences = rows.first.locator("td")
    assert offences.nth(1).inner_text() == "1 / 2"
    assert offences.nth(2).inner_text() == "0.500 (2)"  # pass rate
    assert rows.nth(1).locator('td[data-metric="correct_decline"]').inner_text() == "0.500 (2)"
    bars = page.locator("figure.categories svg.plot")
    assert bars.is_visible() and bars.locator("text").all_text_contents()[:2] == ["offences", "0.500"]
