"""`treaty eval --compare RUN_A RUN_B`: per metric both values, the difference and a 95 % confidence
interval from a paired bootstrap over the questions both runs answered; the settings that
differ; the questions that went from pass to fail (and back), with both records kept for
the side-by-side page (compare_report.py). Reads finished run folders only.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from .metrics import format_value, percentile, spec
from .runner import load_run

RESAMPLES = 2000
SEED = 20241224  # fixed: the same two runs always give the same interval
_RUN_KEYS = ("dataset", "generator", "k", "corpus_version", "judge")


@dataclass(frozen=True)
class MetricDelta:
    name: str
    a: float | None
    b: float | None
    ci: tuple[float, float] | None = None  # 95 % paired-bootstrap interval of B - A
    pairs: int = 0  # questions the interval is computed over

    @property
    def diff(self) -> float | None:
        return None if self.a is None or self.b is None else round(self.b - self.a, 4)

    @property
    def verdict(self) -> str:
        """"better", "worse" or "" from B's point of view."""
        metric = spec(self.name)
        if not self.diff or metric is None:
            return ""
        return "better" if (self.diff > 0) == metric.higher_is_better else "worse"

    @property
    def clear(self) -> bool:
        """The interval excludes zero: the difference is unlikely to be resampling noise."""
        return self.ci is not None and (self.ci[0] > 0 or self.ci[1] < 0)


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    metrics: list[MetricDelta]
    regressed: list[dict] = field(default_factory=list)  # [{"id", "question", "failures"}] pass in A, fail in B
    fixed: list[dict] = field(default_factory=list)  # fail in A, pass in B
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    settings: list[tuple[str, object, object]] = field(default_factory=list)  # (name, A, B) where they differ
    records: dict[str, tuple[dict, dict]] = field(default_factory=dict)  # id -> (A, B) of the moved questions

    def as_dict(self) -> dict:
        return {"a": self.a, "b": self.b,
                "metrics": {m.name: {"a": m.a, "b": m.b, "diff": m.diff} | ({"ci95": list(m.ci), "pairs": m.pairs}
                                                                            if m.ci else {}) for m in self.metrics},
                "settings": {k: {"a": a, "b": b} for k, a, b in self.settings},
                "regressed": self.regressed, "fixed": self.fixed, "only_a": self.only_a, "only_b": self.only_b}


def _statistic(name: str):
    """Per-pair values -> the run-level value, as summarize computes it."""
    if name == "latency_p50_ms":
        return lambda xs: percentile(xs, 50)
    if name == "latency_p95_ms":
        return lambda xs: percentile(xs, 95)
    return lambda xs: sum(xs) / len(xs)


def _value(record: dict, name: str) -> float | None:
    if name == "pass_rate":
        return float(record["passed"])
    if name.startswith("latency_"):
        return None if record.get("error") else float(record.get("latency_ms") or 0.0)
    return record.get("metrics", {}).get(name)


def paired_bootstrap(pairs: list[tuple[float, float]], name: str, resamples: int = RESAMPLES,
                     seed: int = SEED) -> tuple[float, float] | None:
    """95 % percentile interval of stat(B) - stat(A), resampling questions (pairs) with replacement."""
    if len(pairs) < 2:
        return None
    stat, rng, n = _statistic(name), random.Random(seed), len(pairs)
    deltas = []
    for _ in range(resamples):
        sample = [pairs[rng.randrange(n)] for _ in range(n)]
        deltas.append(stat([b for _, b in sample]) - stat([a for a, _ in sample]))
    return round(percentile(deltas, 2.5), 4), round(percentile(deltas, 97.5), 4)


def _settings_diff(sa: dict, sb: dict) -> list[tuple[str, object, object]]:
    a = {**(sa.get("settings") or {}), **{k: sa.get(k) for k in _RUN_KEYS}}
    b = {**(sb.get("settings") or {}), **{k: sb.get(k) for k in _RUN_KEYS}}
    return [(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def compare_runs(run_a: str | Path, run_b: str | Path) -> Comparison:
    summary_a, records_a = load_run(run_a)
    summary_b, records_b = load_run(run_b)
    by_id_a = {r["id"]: r for r in records_a}
    by_id_b = {r["id"]: r for r in records_b}
    both = [i for i in by_id_b if i in by_id_a]
    ma, mb = summary_a.get("metrics", {}), summary_b.get("metrics", {})
    deltas = []
    for name in list(ma) + [n for n in mb if n not in ma]:
        values = [(_value(by_id_a[i], name), _value(by_id_b[i], name)) for i in both]
        pairs = [(a, b) for a, b in values if a is not None and b is not None]
        deltas.append(MetricDelta(name, ma.get(name, {}).get("value"), mb.get(name, {}).get("value"),
                                  paired_bootstrap(pairs, name), len(pairs)))
    entry = [{"id": i, "question": by_id_b[i]["question"], "failures": by_id_b[i]["failures"]} for i in both]
    regressed = [e for e in entry if by_id_a[e["id"]]["passed"] and not by_id_b[e["id"]]["passed"]]
    fixed = [e for e in entry if not by_id_a[e["id"]]["passed"] and by_id_b[e["id"]]["passed"]]
    return Comparison(
        str(run_a), str(run_b), deltas, regressed=regressed, fixed=fixed,
        only_a=[i for i in by_id_a if i not in by_id_b], only_b=[i for i in by_id_b if i not in by_id_a],
        settings=_settings_diff(summary_a, summary_b),
        records={e["id"]: (by_id_a[e["id"]], by_id_b[e["id"]]) for e in regressed + fixed},
    )


def format_comparison(c: Comparison) -> str:
    lines = [f"A: {c.a}", f"B: {c.b}", "", f"{'metric':<22}{'A':>11}{'B':>11}{'B - A':>11}  {'95% CI':<22}"]
    for m in c.metrics:
        unit = spec(m.name).unit if spec(m.name) else "rate"
        a, b, diff = format_value(m.a, unit), format_value(m.b, unit), format_value(m.diff, unit, signed=True)
        ci = (f"[{format_value(m.ci[0], unit, signed=True)}, {format_value(m.ci[1], unit, signed=True)}]"
              if m.ci else "")
        lines.append(f"{m.name:<22}{a:>11}{b:>11}{diff:>11}  {ci:<22}{m.verdict}".rstrip())
    if c.settings:
        lines += ["", "Settings that differ:"] + [f"  {k}: {a!r} -> {b!r}" for k, a, b in c.settings]
    lines += ["", f"Pass -> fail ({len(c.regressed)}):"]
    lines += [f"  {e['id']}: {e['question']}  [{'; '.join(e['failures'])}]" for e in c.regressed] or ["  none"]
    lines.append(f"Fail -> pass ({len(c.fixed)}): {', '.join(e['id'] for e in c.fixed) or 'none'}")
    if c.only_a or c.only_b:
        lines.append(f"Only in A: {', '.join(c.only_a) or 'none'}; only in B: {', '.join(c.only_b) or 'none'}")
    return "\n".join(lines)
