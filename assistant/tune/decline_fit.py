"""Fitting the answerability model: logistic regression over evidence.DECLINE_FEATURES of each
question's top passages (under the ranking being fitted), and the decline threshold chosen
as the lowest false-decline point that keeps most unanswerable questions declined.

Rule-decided questions (requests that are not questions, named or missing articles) are
left out of the fit: the rules decide them the same way in the chat. English questions and
the others are fitted apart (evidence.BASE / evidence.FOREIGN), each with its own threshold;
the foreign model's bias is shifted so that the one saved threshold decides both.
"""
from __future__ import annotations

import numpy as np

from ..answer.decide import is_task_request
from ..answer.evidence import BASE, DECLINE_FEATURES, FOREIGN, features
from ..answer.rank import FEATURES
from ..answer.types import Passage


def passages_of(ex, weights: dict[str, float], index, k: int) -> list[Passage]:
    w = np.array([weights.get(f, 0.0) for f in FEATURES])
    scores = ex.X @ w
    order = np.argsort(-scores, kind="stable")[:k]
    dense_col = FEATURES.index("dense")
    return [Passage(i + 1, index.texts[ex.rows[j]], "", "", float(scores[j]), index.embed_texts[ex.rows[j]],
                    float(ex.X[j, dense_col])) for i, j in enumerate(order)]


def rule_decided(ex) -> bool:
    return bool(ex.pinned) or ex.rule_decline or is_task_request(ex.question)


def decline_matrix(examples, weights, retriever) -> tuple[np.ndarray, np.ndarray]:
    rows, y = [], []
    for ex in examples:
        ps = passages_of(ex, weights, retriever.index, retriever.k)
        closest = getattr(retriever, "closest_sentence", None)
        best_unit = closest([p.text for p in ps], ex.query, ex.query_vec) if closest else 0.0
        rows.append(features(ex.question, ex.query, ps, retriever.idf, [p.score for p in ps], best_unit))
        y.append(0.0 if ex.answerable else 1.0)
    return np.array(rows), np.array(y)


def fit_decline(X: np.ndarray, y: np.ndarray, target_fd: float = 0.03, c: float = 1.0,
                foreign: np.ndarray | None = None) -> tuple[dict, float]:
    """(weights by feature name, threshold): the English model on the English rows, the foreign
    one on the others (`foreign`: a bool per row); without foreign rows of both classes to fit
    on, the foreign weights are the English ones."""
    foreign = np.zeros(len(y), dtype=bool) if foreign is None else np.asarray(foreign, dtype=bool)
    base = [DECLINE_FEATURES.index(f) for f in BASE]
    w, threshold = _fit_one(X[~foreign][:, base], y[~foreign], BASE, target_fd, c)
    copy = {f"foreign_{f}": v for f, v in w.items()}
    cols = [DECLINE_FEATURES.index(f) for f in FOREIGN]
    if len(set(y[foreign].tolist())) == 2:
        wf, tf = _fit_one(X[foreign][:, cols], y[foreign], FOREIGN, target_fd, c)
        # P_foreign >= tf  <=>  P_foreign with this bias shift >= threshold
        wf["foreign_bias"] = round(wf["foreign_bias"] + _logit(threshold) - _logit(tf), 4)
        copy = wf
    return {**w, **{f: copy.get(f, 0.0) for f in FOREIGN}}, threshold


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _fit_one(X: np.ndarray, y: np.ndarray, names, target_fd: float, c: float,
             inner_folds: int = 5) -> tuple[dict, float]:
    """(weights by feature name, threshold). Class-balanced logistic regression on all rows; the
    threshold is the lowest probability that declines at most `target_fd` of the answerable, read
    from out-of-fold probabilities (each row scored by a model fitted without it, `inner_folds`
    folds): in-sample probabilities are overfitted, so a threshold read from them missed the
    target on new questions (measured: cross-validated false declines 0.015 for a target of 0.03)."""
    from sklearn.linear_model import LogisticRegression

    def model() -> LogisticRegression:
        return LogisticRegression(C=c, class_weight="balanced", max_iter=2000, fit_intercept=False)

    fitted = model().fit(X, y)
    w = {name: round(float(v), 4) for name, v in zip(names, fitted.coef_[0], strict=True)}
    p = fitted.predict_proba(X)[:, 1]  # kept only for a fold whose other rows lack a class
    fold = np.arange(len(y)) % inner_folds
    if min(np.bincount(y.astype(int), minlength=2)) >= inner_folds:
        for f in range(inner_folds):
            held = fold == f
            if len(set(y[~held].tolist())) == 2:
                p[held] = model().fit(X[~held], y[~held]).predict_proba(X[held])[:, 1]
    answerable = np.sort(p[y == 0])[::-1]
    allowed = int(np.floor(target_fd * len(answerable)))
    threshold = float(answerable[allowed]) + 1e-6 if len(answerable) > allowed else 0.5
    return w, round(min(max(threshold, 0.05), 0.95), 4)


def probabilities(X: np.ndarray, weights: dict) -> np.ndarray:
    w = np.array([weights.get(f, 0.0) for f in DECLINE_FEATURES])
    return 1.0 / (1.0 + np.exp(-np.clip(X @ w, -50, 50)))
