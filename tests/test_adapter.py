"""The query adapter: its arithmetic and file on fixed arrays, and (with the session index) that
`treaty tune` writes one beside the tuning file that `treaty ask` loads and checks."""
from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.answer.adapter import QueryAdapter, adapted_features, load_adapter, sha256
from tests.conftest import run_treaty


def _adapter(d=4, r=2, seed=0):
    rng = np.random.default_rng(seed)
    return QueryAdapter(rng.normal(size=(d, r)).astype(np.float32), rng.normal(size=(r, d)).astype(np.float32), "m")


def test_no_adapter_means_the_plain_cosine_and_its_rank_among_candidates():
    q = np.array([1.0, 0, 0, 0], dtype=np.float32)
    vecs = np.array([[0.2, 1, 0, 0], [0.9, 0, 0, 0], [0.5, 0, 1, 0]], dtype=np.float32)
    feats = adapted_features(q, vecs, None)
    assert feats[:, 0].tolist() == pytest.approx([0.2, 0.9, 0.5])
    assert feats[:, 1].tolist() == pytest.approx([1 / 3, 1.0, 1 / 2])  # ranks 2, 0, 1


def test_the_adapter_moves_the_question_and_keeps_it_unit_length():
    a = _adapter()
    q = np.array([0.5, 0.5, 0.5, 0.5], dtype=np.float32)
    moved = a.apply(q)
    assert np.linalg.norm(moved) == pytest.approx(1.0, abs=1e-5)
    expected = q + (q @ a.U) @ a.W
    assert moved == pytest.approx(expected / np.linalg.norm(expected), abs=1e-5)
    zero = QueryAdapter(np.zeros((4, 2), np.float32), np.zeros((2, 4), np.float32), "m")
    assert zero.apply(q) == pytest.approx(q)  # the identity before any fit


def test_the_saved_adapter_round_trips_and_a_changed_file_is_refused(tmp_path):
    a = _adapter()
    blob = a.to_bytes()
    path = tmp_path / "t.adapter.npz"
    path.write_bytes(blob)
    back = load_adapter(path, sha256(blob))
    assert back.embedder == "m" and np.array_equal(back.U, a.U) and np.array_equal(back.W, a.W)
    path.write_bytes(blob[:-10] + b"0123456789")
    with pytest.raises(ValueError, match="does not match the tuning file's checksum"):
        load_adapter(path, sha256(blob))
    with pytest.raises(ValueError, match="cannot read the query adapter"):
        load_adapter(tmp_path / "missing.npz", "")


def test_tune_writes_the_adapter_that_ask_loads_and_a_tampered_one_is_one_clear_error(tmp_path, built_index):
    from tests.test_tune import _write

    out = tmp_path / "tuning.json"
    result = run_treaty("tune", str(_write(tmp_path)), "--out", str(out), "--folds", "2", timeout=600)
    assert result.returncode == 0, result.stderr
    values = json.loads(out.read_text())["values"]
    adapter_file = tmp_path / values["adapter_file"]
    assert adapter_file.name == "tuning.adapter.npz" and adapter_file.is_file()
    assert values["adapter_sha256"] == sha256(adapter_file.read_bytes())
    adapter = load_adapter(adapter_file, values["adapter_sha256"])
    assert np.abs(adapter.U).sum() > 0  # fitted, not the identity it starts from
    assert "adapted" in values["rank_weights"] and "adapted_rr" in values["rank_weights"]
    ok = run_treaty("ask", "Is hacking into a computer a crime?", TREATY_TUNING_FILE=str(out))
    assert ok.returncode == 0, ok.stderr
    adapter_file.write_bytes(adapter_file.read_bytes()[:-3] + b"xyz")
    bad = run_treaty("ask", "Is hacking into a computer a crime?", TREATY_TUNING_FILE=str(out))
    assert bad.returncode == 1
    last = bad.stderr.strip().splitlines()[-1]
    assert "does not match the tuning file's checksum" in last and "run `treaty tune" in last
