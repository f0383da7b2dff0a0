"""The README's settings table, generated from `assistant.config.Settings`: one row per field,
in declaration order, with its TREATY_ variable, default and description.

    .venv/bin/python tests/support/settings_table.py           # print the table
    .venv/bin/python tests/support/settings_table.py --write   # replace it in README.md

tests/test_readme_settings.py fails when README.md and Settings disagree. Descriptions are
edited in config.py, never in the README.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MARK = "<!-- settings table: generated from assistant/config.py by tests/support/settings_table.py --write -->"
sys.path.insert(0, str(ROOT))


def shown(value) -> str:
    """A default as a reader would type it: paths relative to the checkout or to ~."""
    from pydantic import SecretStr

    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, Path):
        for base, prefix in ((ROOT, ""), (Path.home(), "~/")):
            if value.is_relative_to(base):
                return f"`{prefix}{value.relative_to(base).as_posix()}`"
        return f"`{value}`"
    if isinstance(value, list):
        return f"`{json.dumps([shown(v).strip('`') for v in value])}`"
    if value is None or value == "":
        return "none" if value is None else "empty"
    return f"`{value}`"


def table() -> str:
    from assistant.config import Settings

    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default_factory() if field.default_factory else field.default
        meaning = (field.description or "").replace("|", "\\|")
        rows.append(f"| `TREATY_{name.upper()}` | {shown(default)} | {meaning} |")
    return "\n".join(rows)


def section(readme: str) -> tuple[int, int]:
    """(start, end) of the generated block in README text: the mark line and the table under it."""
    start = readme.index(MARK)
    match = re.compile(r"(?:\n\|[^\n]*)+").match(readme, start + len(MARK))
    return start, match.end() if match else start + len(MARK)


def main() -> int:
    block = f"{MARK}\n{table()}"
    if "--write" not in sys.argv[1:]:
        print(block)
        return 0
    text = README.read_text(encoding="utf-8")
    start, end = section(text)
    README.write_text(text[:start] + block + text[end:], encoding="utf-8")
    print(f"wrote the settings table to {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
