"""A plain-language question in each of the six UN languages, naming no article, through `treaty ask`:
answered, not declined, citing the article that answers it (found through the multilingual vector
space and the fitted foreign weights), with the lead line in the question's language.

The questions are written for this test (none is in eval/); the tuning is the shipped data/tuning.json,
fitted by `treaty tune eval/train.jsonl eval/dev.jsonl eval/multilingual.jsonl`. A check of the path,
not a measure of quality: these questions were seen to pass, and others still fail ("¿Cómo puede un
Estado retirarse de la Convención?" cites Art. 2, not 67; "متى تدخل الاتفاقية حيز النفاذ؟" Art. 60, not 65;
"公约对非法截取数据有何规定？" a joint statement, not Art. 8); the cross-validated figures per language
are treaty tune's (README, Languages)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.i18n import quote_lead

UN = "un-convention-against-cybercrime"
TUNING = Path(__file__).resolve().parents[1] / "data" / "tuning.json"  # the shipped fit
ASKED = [
    ("en", "Does the treaty protect witnesses who testify about cybercrime?", 33),
    ("fr", "Un État peut-il refuser d'extrader ses propres ressortissants ?", 37),
    ("es", "¿Puede un Estado negarse a extraditar a sus propios nacionales?", 37),
    ("ru", "Какие меры защиты предусмотрены для свидетелей?", 33),
    ("ar", "هل تحمي الاتفاقية الشهود؟", 33),
    ("zh", "公约何时生效？", 65),
]


@pytest.mark.parametrize("lang,question,article", ASKED, ids=[a[0] for a in ASKED])
def test_a_question_in_each_language_cites_the_article_that_answers_it(cli, built_index, monkeypatch,
                                                                       lang, question, article):
    monkeypatch.setenv("TREATY_TUNING_FILE", str(TUNING))
    result = cli("ask", question, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["lang"] == lang and not answer["refused"], answer["answer"]
    assert (UN, article) in {(c["doc_id"], c["article"]) for c in answer["citations"]}, answer["citations"]
    lead = quote_lead(lang)
    assert answer["answer"].startswith(f"{lead} ") if lead else not answer["answer"].startswith("The documents are")


def test_without_the_multilingual_space_a_question_in_another_language_still_gets_an_answer_path(
        cli, built_index, monkeypatch):
    """TREATY_MULTILINGUAL=0: no multilingual embedder, the foreign columns built from the rest alone."""
    monkeypatch.setenv("TREATY_TUNING_FILE", str(TUNING))
    monkeypatch.setenv("TREATY_MULTILINGUAL", "0")
    result = cli("ask", "Que prévoit l'article 37 ?", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["lang"] == "fr" and {c["article"] for c in answer["citations"]} == {37}


def test_english_ranking_is_untouched_and_other_languages_get_the_multilingual_columns(container):
    from assistant.answer.rank import BASE, FEATURES, FOREIGN, MULTILINGUAL
    from assistant.answer.retrieve import Retriever

    with_use = container.retriever()
    assert MULTILINGUAL in with_use.index.spaces and with_use.features.multilingual is not None
    plain = Retriever(with_use.index, with_use.primary_doc, with_use.tuning, with_use.k, with_use.adapter,
                      unit_vectors=with_use.unit_vectors)  # the same retriever but the multilingual space
    english = "Can a suspect be handed over to another country for trial?"
    a = with_use.candidates(english, with_use.parse(english), with_use.index.embedder.embed_query(english))
    b = plain.candidates(english, plain.parse(english), plain.index.embedder.embed_query(english))
    assert not a.foreign and a.rows == b.rows and (a.X == b.X).all() and not a.X[:, len(BASE):].any()

    french = "Un suspect peut-il être remis à un autre pays pour y être jugé ?"
    f = with_use.candidates(french, with_use.parse(french), with_use.index.embedder.embed_query(french))
    use = with_use.features.multilingual_neighbours(french)
    assert f.foreign and set(use) <= set(f.rows)  # the multilingual top list joins the candidates
    copies = f.X[:, len(BASE):2 * len(BASE)]
    assert (copies == f.X[:, :len(BASE)]).all()  # English weights plus the foreign deltas
    col = FEATURES.index("foreign_use")
    assert FOREIGN[-4:] == ("foreign_use", "foreign_use_rr", "foreign_use_support", "foreign_use_unit")
    assert max(f.X[:, col]) == pytest.approx(max(use.values()))
