"""Vector store: packaged embeddings, versioned Chroma (embedded or server), hybrid search.

A leaf package: it knows records, vectors and metadata filters, nothing of treaties.
Names load on first use (numpy, langchain-core), so importing `vectorstore.errors` or
the package itself stays cheap: `treaty --help` must not pay for them.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .embeddings import MODEL_NAME, MissingModel, PackagedMiniLM
    from .errors import IndexLocked, IndexNotWritable, NoIndex, ServerUnavailable, StoreError
    from .lexical import LexicalIndex, tokenize
    from .models import Hit, Record, SyncReport
    from .search import HybridIndex, matches
    from .store import ChromaStore, corpus_version

# name -> module that defines it
_HOME = {
    "MODEL_NAME": "embeddings", "MissingModel": "embeddings", "PackagedMiniLM": "embeddings",
    "IndexLocked": "errors", "IndexNotWritable": "errors", "NoIndex": "errors", "ServerUnavailable": "errors",
    "StoreError": "errors", "LexicalIndex": "lexical", "tokenize": "lexical", "Hit": "models", "Record": "models",
    "SyncReport": "models", "HybridIndex": "search", "matches": "search",
    "ChromaStore": "store", "corpus_version": "store",
}

__all__ = [
    "ChromaStore", "Hit", "HybridIndex", "IndexLocked", "IndexNotWritable", "LexicalIndex",
    "MODEL_NAME", "MissingModel", "NoIndex", "PackagedMiniLM", "Record", "ServerUnavailable",
    "StoreError", "SyncReport", "corpus_version", "matches", "tokenize",
]


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
