"""A named document's title and date as a passage (doc_facts.py): which questions get it, what it
says, and that the composer leads with it, on fixed metadata (no index); then through the
pipeline on the bundled corpus, the issue's two examples."""
from __future__ import annotations

import pytest

from assistant.answer.doc_facts import LABEL, asks_document_fact, fact_text
from assistant.answer.generate.extractive import compose
from assistant.answer.terms import IdfTable
from assistant.answer.types import Passage

BUDAPEST = {"doc_title": "Convention on Cybercrime (Budapest Convention), Council of Europe, CETS/ETS No. 185",
            "doc_short_title": "Convention on Cybercrime (Budapest Convention)",
            "date": "2001-11-23 (opened for signature, Budapest); entered into force 2004-07-01"}
RESOLUTION = {"doc_title": "Resolution 79/243 adopted by the General Assembly on 24 December 2024: United Nations "
                           "Convention against Cybercrime",
              "doc_short_title": "Resolution 79/243 adopted by the General Assembly on 24 December 2024",
              "date": "2024-12-24 (adopted); document dated 31 December 2024"}
STATEMENT = {"doc_title": "Statement attributable to the Spokesman for the Secretary-General on the adoption",
             "doc_short_title": "Statement attributable to the Spokesman for the Secretary-General on the…",
             "date": "2024-12-24"}
EXTRADITION = ("1. The purpose of the present Convention is to supplement the European Convention on Extradition, "
               "opened for signature in Paris, on 13 December 1957 (ETS No. 24).")


@pytest.mark.parametrize("question, metadata, asked", [
    ("When was the Budapest Convention opened for signature?", BUDAPEST, True),
    ("When did the Budapest Convention enter into force?", BUDAPEST, True),
    ("When was resolution 79/243 adopted?", RESOLUTION, True),
    ("Which General Assembly resolution adopted the convention?", RESOLUTION, True),
    # a date of something in the text, not of the document
    ("When was the CDPC supposed to review all the provisions of the Budapest Convention?", BUDAPEST, False),
    ("When does the resolution say the committee meets?", RESOLUTION, False),
    # "when" as a condition
    ("When a country passes information without being asked, can it insist on confidentiality?", BUDAPEST, False),
    # "which" asking for articles, "what" asking what the text says
    ("Which Budapest Convention articles cover mutual assistance?", BUDAPEST, False),
    ("What does resolution 79/243 ask for?", RESOLUTION, False),
    # a bare date names no event: nothing in the question can match it
    ("When did the Secretary-General welcome the treaty?", STATEMENT, False),
])
def test_which_questions_ask_a_documents_own_facts(question, metadata, asked):
    assert asks_document_fact(question, metadata) is asked


def test_the_facts_are_the_metadata_verbatim_in_two_sentences():
    assert fact_text(BUDAPEST) == ("Convention on Cybercrime (Budapest Convention), Council of Europe, CETS/ETS No. 185."
                                   "\n\nConvention on Cybercrime (Budapest Convention): 2001-11-23 (opened for "
                                   "signature, Budapest); entered into force 2004-07-01.")
    # a shortened title ("…") names nothing: the date goes with the whole title
    assert fact_text(STATEMENT).endswith("\n\nStatement attributable to the Spokesman for the Secretary-General on "
                                         "the adoption: 2024-12-24.")
    assert fact_text({"doc_title": "A page"}) == "A page."
    assert fact_text({}) == ""


def test_a_when_question_leads_with_the_named_documents_date_not_another_date_in_its_text():
    idf = IdfTable([EXTRADITION, fact_text(BUDAPEST)])
    text = Passage(1, EXTRADITION, "Art. 39(1)", "Budapest Convention", 7.0,
                   f"Budapest Convention, Art. 39(1)\n{EXTRADITION}")
    facts = Passage(2, fact_text(BUDAPEST), LABEL, "Budapest Convention", 7.0, fact_text(BUDAPEST), metadata=True)
    out = compose("When was the Budapest Convention opened for signature?", [text, facts], idf)
    assert out[0] == ("2001-11-23.", 2)
    assert out[1] == ("Convention on Cybercrime (Budapest Convention): 2001-11-23 (opened for signature, Budapest); "
                      "entered into force 2004-07-01.", 2)
    # without the facts passage the same question led with the Extradition Convention's date
    assert compose("When was the Budapest Convention opened for signature?", [text], idf)[0] == ("13 December 1957.", 1)


@pytest.fixture(scope="module")
def pipeline(container):
    from assistant.answer.chain import AnswerPipeline
    from assistant.answer.generate.extractive import ExtractiveGenerator

    return AnswerPipeline(container, ExtractiveGenerator(tuning=container.tuning), container.tuning)


def test_the_budapest_conventions_opening_date_comes_from_its_metadata(pipeline):
    answer = pipeline.ask("When was the Budapest Convention opened for signature?")
    assert answer.text.startswith("2001-11-23 [1]. Convention on Cybercrime (Budapest Convention): 2001-11-23 "
                                  "(opened for signature, Budapest); entered into force 2004-07-01 [1].")
    assert "1957" not in answer.text and not answer.unverified
    first = answer.citations[0]
    assert (first.doc_id, first.label, first.section) == ("budapest-convention-cets-185", LABEL, "document")
    assert all(r["label"] != LABEL for r in answer.retrieved)  # not a search result: hit@k is unchanged


def test_the_resolution_that_adopted_the_convention_is_named_by_its_number(pipeline):
    answer = pipeline.ask("Which General Assembly resolution adopted the convention?")
    assert answer.text.startswith("Resolution 79/243 adopted by the General Assembly on 24 December 2024")
    assert answer.citations[0].doc_id == "unga-resolution-79-243"


def test_a_question_about_the_text_gets_no_facts_passage(pipeline):
    answer = pipeline.ask("When was the CDPC supposed to review all the provisions of the Budapest Convention?")
    assert LABEL not in {c.label for c in answer.citations}
    assert "three years" in answer.text
