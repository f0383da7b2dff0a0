"""`treaty eval --compare RUN_A RUN_B`: per metric both values and the difference, and the
questions that went from pass to fail (and back). Reads finished run folders only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .metrics import BY_NAME, format_value
from .runner import load_run


@dataclass(frozen=True)
class MetricDelta:
    name: str
    a: float | None
    b: float | None

    @property
    def diff(self) -> float | None:
        return None if self.a is None or self.b is None else round(self.b - self.a, 4)

    @property
    def verdict(self) -> str:
        """"better", "worse" or "" from B's point of view."""
        spec = BY_NAME.get(self.name)
        if not self.diff or spec is None:
            return ""
        return "better" if (self.diff > 0) == spec.higher_is_better else "worse"


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    metrics: list[MetricDelta]
    regressed: list[dict] = field(default_factory=list)  # [{"id", "question", "failures"}] pass in A, fail in B
    fixed: list[dict] = field(default_factory=list)  # fail in A, pass in B
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"a": self.a, "b": self.b,
                "metrics": {m.name: {"a": m.a, "b": m.b, "diff": m.diff} for m in self.metrics},
                "regressed": self.regressed, "fixed": self.fixed, "only_a": self.only_a, "only_b": self.only_b}


def compare_runs(run_a: str | Path, run_b: str | Path) -> Comparison:
    summary_a, records_a = load_run(run_a)
    summary_b, records_b = load_run(run_b)
    ma, mb = summary_a.get("metrics", {}), summary_b.get("metrics", {})
    names = list(ma) + [n for n in mb if n not in ma]
    deltas = [MetricDelta(n, ma.get(n, {}).get("value"), mb.get(n, {}).get("value")) for n in names]
    by_id_a = {r["id"]: r for r in records_a}
    by_id_b = {r["id"]: r for r in records_b}
    both = [i for i in by_id_b if i in by_id_a]
    entry = [{"id": i, "question": by_id_b[i]["question"], "failures": by_id_b[i]["failures"]} for i in both]
    return Comparison(
        str(run_a), str(run_b), deltas,
        regressed=[e for e in entry if by_id_a[e["id"]]["passed"] and not by_id_b[e["id"]]["passed"]],
        fixed=[e for e in entry if not by_id_a[e["id"]]["passed"] and by_id_b[e["id"]]["passed"]],
        only_a=[i for i in by_id_a if i not in by_id_b], only_b=[i for i in by_id_b if i not in by_id_a],
    )


def format_comparison(c: Comparison) -> str:
    lines = [f"A: {c.a}", f"B: {c.b}", "", f"{'metric':<22}{'A':>11}{'B':>11}{'B - A':>11}"]
    for m in c.metrics:
        unit = BY_NAME[m.name].unit if m.name in BY_NAME else "rate"
        a, b, diff = format_value(m.a, unit), format_value(m.b, unit), format_value(m.diff, unit, signed=True)
        lines.append(f"{m.name:<22}{a:>11}{b:>11}{diff:>11}  {m.verdict}".rstrip())
    lines += ["", f"Pass -> fail ({len(c.regressed)}):"]
    lines += [f"  {e['id']}: {e['question']}  [{'; '.join(e['failures'])}]" for e in c.regressed] or ["  none"]
    lines.append(f"Fail -> pass ({len(c.fixed)}): {', '.join(e['id'] for e in c.fixed) or 'none'}")
    if c.only_a or c.only_b:
        lines.append(f"Only in A: {', '.join(c.only_a) or 'none'}; only in B: {', '.join(c.only_b) or 'none'}")
    return "\n".join(lines)
