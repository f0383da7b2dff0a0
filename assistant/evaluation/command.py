"""`treaty eval`: run a question set through the chat pipeline and write results.jsonl,
summary.json and report.html; or compare two runs (--compare, with --out: compare.html); optionally gate on metrics.

Thin: parses options, builds the container, shows progress and prints; the work is in runner.py.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from ..cli_support import expected_errors
from ..config import GENERATORS
from ..errors import EvalError
from .gate import Threshold, check_gates, parse_threshold
from .metrics import format_value, spec


def _thresholds(under: bool):
    def convert(ctx, param, values: tuple[str, ...]) -> list[Threshold]:
        try:
            return [parse_threshold(v, under) for v in values]
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return convert


def format_summary(summary: dict) -> str:
    lines = [f"{'metric':<22}{'value':>10}{'n':>6}"]
    for name, m in summary["metrics"].items():
        lines.append(f"{name:<22}{format_value(m['value'], spec(name).unit):>10}{m['n']:>6}")
    lines.append(f"passed {summary['passed']} of {summary['questions']} questions"
                 + (f"; {summary['errors']} raised errors (see results.jsonl)" if summary["errors"] else ""))
    return "\n".join(lines + by_language_lines(summary.get("by_language") or {}))


def by_language_lines(by_language: dict[str, dict]) -> list[str]:
    """The per-language table under the summary (a run in two languages or more), else nothing."""
    if not by_language:
        return []
    names = [n for n in next(iter(by_language.values()))["metrics"] if n.startswith("hit@") and n != "hit@1"]
    names += ["citation_hit", "correct_decline", "pass_rate"]
    lines = ["", f"{'lang':<6}{'passed':>9}" + "".join(f"{n:>17}" for n in names)]
    for lang, group in by_language.items():
        cells = "".join(f"{format_value(group['metrics'][n]['value'], spec(n).unit) + ' (' + str(group['metrics'][n]['n']) + ')':>17}"
                        for n in names)
        lines.append(f"{lang:<6}{str(group['passed']) + '/' + str(group['questions']):>9}{cells}")
    return lines


@click.command("eval")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Run folder for results.jsonl, summary.json, report.html [default: eval-runs/NAME-TIME]; "
                   "with --compare, the folder for compare.html.")
@click.option("--generator", type=click.Choice(GENERATORS), default=None, help="Answer generator [default: settings].")
@click.option("--k", "k", type=click.IntRange(1, 50), default=None, help="Passages retrieved per question [default: settings].")
@click.option("--fail-under", "fail_under", multiple=True, metavar="METRIC=VALUE", callback=_thresholds(True),
              help="Exit 1 when METRIC is below VALUE (repeatable), e.g. citation_hit=0.9.")
@click.option("--fail-over", "fail_over", multiple=True, metavar="METRIC=VALUE", callback=_thresholds(False),
              help="Exit 1 when METRIC is above VALUE (repeatable), e.g. false_decline=0.1 or latency_p95_ms=2000.")
@click.option("--json", "as_json", is_flag=True, help="Print summary.json instead of a table.")
@click.option("--strict", is_flag=True, help="Stop on a malformed line instead of skipping it.")
@click.option("--resume", is_flag=True, help="Continue the interrupted run in --out without redoing finished questions.")
@click.option("--judge", is_flag=True, help="Also grade answers against reference_answer with the LLM at TREATY_LLM_BASE_URL.")
@click.option("--compare", nargs=2, type=click.Path(path_type=Path), default=None, metavar="RUN_A RUN_B",
              help="Compare two finished run folders instead of running questions.")
def eval_command(**options) -> None:
    """Evaluate the assistant on a question set (JSON Lines, see eval/README.md)."""
    expected_errors(_eval)(**options)


def _eval(file: Path | None, out_dir: Path | None, generator: str | None, k: int | None,
          fail_under: list[Threshold], fail_over: list[Threshold], as_json: bool, strict: bool, resume: bool,
          judge: bool, compare: tuple[Path, Path] | None) -> None:
    if compare:
        if file is not None:
            raise click.UsageError("--compare takes two run folders and no FILE.")
        from .compare import compare_runs, format_comparison

        result = compare_runs(*compare)
        click.echo(json.dumps(result.as_dict(), indent=1) if as_json else format_comparison(result))
        if out_dir is not None:
            from .compare_report import write_comparison

            click.echo(f"Comparison page: open {write_comparison(out_dir, result)}", err=True)
        return
    if file is None:
        raise click.UsageError("Missing FILE: the question set to run, e.g. `treaty eval eval/dev.jsonl`.")
    if resume and out_dir is None:
        raise EvalError("--resume needs --out DIR: the folder of the run to continue.")
    from .dataset import load_questions

    dataset = load_questions(file, strict=strict)
    for problem in dataset.problems:
        click.echo(f"Skipped {file}: {problem}", err=True)
    out_dir = out_dir or Path("eval-runs") / f"{file.stem}-{datetime.now():%Y%m%d-%H%M%S}"
    state = {"done": None, "failed": 0}  # done: questions finished, None until the first one starts
    try:
        summary = _run(dataset, out_dir, generator, k, resume, judge, state)
    except KeyboardInterrupt:
        if state["done"] is None:
            click.echo("Interrupted before the first question: nothing was written.", err=True)
        else:
            click.echo(f"Interrupted after {state['done']} of {len(dataset.questions)} questions; the finished ones "
                       f"are in {out_dir / 'results.jsonl'}: run `treaty eval {file} --out {out_dir} --resume` "
                       "to finish.", err=True)
        sys.exit(130)
    click.echo(json.dumps(summary, indent=1, default=str) if as_json else format_summary(summary))
    missed = check_gates(summary["metrics"], [*fail_under, *fail_over])
    for message in missed:
        click.echo(f"Gate failed: {message}", err=True)
    if missed:
        sys.exit(1)


def _run(dataset, out_dir: Path, generator: str | None, k: int | None, resume: bool, judge: bool,
         state: dict) -> dict:
    from tqdm import tqdm

    from ..config import load_settings
    from ..wiring import Container
    from .judge import make_judge
    from .runner import REPORT, run_questions, write_outputs

    settings = load_settings(k=k, generator=generator)
    container = Container(settings)
    grader = make_judge(settings) if judge else None
    if grader is not None:
        grader.check()
    corpus_version = container.index().version  # fails early (NoIndex) and loads the index before timing
    container.embedder.embed_query("warm-up")  # so the first question's latency excludes the model load
    pipeline = container.pipeline()
    info = {"dataset": str(dataset.path), "generator": settings.generator, "k": settings.k,
            "corpus_version": corpus_version, "judge": grader.model if grader else False,
            "settings": settings.model_dump(mode="json", exclude={"llm_api_key"}),
            "skipped_lines": [str(p) for p in dataset.problems]}

    with tqdm(total=len(dataset.questions), desc="Questions", unit="q", file=sys.stderr, disable=None) as bar:
        def progress(done: int, total: int, record: dict | None) -> None:
            state["done"] = done
            if record is None:  # the start: questions an earlier run finished do not count towards the rate
                bar.initial = bar.n = bar.last_print_n = done
                bar.refresh()
                return
            state["failed"] += not record["passed"]
            bar.set_postfix(failed=state["failed"], refresh=False)
            bar.update(1)

        records = run_questions(dataset.questions, lambda q, h: pipeline.ask(q, h).as_dict(), out_dir, info,
                                resume=resume, judge=grader, on_progress=progress)
    summary = write_outputs(out_dir, records, info)
    click.echo(f"Results in {out_dir}; open {out_dir / REPORT}", err=True)
    return summary
