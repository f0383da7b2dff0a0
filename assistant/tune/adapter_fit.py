"""Fitting the query adapter (answer/adapter.py) and feeding the ranker its features without leaks.

The adapter is fitted on answerable examples: per question, a softmax over its candidates'
cosines with the adapted question, the expected sources its targets (full-batch Adam, L2
towards the identity). The ranker that weighs the adapter's features must not see them on
the questions the adapter was fitted on (they would look too good), so its training
features are out-of-fold (stacking): each example's come from an adapter fitted without
its inner fold. Nothing here runs at answer time.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..answer.adapter import QueryAdapter, adapted_features
from ..answer.rank import ADAPTED, gate
from ..answer.tuning import Tuning


def fit_adapter(examples, embedder: str, tuning: Tuning, seed: int = 0) -> QueryAdapter | None:
    """An adapter fitted on the answerable examples with an expected source among their candidates."""
    import torch

    usable = [ex for ex in examples if ex.answerable and ex.positive.any() and len(ex.rows) > 1]
    rank = int(tuning.adapter_rank)
    if not usable or rank <= 0:
        return None
    torch.manual_seed(seed)
    dims = usable[0].vectors.shape[1]
    width = max(len(ex.rows) for ex in usable)
    vecs = np.zeros((len(usable), width, dims), dtype=np.float32)
    pos = np.zeros((len(usable), width), dtype=bool)
    mask = np.zeros((len(usable), width), dtype=bool)
    for j, ex in enumerate(usable):
        n = len(ex.rows)
        vecs[j, :n], pos[j, :n], mask[j, :n] = ex.vectors, ex.positive, True
    Q = torch.tensor(np.stack([ex.query_vec for ex in usable]))
    C, P, M = torch.tensor(vecs), torch.tensor(pos), torch.tensor(mask)
    U = torch.zeros(dims, rank, requires_grad=True)
    W = (torch.randn(rank, dims) * 0.01).requires_grad_()
    opt = torch.optim.Adam([U, W], lr=tuning.adapter_lr, weight_decay=tuning.adapter_weight_decay)
    for _ in range(int(tuning.adapter_epochs)):
        q2 = Q + (Q @ U) @ W
        q2 = q2 / q2.norm(dim=1, keepdim=True)
        logits = torch.einsum("qd,qcd->qc", q2, C) / tuning.adapter_temperature
        logits = logits.masked_fill(~M, -1e9)
        loss = (torch.logsumexp(logits, 1) - torch.logsumexp(logits.masked_fill(~P, -1e9), 1)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return QueryAdapter(U.detach().numpy().copy(), W.detach().numpy().copy(), embedder)


def with_adapter(ex, adapter: QueryAdapter | None):
    """A copy of the example whose adapter columns come from `adapter` (None: the plain question)."""
    X = ex.X.copy()
    if len(ex.rows):
        X[:, list(ADAPTED)] = adapted_features(ex.query_vec, ex.vectors, adapter)
    return replace(ex, X=gate(X, ex.foreign))


def out_of_fold(examples, embedder: str, tuning: Tuning, folds: list[int]) -> list:
    """Each example with adapter features from an adapter fitted on the other folds' English examples
    (the adapter moves English questions; the English weights must not depend on the others)."""
    out = list(examples)
    for f in sorted(set(folds)):
        adapter = fit_adapter([ex for ex, g in zip(examples, folds, strict=True) if g != f and not ex.foreign],
                              embedder, tuning)
        for i, g in enumerate(folds):
            if g == f:
                out[i] = with_adapter(examples[i], adapter)
    return out
