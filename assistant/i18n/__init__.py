"""Six UN languages around English documents: which language a question is in, the
interface strings in it, and article/paragraph references written in it.

A leaf of the app: imports nothing from the answer path, reads no settings, loads no model.
"""
from .detect import LANGS, detect, latin_scores, question_lang, script_counts
from .refs import articles, chinese_number, find_refs, normalize_digits
from .strings import LANGUAGE_NAMES, STRINGS, direction, normalize_lang, quote_lead, t, widget_strings

__all__ = [
    "LANGS", "LANGUAGE_NAMES", "STRINGS", "articles", "chinese_number", "detect", "direction", "find_refs",
    "latin_scores", "normalize_digits", "normalize_lang", "question_lang", "quote_lead", "script_counts", "t", "widget_strings",
]
