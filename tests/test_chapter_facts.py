"""A chapter's contents as a passage (metadata, no model): which questions get it, how a chapter is
named (number or title), and the sentence it quotes."""
from __future__ import annotations

import pytest

from assistant.answer.chapter_facts import chapter_contents_hits, chapters_of, contents_text, named_chapter
from assistant.answer.generate.extractive import compose
from assistant.answer.terms import IdfTable
from assistant.answer.types import Passage

DOC = "un-convention-against-cybercrime"
METADATAS = [
    {"doc_id": DOC, "chapter": "VII", "chapter_title": "Technical assistance and information exchange",
     "section": "article", "article": 54, "article_title": "Technical assistance and capacity-building"},
    {"doc_id": DOC, "chapter": "VII", "chapter_title": "Technical assistance and information exchange",
     "section": "article", "article": 55, "article_title": "Exchange of information"},
    {"doc_id": DOC, "chapter": "IX", "chapter_title": "FINAL PROVISIONS", "section": "article", "article": 67,
     "article_title": "Denunciation"},
    {"doc_id": DOC, "chapter": "IX", "chapter_title": "FINAL PROVISIONS", "section": "article", "article": 68,
     "article_title": "Depositary and languages"},
]


class _Index:
    metadatas = METADATAS
    ids = [f"c{i}" for i in range(len(METADATAS))]


CHAPTERS = chapters_of(METADATAS)


def test_the_contents_sentence_lists_every_article_with_its_title():
    assert contents_text(CHAPTERS[DOC]["IX"]) == ("Chapter IX (Final provisions): Article 67 (Denunciation), "
                                                   "Article 68 (Depositary and languages).")


@pytest.mark.parametrize("question,numerals,expected", [
    ("List the articles in chapter IX.", ("IX",), "IX"),
    ("List the articles in the final provisions chapter.", (), "IX"),
    ("Which articles make up the chapter on technical assistance and information exchange?", (), "VII"),
    ("Which articles deal with technical assistance?", (), None),  # no chapter named
])
def test_a_chapter_is_named_by_number_or_by_its_title(question, numerals, expected):
    found = named_chapter(question, numerals, CHAPTERS[DOC])
    assert (found.numeral if found else None) == expected


@pytest.mark.parametrize("question,wanted", [("List the articles in chapter IX.", True),
                                             ("What does chapter IX contain?", True),
                                             ("Why was chapter IX negotiated last?", False)])
def test_only_a_question_about_what_the_chapter_holds_gets_the_passage(question, wanted):
    hits = chapter_contents_hits(question, ("IX",), DOC, CHAPTERS, _Index(), 1.0, 6)
    assert bool(hits) is wanted
    if hits:
        assert hits[0].id == "c2" and hits[0].metadata["label"] == "Chapter contents"


def test_a_list_answer_leads_with_the_contents_then_quotes_only_that_chapter():
    contents = contents_text(CHAPTERS[DOC]["IX"])
    inside = "1. Any State Party may denounce this Convention by written notification."
    outside = "1. Each State Party shall exchange information on trends in cybercrime."
    idf = IdfTable([contents, inside, outside])
    passages = [Passage(1, outside, "Art. 55(1)", "UN", context=outside, title="Exchange of information", chapter="VII"),
                Passage(2, inside, "Art. 67(1)", "UN", context=inside, title="Denunciation", chapter="IX"),
                Passage(3, contents, "Chapter contents", "UN", context=contents, metadata=True, chapter="IX")]
    out = compose("List the articles in chapter IX.", passages, idf)
    assert out == [(contents, 3), ("Art. 67(1) (Denunciation): Any State Party may denounce this Convention by "
                                   "written notification.", 2)]
