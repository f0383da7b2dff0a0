"""Structure-aware retrieval: named articles first, then hybrid search with document priors.

A question naming an article gets that article's chunks first (the named paragraph
leading, the rest ranked by relevance). Otherwise the primary document is preferred
unless the question names another one; sections (annex, preamble) and chapters the
question names are boosted. Articles whose title the question spells out, and
chunks defining a term it uses, are boosted too. A reference to an article a document
does not have is reported, so the answer can say how many articles there are.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from vectorstore import Hit, HybridIndex
from vectorstore.lexical import tokenize

from .refs import ArticleRef, Refs, doc_aliases, parse_refs

SECTION_BOOST = 2.5
CHAPTER_BOOST = 1.5
NAME_BOOST = 2.0  # the chunk contains a multi-word name from the question ("Human Rights Watch")
_NAME = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:(?:of|on|for|and|the)\s*)?[A-Z][\w’'-]*)+")
TITLE_BOOST = 2.0  # every content word of an article's title is in the question
DEFINITION_BOOST = 2.5  # the chunk defines a term a definitional question uses
_DEFINITION_Q = re.compile(r"^\s*(what|who)\s+(is|are)\b|\bdefin|\bmean(s|ing)?\b|\bwhat counts as\b", re.I)


@dataclass(frozen=True)
class MissingArticle:
    doc_id: str
    doc_title: str
    article: int
    highest: int


@dataclass(frozen=True)
class Retrieval:
    query: str
    hits: list[Hit]
    refs: Refs
    pinned: int = 0  # how many leading hits came from named articles
    missing: list[MissingArticle] = field(default_factory=list)


class Retriever:
    """Turns a standalone question into ranked passages from one `HybridIndex`."""

    def __init__(self, index: HybridIndex, primary_doc: str, primary_boost: float = 1.3,
                 named_doc_boost: float = 3.0, k: int = 5):
        self.index = index
        self.primary_doc = primary_doc
        self.primary_boost = primary_boost
        self.named_doc_boost = named_doc_boost
        self.k = k
        self.titles: dict[str, str] = {}
        self.short_titles: dict[str, str] = {}  # doc_id -> name for messages, in index order
        kinds: dict[str, str] = {}
        self.articles: dict[str, set[int]] = {}  # doc_id -> article numbers
        for m in index.metadatas:
            doc = m.get("doc_id", "")
            self.titles.setdefault(doc, f"{m.get('doc_title', '')} {m.get('doc_short_title', '')}")
            self.short_titles.setdefault(doc, m.get("doc_short_title") or m.get("doc_title") or doc)
            kinds.setdefault(doc, m.get("kind", ""))
            if m.get("section") == "article" and m.get("article"):
                self.articles.setdefault(doc, set()).add(int(m["article"]))
        self.aliases = doc_aliases(self.titles, primary_doc, kinds)
        # article title -> its content terms; defined term -> True
        self.article_titles: dict[str, set[str]] = {}
        self.defined: set[str] = set()
        for m in index.metadatas:
            title = m.get("article_title") or ""
            if title and title not in self.article_titles:
                self.article_titles[title] = set(tokenize(title))
            self.defined.update(t for t in (m.get("defines") or "").split("|") if t)

    def structure_boosts(self, query: str) -> list[tuple[dict, float]]:
        """Boosts for articles whose title the question spells out and chunks defining its terms."""
        boosts: list[tuple[dict, float]] = []
        terms = set(tokenize(query))
        titles = [t for t, words in self.article_titles.items() if words and words <= terms]
        if titles:
            boosts.append(({"article_title": titles}, TITLE_BOOST))
        names = [n.strip() for n in _NAME.findall(query) if len(n.split()) >= 2]
        named_rows = {i for n in names for i, t in enumerate(self.index.texts) if n in t}
        if named_rows and len(named_rows) <= 10:  # a rare name is a strong signal; a common one is not
            ids = {self.index.ids[i] for i in named_rows}
            boosts.append(({"_id": list(ids)}, NAME_BOOST))
        low = f" {' '.join(query.lower().split())} "
        asks_definition = bool(_DEFINITION_Q.search(low))
        used = [d for d in self.defined if asks_definition and re.search(rf"\b{re.escape(d)}\b", low)]
        if used:
            boosts.append(({"defines": lambda v, used=tuple(used): bool(v) and any(f"|{u}|" in v for u in used)},
                           DEFINITION_BOOST))
        return boosts

    def doc_title(self, doc_id: str) -> str:
        return self.short_titles.get(doc_id, doc_id)

    def parse(self, text: str) -> Refs:
        return parse_refs(text, self.aliases)

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
        for ref in refs.articles:
            doc = doc_id or self._article_doc(ref, refs.docs)
            if ref.article not in self.articles.get(doc, set()):
                highest = max(self.articles.get(doc, {0}))
                if highest:
                    missing.append(MissingArticle(doc, self.doc_title(doc), ref.article, highest))
                continue
            flt = {"doc_id": doc, "article": ref.article, "section": "article"}
            rows = self.index.rows_where(flt)
            ranked = self.index.search(query, k=len(rows), where=flt, query_vec=query_vec)
            if ref.paragraph:
                ranked.sort(key=lambda h: h.metadata.get("paragraph") != ref.paragraph)
            pinned += [h for h in ranked if h.id not in {p.id for p in pinned}]
        boosts: list[tuple[dict, float]] = []
        if refs.docs:
            boosts.append(({"doc_id": list(refs.docs)}, self.named_doc_boost))
        else:
            boosts.append(({"doc_id": self.primary_doc}, self.primary_boost))
        for section in refs.sections:
            boosts.append(({"section": section}, SECTION_BOOST))
        if refs.chapters:
            boosts.append(({"chapter": list(refs.chapters)}, CHAPTER_BOOST))
        boosts += self.structure_boosts(query)
        found = self.index.search(query, k=k + len(pinned), where=where, boosts=boosts, query_vec=query_vec)
        pinned_ids = {h.id for h in pinned}
        rest = [h for h in found if h.id not in pinned_ids]
        hits = pinned + rest
        hits = [replace(h, rank=i) for i, h in enumerate(hits[: max(k, min(len(pinned), 2 * k))], start=1)]
        return Retrieval(query, hits, refs, pinned=min(len(pinned), len(hits)), missing=missing)
