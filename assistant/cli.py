"""`treaty` command line: ingest | search | ask | eval | tune | feedback | serve | mcp. Thin: parse, call, print.

Expected errors print `Error: <message>` and exit 1; heavy libraries load only inside
the command that needs them, so `treaty --help` is instant.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli_support import expected_errors, make_container


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="treaty-assistant")
def main() -> None:
    """Treaty Assistant: questions and answers with citations about the UN Convention against Cybercrime."""


@main.command()
@click.option("--corpus", "corpus", multiple=True, type=click.Path(path_type=Path),
              help="Extra corpus folder (repeatable); the bundled corpus is always included.")
@click.option("--only", is_flag=True, help="Ingest only the --corpus folders, not the bundled corpus.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@expected_errors
def ingest(corpus: tuple[Path, ...], only: bool, as_json: bool) -> None:
    """Build or update the index from the corpus folders (only changed files are embedded)."""
    from tqdm import tqdm

    from .indexing import run_ingest

    c = make_container()
    folders = list(corpus) if only else [*c.settings.corpus_dirs, *corpus]
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc="Embedding chunks", unit="chunk", file=sys.stderr, disable=None)
        bar.n = done
        bar.refresh()

    try:
        report = run_ingest(folders, c.store, c.embedder.encode, progress, embedder=c.embedder.name,
                            spaces=c.spaces())
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        d = report.as_dict()
        click.echo(json.dumps({k: d[k] for k in ("documents", "chunks", "added", "updated", "removed", "unchanged",
                                                  "skipped", "embedded", "embedded_spaces", "corpus_version", "seconds")}))
    else:
        click.echo(report.summary())


@main.command()
@click.argument("question")
@click.option("--k", "k", type=click.IntRange(1, 100), default=5, show_default=True, help="Number of hits.")
@click.option("--doc", "doc_id", default=None, help="Only search this document id.")
@click.option("--json", "as_json", is_flag=True, help="Print hits as a JSON list.")
@expected_errors
def search(question: str, k: int, doc_id: str | None, as_json: bool) -> None:
    """Show the passages retrieved for a question, best first."""
    from .answer.understand.validate import clean_question

    c = make_container()
    question = clean_question(question, c.settings.max_question_chars)
    retrieval = c.retriever().retrieve(question, k=k, doc_id=doc_id)
    hits = retrieval.hits[:k]
    if as_json:
        out = [
            {"rank": h.rank, "chunk_id": h.id, "doc_id": h.metadata.get("doc_id"),
             "doc_title": h.metadata.get("doc_title"), "label": h.metadata.get("label"),
             "article": h.metadata.get("article") or None, "paragraph": h.metadata.get("paragraph") or None,
             "section": h.metadata.get("section"), "text": h.text, "score": round(h.score, 6),
             "dense": round(h.dense, 4), "lexical": round(h.lexical, 4)}
            for h in hits
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
        return
    for h in hits:
        click.echo(f"{h.rank}. [{h.metadata.get('doc_id')}] {h.metadata.get('label')}  (score {h.score:.4f})")
        click.echo("   " + h.text[:300].replace("\n", " ") + ("…" if len(h.text) > 300 else ""))


@main.command()
@click.argument("question")
@click.option("--history", "history_file", type=click.Path(path_type=Path), default=None,
              help="JSON file: a list of {\"role\": \"user\"|\"assistant\", \"content\": ...} turns, oldest first.")
@click.option("--generator", type=click.Choice(["extractive", "openai", "local"]), default=None,
              help="Answer generator (default: TREATY_GENERATOR or extractive).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object.")
@expected_errors
def ask(question: str, history_file: Path | None, generator: str | None, as_json: bool) -> None:
    """Answer a question with citations (quotes the documents; declines when they do not answer)."""
    from .answer.understand.validate import clean_question, load_history_file

    history = load_history_file(history_file) if history_file else []
    c = make_container()
    clean_question(question, c.settings.max_question_chars)  # fail fast, before loading models
    answer = c.pipeline(generator).ask(question, history)
    if as_json:
        d = answer.as_dict()
        click.echo(json.dumps(d, ensure_ascii=False, indent=1))
        return
    click.echo(answer.text)
    if answer.citations:
        click.echo("\nSources:")
        for cit in answer.citations:
            click.echo(f"  [{cit.n}] {cit.doc_title} — {cit.label}")
            click.echo(f"      “{cit.quote[:240]}{'…' if len(cit.quote) > 240 else ''}”")
    click.echo(f"\n(corpus {answer.corpus_version}, {answer.timings_ms.get('total', 0):.0f} ms)")


@main.command("mcp")
@click.option("--http", "http", is_flag=True, help="Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address for --http.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="Port for --http.")
@expected_errors
def mcp(http: bool, host: str, port: int) -> None:
    """Serve the tools `ask` and `search` and the documents over the Model Context Protocol (stdio by default)."""
    from .logs import configure_logging
    from .mcp_server import run

    c = make_container()
    configure_logging(c.settings.log_format)
    run(c, "streamable-http" if http else "stdio", host, port)


def _register() -> None:
    """Commands that live beside their feature (cheap to import: heavy work is inside them)."""
    from .evaluation.command import eval_command
    from .feedback.command import feedback_command
    from .tune.cli import tune_command
    from .web.command import serve

    main.add_command(eval_command)
    main.add_command(tune_command)
    main.add_command(feedback_command)
    main.add_command(serve)


_register()
