"""Questions in the six UN languages through the answer path: declines and over-long questions in
the question's language, the chat's labels and direction, the widget's label tables, and
`treaty ask` citing the article a question names in each language. English stays as it was."""
from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.answer.decide import decline_text
from assistant.answer.retrieve import MissingArticle
from assistant.answer.types import Decision
from assistant.answer.understand.validate import clean_question
from assistant.errors import QuestionTooLong
from assistant.i18n import LANGS, question_lang, quote_lead, t
from assistant.web.chat_render import answer_html

ROOT = Path(__file__).resolve().parents[1]
UN = "un-convention-against-cybercrime"
CITE = {"n": 1, "doc_id": UN, "doc_title": "United Nations Convention against Cybercrime", "label": "Art. 25(2)",
        "article": 25, "paragraph": 2, "quote": "up to a maximum of 90 days", "chunk_id": f"{UN}:0083:abc",
        "passage": "2. ... up to a maximum of 90 days, to enable ..."}
MISSING = SimpleNamespace(missing=[MissingArticle(UN, "UN Convention against Cybercrime", 99, 68)],
                          missing_chapters=[("UN Convention against Cybercrime", "IX", 9)])
SUGGESTED = ["What does Article 1 (Statement of purpose) say?"]


def test_english_declines_are_worded_as_before():
    unsupported = decline_text(Decision(True, "unsupported"), "How tall is Mount Everest?", SUGGESTED, "en", MISSING)
    assert unsupported == ("I searched the documents for “How tall is Mount Everest?”, and they do not say. "
                           "They do answer: What does Article 1 (Statement of purpose) say?")
    detail = "The UN Convention against Cybercrime has 68 articles; there is no Article 99."
    for retrieval in (MISSING, None):  # from the retrieval, or from decide()'s English detail: the same words
        assert decline_text(Decision(True, "missing_article", detail), "q", [], "en", retrieval) == (
            detail + " The documents do not cover it.")
    assert decline_text(Decision(True, "missing_chapter", "x"), "q", [], "en", MISSING) == (
        "The UN Convention against Cybercrime has 9 chapters; there is no Chapter IX. The documents do not cover it.")


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "en"])
def test_declines_in_the_questions_language(lang):
    searched = decline_text(Decision(True, "unsupported"), "Mount Everest", SUGGESTED, lang)
    assert searched == (t("decline_searched", lang, gist="Mount Everest") + " " + t("they_answer", lang) + " " + SUGGESTED[0])
    assert "I searched" not in searched and "They do answer" not in searched
    assert decline_text(Decision(True, "task"), "q", [], lang) == t("decline_task", lang)
    missing = decline_text(Decision(True, "missing_article", "English detail."), "q", [], lang, MISSING)
    assert "99" in missing and "68" in missing and "English detail" not in missing
    chapter = decline_text(Decision(True, "missing_chapter", "English detail."), "q", [], lang, MISSING)
    assert "IX" in chapter and "9" in chapter and "English detail" not in chapter


def test_a_bare_reference_keeps_the_conversations_language():
    history = [{"role": "user", "content": "¿Qué dice el artículo 25?"}, {"role": "assistant", "content": "…"}]
    assert question_lang("Art. 26?", history) == "es"
    assert question_lang("And article 26?", history) == "en"  # its own evidence wins
    assert question_lang("Art. 26?") == "en" and question_lang("ماذا عن المادة 26؟", history) == "ar"


def test_an_over_long_question_is_refused_in_its_language():
    with pytest.raises(QuestionTooLong) as en:
        clean_question("x" * 2001)
    assert str(en.value) == "The question is 2001 characters long; the limit is 2000: shorten it and ask again."
    with pytest.raises(QuestionTooLong) as ar:
        clean_question("ماذا تقول المادة 25؟ " * 200)
    assert str(ar.value) == t("error_too_long", "ar", length=len(("ماذا تقول المادة 25؟ " * 200).strip()), limit=2000)


def test_chat_labels_follow_the_answers_language():
    en = answer_html("a-" + "0" * 32, "Up to 90 days [1].", [CITE], ["What about Article 26?"])
    assert '<div class="tw-answer" id="a-' + "0" * 32 + '"><div class="tw-text">' in en  # no lang, no dir
    for same in ('aria-label="Source 1: Art. 25(2), United Nations Convention against Cybercrime"',
                 '<button type="button" class="tw-copy" aria-label="Copy answer with its sources">Copy</button>',
                 '<div class="tw-sources" role="group" aria-label="Sources">', "<blockquote>2. ... <mark>",
                 ">Open Art. 25(2) in the source document</a>", 'aria-label="Suggested questions"'):
        assert same in en, same
    ar = answer_html("a-" + "1" * 32, quote_lead("ar") + " Up to 90 days [1].", [CITE], ["What about Article 26?"],
                     lang="ar")
    assert '<div class="tw-answer" id="a-' + "1" * 32 + '" lang="ar" dir="rtl">' in ar
    for label in (f'aria-label="{t("source_n", "ar", n=1, label="Art. 25(2), United Nations Convention against Cybercrime")}"',
                  f'aria-label="{t("copy_label", "ar")}">{t("copy", "ar")}</button>',
                  f'aria-label="{t("sources", "ar")}"', f'aria-label="{t("suggested", "ar")}"',
                  f'>{t("open_in_source", "ar", label="Art. 25(2)")}</a>', '<blockquote lang="en" dir="ltr">'):
        assert label in ar, label
    assert "Copy answer" not in ar and 'aria-label="Sources"' not in ar
    zh = answer_html("a-" + "2" * 32, "x [1].", [CITE], lang="zh")
    assert ' lang="zh" dir="ltr">' in zh and f">{t('copy', 'zh')}</button>" in zh


def _widget_tables() -> dict[str, set[str]]:
    js = (ROOT / "assistant" / "web" / "static" / "widget.js").read_text(encoding="utf-8")
    block = js[js.index("var STRINGS = {"):js.index("\n  };", js.index("var STRINGS = {"))]
    parts = re.split(r"\n    (\w\w): \{", block)[1:]
    return {lang: set(re.findall(r"(?:^|[{,])\s*(\w+): \"", body)) for lang, body in zip(parts[::2], parts[1::2], strict=True)}


def test_the_widget_has_every_label_in_the_six_languages():
    tables = _widget_tables()
    assert sorted(tables) == sorted(LANGS)
    for lang, keys in tables.items():
        assert keys == tables["en"], (lang, keys ^ tables["en"])


# one question per language, each naming a different article (the CLI reads the reference)
NAMED = [("en", "What does Article 14 say?", 14), ("fr", "Que prévoit l'article 23 ?", 23),
         ("es", "¿Qué establece el artículo 35?", 35), ("ru", "Что предусматривает статья 40?", 40),
         ("ar", "ماذا تنص المادة ٤٧؟", 47), ("zh", "第六十三条规定了什么？", 63)]


@pytest.mark.parametrize("lang,question,article", NAMED, ids=[n[0] for n in NAMED])
def test_treaty_ask_cites_the_named_article_in_each_language(cli, built_index, lang, question, article):
    result = cli("ask", question, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["lang"] == lang and not answer["refused"]
    assert answer["citations"] and {(c["doc_id"], c["article"]) for c in answer["citations"]} == {(UN, article)}
    lead = quote_lead(lang)  # one line in the question's language, then the English quotes
    assert answer["answer"].startswith(f"{lead} ") if lead else not answer["answer"].startswith("The documents are")


def test_a_decline_through_the_pipeline_is_in_the_questions_language(container):
    answer = container.pipeline().ask("¿Qué dice el artículo 99?")
    assert answer.refused and answer.lang == "es" and answer.decline_reason == "missing_article"
    assert "tiene 68 artículos; no existe el artículo 99. Los documentos no lo abarcan." in answer.text
    assert "articles" not in answer.text and answer.citations == []
