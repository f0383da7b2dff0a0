"""report.html in headless Chromium: the metric table, the plots and the per-question
drill-down (failures first) render from the file alone, with no network request."""
from __future__ import annotations

import pytest

from assistant.evaluation import score_record, write_outputs
from tests.eval_records import records

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


@pytest.fixture(scope="module")
def page():
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser.new_page()
        browser.close()


@pytest.fixture
def report(tmp_path):
    info = {"dataset": "fixture.jsonl", "generator": "extractive", "k": 5, "corpus_version": "v1",
            "settings": {"k": 5}, "skipped_lines": ["line 3: not valid JSON"]}
    recs = records()
    recs[3]["question"] = "Is <script>window.injected = 1</script> shown as text?"
    write_outputs(tmp_path, [score_record(r) for r in recs], info)
    return tmp_path / "report.html"


def test_report_shows_metrics_and_a_drill_down_offline(page, report):
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith("file:") else None)
    page.goto(report.as_uri())

    table = page.locator("table#metrics")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 13
    row = table.locator('tr[data-metric="hit@5"] td')
    assert row.all_inner_texts()[:3] == ["hit@5", "0.667", "3"]
    assert table.locator('tr[data-metric="latency_p95_ms"] td').nth(1).inner_text() == "480 ms"
    assert page.locator("svg.plot").count() == 2
    assert "line 3: not valid JSON" in page.inner_text("body")

    entries = page.locator("details.question")
    assert entries.count() == 5
    assert [entries.nth(i).get_attribute("data-qid") for i in range(5)] == ["B", "C", "E", "A", "D"]  # failures first
    c = page.locator('details[data-qid="C"]')
    assert "declined; no citation of an expected source; missing 'interpretative'" in c.locator("summary").inner_text()

    a = page.locator('details[data-qid="A"]')
    citation = a.locator("li.citation").first
    assert not citation.is_visible()
    a.locator("summary").click()
    assert citation.is_visible()
    assert "without right" in citation.inner_text() and "✓" in citation.inner_text()
    assert a.locator(".answer").inner_text().startswith("Access WITHOUT RIGHT, committed intentionally")
    assert page.evaluate("window.injected") is None
    assert "<script>window.injected = 1</script>" in page.locator('details[data-qid="D"] summary').inner_text()
    assert outside == []
