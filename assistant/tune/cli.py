"""The `treaty tune` command: thin; the work is in command.py."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..cli_support import expected_errors, make_container


@click.command("tune")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Tuning file to write [default: TREATY_TUNING_FILE, data/tuning.json].")
@click.option("--folds", type=click.IntRange(2, 20), default=5, show_default=True, help="Cross-validation folds.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the fold assignment.")
@click.option("--max-false-decline", "target_fd", type=click.FloatRange(0, 0.5), default=0.03, show_default=True,
              help="Share of answerable questions the fitted decline threshold may decline (in sample).")
@click.option("--dry-run", is_flag=True, help="Print the figures without writing the tuning file.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
@expected_errors
def tune_command(files: tuple[Path, ...], out: Path | None, folds: int, seed: int, target_fd: float,
                 dry_run: bool, as_json: bool) -> None:
    """Fit ranking and decline weights on question files (JSON Lines, see eval/README.md).

    Prints 5-fold cross-validated figures per category beside the in-sample ones, then writes
    the weights fitted on all questions to the tuning file that `treaty ask/serve/eval` load,
    and the query adapter beside it (tuning.json -> tuning.adapter.npz).
    """
    from ..evaluation.dataset import load_questions
    from .command import render, tune, write

    questions = [q for f in files for q in load_questions(f).questions]
    container = make_container()
    target = out or container.settings.tuning_file

    def progress(done: int, total: int) -> None:
        click.echo(f"fold {done}/{total} fitted", err=True)

    click.echo(f"Building features for {len(questions)} questions…", err=True)
    result = tune(questions, container, folds, seed, target_fd, progress)
    adapter = result.get("adapter")
    shown = {**result, "adapter": {"embedder": adapter.embedder, "rank": int(adapter.U.shape[1])} if adapter else None}
    click.echo(json.dumps(shown, indent=1) if as_json else render(result))
    if not dry_run:
        try:
            write(result, [str(f) for f in files], target)
        except OSError as exc:
            click.echo(f"Error: cannot write {target} ({exc.strerror}): pass --out PATH", err=True)
            sys.exit(1)
        click.echo(f"Wrote {target}", err=True)
