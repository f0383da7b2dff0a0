"""Chat message HTML (assistant/web/chat_render.py): everything escaped, [n] linked with a
preview, the copy text, suggestion chips (issue 12's optional `answer.suggestions`), and the
plain conversation recovered from the messages for follow-ups.
"""
from __future__ import annotations

from assistant.web.chat_render import (
    answer_html,
    answer_id_of,
    copy_text,
    error_html,
    highlight,
    new_answer_id,
    plain_history,
)

UN = "un-convention-against-cybercrime"
CITE = {"n": 1, "doc_id": UN, "doc_title": "United Nations Convention against Cybercrime", "label": "Art. 25(2)",
        "article": 25, "paragraph": 2, "quote": "up to a maximum of 90 days <b>", "chunk_id": f"{UN}:0083:abc",
        "passage": "2. ... for a period of time as long as necessary, up to a maximum of 90 days <b>, to enable ..."}


def test_answer_links_markers_escapes_text_and_lists_chips():
    aid = new_answer_id()
    html = answer_html(aid, "Up to 90 days <script>x</script> [1]. [7]", [CITE], ["What about <i>Article 26</i>?", " "])
    assert f'<div class="tw-answer" id="{aid}">' in html
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert f'<a class="tw-cite" href="/api/sources/{UN}#{UN}:0083:abc"' in html
    assert "[7]" in html and html.count('class="tw-cite"') == 1  # a marker with no citation stays text
    assert '<button type="button" class="tw-chip">What about &lt;i&gt;Article 26&lt;/i&gt;?</button>' in html
    assert html.count('class="tw-chip"') == 1
    assert answer_id_of([{"type": "text", "text": html}]) == aid


def test_copy_text_is_plain_with_the_sources_at_the_end():
    assert copy_text("Up to 90 days [1].", [CITE]) == \
        "Up to 90 days [1].\n\n[1] Art. 25(2), United Nations Convention against Cybercrime"
    assert copy_text("No sources.", []) == "No sources."


def test_highlight_marks_the_quote_inside_the_escaped_passage():
    out = highlight(CITE["passage"], CITE["quote"])
    assert "<mark>up to a maximum of 90 days &lt;b&gt;</mark>" in out and "<b>" not in out


def test_history_is_the_plain_text_and_failed_exchanges_are_left_out():
    answer = answer_html("a-" + "0" * 32, "Up to 90 days [1].", [CITE])
    messages = [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": answer},
                {"role": "user", "content": "x" * 3000}, {"role": "assistant", "content": error_html("Too long.")},
                {"role": "user", "content": [{"type": "text", "text": "Q2 <b>"}]}]
    assert plain_history(messages) == [{"role": "user", "content": "Q1"},
                                       {"role": "assistant", "content": "Up to 90 days [1]."},
                                       {"role": "user", "content": "Q2 <b>"}]


def test_document_strings_stay_text_in_every_part():
    script, img = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
    cite = {**CITE, "label": script, "doc_title": img, "quote": script, "passage": f"Intro {script} {img}"}
    html = answer_html(new_answer_id(), f"{img} [1] &lt;", [cite], [script])
    assert "<script>" not in html and "<img" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4 and "&amp;lt;" in html
