"""What a question points at: articles ("Article 25", "art. 16(2)", "articles 23 and 35"),
sections (annex, preamble), chapters, and documents it names.

Documents are recognised from their own metadata: a capitalised name from exactly one
document's title ("Budapest", "EFF"), or the head noun of exactly one document's kind
("the resolution"), names it, so a user's added files work without configuration. An article
"of" a named instrument no indexed document is ("Article 8 of the European Convention on Human
Rights", "Article 17 of the GDPR") is another law's article, not one of ours (`other_instruments`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_PARA_WORD = r"(?:paragraph|para\.?|par\.?|§)"
_ART = re.compile(
    r"\b(?:articles?|arts?\.?)\s*(\d{1,3})(?:\s*\((\d{1,2})\)|,?\s*" + _PARA_WORD + r"\s*(\d{1,2})\b)?"
    r"(?:\s*\(([a-z])\)(?![\w(]))?"  # a lettered item: "article 2(p)", "art. 16(2)(b)"
    r"((?:\s*(?:,|and|or|&|to|-|–)\s*\d{1,3}\b(?!\s*\())*)",
    re.I,
)
# "paragraph 8 of article 40", "para 8, art. 40"
_PARA_OF = re.compile(r"\b" + _PARA_WORD + r"\s*(\d{1,2})\s*(?:of|in|,)\s*(?:the\s+)?(?:article|art\.?)\s*(\d{1,3})\b", re.I)
# a bare "40(8)": an article number with a paragraph in brackets
_BARE = re.compile(r"(?<![\w/.(])(\d{1,3})\((\d{1,2})\)(?![\w(])")
_MORE = re.compile(r"(,|and|or|&|to|-|–)\s*(\d{1,3})")
_CHAPTER = re.compile(r"\bchapter\s+([IVXLC]+|\d+)\b", re.I)
_SECTIONS = {
    "annex": re.compile(r"\bannex\w*|\binterpretative notes?\b", re.I),
    "preamble": re.compile(r"\bpreamble\b", re.I),
}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9/.-]{2,}")
_GENERIC = frozenset(
    "the this that what which does convention treaty united nations cybercrime about with from have "
    "under their there statement page home text article articles chapter annex document documents "
    "january february march april june july august september october november december".split()
)


@dataclass(frozen=True)
class ArticleRef:
    article: int
    paragraph: int = 0
    item: str = ""  # a lettered subparagraph, "p" in "article 2(p)"


@dataclass(frozen=True)
class Refs:
    articles: tuple[ArticleRef, ...] = ()
    sections: tuple[str, ...] = ()
    chapters: tuple[str, ...] = ()
    docs: tuple[str, ...] = field(default_factory=tuple)
    other: tuple[str, ...] = ()  # instruments the articles are "of" that no indexed document is

    @property
    def empty(self) -> bool:
        return not (self.articles or self.sections or self.chapters or self.docs)


def _to_roman(n: int) -> str:
    out = ""
    for value, numeral in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


def article_refs(text: str) -> tuple[ArticleRef, ...]:
    found: list[tuple[int, ArticleRef]] = []
    for m in _PARA_OF.finditer(text):
        found.append((m.start(), ArticleRef(int(m.group(2)), int(m.group(1)))))
    covered = [m.span() for m in _PARA_OF.finditer(text)]
    for m in _ART.finditer(text):
        if any(a <= m.start() < b for a, b in covered):
            continue
        found.append((m.start(), ArticleRef(int(m.group(1)), int(m.group(2) or m.group(3) or 0), m.group(4) or "")))
        prev = int(m.group(1))
        for sep, n in _MORE.findall(m.group(5) or ""):
            n = int(n)
            span = range(prev + 1, n + 1) if sep.strip() in ("to", "-", "–") and 0 < n - prev <= 15 else [n]
            found += [(m.start(), ArticleRef(a)) for a in span]
            prev = n
    if not found:
        found = [(m.start(), ArticleRef(int(m.group(1)), int(m.group(2)))) for m in _BARE.finditer(text)]
    refs = [r for _, r in sorted(found, key=lambda x: x[0])]
    seen: dict[ArticleRef, None] = {}
    for r in refs:
        seen.setdefault(r)
    return tuple(seen)


def _kind_head(kind: str) -> str:
    """The head noun of a document kind: "UN General Assembly resolution (…)" -> "resolution"."""
    words = _WORD.findall(kind.split("(")[0])
    return words[-1].lower() if words else ""


def doc_aliases(titles: dict[str, str], primary: str, kinds: dict[str, str] | None = None) -> dict[str, str]:
    """Names that point at one document: capitalised title words (names, acronyms) found in
    exactly one document's title and not in the primary's, stored as "Word"; and the head
    noun of a document kind that no other document shares, stored lower case ("resolution")."""
    owners: dict[str, set[str]] = {}
    for doc_id, title in titles.items():
        for word in {w.strip("./-") for w in _WORD.findall(title) if w[0].isupper()}:
            if len(word) >= 3 and word.lower() not in _GENERIC:
                owners.setdefault(word.lower(), set()).add(doc_id)
    primary_words = {w.lower() for w in _WORD.findall(titles.get(primary, ""))}
    aliases = {w.capitalize(): next(iter(d)) for w, d in owners.items() if len(d) == 1 and w not in primary_words}
    heads: dict[str, set[str]] = {}
    for doc_id, kind in (kinds or {}).items():
        if (head := _kind_head(kind)) and len(head) >= 5 and head not in _GENERIC:
            heads.setdefault(head, set()).add(doc_id)
    aliases.update({h: next(iter(d)) for h, d in heads.items() if len(d) == 1 and d != {primary}})
    return aliases


def _alias_of(word: str, position: int, aliases: dict[str, str]) -> str | None:
    """A capitalised alias matches only a capitalised word that does not open the question."""
    bare = word.strip("./-")
    if bare.lower() in aliases:
        return aliases[bare.lower()]
    if position > 0 and bare[:1].isupper():
        return aliases.get(bare.capitalize())
    return None


def _any_language_refs(text: str) -> tuple[ArticleRef, ...]:
    """References in the other UN languages ("artículo 25", "статья 25", "第25条", "المادة 25")."""
    from ...i18n import find_refs

    return tuple(ArticleRef(a, p or 0) for a, p in find_refs(text))


# "Article 8 of the European Convention on Human Rights", "art. 17(1) of the GDPR", "Article 3 of
# the UK Computer Misuse Act 1990": a capitalised name (or an acronym) after an article reference
_NAMED = r"(?:[A-Z][\w’'/-]*|\d{4})"
_OF_INSTRUMENT = re.compile(
    r"\b(?i:article|art\.?)\s*\d{1,3}(?:\s*\(\d{1,2}\))?(?:\s*\([a-z]\))?(?:,?\s*(?i:" + _PARA_WORD + r")\s*\d{1,2})?"
    r"\s+(?i:of|in|under)\s+(?i:the\s+)?(?:(?:EU|EU’s|EU's|UK|US)\s+)?(?P<name>" + _NAMED +
    r"(?:\s+(?:(?:of|on|for|and|the|to|against|in)\s+){0,2}" + _NAMED + r"){0,8})")
_INSTRUMENT_NOUN = re.compile(r"\b(?:Convention|Treaty|Act|Regulation|Directive|Charter|Code|Covenant|Protocol|"
                              r"Constitution|Declaration|Law|Agreement|Statute)s?\b")
_ACRONYM_NAME = re.compile(r"^[A-Z][A-Z0-9]{2,}$")
# words that do not tell one instrument from another
_NOT_DISTINCT = frozenset("un united nations international convention treaty act regulation directive charter code "
                          "covenant protocol constitution declaration law agreement statute of on for and the to "
                          "against in eu uk us new".split())


def title_words(titles: dict[str, str]) -> list[frozenset[str]]:
    """Each document's title words, lower case (doc_id -> title and short title): what
    `other_instruments` checks a name against; computed once per index version."""
    return [frozenset(w.lower() for w in re.findall(r"[A-Za-z0-9]+", t)) for t in titles.values()]


def other_instruments(text: str, titles: list[frozenset[str]]) -> tuple[str, ...]:
    """Names of instruments the question cites an article of that no document is (`titles`: each
    document's `title_words`): a name is ours when its distinguishing words (not "Convention",
    "UN", …) are all in one document's title."""
    if not titles:
        return ()
    out = []
    for m in _OF_INSTRUMENT.finditer(text):
        name = m.group("name").strip()
        if not name[:1].isupper() or not (_INSTRUMENT_NOUN.search(name) or _ACRONYM_NAME.match(name)):
            continue
        distinct = {w.lower() for w in re.findall(r"[A-Za-z0-9]+", name)} - _NOT_DISTINCT
        if distinct and not any(distinct <= words for words in titles) and name not in out:
            out.append(name)
    return tuple(out)


def parse_refs(text: str, aliases: dict[str, str] | None = None, titles: list[frozenset[str]] | None = None) -> Refs:
    """`titles`: the documents' `title_words`, to tell another instrument's articles from ours."""
    sections = tuple(name for name, rx in _SECTIONS.items() if rx.search(text))
    chapters = []
    for m in _CHAPTER.finditer(text):
        raw = m.group(1).upper()
        chapters.append(_to_roman(int(raw)) if raw.isdigit() else raw)
    docs: list[str] = []
    for m in _WORD.finditer(text):
        doc = _alias_of(m.group(0), m.start(), aliases or {})
        if doc and doc not in docs:
            docs.append(doc)
    return Refs(article_refs(text) or _any_language_refs(text), sections, tuple(chapters), tuple(docs),
                other_instruments(text, titles or []))
