"""Walk corpus folders: load every supported file, chunk it, and report what was skipped.

One bad file never stops the walk: it becomes a `Skipped` entry with a reason. Folder
READMEs describe a corpus rather than belong to it and are skipped. Two files with the
same id (file name without extension) in different folders: the first one wins.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .chunking import chunk_document
from .errors import CorpusNotFound, UnreadableFile
from .loaders import SUPPORTED, load_file
from .models import Chunk, Document, Skipped


@dataclass
class CorpusLoad:
    """What a walk produced: documents, their chunks, and the files it skipped."""

    documents: list[Document] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def iter_files(folders: list[Path]) -> list[Path]:
    """All regular files under the folders, sorted, hidden files and folders left out."""
    files: list[Path] = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            raise CorpusNotFound(str(folder))
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if any(part.startswith(".") for part in rel.parts) or not path.is_file():
                continue
            files.append(path)
    return files


def load_corpus(folders: list[Path]) -> CorpusLoad:
    """Load and chunk every file in `folders`; raise `CorpusNotFound` for a missing folder."""
    out = CorpusLoad()
    seen: dict[str, Path] = {}
    for path in iter_files(folders):
        if path.name.lower() in ("readme.md", "readme.txt", "readme"):
            out.skipped.append(Skipped(str(path), "folder README: describes the corpus, not ingested"))
            continue
        if path.suffix.lower() not in SUPPORTED:
            out.skipped.append(
                Skipped(str(path), f"unsupported file type '{path.suffix or path.name}': use .md, .txt, .html or .pdf")
            )
            continue
        doc_id = path.stem
        if doc_id in seen:
            out.skipped.append(
                Skipped(str(path), f"duplicate document id '{doc_id}' (also {seen[doc_id]}): rename one of the files")
            )
            continue
        try:
            doc = load_file(path, doc_id)
        except UnreadableFile as exc:
            out.skipped.append(Skipped(str(path), exc.reason))
            continue
        except OSError as exc:
            out.skipped.append(Skipped(str(path), f"cannot read file ({exc.strerror}): check its permissions"))
            continue
        seen[doc_id] = path
        out.documents.append(doc)
        out.chunks.extend(chunk_document(doc))
    return out
