"""Answer shapes on fixed passages (no model, no index): lead spans, comparisons side by side,
follow-ups that answer the new aspect, and the references a question can make."""
from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.answer.generate.extractive import compose
from assistant.answer.sentences import split_cited_sentences
from assistant.answer.terms import IdfTable, asks_comparison, asks_list
from assistant.answer.tuning import DEFAULT
from assistant.answer.types import Passage
from assistant.answer.understand.condense import condense, is_follow_up
from assistant.answer.understand.refs import ArticleRef, article_refs, parse_refs

PRESERVE = ("2. Where a State Party gives effect to paragraph 1 of this article by means of an order to a person "
            "to preserve specified stored electronic data, the State Party shall oblige that person to preserve "
            "them for a period of time as long as necessary, up to a maximum of 90 days.\n\n"
            "3. A State Party may provide for such an order to be subsequently renewed.")
BUDAPEST = "1. Each Party shall adopt such legislative measures as may be necessary to establish as criminal offences the access to the whole or any part of a computer system without right."
UN = "1. Each State Party shall adopt such legislative and other measures as may be necessary to establish as criminal offences the access to the whole or any part of an information and communications technology system without right."


def _p(n, text, label, doc):
    return Passage(n, text, label, doc, context=f"{doc}, {label}\n{text}")


def test_a_duration_question_leads_with_the_duration():
    idf = IdfTable([PRESERVE, BUDAPEST, UN])
    out = compose("How long can preserved data be kept?", [_p(1, PRESERVE, "Art. 25(2)", "UN Convention")], idf)
    assert out[0] == ("Up to a maximum of 90 days.", 1)


def test_a_when_clause_that_opens_a_condition_gets_no_date_lead():
    text = "This Convention shall be open to all States for signature from 25 October 2025 in Hanoi."
    idf = IdfTable([text, UN])
    passages = [_p(1, text, "Art. 64(1)", "UN Convention")]
    assert compose("When was the Convention open for signature?", passages, idf)[0] == ("25 October 2025.", 1)
    conditional = compose("When a State signs the Convention in Hanoi, is it bound?", passages, idf)
    assert conditional[0][0] == text


def test_a_follow_up_answers_the_new_aspect_not_the_previous_answer():
    idf = IdfTable([PRESERVE, BUDAPEST, UN])
    passages = [_p(1, PRESERVE, "Art. 25(2)", "UN Convention")]
    first = compose("How long can preserved data be kept?", passages, idf)
    avoid = frozenset(t.rstrip(".;: ") for t, _ in first)
    again = compose("And can it be extended?", passages, idf, carried="How long can preserved data be kept?", avoid=avoid)
    assert again[0][0] == "A State Party may provide for such an order to be subsequently renewed."


DISPUTES = ("1. States Parties shall endeavour to settle disputes concerning the interpretation or application of "
            "this Convention through negotiation or any other peaceful means of their own choice.\n\n"
            "2. Any dispute between two or more States Parties that cannot be settled through negotiation within a "
            "reasonable time shall, at the request of one of those States Parties, be submitted to arbitration. If, six "
            "months after the date of the request for arbitration, those States Parties are unable to agree on the "
            "organization of the arbitration, any one of those States Parties may refer the dispute to the International "
            "Court of Justice.")


def test_a_quoted_sentence_is_followed_by_the_next_one_that_leans_back_on_it():
    idf = IdfTable([DISPUTES, PRESERVE, UN])
    one = replace(DEFAULT, max_units=1)  # the scores alone would quote one sentence
    out = compose("Can a dispute be submitted to arbitration?", [_p(1, DISPUTES, "Art. 63", "UN Convention")], idf, one)
    texts = [t for t, _ in out]
    arbitration = next(i for i, t in enumerate(texts) if t.endswith("be submitted to arbitration."))
    assert texts[arbitration + 1].startswith("If, six months after the date of the request for arbitration")


@pytest.mark.parametrize("follower", [
    "Each State Party shall adopt such legislative and other measures as may be necessary to protect witnesses.",
    "These measures shall include the power to:",
])
def test_boilerplate_such_and_item_intros_are_not_continuations(follower):
    text = "Each State Party shall keep a register of every request for arbitration it receives. " + follower
    idf = IdfTable([text, UN])
    out = compose("Does a State Party keep a register of requests for arbitration?", [_p(1, text, "Art. 9", "UN Convention")],
                  idf, replace(DEFAULT, max_units=1))
    assert [t for t, _ in out] == ["Each State Party shall keep a register of every request for arbitration it receives."]


def test_a_comparison_answers_side_by_side_naming_each_document():
    idf = IdfTable([PRESERVE, BUDAPEST, UN])
    passages = [_p(1, UN, "Art. 7(1)", "UN Convention"), _p(2, BUDAPEST, "Art. 2", "Budapest Convention")]
    out = compose("How do the UN and Budapest conventions differ on illegal access?", passages, idf)
    assert [n for _, n in out] == [1, 2]
    assert out[0][0].startswith("Under the UN Convention (Art. 7(1)): Each State Party shall adopt")
    assert out[1][0].startswith("Under the Budapest Convention (Art. 2): Each Party shall adopt")


def test_a_comparison_quotes_the_matching_provision_not_a_sentence_with_its_comparison_words():
    extradition = ("b) Where a different minimum penalty is to be applied under an arrangement agreed between two or "
                   "more parties, the minimum penalty provided for under such arrangement shall apply.")
    idf = IdfTable([PRESERVE, BUDAPEST, UN, extradition])
    passages = [_p(1, UN, "Art. 7(1)", "UN Convention"), _p(2, BUDAPEST, "Art. 2", "Budapest Convention"),
                _p(3, extradition, "Art. 24(1)", "Budapest Convention")]
    out = compose("What are the differences between the UN convention and the Budapest Convention on illegal access?",
                  passages, idf)
    assert [n for _, n in out] == [1, 2]


def test_quotes_from_two_documents_say_whose_they_are():
    budapest_preserve = ("2. Where a Party gives effect to paragraph 1 by means of an order to a person to preserve "
                         "specified stored computer data, the Party shall oblige that person to preserve them for a "
                         "period of time as long as necessary, up to a maximum of ninety days.")
    statement = "1. Rights groups said the preservation powers lack safeguards."
    idf = IdfTable([PRESERVE, budapest_preserve, statement, UN])
    passages = [_p(1, PRESERVE, "Art. 25(2)", "United Nations Convention against Cybercrime (Hanoi Convention)"),
                _p(2, budapest_preserve, "Art. 16(2)", "Convention on Cybercrime (Budapest Convention)"),
                _p(3, statement, "Joint statement, para. 1", "Joint statement")]
    out = compose("How long must a person preserve stored data, and what did rights groups say of preservation?",
                  passages, idf, replace(DEFAULT, keep_ratio=0.0))
    by_n = {n: text for text, n in out}
    assert by_n[1].startswith("Under the Hanoi Convention (Art. 25(2)): Where a State Party gives effect")
    assert by_n[2].startswith("Under the Budapest Convention (Art. 16(2)): Where a Party gives effect")
    assert by_n[3] == "In “Joint statement”: Rights groups said the preservation powers lack safeguards."
    one_document = compose("How long can preserved data be kept?", passages[:1], idf)
    assert not any(text.startswith("Under the") for text, _ in one_document)


def test_a_follow_up_passes_over_the_previous_quotes_without_their_document_names():
    from assistant.answer.respond import _previous_quotes

    last = ("Up to a maximum of 90 days [1]. Under the Hanoi Convention (Art. 25(2)): Where a State Party gives "
            "effect to paragraph 1 [1]. In “Joint statement”: Rights groups said so [2].")
    assert _previous_quotes([{"role": "assistant", "content": last}]) == [
        "Up to a maximum of 90 days", "Where a State Party gives effect to paragraph 1", "Rights groups said so"]


def _titled(n, text, label, title, doc="United Nations Convention against Cybercrime (Hanoi Convention)"):
    return Passage(n, text, label, doc, context=f"{doc}, {label}\n{text}", title=title)


def test_a_list_question_enumerates_the_articles_each_with_its_label_and_title():
    grooming = "4. States Parties may take steps to exclude the criminalization of such conduct when committed by children."
    victims = "5. Each State Party shall take into account the particular circumstances and needs of children."
    news = "Rights groups said the treaty does too little for children."
    idf = IdfTable([grooming, victims, news, UN])
    passages = [_titled(1, grooming, "Art. 15(4)", "Solicitation or grooming"),
                Passage(2, news, "60 countries sign, paras 1-8", "60 countries sign", context=news),
                _titled(3, victims, "Art. 34(5)", "Assistance to and protection of victims")]
    out = compose("Which articles deal with children?", passages, idf)
    assert out == [("Art. 15(4) (Solicitation or grooming): States Parties may take steps to exclude the "
                     "criminalization of such conduct when committed by children.", 1),
                    ("Art. 34(5) (Assistance to and protection of victims): Each State Party shall take into "
                     "account the particular circumstances and needs of children.", 3)]


@pytest.mark.parametrize("question,expected", [("Which articles deal with children?", True),
                                               ("In which offence articles may a country add a requirement?", True),
                                               ("List the provisions on extradition.", True),
                                               ("What does article 47(2) say?", False),
                                               ("What does the federal clause allow?", False)])
def test_what_counts_as_a_list_question(question, expected):
    assert asks_list(question) is expected


def test_a_footnote_after_a_sentence_is_a_sentence_of_its_own():
    assert split_cited_sentences("One thing [1]. [^1]: It is noted that notes were annexed [2].") == [
        ("One thing.", [1]), ("[^1]: It is noted that notes were annexed.", [2])]


@pytest.mark.parametrize("question", ["Do both conventions require states to criminalise attempts?",
                                      "How does the UN definition differ from the Budapest one?",
                                      "Is the UN text comparable to the Budapest Convention on this?"])
def test_comparisons_are_recognised(question):
    assert asks_comparison(question)


def test_a_plain_question_is_not_a_comparison():
    assert not asks_comparison("How long can preserved data be kept?")


@pytest.mark.parametrize("text", ["Article 40 paragraph 8", "art. 40(8)", "para 8 of article 40", "What does 40(8) say?",
                                  "article 40, paragraph 8, of the Convention"])
def test_paragraph_references_in_every_form(text):
    assert article_refs(text) == (ArticleRef(40, 8),)


def test_article_ranges_expand():
    assert [r.article for r in article_refs("Articles 7 to 10 and 12")] == [7, 8, 9, 10, 12]


def test_a_resolution_number_is_not_an_article():
    assert article_refs("What does resolution 79/243 ask for?") == ()


def test_a_new_topic_after_a_declined_question_is_searched_on_its_own():
    history = [{"role": "user", "content": "How tall is Mount Everest?"},
               {"role": "assistant", "content": "I searched the documents for “How tall is Mount Everest?”, and they do not say."}]
    s = condense("What is illegal interception?", history, parse_refs)
    assert not s.follow_up and s.query == "What is illegal interception?"


def test_a_follow_up_is_joined_back_to_the_question_that_opened_the_topic():
    history = [{"role": "user", "content": "Who has criticised the UN cybercrime convention?"},
               {"role": "assistant", "content": "x"},
               {"role": "user", "content": "What is their main objection?"},
               {"role": "assistant", "content": "y"}]
    s = condense("Does that include sharing evidence?", history, parse_refs)
    assert s.follow_up
    assert "criticised" in s.query and "main objection" in s.query


def test_a_follow_up_carries_only_the_first_source_of_an_answer_naming_several():
    aliases = {"Budapest": "budapest"}
    history = [{"role": "user", "content": "How long can preserved data be kept?"},
               {"role": "assistant", "content": "Up to a maximum of 90 days [1]. Under the Hanoi Convention (Art. 25(2)): "
                "Where a State Party gives effect … [1]. Under the Budapest Convention (Art. 16(2)): Where a Party … [2]."}]
    s = condense("And can it be extended?", history, lambda text: parse_refs(text, aliases))
    assert s.refs.articles == (ArticleRef(25, 2),) and s.refs.docs == ()
    plain = [history[0], {"role": "assistant", "content": "Article 16 of the Budapest Convention requires it [1]."}]
    s = condense("And can it be extended?", plain, lambda text: parse_refs(text, aliases))
    assert s.refs.articles == (ArticleRef(16),) and s.refs.docs == ("budapest",)


@pytest.mark.parametrize("question, expected", [("And in Budapest?", True), ("Extended?", True),
                                                ("What is illegal interception?", False)])
def test_what_counts_as_a_follow_up(question, expected):
    assert is_follow_up(question) is expected


def test_a_lettered_item_is_part_of_the_reference():
    assert article_refs("What does article 2(p) define?") == (ArticleRef(2, 0, "p"),)
    assert article_refs("Art. 16(2)(b) and 26") == (ArticleRef(16, 2, "b"), ArticleRef(26))
    assert article_refs("article 5 (see the note)") == (ArticleRef(5),)  # a bracketed word is not an item
