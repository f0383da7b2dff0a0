"""Which of the six UN languages a question is written in: en, fr, es, ru, ar or zh.

Script statistics first (Arabic, Cyrillic and Han letters each name one language), then,
for Latin text, diacritics, Spanish ¿/¡, French elisions (l', qu') and a few hundred
function words decide between English, French and Spanish. Pure Python, no data files,
~0.1 ms a question. Other languages are not told apart: they come out as the closest of
the six (or `fallback` when nothing points anywhere).
"""
from __future__ import annotations

import re

LANGS = ("en", "fr", "es", "ru", "ar", "zh")

# a Han character carries about a word, a Cyrillic or Arabic letter about a Latin one;
# non-Latin scripts weigh a little more because a reader of English rarely types them
_SCRIPT_WEIGHT = {"ar": 1.5, "ru": 1.5, "zh": 3.0}

_FUNCTION_WORDS = {
    "en": "the a an is are was were be been of and or to in on at by for with from about under what which who whom "
          "whose when where why how does do did can could would should will must may might my our your their his "
          "her its it they he she we you i me us them this that these those there have has had any not no if "
          "than then also only just say says said between treaty against someone anything hello hi thanks please",
    "fr": "le la les l un une des du de d au aux et ou où est sont être a ont que qu qui quoi quel quelle quels "
          "quelles dans pour par sur sous avec sans pas ne n peut peuvent doit doivent mon ma mes ton ta tes son "
          "sa ses notre nos votre vos leur leurs ce cet cette ces il ils elle elles je j nous vous on se s si "
          "selon comment combien pourquoi quand lorsque aussi même dit prévoit ça cela en traité état états trop "
          "attendez réessayez données infraction aucun aucune tout tous toutes rien alors ici très chez "
          "pays entre contre bonjour merci salut",
    "es": "el la los las lo un una unos unas de del al y e o u es son está están ser que qué quien quién cuál "
          "cuáles cuando cuándo cuánto cuántos como cómo donde dónde por para con sin sobre según entre contra "
          "se su sus mi mis tu tus nuestro nuestra le les me nos si sí no ni hay tiene tienen puede pueden "
          "debe deben dice establece también eso esto este esta ese esa ya muy pero porque en tratado convenio "
          "demasiado demasiadas espere vuelva intentarlo pregunta preguntas segundos datos delito cualquier "
          "todo todos nada algo alguien ahora aquí usted "
          "país países estado estados hola gracias",
}
_OWNERS: dict[str, list[str]] = {}
for _lang, _words in _FUNCTION_WORDS.items():
    for _w in _words.split():
        _OWNERS.setdefault(_w, []).append(_lang)

_LATIN_WORD = re.compile(r"[a-zà-öø-ÿœ]+")
_ELISION = re.compile(r"\b(?:l|d|qu|j|c|s|n|m|t|jusqu|lorsqu)['’][a-zàâéèêëîïôûùüÿœ]", re.I)
_FR_SPACING = re.compile(r"\w\s[?!:;»]|«\s\w")  # French typography: a space before ? ! : ; and inside « »
_MARKS = {
    "es": {"¿": 3.0, "¡": 3.0, "ñ": 2.0, "á": 1.0, "í": 1.0, "ó": 1.0, "ú": 1.0},
    "fr": {"ç": 1.5, "œ": 2.0, "è": 1.0, "ê": 1.0, "à": 1.0, "â": 1.0, "î": 1.0, "ô": 1.0, "û": 1.0, "ù": 1.0,
           "ë": 1.0, "ï": 1.0},
}


def _script(ch: str) -> str | None:
    o = ord(ch)
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0x08A0 <= o <= 0x08FF or 0xFB50 <= o <= 0xFDFF \
            or 0xFE70 <= o <= 0xFEFF:
        return "ar"
    if 0x0400 <= o <= 0x052F:
        return "ru"
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF:
        return "zh"
    if ch.isalpha() and o < 0x0250:
        return "latin"
    return None


def script_counts(text: str) -> dict[str, int]:
    """Letters per script: {"latin": n, "ar": n, "ru": n, "zh": n} (digits and punctuation left out)."""
    counts = {"latin": 0, "ar": 0, "ru": 0, "zh": 0}
    for ch in text:
        if (s := _script(ch)) is not None:
            counts[s] += 1
    return counts


def latin_scores(text: str) -> dict[str, float]:
    """Evidence for en, fr and es in Latin text: marks, elisions, French spacing, function words."""
    low = text.lower()
    scores = {"en": 0.0, "fr": 0.0, "es": 0.0}
    for lang, marks in _MARKS.items():
        scores[lang] += sum(weight * low.count(mark) for mark, weight in marks.items())
    scores["fr"] += 2.0 * len(_ELISION.findall(text)) + 0.5 * len(_FR_SPACING.findall(text))
    for word in _LATIN_WORD.findall(low):
        owners = _OWNERS.get(word, ())
        for lang in owners:  # a word several languages share counts for each, split
            scores[lang] += 1.0 / len(owners)
    return scores


def detect(text: str, fallback: str = "en") -> str:
    """The language of `text` among LANGS; `fallback` when there is no evidence (e.g. "Art. 25?").

    Pass the conversation's language as `fallback` so a bare reference keeps it.
    """
    counts = script_counts(text)
    weighted = {lang: counts[lang] * w for lang, w in _SCRIPT_WEIGHT.items()}
    best = max(weighted, key=weighted.get)
    if weighted[best] > 0 and weighted[best] >= counts["latin"]:
        return best
    if counts["latin"] == 0:
        return fallback
    scores = latin_scores(text)
    top = max(scores.values())
    if top <= 0:
        return fallback
    tied = [lang for lang in ("en", "fr", "es") if scores[lang] == top]
    return fallback if fallback in tied else tied[0]


def question_lang(question: str, history=()) -> str:
    """The language of a question in a conversation ([{role, content}] turns, oldest first):
    a question with no evidence of its own ("Art. 25?") keeps the last user turn's."""
    last = next((turn["content"] for turn in reversed(history or ()) if turn.get("role") == "user"), "")
    return detect(question, fallback=detect(last) if last else "en")
