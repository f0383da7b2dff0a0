"""Typed values of the vector store: a record to index, a search hit, a sync report."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Record:
    """What the store indexes. `key` names a slot (e.g. doc:position) so a changed record
    counts as updated rather than removed + added; `id` changes whenever content does."""

    id: str
    key: str
    text: str  # shown to users
    embed_text: str  # embedded and searched lexically
    metadata: dict


@dataclass(frozen=True)
class Hit:
    id: str
    text: str
    metadata: dict
    score: float  # fused score (higher is better)
    dense: float  # cosine similarity of query and chunk
    lexical: float  # BM25 score (0 when no term matched)
    rank: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SyncReport:
    """What a sync changed. Lists hold record ids; `embedded` counts vectors computed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    embedded: int = 0
    embedded_spaces: dict = field(default_factory=dict)  # further vector space -> vectors computed in it
    total: int = 0
    version: str = ""
    seconds: float = 0.0
