"""Learning-to-rank features for candidate passages, and the linear score that orders them.

Candidates are the union of the dense and BM25 top lists. Each gets a feature vector
(similarities, ranks, term coverage, structure matches, document priors, and the
similarity to the question moved by the fitted query adapter, see adapter.py, and the best
similarity of one of its sentences, see unit_vectors.py); the score is the
dot product with `Tuning.rank_weights`, fitted by `treaty tune`. Nothing here is fitted.
A question not in English also gets the multilingual (USE v3, the index's second vector
space) top list as candidates, and the FOREIGN columns: a copy of every feature plus the
multilingual cosine, rank, article support and best sentence (the English `best_unit` is
the English-only embedder's cosine with a question it cannot read), so its weights are the
English ones plus its own; an English question's are zero there, so English ranking is as
without them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from vectorstore.lexical import tokenize

from .adapter import QueryAdapter, adapted_features, similarity_features
from .sentences import units
from .terms import IdfTable, asks_definition, content_terms, coverage, foreign
from .unit_vectors import UnitVectors, best_cosine, unit_length

MULTILINGUAL = "multilingual"  # the index's vector space of the multilingual embedder
BASE = (
    "dense", "dense_rr", "lex", "lex_rr", "cov_text", "cov_header", "primary", "named_doc", "other_doc_named",
    "section", "chapter", "title", "definition", "rare_name", "doc_sim", "prose", "article_support",
    "adapted", "adapted_rr", "best_unit",
)
# multilingual cosine, its reciprocal rank, its article's share of the top 10, its best sentence's cosine
MULTI = ("use", "use_rr", "use_support", "use_unit")
# non-zero only for a question not in English: BASE again (deltas on the English weights), then MULTI
FOREIGN = tuple(f"foreign_{f}" for f in BASE + MULTI)
FEATURES = BASE + FOREIGN
ADAPTED = (FEATURES.index("adapted"), FEATURES.index("adapted_rr"))  # the columns the query adapter feeds
_COPIES = slice(len(BASE), 2 * len(BASE))  # the FOREIGN copies of BASE
_BEST_UNIT = BASE.index("best_unit")
_NAME = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:(?:of|on|for|and|the)\s*)?[A-Z][\w’'-]*)+")


def gate(X: np.ndarray, is_foreign: bool) -> np.ndarray:
    """Fill the FOREIGN copies of BASE in candidate rows (zeros for an English question). A
    question not in English has no English `best_unit` (the English-only embedder's sentence
    cosine with a question it cannot read; its `use_unit` stands in): zeroing it raised CV hit@5
    in every language, zeroing the passage-level English cosines as well lowered French and
    Spanish (treaty tune on eval/train, dev, multilingual; README, Languages)."""
    X[:, _COPIES] = X[:, :len(BASE)] * float(is_foreign)
    if is_foreign:
        X[:, [_BEST_UNIT, len(BASE) + _BEST_UNIT]] = 0.0
    return X


def support(rows: list[int], top: list[int], metadatas) -> list[float]:
    """Per row: the share of `top` (rows, best first; its first 10) in the row's article (0 outside articles)."""
    counts: dict[tuple, int] = {}
    for row in top[:10]:
        m = metadatas[row]
        if m.get("article"):
            key = (m.get("doc_id"), m.get("article"))
            counts[key] = counts.get(key, 0) + 1
    out = []
    for row in rows:
        m = metadatas[row]
        out.append(counts.get((m.get("doc_id"), m.get("article")), 0) / 10 if m.get("article") else 0.0)
    return out


@dataclass(frozen=True)
class Candidates:
    rows: list[int]
    X: np.ndarray  # len(rows) x len(FEATURES)
    dense: dict  # row -> cosine
    foreign: bool = False  # the question is not in English: the FOREIGN columns are filled

    def scores(self, weights: dict[str, float]) -> np.ndarray:
        w = np.array([weights.get(f, 0.0) for f in FEATURES], dtype=np.float64)
        return self.X @ w


class FeatureBuilder:
    """Per index version: what candidates need beyond the query (document vectors, term sets)."""

    def __init__(self, index, primary_doc: str, idf: IdfTable, doc_vectors: dict[str, np.ndarray],
                 article_titles: dict[str, set[str]], defined: set[str], structured_docs: set[str],
                 rare_name_max_rows: int = 10, depth: int = 40, adapter: QueryAdapter | None = None,
                 unit_vectors: UnitVectors | None = None, multilingual=None,
                 multilingual_units: UnitVectors | None = None):
        self.index = index
        self.primary_doc = primary_doc
        self.idf = idf
        self.doc_vectors = doc_vectors
        self.article_titles = article_titles
        self.defined = defined
        self.structured = structured_docs
        self.rare_name_max_rows = rare_name_max_rows
        self.depth = depth
        self.adapter = adapter
        self.unit_vectors = unit_vectors
        # the multilingual embedder, used when the index has its vector space
        self.multilingual = multilingual if multilingual is not None and MULTILINGUAL in index.spaces else None
        self.multilingual_units = multilingual_units if self.multilingual is not None else None
        self._terms: dict[int, frozenset] = {}
        self._units: dict[int, dict[int, np.ndarray]] = {}  # id(UnitVectors) -> row -> its units' vectors

    def row_terms(self, row: int) -> frozenset:
        """The stemmed terms of a chunk's text (cached per index version)."""
        if row not in self._terms:
            self._terms[row] = frozenset(tokenize(self.index.texts[row]))
        return self._terms[row]

    def row_units(self, row: int, vectors: UnitVectors) -> np.ndarray:
        """The vectors of a chunk's sentences and items in `vectors`' space (cached per index version)."""
        cache = self._units.setdefault(id(vectors), {})
        if row not in cache:
            if len(cache) >= 5000:  # a bound for big indexes: about 30 MB of float32 vectors
                cache.clear()
            texts = units(self.index.texts[row])
            cache[row] = vectors.matrix(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        return cache[row]

    def best_unit(self, row: int, qv: np.ndarray, vectors: UnitVectors | None = None) -> float:
        """The highest cosine of the question (`qv`, unit length) with one sentence or item of the
        chunk, in the space of `vectors` (default: the main embedder's; 0 without vectors)."""
        vectors = vectors or self.unit_vectors
        if vectors is None:
            return 0.0
        m = self.row_units(row, vectors)
        return float(np.max(m @ qv)) if m.size else 0.0

    def closest_sentence(self, texts: list[str], query: str, query_vec) -> float:
        """The highest cosine of the question with a sentence of `texts` (the answerability
        model's `best_unit`), in the space this ranker reads the question in: the multilingual
        one for a question not in English (when the index has it), else the main embedder's."""
        if foreign(query) and self.multilingual_units is not None:
            return best_cosine(texts, self.multilingual.embed_query(query), self.multilingual_units)
        return best_cosine(texts, query_vec, self.unit_vectors)

    def _cov(self, terms: list[str], have: frozenset) -> float:
        total = sum(self.idf(t) for t in set(terms))
        return sum(self.idf(t) for t in set(terms) if t in have) / total if total else 0.0

    def build(self, query: str, query_vec, refs, where=None) -> Candidates:
        idx = self.index
        dense = idx.dense(query_vec, self.depth, where)
        allowed = None if not where else set(idx.rows_where(where))
        lex_all = idx.lexical.scores(query)
        order = np.argsort(-lex_all)
        lex_rank: dict[int, int] = {}
        for row in order:
            if lex_all[row] <= 0 or len(lex_rank) >= self.depth:
                break
            if allowed is None or int(row) in allowed:
                lex_rank[int(row)] = len(lex_rank)
        dense_rank = {row: r for r, (row, _) in enumerate(sorted(dense.items(), key=lambda kv: -kv[1]))}
        low = f" {' '.join(query.lower().split())} "
        used = [d for d in self.defined if asks_definition(query) and re.search(rf"\b{re.escape(d)}\b", low)]
        # the chunks defining a term the question asks about are candidates whatever their scores
        defining = [r for r, m in enumerate(idx.metadatas) if used and (allowed is None or r in allowed)
                    and any(f"|{u}|" in (m.get("defines") or "") for u in used)] if used else []
        is_foreign = foreign(query)
        use_qv = self.multilingual.embed_query(query) if is_foreign and self.multilingual is not None else None
        use = self.multilingual_neighbours(query, where, use_qv) if use_qv is not None else {}
        use_rank = {row: r for r, (row, _) in enumerate(sorted(use.items(), key=lambda kv: -kv[1]))}
        rows = list(dict.fromkeys([*dense_rank, *lex_rank, *defining, *use_rank]))
        qv = np.asarray(query_vec, dtype=np.float32)
        qn = unit_length(qv)
        # the candidates' vectors are fetched only when an adapter needs them all; else only the missing cosines
        vectors = idx.vectors(rows) if self.adapter is not None else None
        missing = [i for i, r in enumerate(rows) if r not in dense]
        if missing and vectors is not None:
            dense = {**dense, **{rows[i]: float(vectors[i] @ qv) for i in missing}}
        elif missing:
            dense = {**dense, **idx.similarity(query_vec, [rows[i] for i in missing])}
        lex_max = float(lex_all.max()) if len(lex_all) and lex_all.max() > 0 else 1.0
        terms = content_terms(query)
        qterms = set(tokenize(query))
        named = set(refs.docs)
        titles = {t for t, words in self.article_titles.items() if words and words <= qterms}
        names = [n.strip() for n in _NAME.findall(query) if len(n.split()) >= 2]
        name_rows = {i for n in names for i in rows if n in idx.texts[i]}
        if len(name_rows) > self.rare_name_max_rows:
            name_rows = set()
        doc_sim = {d: float(np.dot(qv, v)) for d, v in self.doc_vectors.items()}
        mean_sim = sum(doc_sim.values()) / len(doc_sim) if doc_sim else 0.0
        article_support = support(rows, list(dense_rank), idx.metadatas)
        X = np.zeros((len(rows), len(FEATURES)), dtype=np.float64)
        for i, row in enumerate(rows):
            m = idx.metadatas[row]
            doc = m.get("doc_id", "")
            header = f"{m.get('doc_short_title', '')} {m.get('article_title', '')} {m.get('chapter_title', '')}"
            defines = m.get("defines") or ""
            X[i] = (
                dense.get(row, 0.0),
                1.0 / (1 + dense_rank.get(row, self.depth)),
                float(lex_all[row]) / lex_max,
                1.0 / (1 + lex_rank.get(row, self.depth)),
                self._cov(terms, self.row_terms(row)),
                coverage(terms, header, self.idf),
                float(doc == self.primary_doc and not named),
                float(doc in named),
                float(bool(named) and doc not in named),
                float(m.get("section") in refs.sections),
                float(bool(refs.chapters) and m.get("chapter") in refs.chapters),
                float(m.get("article_title", "") in titles),
                float(bool(defines) and any(f"|{u}|" in defines for u in used)),
                float(row in name_rows),
                doc_sim.get(doc, mean_sim) - mean_sim,
                float(doc not in self.structured),
                article_support[i],
                0.0, 0.0,  # adapted, adapted_rr: below
                self.best_unit(row, qn),
                *[0.0] * len(FOREIGN),  # gate() and the multilingual columns: below
            )
        if rows:
            X[:, list(ADAPTED)] = (adapted_features(qv, vectors, self.adapter) if vectors is not None
                                   else similarity_features([dense[r] for r in rows]))
        if use:
            floor = min(use.values())  # a candidate beyond the multilingual top list: at most its lowest cosine
            X[:, len(FEATURES) - len(MULTI):] = np.column_stack([
                [use.get(r, floor) for r in rows], [1.0 / (1 + use_rank.get(r, self.depth)) for r in rows],
                support(rows, list(use_rank), idx.metadatas),
                [self.best_unit(r, unit_length(use_qv), self.multilingual_units) if self.multilingual_units is not None else 0.0
                 for r in rows]])
        return Candidates(rows, gate(X, is_foreign), dense, is_foreign)

    def multilingual_neighbours(self, query: str, where=None, query_vec=None) -> dict[int, float]:
        """Row -> multilingual cosine of the `depth` nearest chunks (none without that vector space);
        `query_vec`: the query's multilingual embedding, if already computed."""
        if self.multilingual is None:
            return {}
        if query_vec is None:
            query_vec = self.multilingual.embed_query(query)
        return self.index.dense(query_vec, self.depth, where, space=MULTILINGUAL)
