"""Fitting the ranking weights: a listwise softmax model (the expected sources' share of the
softmax over each question's candidates), L2-regularised, solved with L-BFGS; and the
hit@k / MRR of a weight vector on examples, the named-article chunks leading as in the chat.
A fit can hold some weights fixed and fit only the others (`free`): the questions not in
English fit only their FOREIGN deltas on top of the English weights.
"""
from __future__ import annotations

import numpy as np

from ..answer.rank import FEATURES


def _loss(w: np.ndarray, examples, l2: float) -> tuple[float, np.ndarray]:
    total, grad = 0.0, np.zeros_like(w)
    for ex in examples:
        s = ex.X @ w
        s = s - s.max()
        e = np.exp(s)
        p_all = e / e.sum()
        pos = ex.positive
        p_pos = e[pos] / e[pos].sum()
        total += -np.log(e[pos].sum() / e.sum())
        grad += ex.X.T @ p_all - ex.X[pos].T @ p_pos
    n = max(len(examples), 1)
    return total / n + l2 * float(w @ w), grad / n + 2 * l2 * w


def fit_rank(examples, l2: float = 0.01, free: tuple[str, ...] = FEATURES,
             fixed: dict[str, float] | None = None) -> dict[str, float]:
    """Weights of all FEATURES: those in `free` fitted (L2 on them), the others as in `fixed` (else 0)."""
    from scipy.optimize import minimize

    usable = [ex for ex in examples if ex.positive.any() and not ex.pinned]
    if not usable:
        raise ValueError("no answerable question has an expected source among its candidates")
    cols = np.array([FEATURES.index(f) for f in free])
    start = np.array([(fixed or {}).get(f, 0.0) for f in FEATURES])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        full = start.copy()
        full[cols] = w
        total, grad = _loss(full, usable, 0.0)
        return total + l2 * float(w @ w), grad[cols] + 2 * l2 * w

    res = minimize(loss, np.zeros(len(cols)), jac=True, method="L-BFGS-B", options={"maxiter": 300})
    start[cols] = res.x
    return {f: round(float(v), 4) for f, v in zip(FEATURES, start, strict=True)}


def ranked_positive(ex, weights: dict[str, float]) -> list[bool]:
    """Whether each ranked hit is an expected source: pinned chunks first, then by score."""
    w = np.array([weights.get(f, 0.0) for f in FEATURES])
    order = np.argsort(-(ex.X @ w), kind="stable")
    pinned = set(ex.pinned)
    rest = [bool(ex.positive[i]) for i in order if ex.rows[i] not in pinned]
    return list(ex.pinned_positive) + rest


def rank_metrics(examples, weights: dict[str, float]) -> dict[str, dict[str, float]]:
    """Per category (and "all"): hit@1, hit@5, MRR over answerable examples."""
    groups: dict[str, list[list[bool]]] = {}
    for ex in examples:
        if not ex.answerable:
            continue
        ranked = ranked_positive(ex, weights)
        for key in ("all", ex.category):
            groups.setdefault(key, []).append(ranked)
    out = {}
    for key, lists in groups.items():
        n = len(lists)
        mrr = sum(next((1 / (i + 1) for i, p in enumerate(r) if p), 0.0) for r in lists) / n
        out[key] = {"n": n, "hit@1": sum(any(r[:1]) for r in lists) / n, "hit@5": sum(any(r[:5]) for r in lists) / n,
                    "mrr": mrr}
    return out
