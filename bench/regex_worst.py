"""Worst case of every regex over document or user text on 10,000-character adversarial strings.

For each pattern (module-level and inline, found by tests/support/regex_steps.py) and each
adversarial string: `re.finditer` wall time and the backtracking steps the counting matcher
takes. Prints the ten worst and the overall worst; writes bench/results/regex_worst.json.
Usage: python bench/regex_worst.py [--chars 10000]
"""
from __future__ import annotations

import argparse
import json
import time

from common import RESULTS, ROOT  # noqa: F401 - puts the repo on sys.path

from tests.support.regex_steps import adversarial, module_patterns, steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=10_000)
    n = parser.parse_args().chars
    rows = []
    for name, pattern in sorted(module_patterns().items()):
        for label, text in adversarial(n).items():
            start = time.perf_counter()
            for _ in pattern.finditer(text):
                pass
            ms = (time.perf_counter() - start) * 1000
            rows.append({"pattern": name, "input": label, "ms": round(ms, 3),
                         "steps": steps(pattern, text, 10**9), "chars": len(text)})
    rows.sort(key=lambda r: -r["steps"])
    print(f"{'pattern':45} {'input':15} {'ms':>8} {'steps':>10} {'steps/char':>10}")
    for r in rows[:10]:
        print(f"{r['pattern']:45} {r['input']:15} {r['ms']:8.2f} {r['steps']:10,} {r['steps'] / r['chars']:10.1f}")
    worst_ms = max(rows, key=lambda r: r["ms"])
    print(f"\n{len(rows)} runs over {len({r['pattern'] for r in rows})} patterns at {n:,} characters: worst "
          f"{rows[0]['steps'] / rows[0]['chars']:.1f} steps/char ({rows[0]['pattern']}, {rows[0]['input']}); "
          f"slowest {worst_ms['ms']:.2f} ms ({worst_ms['pattern']}, {worst_ms['input']})")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "regex_worst.json").write_text(json.dumps({"chars": n, "worst": rows[:10]}, indent=1))


if __name__ == "__main__":
    main()
