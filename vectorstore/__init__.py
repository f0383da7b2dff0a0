"""Vector store: packaged embeddings, versioned Chroma (embedded or server), hybrid search.

A leaf package: it knows records, vectors and metadata filters, nothing of treaties.
"""
from .embeddings import MODEL_NAME, MissingModel, PackagedMiniLM
from .errors import IndexLocked, IndexNotWritable, NoIndex, ServerUnavailable, StoreError
from .lexical import LexicalIndex, tokenize
from .models import Hit, Record, SyncReport
from .search import HybridIndex, chroma_where, matches
from .store import ChromaStore, corpus_version

__all__ = [
    "ChromaStore", "Hit", "HybridIndex", "IndexLocked", "IndexNotWritable", "LexicalIndex",
    "MODEL_NAME", "MissingModel", "NoIndex", "PackagedMiniLM", "Record", "ServerUnavailable",
    "StoreError", "SyncReport", "chroma_where", "corpus_version", "matches", "tokenize",
]
