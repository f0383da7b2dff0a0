"""`treaty mcp`: the assistant as a Model Context Protocol server (stdio, or streamable HTTP).

Tools: `ask` (a cited answer, or a decline, for a question with optional history) and
`search` (the retrieved passages with their labels and links). Resources: every indexed
document as `treaty://documents/{doc_id}` (Markdown, one heading per passage). Built on the
`mcp` SDK's MCPServer; answers come from the same pipeline as the chat and the API.
Leaves out prompts, sampling and auth (run the HTTP transport on loopback or behind a proxy).
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

DOC_URI = "treaty://documents/{doc_id}"
INSTRUCTIONS = ("Answers questions about the UN Convention against Cybercrime and related documents. Use `ask` for "
                "a cited answer (it declines when the documents do not answer), `search` for the passages themselves.")


class Passage(BaseModel):
    rank: int
    label: str = Field(description='Where the passage sits, e.g. "Art. 25(2)".')
    doc_id: str
    doc_title: str
    text: str
    source_url: str = Field(description="The document's original source (may be empty).")
    resource: str = Field(description="The document as an MCP resource, with the passage as fragment.")
    score: float


class SearchResult(BaseModel):
    passages: list[Passage]


class AskResult(BaseModel):
    answer: str = Field(description="The answer with [n] markers pointing at citations; or why it was declined.")
    citations: list[dict[str, Any]] = Field(description="n, label, doc_id, doc_title, quote, source_url, ...")
    refused: bool = Field(description="True when the documents do not answer the question.")
    corpus_version: str
    extra: dict[str, Any] = Field(default_factory=dict, description="Anything else the answer carries.")


def document_markdown(index, doc_id: str) -> str | None:
    """One document from the index, in passage order: a title line, then `## label` + text per passage."""
    from .web.sources import document_rows

    rows = document_rows(index, doc_id)
    if not rows:
        return None
    meta = index.metadatas[rows[0]]
    parts = [f"# {meta.get('doc_title') or doc_id}", f"Source: {meta.get('source_url') or 'n/a'}"]
    parts += [f"## {index.metadatas[r].get('label') or 'Passage'}\n\n{index.texts[r]}" for r in rows]
    return "\n\n".join(parts) + "\n"


def build_server(container):
    """An MCPServer over one Container (index and pipeline are loaded on first use)."""
    from importlib.metadata import version

    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
    from mcp.server.mcpserver.resources import FunctionResource

    from .answer.understand.validate import clean_question
    from .errors import EXPECTED_ERRORS

    server = MCPServer(name="treaty-assistant", title="Treaty Assistant", instructions=INSTRUCTIONS,
                       version=version("treaty-assistant"), log_level="WARNING")
    shared: dict = {}

    def pipeline():
        if "pipeline" not in shared:
            shared["pipeline"] = container.pipeline()
        return shared["pipeline"]

    @server.tool(name="ask", description="Answer a question about the documents, with citations; declines when "
                                         "they do not answer it. `history`: earlier turns, oldest first.")
    def ask(question: str, history: list[dict[str, str]] | None = None) -> AskResult:
        try:
            answer = pipeline().ask(question, history or []).as_dict()
        except EXPECTED_ERRORS as exc:  # the message, without a server-side traceback
            raise ToolError(str(exc)) from None
        known = ("answer", "citations", "refused", "corpus_version")
        return AskResult(**{k: answer[k] for k in known}, extra={k: v for k, v in answer.items() if k not in known})

    @server.tool(name="search", description="The passages retrieved for a query, best first (k 1-20; doc_id "
                                            "limits the search to one document).")
    def search(query: str, k: int = 5, doc_id: str | None = None) -> SearchResult:
        if not 1 <= k <= 20:
            raise ToolError(f"k={k} is out of range: use 1 to 20.")
        try:
            query = clean_question(query, container.settings.max_question_chars)
            hits = container.retriever().retrieve(query, k=k, doc_id=doc_id).hits[:k]
        except EXPECTED_ERRORS as exc:
            raise ToolError(str(exc)) from None
        return SearchResult(passages=[
            Passage(rank=h.rank, label=h.metadata.get("label", ""), doc_id=h.metadata.get("doc_id", ""),
                    doc_title=h.metadata.get("doc_title", ""), text=h.text,
                    source_url=h.metadata.get("source_url", ""),
                    resource=DOC_URI.format(doc_id=h.metadata.get("doc_id", "")) + f"#{h.id}", score=round(h.score, 6))
            for h in hits])

    def reader(doc_id: str):
        def read() -> str:
            text = document_markdown(container.index(), doc_id)
            if text is None:
                raise ResourceNotFoundError(f"No document {doc_id!r} in the index: list the resources for the ids.")
            return text
        return read

    # one listed resource per indexed document, and the template for ids added by a later ingest
    index = container.index()
    titles: dict[str, str] = {}
    for m in index.metadatas:
        titles.setdefault(m.get("doc_id", ""), m.get("doc_title", ""))
    for doc_id, title in titles.items():
        server.add_resource(FunctionResource.from_function(
            reader(doc_id), uri=DOC_URI.format(doc_id=doc_id), name=doc_id, title=title,
            description=f"{title}: the indexed text, passage by passage.", mime_type="text/markdown"))

    @server.resource(DOC_URI, name="document", description="An indexed document by id.", mime_type="text/markdown")
    def document(doc_id: str) -> str:
        return reader(doc_id)()

    return server


def run(container, transport: str = "stdio", host: str = "127.0.0.1", port: int = 8765) -> None:
    server = build_server(container)
    if transport == "stdio":
        server.run("stdio")
    else:
        server.run("streamable-http", host=host, port=port)
