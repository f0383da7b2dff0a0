"""Acronyms read from the documents: the long forms they spell out, the ones they do not, and
what the answer path does with them (a query that finds the long form, a name that is known)."""
from __future__ import annotations

import pytest

from assistant.answer.acronyms import Acronyms, discover
from assistant.answer.evidence import DECLINE_FEATURES, features
from assistant.answer.terms import IdfTable
from assistant.answer.types import Passage
from vectorstore.lexical import tokenize

TEXTS = [
    "A regional economic integration organization such as the European Union may become a Party.",
    "The member States of the European Union shall exercise their right to vote.",
    "Offences committed by means of an information and communications technology system.",
    "Access to an information and communications technology system without right.",
    "The use of information and communications technology systems for criminal purposes, "
    "and information and communications technology in general.",
    "Cooperation with non-governmental organizations and civil society organizations.",
    "Relevant non-governmental organizations may take part; non-governmental organizations may report.",
    "Trade-Related Aspects of Intellectual Property Rights apply.",
    "The Protection of Literary and Artistic Works is a separate treaty.",
    "It shall promptly inform the requesting State Party; it shall promptly act; it shall promptly say.",
    "The UN adopted it. The United Nations General Assembly met.",
]


def test_long_forms_come_from_the_texts():
    long = discover(TEXTS)
    assert long["EU"] == "European Union"
    assert long["ICT"] == "information and communications technology"
    assert long["NGO"] == "non-governmental organizations"


@pytest.mark.parametrize("acronym", [
    "IP",  # "Intellectual Property" is cut out of a longer name
    "PL",  # "Protection of Literary" is cut off before "and Artistic Works"
    "ISP",  # "it shall promptly": stop words are not a long form
    "GDPR",  # spelled out nowhere
])
def test_no_long_form_is_made_up(acronym):
    assert acronym not in discover(TEXTS)


def test_only_acronyms_the_documents_never_use_are_expanded():
    acronyms = Acronyms(TEXTS)
    assert "UN" not in acronyms.long  # the documents use "UN" itself: it matches as it is
    assert acronyms.expand("Does the EU's ratification count?") == "Does the EU's ratification count? (European Union)"
    assert acronyms.expand("Which parts give a role to NGOs?").endswith("(non-governmental organizations)")
    assert acronyms.expand("What does the GDPR say?") == "What does the GDPR say?"
    # a question that already spells it out is left alone
    assert acronyms.expand("Can the European Union (EU) join?") == "Can the European Union (EU) join?"


def test_an_acronym_the_documents_spell_out_is_not_an_unknown_name():
    acronyms = Acronyms(TEXTS)
    plain = IdfTable(TEXTS)
    aware = IdfTable(TEXTS, frozenset(t for a in acronyms.long for t in tokenize(a)))
    ps = [Passage(1, TEXTS[0], "", "", 1.0, TEXTS[0], 0.5)]

    def unknown_names(idf, question):
        x = features(question, question, ps, idf, [1.0])
        return dict(zip(DECLINE_FEATURES, x, strict=True))["unknown_names"]

    question = "Can the EU become a Party?"
    assert unknown_names(plain, question) > 0
    assert unknown_names(aware, question) == 0
    assert unknown_names(aware, "Can the GDPR become a Party?") > 0


@pytest.fixture(scope="module")
def pipeline(container):
    return container.pipeline("extractive")


def test_the_pipeline_searches_the_long_form(pipeline):
    answer = pipeline.ask("Does the EU's ratification count towards the number needed for entry into force?")
    assert "European Union" in answer.standalone_question
    assert not answer.refused
    assert any(c.article == 65 for c in answer.citations), [c.label for c in answer.citations]
