"""Partial answers and false premises: what the question asks that the passages do not hold is
said first, in one uncited line, and the closest provisions are still quoted (answer/gaps.py)."""
from __future__ import annotations

import pytest

from assistant.answer.gaps import Gap, asked_term, find_gap
from assistant.answer.sentences import split_cited_sentences
from assistant.answer.types import Passage
from assistant.evaluation.runner import cited_sentences
from assistant.i18n import t


def _ps(*texts: str) -> list[Passage]:
    return [Passage(i + 1, text, f"Art. {i + 1}", "UNCC", 1.0) for i, text in enumerate(texts)]


DEFINITIONS = _ps("For the purposes of this Convention: (a) “Electronic data” shall mean any representation of facts.",
                  "Each State Party shall establish as a criminal offence the access without right.")
SANCTIONS = _ps("Each State Party shall make the commission of an offence liable to effective, proportionate and "
                "dissuasive sanctions that take into account the gravity of that offence.")


@pytest.mark.parametrize("question, term", [
    ("How does the Convention define cybercrime?", "cybercrime"),
    ("What does 'hacking' mean under the treaty?", "hacking"),
    ("How is electronic data defined in the UN convention?", "electronic data"),
    ("What is the definition of the term child pornography?", "child pornography"),
    ("What is meant by traffic data?", "traffic data"),
    ("How does it define it?", ""),  # a pronoun names no term
    ("What does Article 7 say?", ""),
])
def test_the_term_a_definition_question_names(question, term):
    assert asked_term(question) == term


def test_a_term_no_passage_defines_is_a_false_premise():
    assert find_gap("How does the Convention define cybercrime?", DEFINITIONS) == Gap("definition", "cybercrime")
    assert find_gap("How is electronic data defined in the UN convention?", DEFINITIONS) is None
    # "the term … shall include" defines too
    include = _ps("For the purpose of paragraph 1, the term “child pornography” shall include pornographic material.")
    assert find_gap("How does the Budapest Convention define child pornography?", include) is None


def test_a_penalty_no_passage_sets_is_a_partial_answer():
    assert find_gap("What is the prison sentence for illegal access under the convention?", SANCTIONS) == Gap("penalty")
    assert find_gap("What is the maximum fine for money laundering?", SANCTIONS) == Gap("penalty")
    serious = _ps("“Serious crime” shall mean conduct punishable by a maximum deprivation of liberty of at least four years.")
    assert find_gap("How long is the prison sentence for a serious crime?", serious) is None
    assert find_gap("What sanctions does the Convention require?", SANCTIONS) is None  # no amount asked


def test_a_count_or_date_no_passage_holds_is_a_partial_answer():
    assert find_gap("How many experts sit on the review body?", SANCTIONS) == Gap("number")
    ratify = _ps("This Convention shall enter into force on the ninetieth day after the deposit of the fortieth instrument.")
    assert find_gap("How many States must ratify before it enters into force?", ratify) is None  # a count of instruments
    assert find_gap("When was the review body set up?", SANCTIONS) == Gap("date")
    assert find_gap("When was the review body set up?", _ps("It was set up on 24 December 2024.")) is None
    assert find_gap("When do paragraphs 8 to 31 apply?", SANCTIONS) is None  # asks under what conditions


def test_the_note_is_uncited_and_not_counted_as_a_claim():
    note = t("gap_definition", "en", term="cybercrime")
    assert note == "The documents do not define “cybercrime” as such; the closest provisions follow."
    answer = f"{note} Each State Party shall establish as a criminal offence the access without right [1]."
    citations = [{"n": 1, "doc_title": "UNCC", "label": "Art. 7(1)",
                  "passage": "Each State Party shall establish as a criminal offence the access without right."}]
    assert [m for _, m in split_cited_sentences(answer)] == [[], [1]]
    assert [c["supported"] for c in cited_sentences(answer, citations)] == [True]
    # in another language the note comes before the quoted-in-English lead line, which is skipped too
    fr = f"{t('gap_definition', 'fr', term='cybercriminalité')} {t('quote_lead', 'fr', doc_lang='anglais')} " \
         "Each State Party shall establish as a criminal offence the access without right [1]."
    assert [c["supported"] for c in cited_sentences(fr, citations, "fr")] == [True]


@pytest.fixture(scope="module")
def pipeline(container):
    return container.pipeline("extractive")


def test_a_false_premise_is_answered_with_the_text(pipeline):
    answer = pipeline.ask("How does the Convention define cybercrime?")
    assert not answer.refused and answer.citations
    assert answer.text.startswith("The documents do not define “cybercrime” as such; the closest provisions follow. ")


def test_a_penalty_question_says_the_documents_set_none_and_quotes(pipeline):
    answer = pipeline.ask("What is the prison sentence for illegal access under the convention?")
    assert not answer.refused and answer.citations
    assert answer.text.startswith("The documents set no specific penalty (no prison term or amount); the closest "
                                  "provisions follow. ")
    assert "[1]" in answer.text


def test_a_term_the_documents_define_gets_no_note(pipeline):
    answer = pipeline.ask("How is electronic data defined in the UN convention?")
    assert not answer.refused and not answer.text.startswith("The documents do not")
    assert "electronic data" in answer.text.lower()


def test_a_question_in_another_language_gets_no_note(pipeline):
    # "¿Cómo se define el delito?": the English grammar checks would read "el delito" as the term
    answer = pipeline.ask("¿Cómo se define el ciberterrorismo en la convención?")
    assert not answer.text.startswith(t("gap_definition", "es", term="ciberterrorismo")[:20])
    assert "no definen" not in answer.text
