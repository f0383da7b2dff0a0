"""Structure-aware retrieval: named articles first, then candidates ranked by fitted weights.

A question naming an article gets that article's chunks first (the named paragraph
leading, the rest ranked by relevance). Every other candidate (dense and BM25 top lists)
is scored by rank.py's features times `Tuning.rank_weights`: document priors, named
documents, sections, chapters, article titles and defined terms are features, not constants.
A reference to an article a document does not have is reported.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from vectorstore import Hit, HybridIndex
from vectorstore.lexical import tokenize

from .acronyms import Acronyms
from .adapter import QueryAdapter
from .chapter_facts import chapter_contents_hits, chapters_of
from .doc_facts import document_fact_hits
from .rank import FEATURES, Candidates, FeatureBuilder
from .sentences import ITEM
from .terms import IdfTable, asks_comparison, content_terms
from .tuning import DEFAULT, Tuning
from .types import Passage, Turn
from .understand.refs import ArticleRef, Refs, doc_aliases, parse_refs, title_words
from .unit_vectors import UnitVectors


@dataclass(frozen=True)
class MissingArticle:
    """A named article (or its paragraph or lettered item) the document does not have."""

    doc_id: str
    doc_title: str
    article: int
    highest: int  # the document's highest article number
    part: str = ""  # the missing part, "paragraph 22" or "item (p)"; empty: the article itself
    have: str = ""  # what the article has instead, "paragraphs 1 to 21"

    def describe(self) -> str:
        if not self.part:
            return f"The {self.doc_title} has {self.highest} articles; there is no Article {self.article}."
        return f"Article {self.article} of the {self.doc_title} has {self.have}; it has no {self.part}."


def _span(values: list, fmt=str) -> str:
    return f"{fmt(values[0])} to {fmt(values[-1])}" if len(values) > 1 else fmt(values[0])


def missing_part(ref: ArticleRef, metas: list[dict], texts: list[str]) -> tuple[str, str] | None:
    """(missing part, what the article has) when the named paragraph or item is not in it."""
    paragraphs = sorted({p for m in metas for p in range(int(m.get("paragraph") or 0),
                                                          int(m.get("paragraph_end") or m.get("paragraph") or 0) + 1) if p})
    if ref.paragraph and ref.paragraph not in paragraphs:
        return f"paragraph {ref.paragraph}", f"paragraphs {_span(paragraphs)}" if paragraphs else "no numbered paragraphs"
    if ref.item:
        within = [t for m, t in zip(metas, texts, strict=True) if not ref.paragraph or m.get("paragraph") == ref.paragraph]
        items = sorted({x for t in within for x in ITEM.findall(t)})
        if ref.item not in items:
            return f"item ({ref.item})", f"items {_span(items, lambda x: f'({x})')}" if items else "no lettered items"
    return None


@dataclass(frozen=True)
class Retrieval:
    query: str
    hits: list[Hit]
    refs: Refs
    pinned: int = 0  # how many leading hits came from named articles
    missing: list[MissingArticle] = field(default_factory=list)
    missing_chapters: list[tuple[str, str, int]] = field(default_factory=list)  # (doc title, chapter, chapters)
    query_vec: Any = None  # the query's embedding, which the composer compares its units with
    in_order: bool = False  # a named article asked as a whole: its parts in their own order, none preferred
    own: tuple[ArticleRef, ...] = ()  # the articles the query names in its own words (not inherited by a follow-up)


class Retriever:
    """Turns a standalone question into ranked passages from one `HybridIndex`."""

    def __init__(self, index: HybridIndex, primary_doc: str, tuning: Tuning = DEFAULT, k: int = 5,
                 adapter: QueryAdapter | None = None, unit_vectors: UnitVectors | None = None,
                 multilingual=None, multilingual_units: UnitVectors | None = None):
        self.index = index
        self.adapter = adapter
        self.unit_vectors = unit_vectors  # the composer's sentence vectors of this index version
        self.multilingual = multilingual  # the multilingual embedder (rank.py uses it if the index has its space)
        self.multilingual_units = multilingual_units  # the same sentence vectors in its space
        self.primary_doc = primary_doc
        self.tuning = tuning
        self.k = k
        self.titles: dict[str, str] = {}
        self.short_titles: dict[str, str] = {}  # doc_id -> name for messages, in index order
        self.kinds: dict[str, str] = {}
        kinds = self.kinds
        self.articles: dict[str, set[int]] = {}  # doc_id -> article numbers
        self.first_rows: dict[str, int] = {}  # doc_id -> its first row (its title and date: doc_facts.py)
        for row, m in enumerate(index.metadatas):
            doc = m.get("doc_id", "")
            self.first_rows.setdefault(doc, row)
            self.titles.setdefault(doc, f"{m.get('doc_title', '')} {m.get('doc_short_title', '')}")
            self.short_titles.setdefault(doc, m.get("doc_short_title") or m.get("doc_title") or doc)
            kinds.setdefault(doc, m.get("kind", ""))
            if m.get("section") == "article" and m.get("article"):
                self.articles.setdefault(doc, set()).add(int(m["article"]))
        self.aliases = doc_aliases(self.titles, primary_doc, kinds)
        self.title_words = title_words(self.titles)  # other instruments' articles are not ours (refs.py)
        self.chapter_contents = chapters_of(index.metadatas)  # doc_id -> numeral -> its articles (chapter_facts.py)
        self.chapters: dict[str, set[str]] = {doc: set(ch) for doc, ch in self.chapter_contents.items()}  # numerals
        # article title -> its content terms; defined term -> True
        self.article_titles: dict[str, set[str]] = {}
        self.defined: set[str] = set()
        for m in index.metadatas:
            title = m.get("article_title") or ""
            if title and title not in self.article_titles:
                self.article_titles[title] = set(tokenize(title))
            self.defined.update(t for t in (m.get("defines") or "").split("|") if t)

    @cached_property
    def acronyms(self) -> Acronyms:
        """The acronyms this index version's documents spell out but never use ("EU")."""
        return Acronyms(self.index.texts)

    @cached_property
    def idf(self) -> IdfTable:
        """Term rarity over this index version's chunks (as indexed: header + text); an acronym the
        documents spell out is known."""
        return IdfTable(self.index.embed_texts, frozenset(t for a in self.acronyms.long for t in tokenize(a)))

    @cached_property
    def features(self) -> FeatureBuilder:
        docs = list(self.short_titles)
        texts = [f"{self.titles.get(d, '')}. {self.kinds.get(d, '')}" for d in docs]
        vectors = dict(zip(docs, np.asarray(self.index.embedder.embed_documents(texts), dtype=np.float32), strict=True))
        return FeatureBuilder(self.index, self.primary_doc, self.idf, vectors, self.article_titles, self.defined,
                              set(self.articles), self.tuning.rare_name_max_rows, adapter=self.adapter,
                              unit_vectors=self.unit_vectors, multilingual=self.multilingual,
                              multilingual_units=self.multilingual_units)

    def candidates(self, query: str, refs: Refs, query_vec, where=None) -> Candidates:
        return self.features.build(query, query_vec, refs, where)

    def closest_sentence(self, texts: list[str], query: str, query_vec) -> float:
        """How close the closest sentence of `texts` comes to the question (rank.FeatureBuilder)."""
        return self.features.closest_sentence(texts, query, query_vec)

    def doc_title(self, doc_id: str) -> str:
        return self.short_titles.get(doc_id, doc_id)

    def parse(self, text: str) -> Refs:
        return parse_refs(text, self.aliases, self.title_words)

    def _article_doc(self, ref: ArticleRef, docs: tuple[str, ...]) -> str:
        candidates = [d for d in docs if d in self.articles] or [self.primary_doc]
        return candidates[0]

    def retrieve(self, query: str, refs: Refs | None = None, k: int | None = None,
                 doc_id: str | None = None, query_vec: list[float] | None = None) -> Retrieval:
        k = k or self.k
        refs = refs if refs is not None else self.parse(query)
        if query_vec is None:
            query_vec = self.index.embedder.embed_query(query)
        where = {"doc_id": doc_id} if doc_id else None
        pinned: list[Hit] = []
        missing: list[MissingArticle] = []
        in_order = False
        # an article of another instrument ("Article 8 of the European Convention on Human Rights") is
        # not one of ours: nothing is pinned, and decide() says the documents do not include it
        own = self.parse(query).articles  # named in the query's own words
        asked_articles = {r.article for r in own}
        for ref in refs.articles if not refs.other else ():
            doc = doc_id or self._article_doc(ref, refs.docs)
            if ref.article not in self.articles.get(doc, set()):
                highest = max(self.articles.get(doc, {0}))
                if highest:
                    missing.append(MissingArticle(doc, self.doc_title(doc), ref.article, highest))
                continue
            flt = {"doc_id": doc, "article": ref.article, "section": "article"}
            rows = self.index.rows_where(flt)
            gap = missing_part(ref, [self.index.metadatas[r] for r in rows], [self.index.texts[r] for r in rows])
            if gap:
                missing.append(MissingArticle(doc, self.doc_title(doc), ref.article, 0, *gap))
                continue
            ranked = self.index.search(query, k=len(rows), where=flt, query_vec=query_vec)
            named = {str(ref.article), str(ref.paragraph), ref.item}
            asked = {t for t in content_terms(query) if t not in named}
            if ref.article in asked_articles and not any(asked & self.features.row_terms(r) for r in rows):
                # the question names the article and no word of it tells the article's parts apart:
                # the article, in its own order (an article carried over from an earlier answer is
                # not asked as a whole: "And can it be extended?" wants the sentence that says so)
                top = max(h.score for h in ranked)
                in_order = True
                ranked = [replace(h, score=top) for h in sorted(ranked, key=lambda h: self.index.row[h.id])]
            if ref.paragraph:
                ranked.sort(key=lambda h: h.metadata.get("paragraph") != ref.paragraph)
            pinned += [h for h in ranked if h.id not in {p.id for p in pinned}]
        found = self.rank(query, refs, query_vec, k + len(pinned), where)
        pinned_ids = {h.id for h in pinned}
        rest = [h for h in found if h.id not in pinned_ids]
        hits = pinned + rest
        hits = [replace(h, rank=i) for i, h in enumerate(hits[: max(k, min(len(pinned), 2 * k))], start=1)]
        doc = (doc_id or next((d for d in refs.docs if d in self.chapters), self.primary_doc))
        no_chapter = [(self.doc_title(doc), c, len(self.chapters[doc])) for c in refs.chapters
                      if doc in self.chapters and c not in self.chapters[doc]]
        return Retrieval(query, hits, refs, pinned=min(len(pinned), len(hits)), missing=missing,
                         missing_chapters=no_chapter, query_vec=query_vec, in_order=in_order, own=own)


    def rank(self, query: str, refs: Refs, query_vec, k: int, where=None) -> list[Hit]:
        """The top k by the fitted linear score over candidate features."""
        cands = self.candidates(query, refs, query_vec, where)
        scores = cands.scores(self.tuning.rank_weights)
        order = list(np.argsort(-scores, kind="stable"))
        definition = cands.X[:, FEATURES.index("definition")]
        if definition.any():  # a defined term the question asks about: its definition leads, as a named article does
            named = [i for i in order if definition[i] and (not refs.docs or
                     self.index.metadatas[cands.rows[i]].get("doc_id") in refs.docs)]
            if named:
                order = [named[0], *[i for i in order if i != named[0]]]
        if asks_comparison(query):  # "both conventions": the documents with articles, primary first
            order = self._both_sides(order, cands, [self.primary_doc, *(refs.docs or sorted(self.articles))], k)
        lex = cands.X[:, FEATURES.index("lex")]
        return [self.index.hit(cands.rows[i], float(scores[i]), float(cands.dense.get(cands.rows[i], 0.0)),
                               float(lex[i]), rank) for rank, i in enumerate(order[:k], start=1)]


    def _both_sides(self, order: list[int], cands: Candidates, docs: list[str], k: int) -> list[int]:
        """A comparison: each compared document's best candidate within the top k."""
        top = order[:k]
        for doc in dict.fromkeys(docs):
            docs_of = [self.index.metadatas[cands.rows[i]].get("doc_id") for i in top]
            if doc in docs_of:
                continue
            best = next((i for i in order if self.index.metadatas[cands.rows[i]].get("doc_id") == doc), None)
            if best is not None:
                # replace the lowest-ranked candidate of a document that appears more than once
                for j in range(len(top) - 1, -1, -1):
                    if docs_of.count(docs_of[j]) > 1:
                        top[j] = best
                        break
        top.sort(key=order.index)
        return top + [i for i in order if i not in top]


def passages_for(retrieval: Retrieval, retriever: Retriever) -> tuple[list[Passage], list[Hit]]:
    """The passages a generator sees: the named articles' chunks if any, else the top k; then a named
    document's title and date when the question asks when or which one (doc_facts.py), and a named
    chapter's articles when it asks what the chapter holds (chapter_facts.py), scored as the first
    passage (the question is about the document or chapter itself)."""
    hits = retrieval.hits[: retrieval.pinned] if retrieval.pinned else retrieval.hits[: retriever.k]
    facts = document_fact_hits(retrieval.query, retrieval.refs.docs, retriever.first_rows, retriever.index,
                               hits[0].score if hits else 0.0, len(hits) + 1)
    doc = next((d for d in retrieval.refs.docs if d in retriever.chapter_contents), retriever.primary_doc)
    facts += chapter_contents_hits(retrieval.query, retrieval.refs.chapters, doc, retriever.chapter_contents,
                                   retriever.index, hits[0].score if hits else 0.0, len(hits) + len(facts) + 1)
    index = retriever.index
    own = retrieval.own  # named in the question's own words (not inherited from an earlier answer by a follow-up)
    paragraphs = {(r.article, r.paragraph) for r in own if r.paragraph}
    items = {(r.article, r.paragraph): r.item for r in own if r.item}

    def named(h: Hit) -> bool:  # the very paragraph a question names
        return (h.metadata.get("article"), h.metadata.get("paragraph")) in paragraphs

    def item(h: Hit) -> str:  # the lettered item a question names in this passage's article (and paragraph)
        m = h.metadata
        return items.get((m.get("article"), m.get("paragraph"))) or items.get((m.get("article"), 0), "")

    passages = [
        Passage(i, h.text, h.metadata.get("label", ""), h.metadata.get("doc_short_title") or h.metadata.get("doc_title", ""),
                h.score, index.embed_texts[index.row[h.id]], h.dense, named=i <= retrieval.pinned and named(h),
                item=item(h) if i <= retrieval.pinned else "", title=h.metadata.get("article_title") or "",
                chapter=h.metadata.get("chapter") or "")
        for i, h in enumerate(hits, start=1)
    ] + [Passage(len(hits) + 1, h.text, h.metadata["label"], h.metadata.get("doc_short_title") or
                 h.metadata.get("doc_title", ""), h.score, h.text, metadata=True,
                 chapter=h.metadata.get("chapter") or "") for h in facts]
    return passages, [*hits, *facts]


def retrieve_stage(turn: Turn, skip: bool = False) -> Turn:
    """Ranked passages for the turn's standalone query (`skip`: not a question, search nothing)."""
    t = time.perf_counter()
    if skip:
        return replace(turn, timings_ms={**turn.timings_ms, "retrieve": 0.0})
    s = turn.standalone
    retrieval = turn.retriever.retrieve(s.query, refs=s.refs)
    passages, hits = passages_for(retrieval, turn.retriever)
    return replace(turn, retrieval=retrieval, passages=tuple(passages), hits=tuple(hits),
                   timings_ms={**turn.timings_ms, "retrieve": round((time.perf_counter() - t) * 1000, 2)})
