"""Ingest: files in, structured chunks out. A leaf package: imports nothing from the app."""
from .chunking import chunk_document, prose_chunks, short_title, treaty_chunks
from .corpus import CorpusLoad, iter_files, load_corpus
from .errors import CorpusNotFound, IngestError, UnreadableFile
from .loaders import SUPPORTED, load_file, strip_furniture
from .models import Chunk, Document, Skipped
from .treaty import Block, looks_like_treaty, parse_treaty, split_paragraphs

__all__ = [
    "Block", "Chunk", "CorpusLoad", "CorpusNotFound", "Document", "IngestError", "SUPPORTED",
    "Skipped", "UnreadableFile", "chunk_document", "iter_files", "load_corpus", "load_file",
    "looks_like_treaty", "parse_treaty", "prose_chunks", "short_title", "split_paragraphs",
    "strip_furniture", "treaty_chunks",
]
