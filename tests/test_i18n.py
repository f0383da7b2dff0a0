"""The i18n leaf: language detection, interface strings and references in the six UN languages,
and the multilingual question file. No model and no index: these run in seconds."""
from __future__ import annotations

import json
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

import assistant.i18n as i18n
from assistant.i18n import LANGS, STRINGS, detect, direction, find_refs, normalize_lang, quote_lead, t, widget_strings
from assistant.i18n.refs import chinese_number

ROOT = Path(__file__).resolve().parents[1]
ML = ROOT / "eval" / "multilingual.jsonl"

SHORT = {
    "en": ["What does article 25 say?", "Is grooming a crime?"],
    "fr": ["Que dit l'article 25 ?", "Le grooming est-il un délit ?", "Qu'est-ce qu'une donnée de trafic ?"],
    "es": ["¿Qué dice el artículo 25?", "¿Es delito el grooming?", "Hola, ¿qué es un dato de tráfico?"],
    "ru": ["Что говорит статья 25?", "статья 25", "Что такое данные о трафике?"],
    "ar": ["ماذا تقول المادة 25؟", "المادة ٢٥", "ما هي بيانات الحركة؟"],
    "zh": ["第25条是怎么规定的？", "第二十五条", "什么是流量数据？"],
}
MIXED = [
    ("¿Qué dice el artículo 25 of the UN convention?", "es"),  # Spanish marks beat one English phrase
    ("Que dit la Budapest Convention sur l'accès illégal ?", "fr"),
    ("Что говорит Budapest Convention о доступе?", "ru"),
    ("《布达佩斯公约》第17条 (Budapest Convention) 说了什么？", "zh"),
    ("ماذا تقول Budapest Convention عن الوصول غير المشروع؟", "ar"),
    ("What does the Spanish word «artículo» mean in the treaty?", "en"),
]


@pytest.mark.parametrize("lang", LANGS)
def test_short_questions_in_each_language(lang):
    for q in SHORT[lang]:
        assert detect(q) == lang, q


@pytest.mark.parametrize("text,lang", MIXED)
def test_mixed_questions_go_to_the_language_they_are_written_in(text, lang):
    assert detect(text) == lang


def test_no_evidence_keeps_the_fallback():
    for bare in ("Art. 25?", "25(2)", "???", "", "CDPC"):
        assert detect(bare, fallback="ru") == "ru"
    assert detect("Art. 25?") == "en"
    assert detect("What about article 25?", fallback="fr") == "en"  # evidence beats the fallback


def test_every_question_of_the_multilingual_file_is_detected():
    """Long questions, follow-ups and keyword queries: all 252, one language each."""
    rows = [json.loads(line) for line in ML.read_text(encoding="utf-8").splitlines()]
    wrong = [(r["id"], detect(r["question"])) for r in rows if detect(r["question"]) != r["lang"]]
    assert wrong == []
    for r in rows:  # translated history turns too
        for turn in r.get("history", []):
            assert detect(turn["content"]) == r["lang"], (r["id"], turn["content"])


REFS = [
    ("What does article 47(2) say?", [(47, 2)]),
    ("paragraph 10 of article 31", [(31, 10)]),
    ("articles 23 and 35", [(23, None), (35, None)]),
    ("¿Qué dice el artículo 25?", [(25, None)]),
    ("art. 25.2", [(25, 2)]),
    ("párrafo 2 del artículo 25", [(25, 2)]),
    ("los artículos 23 y 35", [(23, None), (35, None)]),
    ("l'article 25, paragraphe 2", [(25, 2)]),
    ("Que prévoit le paragraphe 4 de l'article 63 ?", [(63, 4)]),
    ("aux articles 23 et 35", [(23, None), (35, None)]),
    ("статья 25", [(25, None)]),
    ("статьи 25 пункт 2", [(25, 2)]),
    ("Что говорится в пункте 2 статьи 47?", [(47, 2)]),
    ("п. 2 ст. 25", [(25, 2)]),
    ("в статьях 23 и 35", [(23, None), (35, None)]),
    ("第二十五条", [(25, None)]),
    ("第25条第2款", [(25, 2)]),
    ("第六十三条第四款规定了什么？", [(63, 4)]),
    ("第２５条", [(25, None)]),
    ("第二十三条和第三十五条", [(23, None), (35, None)]),
    ("المادة 25", [(25, None)]),
    ("المادة ٢٥", [(25, None)]),
    ("ماذا تنص الفقرة 2 من المادة 47؟", [(47, 2)]),
    ("ماذا تقضي المادة ٦٣، الفقرة ٤؟", [(63, 4)]),
    ("المادتين 23 و35", [(23, None), (35, None)]),
    ("عملاً بالمادة 14", [(14, None)]),
]


@pytest.mark.parametrize("text,expected", REFS)
def test_references_in_each_language(text, expected):
    assert find_refs(text) == expected


@pytest.mark.parametrize("text", ["a 25 year old article", "the 24/7 network", "条约第", "المادة", "article 0"])
def test_no_reference_where_none_is_written(text):
    assert find_refs(text) == []


def test_a_sentence_end_is_not_a_paragraph():
    assert find_refs("See Article 2. 3 States objected.") == [(2, None)]


def test_chinese_numerals():
    assert [chinese_number(s) for s in ("一", "十", "十五", "二十五", "六十八", "一百零三", "两百")] == [1, 10, 15, 25, 68, 103, 200]
    with pytest.raises(ValueError):
        chinese_number("条")


def test_exact_questions_of_the_file_pin_their_article():
    """The translated 'exact' questions name the same article as their English original."""
    rows = [json.loads(line) for line in ML.read_text(encoding="utf-8").splitlines()]
    for r in (r for r in rows if r["category"] == "exact"):
        wanted = int(re.search(r"#art-(\d+)", r["expected_sources"][0]).group(1))
        assert [a for a, _ in find_refs(r["question"])] == [wanted], r["id"]


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_every_string_in_six_languages_with_the_same_fields():
    for key, table in STRINGS.items():
        assert set(table) == set(LANGS), key
        for lang, text in table.items():
            assert _fields(text) == _fields(table["en"]), (key, lang)
            plain = text.format(**{f: "" for f in _fields(text)})
            if len(table["en"].split()) >= 4:  # sentences must read as their language
                assert detect(plain) == lang, (key, lang)


def test_strings_format_and_fall_back_to_english():
    assert t("error_rate_limited", "fr", seconds=12) == "Trop de questions : attendez 12 secondes, puis réessayez."
    assert t("sources", "de") == "Sources" and t("sources", "es-MX") == "Fuentes"
    assert t("error_too_long", "zh", length=2500, limit=2000) == "问题长度为2500个字符，上限为2000个：请缩短后重试。"
    with pytest.raises(KeyError):
        t("no-such-key", "en")


def test_quote_lead_only_when_the_languages_differ():
    assert quote_lead("en") == ""
    assert quote_lead("es") == "Los documentos están en inglés; se citan en su idioma original:"
    assert quote_lead("ru") == "Документы составлены на английском языке; они цитируются дословно:"
    assert quote_lead("en", doc_lang="fr") == "The documents are in French; they are quoted in their own words:"
    assert quote_lead("fr", doc_lang="fr") == ""


def test_widget_strings_direction_and_language_codes():
    ar = widget_strings("ar")
    assert ar["dir"] == "rtl" and ar["lang"] == "ar" and ar["send"] == "إرسال"
    assert widget_strings("zh")["dir"] == "ltr" and "{title}" in widget_strings("zh")["open"]
    assert direction("ar-EG") == "rtl" and direction("he") == "ltr"
    assert [normalize_lang(c) for c in ("fr-FR", "ZH_hans", " RU ", None, "pt")] == ["fr", "zh", "ru", "en", "en"]
    json.dumps(widget_strings("ru"), ensure_ascii=False)  # the widget gets them as JSON


def test_public_surface_and_leaf():
    assert sorted(i18n.__all__) == sorted(set(i18n.__all__))
    for name in i18n.__all__:
        assert hasattr(i18n, name), name
    code = "import sys, assistant.i18n; print(sorted(m for m in sys.modules if m.startswith(('assistant.pipeline', 'assistant.answer', 'torch', 'vectorstore'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_multilingual_file_is_valid():
    out = subprocess.run([sys.executable, "eval/check_multilingual.py"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout
    assert "252 questions: en 42, fr 42, es 42, ru 42, ar 42, zh 42" in out.stdout


def test_the_checker_finds_broken_lines(tmp_path):
    rows = [json.loads(line) for line in ML.read_text(encoding="utf-8").splitlines()]
    rows[1]["id"] = rows[0]["id"]  # duplicate
    rows[2]["expected_sources"] = ["un-convention-against-cybercrime#art-99"]
    rows[3]["must_include"] = ["words no document has"]
    del rows[4]["category"]
    rows = [r for r in rows if r["id"] != "zh-t004"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = subprocess.run([sys.executable, "eval/check_multilingual.py", str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 1
    for needle in ("duplicate id 'en-t002'", "expected_sources differs", "is not in the corpus", "occurs in no expected document",
                   "missing category", "t004: no translation into zh"):
        assert needle in out.stdout, needle
