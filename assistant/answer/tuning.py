"""Every weight and threshold of the answer path in one frozen dataclass.

Each field says what it changes and where its value comes from (`hand-set` or
`fitted: <command>`). `load_tuning(path)` overlays the values saved in a tuning file
(written by `treaty tune`) on these defaults; the code holds the model, the file the numbers.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

# before any fit: reciprocal-rank fusion of dense and BM25 plus the structure matches
DEFAULT_RANK_WEIGHTS = {"dense_rr": 1.0, "lex_rr": 1.0, "primary": 0.1, "named_doc": 0.5, "section": 0.5,
                        "chapter": 0.2, "title": 0.3, "definition": 0.5, "rare_name": 0.3}
# before any fit: the hand-set rule "decline below cosine + 0.5 x coverage = 0.5", as a logistic model
DEFAULT_DECLINE_WEIGHTS = {"bias": 5.0, "best_dense": -10.0, "best_cov": -5.0}


def knob(default: float, effect: str, source: str = "hand-set") -> float:
    return field(default=default, metadata={"effect": effect, "source": source})


@dataclass(frozen=True)
class Tuning:
    # -- retrieval: a linear score over candidate features (rank.FEATURES) -------------
    rank_weights: dict = field(default_factory=lambda: dict(DEFAULT_RANK_WEIGHTS), metadata={
        "effect": "weight of each ranking feature (rank.FEATURES) in a candidate's score",
        "source": "fitted: treaty tune eval/train.jsonl eval/dev.jsonl"})
    rare_name_max_rows: int = knob(10, "a name found in more chunks than this is too common to boost")
    # -- the query adapter (adapter.py), fitted by `treaty tune` with these settings ----------
    adapter_file: str = field(default="", metadata={
        "effect": "the fitted query adapter (beside the tuning file); empty: questions are not adapted",
        "source": "fitted: treaty tune eval/train.jsonl eval/dev.jsonl"})
    adapter_sha256: str = field(default="", metadata={"effect": "checksum of adapter_file", "source": "treaty tune"})
    adapter_rank: int = knob(32, "rank of the adapter's map (0: tune fits none)",
                             "hand-set; offline 5-fold CV hit@1/hit@5 on train+dev (softmax over all chunks): rank 16 "
                             "0.758/0.904, 32 0.773/0.912, 64 0.785/0.908 (none 0.719/0.888); treaty tune, rank 32 "
                             "(softmax over the candidates): 0.762/0.900")
    adapter_epochs: int = knob(200, "full-batch Adam steps when fitting the adapter")
    adapter_lr: float = knob(0.01, "Adam learning rate of the adapter fit")
    adapter_weight_decay: float = knob(0.001, "L2 pull of the adapter towards the identity")
    adapter_temperature: float = knob(0.05, "softmax temperature over a question's candidates in the adapter fit")
    adapter_inner_folds: int = knob(4, "inner folds giving the ranker out-of-fold adapter features (stacking)")
    # -- decide: answer or decline --------------------------------------------------------
    decline_weights: dict = field(default_factory=lambda: dict(DEFAULT_DECLINE_WEIGHTS), metadata={
        "effect": "logistic weights of each answerability feature (evidence.DECLINE_FEATURES)",
        "source": "fitted: treaty tune eval/train.jsonl eval/dev.jsonl"})
    decline_threshold: float = knob(0.5, "decline when P(the documents do not answer) reaches this",
                                    "fitted: treaty tune (cross-validated)")
    # -- extractive composer ---------------------------------------------------------------
    max_units: int = knob(3, "most sentences / items quoted in one answer")
    max_words: int = knob(160, "stop adding quotes past this many words")
    max_listed: int = knob(5, "most articles a list question's answer enumerates (one quote each)",
                           "hand-set: the retrieved passages (k=5) bound it anyway")
    about_weight: float = knob(0.25, "weight of the passage's (header + text) coverage in a sentence's score")
    rank_weight: float = knob(0.6, "bonus rank_weight x exp(score - best score) for sentences of better-ranked passages")
    rank_by_score: int = knob(1, "1: that bonus follows the ranker's scores; 0: 1/(1+rank) as before the fitted ranker")
    lead_bonus: float = knob(0.1, "bonus for the first sentence of a passage")
    unit_sim_weight: float = knob(1.0, "weight of a sentence's cosine with the question, relative to the closest "
                                  "sentence's (unit_vectors.py: its meaning, where lay words miss the treaty's)",
                                  "picked by 5-fold CV over a grid: python bench/composer_fit.py eval/train.jsonl "
                                  "eval/dev.jsonl --knobs unit_sim_weight (grid figures: bench/results/unit_weight.json)")
    definition_bonus: float = knob(0.15, "bonus x coverage for a 'means' sentence when a definition is asked")
    named_bonus: float = knob(1.0, "bonus for the sentences of the paragraph or item a question names (\"Article 40 paragraph 8\", \"2(b)\")")
    asked_term_bonus: float = knob(1.0, "bonus for the sentence defining the very term a definition question names "
                                   "(\"'computer data' means ...\" for \"how is computer data defined?\")")
    intro_penalty: float = knob(0.3, "penalty for bare intros (under 6 words, or short and ending in ':')")
    title_penalty: float = knob(0.5, "penalty for a page title repeated as its first line")
    carry_weight: float = knob(0.3, "weight of a follow-up's earlier questions against its own words in choosing quotes")
    repeat_penalty: float = knob(0.5, "penalty for a quote the previous answer already gave (follow-ups ask for more)")
    rest_bonus: float = knob(0.1, "bonus for a follow-up's sentences from the paragraphs the previous answer quoted, "
                             "other than the quotes it gave (\"And can it be extended?\": the rest of the cited paragraph)",
                             "hand-set; train multi-turn in sample unchanged at 0.1 and 0.2 (treaty eval eval/train.jsonl)")
    keep_ratio: float = knob(0.6, "further quotes need this share of the best sentence's score")
    # -- verify -----------------------------------------------------------------------------
    support_threshold: float = knob(0.5, "share of a sentence's content words its passage must hold",
                                    "hand-set (bench/calibrate.py: own paragraph vs another)")

    fitted_on: str = ""  # the question file and date the saved values came from, if any

    @classmethod
    def describe(cls) -> list[tuple[str, object, str, str]]:
        """(name, default, effect, source) for every knob: the README table."""
        return [(f.name, DEFAULT.__dict__[f.name], f.metadata["effect"], f.metadata["source"])
                for f in fields(cls) if f.metadata]


DEFAULT = Tuning()


def _checked(name: str, value):
    """A saved value of the same shape as the default: a number, or a dict of feature -> number."""
    default = DEFAULT.__dict__[name]
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string")
        return value
    if isinstance(default, dict):
        if not isinstance(value, dict) or not all(isinstance(v, (int, float)) for v in value.values()):
            raise ValueError(f"{name} must map feature names to numbers")
        return {str(k): float(v) for k, v in value.items()}
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number")
    return type(default)(value)


def load_tuning(path: Path | None) -> Tuning:
    """Defaults overlaid with the `values` of a tuning file; a missing file means the defaults."""
    if path is None or not Path(path).is_file():
        return DEFAULT
    from ..errors import TreatyError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        values = {k: _checked(k, v) for k, v in data.get("values", {}).items() if k in DEFAULT.__dict__}
        return replace(DEFAULT, **values, fitted_on=str(data.get("fitted_on", "")))
    except (ValueError, TypeError, AttributeError, OSError) as exc:
        raise TreatyError(f"Tuning file {path} is not valid ({exc}): run `treaty tune` to write it again") from None
