"""Every regex over document or user text runs in linear time on adversarial input.

Each module-level and inline pattern of the answer path, the ingest parsers and the web edge
is run by tests/support/regex_steps.py (the same backtracking search as `re`, counting steps)
over 2,000-character adversarial strings; the worst may take at most STEPS_PER_CHAR steps a
character (linear), where a quadratic pattern takes hundreds. Wall times: bench/regex_worst.py.
"""
from __future__ import annotations

import re

import pytest

from .support.regex_steps import TooManySteps, adversarial, module_patterns, steps

N = 2000
STEPS_PER_CHAR = 60  # the linear patterns take 1-20 steps a character here
BOUND = STEPS_PER_CHAR * N + 1000
# the "how many" pattern as it was: 12,000 letters made each count question take seconds
QUADRATIC = re.compile(r"([A-Za-z][A-Za-z-]+)\s*:?\s*(\d[\d,]*)(?![\d)])|(\d[\d,]*)\s+([A-Za-z][A-Za-z-]+)")
PATTERNS = module_patterns()


def test_the_step_counter_catches_a_quadratic_pattern():
    with pytest.raises(TooManySteps):
        steps(QUADRATIC, adversarial(N)["letters"], BOUND)
    assert steps(QUADRATIC, "a" * 200, 10**8) > 50 * steps(QUADRATIC, "a" * 20, 10**8)


def test_the_step_counter_finds_what_re_finds():
    from .support.regex_steps import _Matcher

    text = "Up to 90 days [1]. Signatories: 72 and 1,200 hours. The Council of Europe met."
    for name, pattern in PATTERNS.items():
        ends = []
        m = _Matcher(pattern, text, 10**7)
        found = m.seq(list(m.tree), 0, 0, lambda p, ends=ends: ends.append(p) or True)
        expected = pattern.match(text.lower() if pattern.flags & re.I else text)
        assert found == (expected is not None), name
        if expected:
            assert ends[0] == expected.end(), name


def test_patterns_are_found_in_every_text_module():
    assert len(PATTERNS) > 40
    assert any(":" in name and "extractive" in name for name in PATTERNS)  # inline ones too


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_each_pattern_is_linear_on_adversarial_input(name):
    pattern = PATTERNS[name]
    worst = {label: steps(pattern, text, BOUND) for label, text in adversarial(N).items()}
    assert max(worst.values()) <= BOUND, worst
