"""Article and paragraph references in the six UN languages -> (article, paragraph | None).

"article 25(2)", "l'article 25, paragraphe 2", "art. 25.2", "párrafo 2 del artículo 25",
"статьи 25 пункт 2", "пункт 2 статьи 47", "المادة ٢٥", "الفقرة 2 من المادة 47", "第二十五条",
"第25条第2款"; lists ("articles 23 et 35", "المادتين 23 و35"). Arabic-Indic, Persian and full-width
digits and Chinese numerals are read. Letters (art. 2(m)), chapters and documents are left out.
"""
from __future__ import annotations

import re

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹０１２３４５６７８９", "0123456789" * 3)
_ZH_DIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNIT = {"十": 10, "百": 100}

_N = r"(\d{1,3})(?!\d)"
_AR_PREFIX = r"(?:[وفبلك]{0,2})"  # و ف ب ل ك attach to the next word: "بالمادة", "وللمادة"
_ARTICLE = (
    r"(?:\b(?:articles?|arts?\.?|art[íi]culos?|стат(?:ья|ьи|ье|ью|ьей|ьёй|ей|ьях|ьям|ьями)|ст\.)"
    rf"|{_AR_PREFIX}(?:ال)?(?:ماد(?:ة|ه|تين|تان|تا)|مواد))"
)
_PARAGRAPH = (
    r"(?:\b(?:paragraphs?|paras?\.?|paragraphes?|alin[ée]as?|p[áa]rrafos?|apartados?|"
    r"пункт(?:а|е|у|ом|ы|ов|ах)?|п\.|част(?:ь|и|ью)|ч\.)"
    rf"|{_AR_PREFIX}(?:ال)?فقر(?:ة|ه|تين|تان|ات)|§)"
)
_AND = r"(?:,|،|&|\band\b|\bor\b|\bet\b|\bou\b|\by\b|\be\b|\bo\b|\bи\b|\bили\b|و)"
# article N [paragraph P | (P) | .P | § P] [and M ...]
_ART_FIRST = re.compile(
    rf"{_ARTICLE}\s*(?:n[°º.]\s*|№\s*)?{_N}"
    rf"(?:\s*\(\s*{_N}\s*\)|\.(\d{{1,2}})(?!\d)|\s*[,،]?\s*{_PARAGRAPH}\s*{_N})?"
    rf"((?:\s*{_AND}\s*(?:{_ARTICLE}\s*)?\d{{1,3}}(?!\d))*)",
    re.I,
)
# paragraph P [of | de l' | del | из | من] article N
_PARA_FIRST = re.compile(
    rf"{_PARAGRAPH}\s*{_N}\s*(?:of\s+(?:the\s+)?|de\s+l['’]\s*|de\s+la\s+|du\s+|de\s+|del\s+|de\s+el\s+|من\s+)?"
    rf"{_ARTICLE}\s*{_N}",
    re.I,
)
_ZH_NUM = r"([0-9〇零一二两三四五六七八九十百]+)"
_ZH = re.compile(rf"第\s*{_ZH_NUM}\s*条(?:\s*第\s*{_ZH_NUM}\s*款)?")
_MORE = re.compile(r"\d{1,3}")


def normalize_digits(text: str) -> str:
    """Arabic-Indic (٢٥), Persian (۲۵) and full-width (２５) digits -> ASCII."""
    return text.translate(_DIGITS)


def chinese_number(text: str) -> int:
    """'二十五' -> 25, '十' -> 10, '一百零三' -> 103, '25' -> 25; ValueError for anything else."""
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for ch in text:
        if ch in _ZH_DIGIT:
            digit = _ZH_DIGIT[ch]
        elif ch in _ZH_UNIT:
            total += (1 if digit is None else digit) * _ZH_UNIT[ch]
            digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + (digit or 0)


def find_refs(text: str) -> list[tuple[int, int | None]]:
    """Every (article, paragraph or None) the text names, in order, without repeats.

    A bare (article, None) is dropped when the same article is also named with a paragraph.
    """
    text = normalize_digits(text)
    found: list[tuple[int, int, int | None]] = []  # (position, article, paragraph)
    for m in _ART_FIRST.finditer(text):
        para = m.group(2) or m.group(3) or m.group(4)
        found.append((m.start(), int(m.group(1)), int(para) if para else None))
        tail_start = m.start(5)
        found += [(tail_start + n.start(), int(n.group()), None) for n in _MORE.finditer(m.group(5) or "")]
    for m in _PARA_FIRST.finditer(text):
        found.append((m.start(), int(m.group(2)), int(m.group(1))))
    for m in _ZH.finditer(text):
        try:
            article = chinese_number(m.group(1))
            para = chinese_number(m.group(2)) if m.group(2) else None
        except ValueError:
            continue
        found.append((m.start(), article, para))
    with_para = {a for _, a, p in found if p is not None}
    out: dict[tuple[int, int | None], None] = {}
    for _, article, para in sorted(found, key=lambda f: f[0]):
        if article > 0 and (para is not None or article not in with_para):
            out.setdefault((article, para))
    return list(out)


def articles(text: str) -> list[int]:
    """The article numbers alone, in order: find_refs without the paragraphs."""
    return list(dict.fromkeys(a for a, _ in find_refs(text)))
