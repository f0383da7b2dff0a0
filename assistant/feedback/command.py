"""`treaty feedback export --out FILE.jsonl`: rated answers as an eval question file."""
from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("feedback")
def feedback_command() -> None:
    """Answer ratings collected in the chat and the widget."""


@feedback_command.command("export")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="JSON Lines file to write (eval/README.md format).")
@click.option("--rating", type=click.Choice(["all", "up", "down"]), default="all", show_default=True,
              help="Which ratings to export.")
def export(out: Path, rating: str) -> None:
    """Write rated answers as eval questions: up-votes as regression cases, down-votes to label."""
    from ..config import load_settings
    from ..errors import EXPECTED_ERRORS
    from .export import export_jsonl
    from .store import FeedbackStore

    try:
        store = FeedbackStore(load_settings().feedback_path)
        counts = export_jsonl(store.entries(), out, rating)
    except EXPECTED_ERRORS as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Wrote {counts['up'] + counts['down']} questions to {out} ({counts['up']} up-votes as regression "
               f"cases, {counts['down']} down-votes to label) from {store.path}.")
