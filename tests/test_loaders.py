"""File loaders: Markdown front matter, plain text titles, HTML main text, PDF text layer, unsupported types."""
from __future__ import annotations

import pytest

from ingest import SUPPORTED, UnreadableFile, load_corpus, load_file
from tests.pdfs import write_pdf

MD = """---
title: "Data Retention Guidelines"
short_title: Retention Guide
kind: guideline
source_url: "https://example.org/retention.pdf (mirror)"
date: 2025-01-31
publisher: Example Ministry
---

# Data Retention Guidelines

Providers keep subscriber records for twelve months.
"""

HTML = """<!doctype html><html><head><title>Ministry notice</title>
<style>.secret-style { color: red }</style><script>var trackingSecret = 1;</script></head>
<body><nav><a href="/">Home</a> | <a href="/about">About us</a></nav>
<header>Site banner text</header>
<main><h1>Notice on cybercrime</h1><p>The ministry welcomes the   new convention.</p>
<ul><li>Signed in Hanoi</li><li>Open until 2026</li></ul><form>Subscribe here</form></main>
<aside>Related links</aside><footer>Copyright 2025</footer></body></html>
"""


def test_markdown_front_matter_becomes_metadata_not_text(tmp_path):
    path = tmp_path / "retention.md"
    path.write_text(MD, encoding="utf-8")
    doc = load_file(path)
    assert doc.doc_id == "retention"
    assert doc.title == "Data Retention Guidelines"
    assert doc.short_title == "Retention Guide"
    assert doc.kind == "guideline"
    assert doc.source_url == "https://example.org/retention.pdf"
    assert doc.date == "2025-01-31"
    assert doc.meta["publisher"] == "Example Ministry"
    assert doc.text == "# Data Retention Guidelines\n\nProviders keep subscriber records for twelve months."


def test_plain_text_title_is_the_first_non_empty_line(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("\n\n   \nHanoi signing ceremony report\n\nSixty states signed.\r\nMore text.\n", encoding="utf-8")
    doc = load_file(path)
    assert doc.title == "Hanoi signing ceremony report"
    assert doc.kind == "document" and doc.meta == {}
    assert doc.text == "Hanoi signing ceremony report\n\nSixty states signed.\nMore text."


def test_utf8_bom_is_not_part_of_the_title(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffTitle with BOM\n\nBody.".encode())
    assert load_file(path).title == "Title with BOM"


def test_html_keeps_main_text_only(tmp_path):
    path = tmp_path / "notice.html"
    path.write_text(HTML, encoding="utf-8")
    doc = load_file(path)
    assert doc.title == "Ministry notice"
    assert doc.text == (
        "Notice on cybercrime\n\nThe ministry welcomes the new convention.\n\nSigned in Hanoi\n\nOpen until 2026"
    )
    for chrome in ("secret", "Home", "About us", "banner", "Subscribe", "Related links", "Copyright"):
        assert chrome not in doc.text


def test_html_without_main_uses_the_body(tmp_path):
    path = tmp_path / "plain.htm"
    path.write_text("<html><body><nav>Menu</nav><p>First paragraph.</p><p>Second.</p></body></html>")
    doc = load_file(path)
    assert doc.text == "First paragraph.\n\nSecond."
    assert doc.title == "First paragraph."


def test_pdf_text_layer_is_extracted(tmp_path):
    path = write_pdf(tmp_path / "report.pdf", [
        ["Report on electronic evidence", "States shall preserve traffic data."],
        ["Second page text."],
    ])
    doc = load_file(path)
    assert doc.title == "Report on electronic evidence"
    assert doc.text == (
        "Report on electronic evidence\nStates shall preserve traffic data.\n\nSecond page text."
    )


def test_pdf_without_text_layer_is_refused(tmp_path):
    path = write_pdf(tmp_path / "scan.pdf", [[]])
    with pytest.raises(UnreadableFile) as err:
        load_file(path)
    assert str(err.value) == (
        f"{path}: PDF has no text layer (scanned?): run OCR on it first, or add a .txt version"
    )


def test_unsupported_type_is_reported_and_skipped(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (tmp_path / "c" / "Makefile").write_text("all:\n")
    (tmp_path / "c" / "ok.md").write_text("# A heading\n\nSome text.")
    (tmp_path / "c" / ".hidden.md").write_text("never read")
    load = load_corpus([tmp_path / "c"])
    assert [d.doc_id for d in load.documents] == ["ok"]
    assert [s.as_dict() for s in load.skipped] == [
        {"path": str(tmp_path / "c" / "Makefile"),
         "reason": "unsupported file type 'Makefile': use .md, .txt, .html or .pdf"},
        {"path": str(tmp_path / "c" / "notes.docx"),
         "reason": "unsupported file type '.docx': use .md, .txt, .html or .pdf"},
    ]
    with pytest.raises(UnreadableFile, match=r"unsupported file type '\.docx'"):
        load_file(tmp_path / "c" / "notes.docx")


def test_same_id_in_two_folders_keeps_the_first(tmp_path):
    for folder, text in (("a", "First copy."), ("b", "Second copy.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "dup.txt").write_text(text)
    load = load_corpus([tmp_path / "a", tmp_path / "b"])
    assert [d.text for d in load.documents] == ["First copy."]
    assert [s.as_dict() for s in load.skipped] == [{
        "path": str(tmp_path / "b" / "dup.txt"),
        "reason": f"duplicate document id 'dup' (also {tmp_path / 'a' / 'dup.txt'}): rename one of the files",
    }]


def test_supported_suffixes():
    assert set(SUPPORTED) == {".md", ".markdown", ".txt", ".html", ".htm", ".pdf"}


def test_html_nested_blocks_are_not_repeated(tmp_path):
    path = tmp_path / "nested.html"
    path.write_text(
        "<html><body><main><blockquote><p>Quoted once.</p></blockquote>"
        "<ul><li><p>Item text.</p><ul><li>Sub item.</li></ul></li></ul>"
        "<table><tr><th>Head</th><td>Cell</td></tr></table></main></body></html>"
    )
    assert load_file(path).text == "Quoted once.\n\nItem text. Sub item.\n\nHead\n\nCell"
