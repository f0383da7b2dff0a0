"""Worst case of every regex over document or user text on 10,000-character adversarial strings.

For each pattern (module-level and inline, found by tests/support/regex_steps.py) and each
adversarial string: `re.finditer` wall time; for the ten slowest also the backtracking steps
the counting matcher takes. Prints them and the worst; writes bench/results/regex_worst.json.
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
            rows.append({"pattern": name, "input": label, "ms": round((time.perf_counter() - start) * 1000, 3),
                         "chars": len(text)})
    rows.sort(key=lambda r: -r["ms"])
    for r in rows[:10]:  # the counting matcher is pure Python: steps for the ten slowest only
        r["steps"] = steps(module_patterns()[r["pattern"]], adversarial(n)[r["input"]], 10**9)
    print(f"{'pattern':45} {'input':15} {'ms':>8} {'steps':>10} {'steps/char':>10}")
    for r in rows[:10]:
        print(f"{r['pattern']:45} {r['input']:15} {r['ms']:8.2f} {r['steps']:10,} {r['steps'] / r['chars']:10.1f}")
    most = max(rows[:10], key=lambda r: r["steps"])
    print(f"\n{len(rows)} runs over {len({r['pattern'] for r in rows})} patterns at {n:,} characters: slowest "
          f"{rows[0]['ms']:.2f} ms ({rows[0]['pattern']}, {rows[0]['input']}); most steps among those "
          f"{most['steps'] / most['chars']:.1f} per character ({most['pattern']}, {most['input']})")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "regex_worst.json").write_text(json.dumps({"chars": n, "worst": rows[:10]}, indent=1))


if __name__ == "__main__":
    main()
