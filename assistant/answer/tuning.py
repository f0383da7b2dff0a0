"""Every weight and threshold of the answer path in one frozen dataclass.

Each field says what it changes and where its value comes from (`hand-set` or
`fitted: <command>`). `load_tuning(path)` overlays the values saved in a tuning file
(written by `treaty tune`) on these defaults; the code holds the model, the file the numbers.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path


def knob(default: float, effect: str, source: str = "hand-set") -> float:
    return field(default=default, metadata={"effect": effect, "source": source})


@dataclass(frozen=True)
class Tuning:
    # -- retrieval: multiplicative boosts on the fused score ----------------------------
    primary_boost: float = knob(1.3, "score factor for the primary document when the question names no document")
    named_doc_boost: float = knob(3.0, "score factor for a document the question names")
    section_boost: float = knob(2.5, "score factor for the annex / preamble when the question names it")
    chapter_boost: float = knob(1.5, "score factor for a chapter the question names")
    name_boost: float = knob(2.0, "score factor for chunks holding a rare multi-word name from the question")
    title_boost: float = knob(2.0, "score factor for an article whose title words all occur in the question")
    definition_boost: float = knob(2.5, "score factor for the chunk defining a term a definitional question uses")
    rare_name_max_rows: int = knob(10, "a name found in more chunks than this is too common to boost")
    # -- decide: answer or decline --------------------------------------------------------
    min_relevance: float = knob(0.5, "decline below this relevance (best cosine + coverage_weight x best coverage)",
                                "hand-set on dev.jsonl (bench/calibrate.py)")
    min_coverage: float = knob(0.15, "decline when no passage covers this IDF share of the question's terms",
                               "hand-set on dev.jsonl (bench/calibrate.py)")
    coverage_weight: float = knob(0.5, "weight of term coverage against cosine similarity in relevance")
    # -- extractive composer ---------------------------------------------------------------
    max_units: int = knob(3, "most sentences / items quoted in one answer")
    max_words: int = knob(160, "stop adding quotes past this many words")
    about_weight: float = knob(0.25, "weight of the passage's (header + text) coverage in a sentence's score")
    rank_weight: float = knob(0.35, "bonus 0.35/(1+rank) for sentences of better-ranked passages")
    lead_bonus: float = knob(0.1, "bonus for the first sentence of a passage")
    definition_bonus: float = knob(0.15, "bonus x coverage for a 'means' sentence when a definition is asked")
    intro_penalty: float = knob(0.3, "penalty for bare intros (under 6 words, or short and ending in ':')")
    title_penalty: float = knob(0.5, "penalty for a page title repeated as its first line")
    keep_ratio: float = knob(0.6, "further quotes need this share of the best sentence's score")
    # -- verify -----------------------------------------------------------------------------
    support_threshold: float = knob(0.5, "share of a sentence's content words its passage must hold",
                                    "hand-set (bench/calibrate.py: own paragraph vs another)")

    fitted_on: str = ""  # the question file and date the saved values came from, if any

    @classmethod
    def describe(cls) -> list[tuple[str, object, str, str]]:
        """(name, default, effect, source) for every knob: the README table."""
        return [(f.name, f.default, f.metadata["effect"], f.metadata["source"]) for f in fields(cls) if f.metadata]


DEFAULT = Tuning()


def load_tuning(path: Path | None) -> Tuning:
    """Defaults overlaid with the `values` of a tuning file; a missing file means the defaults."""
    if path is None or not Path(path).is_file():
        return DEFAULT
    from ..errors import TreatyError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        known = {f.name: f.type for f in fields(Tuning)}
        values = {k: v for k, v in data.get("values", {}).items() if k in known}
        return replace(DEFAULT, **values, fitted_on=str(data.get("fitted_on", "")))
    except (ValueError, TypeError, AttributeError) as exc:
        raise TreatyError(f"Tuning file {path} is not valid ({exc}): run `treaty tune` to write it again") from None
