"""The quality gate: `--fail-under METRIC=VALUE` (and `--fail-over` for lower-is-better
metrics such as false_decline or latency) turned into checks on a run's summary metrics.

Only decides pass/fail and says why; the CLI chooses the exit code.
"""
from __future__ import annotations

from dataclasses import dataclass

from .metrics import BY_NAME, spec


@dataclass(frozen=True)
class Threshold:
    metric: str
    value: float
    under: bool = True  # True: fail when metric < value; False: fail when metric > value

    def __str__(self) -> str:
        return f"{self.metric} {'>=' if self.under else '<='} {self.value:g}"


def parse_threshold(text: str, under: bool = True) -> Threshold:
    """"citation_hit=0.9" -> Threshold; ValueError names the allowed metrics."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or spec(name) is None:
        allowed = ", ".join(BY_NAME) + " (hit@K for a run with --k K)"
        raise ValueError(f"{text!r} is not METRIC=VALUE with METRIC one of: {allowed}")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{text!r}: {raw.strip()!r} is not a number") from None
    return Threshold(name, value, under)


def check_gates(metrics: dict[str, dict], thresholds: list[Threshold]) -> list[str]:
    """One message per threshold the run misses (empty list = the gate passes)."""
    failed = []
    for t in thresholds:
        if t.metric not in metrics:
            failed.append(f"{t.metric} is not measured by this run (it has {', '.join(metrics)}): "
                          "match the metric to --k")
            continue
        value = metrics[t.metric].get("value")
        if value is None:
            failed.append(f"{t.metric} has no applicable questions (needs {t})")
        elif (value < t.value) if t.under else (value > t.value):
            failed.append(f"{t.metric} is {value:g}, needs {t}")
    return failed
