"""The bundled corpus -> chunks: treaty structure, labels, sizes, headers, and what must never be embedded."""
from __future__ import annotations

import re
from collections import defaultdict

import pytest

from ingest import load_corpus
from tests.conftest import BUDAPEST, CORPUS, UN

FURNITURE = ["excerpt ends here", "https://www.dialoguepakistan.com/en/assets/images/user-avatar-s.jpg",
             "0 comment", "Write the first comment"]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus([CORPUS])


@pytest.fixture(scope="module")
def by_doc(corpus):
    out = defaultdict(list)  # doc_id -> chunks in order
    for c in corpus.chunks:
        out[c.doc_id].append(c)
    return out


def articles(chunks) -> set[int]:
    return {c.metadata["article"] for c in chunks if c.metadata["section"] == "article"}


def folded(text: str) -> str:
    return " ".join(text.split())


def test_corpus_loads_every_document_and_skips_only_the_readme(corpus):
    assert len(corpus.documents) == 9
    assert [(s.path, s.reason) for s in corpus.skipped] == [
        (str(CORPUS / "README.md"), "folder README: describes the corpus, not ingested")
    ]


def test_un_treaty_has_68_articles_preamble_annex_and_closing(by_doc):
    un = by_doc[UN]
    assert articles(un) == set(range(1, 69))
    sections = {c.metadata["section"] for c in un}
    assert {"preamble", "article", "annex", "closing", "footnote"} <= sections
    preamble = " ".join(c.text for c in un if c.metadata["section"] == "preamble")
    assert preamble.startswith("The States Parties to the present Convention,")
    notes = [c for c in un if c.metadata["section"] == "annex"]
    assert sorted(c.metadata["paragraph"] for c in notes) == [1, 2, 3, 4, 5]
    assert all(c.metadata["label"].startswith(f"Annex, note {c.metadata['paragraph']} (Article") for c in notes)


def test_budapest_has_48_articles(by_doc):
    assert articles(by_doc[BUDAPEST]) == set(range(1, 49))


def test_every_numbered_paragraph_of_the_un_treaty_is_addressable_by_label(by_doc):
    # an independent scan of the source: "### Article N" headings, then "p. ..." paragraphs
    raw = (CORPUS / "treaty" / f"{UN}.md").read_text(encoding="utf-8").split("\n# Annex")[0]
    expected, article = set(), 0
    for line in raw.splitlines():
        if m := re.match(r"### Article (\d+)\.", line):
            article = int(m.group(1))
        elif article and (m := re.match(r"(\d+)\. ", line)):
            expected.add(f"Art. {article}({m.group(1)})")
    labels = {c.metadata["label"] for c in by_doc[UN]}
    assert len(expected) > 250
    assert expected <= labels
    for c in by_doc[UN]:
        if c.metadata["section"] == "article" and c.metadata["paragraph"] and c.metadata["part"] <= 1:
            assert c.text.startswith(f"{c.metadata['paragraph']}. ")


def test_art_25_2_holds_the_90_days_rule(by_doc):
    chunks = [c for c in by_doc[UN] if c.metadata["label"] == "Art. 25(2)"]
    assert len(chunks) == 1
    assert chunks[0].metadata["article"] == 25 and chunks[0].metadata["paragraph"] == 2
    assert chunks[0].metadata["article_title"] == "Expedited preservation of stored electronic data"
    assert "90 days" in chunks[0].text


def test_long_paragraphs_are_split_into_parts_that_keep_their_label(by_doc):
    source = folded((CORPUS / "treaty" / f"{UN}.md").read_text(encoding="utf-8"))
    parts = defaultdict(list)  # label -> its parts, in order
    for c in by_doc[UN]:
        if c.metadata["part"]:
            parts[c.metadata["label"]].append(c)
    assert {"Art. 2", "Art. 17(1)", "Art. 40(3)"} <= set(parts)
    for label, chunks in parts.items():
        assert [c.metadata["part"] for c in chunks] == list(range(1, len(chunks) + 1)), label
        positions = [c.position for c in chunks]
        assert positions == list(range(positions[0], positions[0] + len(chunks))), label
        # nothing lost or reordered: the parts re-joined are a verbatim run of the source
        assert folded(" ".join(c.text for c in chunks)) in source, label


def test_every_embed_text_fits_the_model_window(corpus, embedder):
    from ingest.chunking import EMBED_WINDOW
    tokenizer = embedder.model.tokenizer
    assert embedder.model.max_seq_length >= EMBED_WINDOW  # whichever embedder is the default
    sizes = {c.chunk_id: len(tokenizer(c.embed_text)["input_ids"]) for c in corpus.chunks}
    # within the smaller window of the two shipped embedders, so switching embedders truncates nothing
    assert max(sizes.values()) <= EMBED_WINDOW, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]


def test_embed_text_starts_with_a_header_naming_document_and_article(by_doc, corpus):
    shorts = {c.doc_id: c.metadata["doc_short_title"] for c in corpus.chunks}
    assert shorts[UN] == "United Nations Convention against Cybercrime (Hanoi Convention)"
    assert shorts[BUDAPEST].startswith("Convention on Cybercrime (Budapest Convention)")
    for c in corpus.chunks:
        header, _, body = c.embed_text.partition("\n")
        assert body == c.text  # the header is embedded but never shown as quoted text
        assert header.startswith(shorts[c.doc_id])
        if c.metadata["section"] == "article":
            assert header.startswith(f"{shorts[c.doc_id]}, Article {c.metadata['article']}. {c.metadata['article_title']}")
    art7 = next(c for c in by_doc[UN] if c.metadata["label"] == "Art. 7(1)")
    assert art7.embed_text.startswith(
        "United Nations Convention against Cybercrime (Hanoi Convention), Article 7. Illegal access (Chapter II: Criminalization)\n"
    )


def test_front_matter_never_reaches_chunk_text(corpus):
    import yaml

    keys = set()
    for path in CORPUS.rglob("*.md"):
        raw = path.read_text(encoding="utf-8")
        if raw.startswith("---"):
            keys |= set(yaml.safe_load(raw.split("---")[1]))
    assert {"title", "source_url", "kind", "publisher"} <= keys
    for c in corpus.chunks:
        for text in (c.text, c.embed_text):
            assert not text.startswith("---")
            assert not any(re.match(rf"^{k}:", line) for line in text.splitlines() for k in keys), c.chunk_id
    assert not any("wannli/mandate-pipeline" in c.embed_text for c in corpus.chunks)


def test_page_furniture_is_not_in_any_chunk(corpus):
    raw = "\n".join(p.read_text(encoding="utf-8") for p in CORPUS.rglob("*") if p.suffix in (".md", ".txt"))
    assert all(f in raw for f in FURNITURE)  # the corpus does contain each of them
    for c in corpus.chunks:
        for f in FURNITURE:
            assert f not in c.embed_text, (c.chunk_id, f)


def test_plain_text_page_title_is_its_first_line(corpus):
    doc = next(d for d in corpus.documents if d.doc_id == "dialogue-pakistan-60-countries-sign-2025-10-25")
    assert doc.title == "60 countries sign UN cybercrime treaty amid concerns over misuse and oversight"
    assert doc.text.rstrip().endswith("could still be misused if not applied carefully.")


def test_chunk_ids_are_unique_and_stable(corpus):
    ids = [c.chunk_id for c in corpus.chunks]
    assert len(set(ids)) == len(ids)
    assert [c.chunk_id for c in load_corpus([CORPUS]).chunks] == ids
