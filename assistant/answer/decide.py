"""Every decision to answer or decline, and its wording: requests that are not questions
about the documents, articles or chapters that do not exist, articles of instruments no
document is, and questions the retrieved passages do not answer.

Answerability is one fitted logistic model over evidence.py's features (similarity, term
coverage, terms and names no document holds, a date or number asked for and absent), its
weights and threshold in `Tuning` (written by `treaty tune`). Intent patterns only catch
requests to do something else (write code, tell a joke, ignore instructions).
"""
from __future__ import annotations

import math
import re
from dataclasses import replace

from ..i18n import t
from . import evidence
from .evidence import DECLINE_FEATURES
from .terms import IdfTable
from .tuning import Tuning
from .types import Decision, Passage, Turn

_TASKS = [
    re.compile(r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|documents?|rules|prompt|context|above|previous|sources?)\b", re.I),
    re.compile(r"\b(reveal|show|print|repeat|output)\b.{0,30}\b(system prompt|your prompt|your instructions|hidden instructions)\b", re.I),
    re.compile(r"\b(tell|write|give|make|compose)\b.{0,30}\b(joke|poem|song|story|limerick|haiku|essay)\b", re.I),
    re.compile(r"\b(write|generate|create|build|code|give me)\b.{0,40}\b(code|script|program|function|website|web ?site|app|malware|virus|ransomware|exploit|sql|python|javascript|keylogger)\b", re.I),
    re.compile(r"^\s*how\s+(do|can|could|would|should|to)\s+(i|we|you|one|someone)?\s*(make|build|create|write|hack|set up|code|launch|develop|steal|break into|bypass|crack)\b", re.I),
    re.compile(r"^\s*(pretend|act as|role-?play|you are now)\b", re.I),
    re.compile(r"^\s*(please\s+)?translate\b", re.I),
    # asked to produce something rather than to find it: an imperative verb of making opens the request
    re.compile(r"^\s*(?:(?:can|could|would|will)\s+you\s+)?(?:please\s+)?(?:write|draft|compose|create|generate|make|"
               r"build|design|plan|convert|rewrite|format|book|recommend|suggest|calculate|solve)\b", re.I),
]


# the same two kinds of injected instruction ("ignore the instructions / documents", "you are now …")
# in the other UN languages the assistant answers (French, Spanish, Russian, Arabic, Chinese); the
# verbs only as a sentence's first word, where they are imperatives ("¿El tratado ignora las normas
# …?" and "La convention ignore-t-elle les règles …?" are questions)
_OPENS = r"(?:^|(?<=[.!?。！？»”]))\s*"
_TASKS += [
    re.compile(_OPENS + r"(?:oublie[zs]?|ignore[zs]?|ne tiens? pas compte)\b.{0,40}\b(?:instructions?|documents?|règles|"
               r"consignes|sources?)\b", re.I),
    re.compile(r"\b(?:tu es|vous êtes)\s+(?:maintenant|désormais)\b|" + _OPENS + r"(?:fais|faites) semblant\b", re.I),
    re.compile(_OPENS + r"(?:olvida|olvide|olviden|ignora|ignore|ignoren|no tengas en cuenta)\b.{0,40}\b(?:instrucciones|"
               r"documentos|reglas|normas|fuentes)\b", re.I),
    re.compile(r"\bahora (?:eres|es usted)\b|" + _OPENS + r"(?:finge|actúa como)\b", re.I),
    re.compile(_OPENS + r"(?:забудь|забудьте|игнорируй|игнорируйте|не обращай(?:те)? внимания).{0,40}"
               r"(?:инструкци|документ|правил|источник)", re.I),
    re.compile(r"\bтеперь (?:ты|вы)\b|" + _OPENS + r"притворись\b", re.I),
    re.compile(_OPENS + r"(?:انسَ|انس|تجاهل|تجاهلي|لا تلتزم).{0,40}(?:التعليمات|الوثائق|وثائق|القواعد|المصادر)"),
    re.compile(r"أنت الآن|انت الان|" + _OPENS + r"تظاهر"),
    re.compile(_OPENS + r"(?:忘掉|忘记|忽略|无视|不要理会).{0,20}(?:指令|指示|文件|规则|文档|资料)"),
    re.compile(r"你现在是|现在你是|" + _OPENS + r"(?:假装|扮演)"),
]


# the documents are a fixed snapshot: what happens today or right now is not in them
_PRESENT_MOMENT = re.compile(r"\b(?:today|tonight|tomorrow|right now|this (?:morning|afternoon|evening|week))\b", re.I)


def is_task_request(question: str) -> bool:
    return any(rx.search(question) for rx in _TASKS)


def suggestions(retrieval, short_titles: dict[str, str], primary_doc: str, limit: int = 3) -> list[str]:
    """Up to `limit` questions the documents answer, closest first: the articles among the hits,
    each asked by number (so asking it pins that article)."""
    out: list[str] = []
    for h in (retrieval.hits if retrieval else []):
        m = h.metadata
        if m.get("section") != "article" or not m.get("article"):
            continue
        doc = m.get("doc_id", "")
        where = "" if doc == primary_doc else f" of the {short_titles.get(doc, doc)}"
        title = f" ({m['article_title']})" if m.get("article_title") else ""
        q = f"What does Article {m['article']}{where}{title} say?"
        if q not in out:
            out.append(q)
        if len(out) >= limit:
            break
    return out


def _gist(query: str, limit: int = 90) -> str:
    text = " ".join(query.split())
    return text if len(text) <= limit else text[: limit].rsplit(" ", 1)[0] + "…"


def decline_text(decision: Decision, query: str, suggested: list[str], lang: str = "en", retrieval=None) -> str:
    """One or two short sentences in `lang`: what was searched and that the documents do not say it;
    then the closest questions they do answer, if any (asked in English, as their titles are).

    A missing article or chapter is worded from `retrieval` (the one `decide` read); without
    it, from the decision's English detail."""
    missing = retrieval.missing[0] if retrieval is not None and retrieval.missing else None
    chapters = retrieval.missing_chapters[0] if retrieval is not None and retrieval.missing_chapters else None
    if decision.reason == "task":
        lead = t("decline_task", lang)
    elif decision.reason == "missing_article" and missing is not None and not missing.part:
        lead = t("decline_missing_article", lang, doc=missing.doc_title, count=missing.highest, article=missing.article)
    elif decision.reason == "missing_chapter" and chapters is not None:
        title, chapter, count = chapters
        lead = t("decline_missing_chapter", lang, doc=title, count=count, chapter=chapter)
    elif decision.reason == "missing_document" and retrieval is not None and retrieval.refs.other:
        lead = t("decline_missing_document", lang, name=retrieval.refs.other[0])
    elif decision.reason in ("missing_article", "missing_chapter"):  # a missing paragraph or item: English
        lead = decision.detail + " The documents do not cover it."
    else:
        lead = t("decline_searched", lang, gist=_gist(query))
    if suggested:
        lead += f" {t('they_answer', lang)} " + " ".join(suggested)
    return lead


def decline_probability(x, tuning: Tuning) -> float:
    """Fitted logistic model over evidence.DECLINE_FEATURES: P(the documents do not answer)."""
    z = sum(tuning.decline_weights.get(name, 0.0) * v for name, v in zip(DECLINE_FEATURES, x, strict=True))
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def rule_decision(question: str, retrieval) -> Decision | None:
    """The declines decided by rule, before any model: not a question about the documents, an
    article, chapter or instrument that is not there, the present moment; None for the rest.
    `treaty tune` leaves the questions these decide out of the answerability fit (tune/examples.py)."""
    if retrieval is None or is_task_request(question):
        return Decision(True, "task")
    if retrieval.missing and not retrieval.pinned:
        return Decision(True, "missing_article", retrieval.missing[0].describe())
    if retrieval.refs.other and not retrieval.pinned:  # "Article 8 of the European Convention on Human Rights"
        return Decision(True, "missing_document", f"The documents do not include the {retrieval.refs.other[0]}.")
    if retrieval.missing_chapters:
        title, chapter, count = retrieval.missing_chapters[0]
        return Decision(True, "missing_chapter", f"The {title} has {count} chapters; there is no Chapter {chapter}.")
    if not retrieval.pinned and _PRESENT_MOMENT.search(question):
        return Decision(True, "unsupported", "asks about the present moment; the documents are a fixed snapshot")
    return None


def decide(question: str, query: str, retrieval, passages: list[Passage], idf: IdfTable, tuning: Tuning,
           closest_sentence=None) -> Decision:
    """Answer or decline, and why. `retrieval` is None for requests that are not questions;
    `closest_sentence(texts, query, query_vec)`: how close the closest sentence of the passages
    comes to the question (Retriever.closest_sentence; 0.0 without it)."""
    rule = rule_decision(question, retrieval)
    if rule is not None:
        return rule
    if not passages:
        return Decision(True, "unsupported", "nothing retrieved")
    if not retrieval.pinned:  # a question naming an article is answered from that article
        texts = [p.text for p in passages]
        best_unit = closest_sentence(texts, query, retrieval.query_vec) if closest_sentence else 0.0
        x = evidence.features(question, query, passages, idf, [p.score for p in passages], best_unit)
        p = decline_probability(x, tuning)
        if p >= tuning.decline_threshold:
            return Decision(True, "unsupported", f"decline probability {p:.2f}")
    return Decision(False)


def decide_stage(turn: Turn, tuning: Tuning) -> Turn:
    s = turn.standalone
    retrieved = [p for p in turn.passages if not p.metadata]  # what the model was fitted on (treaty tune)
    decision = decide(turn.question, s.query, turn.retrieval, retrieved, turn.retriever.idf, tuning,
                      getattr(turn.retriever, "closest_sentence", None))
    return replace(turn, decision=decision)
