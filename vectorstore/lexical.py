"""BM25 over record texts (bm25s), scoring every record so metadata filters can apply after.

Saved with bm25s's own format beside each snapshot's records and loaded memory-mapped, so a
serving process neither re-tokenises the corpus nor holds its own copy of the score matrix.

Tokenisation: lower-cased words, English stop words removed, Snowball stemming (PyStemmer)
so "offences"/"offence" and "criminalise"/"criminalize" meet. Nothing here knows treaties.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "a an and are as at be been being but by can could did do does for from had has have how i "
    "if in into is it its may might must no not of on or our shall should so such than that the "
    "their them then there these they this those to under upon was were what when where which who "
    "whom why will with would you your about any all also other".split()
)


_stemmer = None
_BRITISH = re.compile(r"(?<=[a-z]{3})is(e|es|ed|ing|ation|ations)$")


@functools.lru_cache(maxsize=1 << 17)  # a corpus repeats a small vocabulary: 5x faster indexing
def stem(word: str) -> str:
    """Snowball English stem, after folding British -ise spellings to -ize."""
    global _stemmer
    if _stemmer is None:
        import Stemmer

        _stemmer = Stemmer.Stemmer("english")
    return _stemmer.stemWord(_BRITISH.sub(r"iz\1", word))


def tokenize(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(text.lower()) if t not in _STOP]


class LexicalIndex:
    """BM25 scores of a query against every record, as a dense numpy vector."""

    def __init__(self, texts: list[str] | None = None):
        import bm25s

        texts = texts or []
        self._n = len(texts)
        self._retriever = bm25s.BM25()
        if self._n:
            corpus_tokens = [tokenize(t) or ["_empty_"] for t in texts]
            self._retriever.index(corpus_tokens, show_progress=False)

    def __len__(self) -> int:
        return self._n

    def save(self, folder: Path) -> None:
        """Write the index into `folder` (bm25s files plus the record count)."""
        folder.mkdir(parents=True)
        if self._n:
            self._retriever.save(str(folder), show_progress=False)
        (folder / "count.json").write_text(json.dumps({"records": self._n}))

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """A saved index, its score matrix memory-mapped (read-only)."""
        import bm25s

        index = cls.__new__(cls)
        index._n = json.loads((folder / "count.json").read_text())["records"]
        index._retriever = bm25s.BM25.load(str(folder), mmap=True, show_progress=False) if index._n else None
        return index

    def scores(self, query: str) -> np.ndarray:
        tokens = tokenize(query)
        if not tokens or self._n == 0:
            return np.zeros(self._n, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)
