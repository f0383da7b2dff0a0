"""The README's settings table is the one generated from Settings (tests/support/settings_table.py):
every field listed, with its current default and description."""
from __future__ import annotations

import re

from assistant.config import Settings

from .support.settings_table import MARK, README, section, table


def readme_block() -> str:
    text = README.read_text(encoding="utf-8")
    start, end = section(text)
    return text[start + len(MARK):end].strip("\n")


def test_readme_lists_every_setting_once():
    listed = re.findall(r"^\| `(TREATY_[A-Z_]+)` \|", readme_block(), flags=re.M)
    assert sorted(listed) == sorted(f"TREATY_{name.upper()}" for name in Settings.model_fields)


def test_readme_table_is_the_generated_one():
    assert readme_block() == table(), "run `.venv/bin/python tests/support/settings_table.py --write`"
