"""The composer's sentence vectors (assistant/answer/unit_vectors.py): `treaty ingest` stores a
vector for every quotable unit, embeds only units no earlier ingest embedded, drops units no
passage has any more; a unit the file lacks is embedded on first use; and the composer picks,
by meaning, the sentence a lay question asks about when no word of the question is in it.
"""
from __future__ import annotations

import numpy as np
import pytest

from assistant.answer.generate.extractive import compose, unit_similarity
from assistant.answer.sentences import units
from assistant.answer.terms import IdfTable
from assistant.answer.tuning import DEFAULT
from assistant.answer.types import Passage
from assistant.answer.unit_vectors import (
    FILE,
    MULTILINGUAL_FILE,
    UnitVectors,
    read_store,
    unit_key,
    update_unit_vectors,
)


class Counting:
    """The real model's encode, counting the texts it is asked to embed."""

    def __init__(self, embedder):
        self.embedder, self.texts = embedder, []

    def __call__(self, texts, progress=None):
        self.texts += list(texts)
        return self.embedder.encode(list(texts))


def test_ingest_stores_a_vector_for_every_unit_of_the_index(built_index, container):
    index = container.index()
    keys, vectors = read_store(built_index / FILE)
    wanted = {unit_key(container.embedder.name, u) for t in index.texts for u in units(t)}
    assert set(keys) == wanted and vectors.shape == (len(keys), container.embedder.dimensions)
    assert isinstance(vectors, np.memmap)  # mapped, so serving processes share it


def test_only_new_units_are_embedded_and_gone_ones_dropped(tmp_path, embedder):
    encode = Counting(embedder)
    first = ["Each State Party shall preserve the data. It may refuse a request.", "A second passage."]
    assert update_unit_vectors(tmp_path, first, encode, "m") == 3
    encode.texts.clear()
    assert update_unit_vectors(tmp_path, first, encode, "m") == 0 and encode.texts == []
    second = ["Each State Party shall preserve the data. It may refuse a request.", "A new passage."]
    assert update_unit_vectors(tmp_path, second, encode, "m") == 1 and encode.texts == ["A new passage."]
    keys, _ = read_store(tmp_path / FILE)
    assert sorted(keys) == sorted(unit_key("m", u) for t in second for u in units(t))
    assert len(list(tmp_path.glob("unit-vectors-*.npy"))) == 1  # the replaced matrix is gone
    # what the file holds is what the model gives (float16), unit length
    stored = UnitVectors(tmp_path / FILE, Counting(embedder), "m").matrix(["A new passage."])[0]
    assert float(stored @ np.asarray(embedder.encode(["A new passage."])[0])) > 0.999


def test_ingest_stores_the_units_in_the_multilingual_space_too(built_index, container):
    index = container.index()
    use = container.multilingual
    keys, vectors = read_store(built_index / MULTILINGUAL_FILE)
    assert set(keys) == {unit_key(use.name, u) for t in index.texts for u in units(t)}
    assert vectors.shape == (len(keys), len(use.embed_query("x")))


def test_the_two_stores_keep_their_own_files(tmp_path, embedder):
    """Rewriting one store removes its own replaced matrix, never the other store's."""
    update_unit_vectors(tmp_path, ["One passage."], Counting(embedder), "m")
    update_unit_vectors(tmp_path, ["One passage."], Counting(embedder), "u", MULTILINGUAL_FILE)
    update_unit_vectors(tmp_path, ["Another passage."], Counting(embedder), "m")
    update_unit_vectors(tmp_path, ["Another passage."], Counting(embedder), "u", MULTILINGUAL_FILE)
    for file, model in ((FILE, "m"), (MULTILINGUAL_FILE, "u")):
        keys, vectors = read_store(tmp_path / file)
        assert keys == [unit_key(model, "Another passage.")] and vectors.shape == (1, embedder.dimensions)
    assert len(list(tmp_path.glob("*.npy"))) == 2


def test_a_unit_the_file_lacks_is_embedded_once_on_first_use(tmp_path, embedder):
    encode = Counting(embedder)
    vectors = UnitVectors(tmp_path / FILE, encode, "m")  # no file at all: an index built before it existed
    m = vectors.matrix(["The data are kept.", "The data are kept.", "Another sentence."])
    assert m.shape == (3, embedder.dimensions) and encode.texts == ["The data are kept.", "Another sentence."]
    vectors.matrix(["Another sentence."])
    assert len(encode.texts) == 2


@pytest.mark.parametrize("question, answer", [
    ("Can my request be fast-tracked when the files might be deleted soon?",
     "The request shall be handled on an expedited basis where the data are vulnerable to loss."),
    ("Is a request kept secret from the suspect?",
     "The requested State shall keep the request and its contents confidential."),
])
def test_the_composer_leads_with_the_sentence_closest_in_meaning(tmp_path, embedder, question, answer):
    # every sentence shares one word with the question ("request", "evidence"): words alone cannot tell them apart
    text = ("Each request is sent to the central authority of the other State. " + answer +
            " A request may be refused where the offence is political.")
    passage = Passage(1, text, "Art. 1(1)", "Test convention", score=1.0, context=text)
    idf = IdfTable([text, "unrelated text about other things"])
    q = embedder.embed_query(question)
    sims = unit_similarity([passage], q, UnitVectors(tmp_path / FILE, embedder.encode, embedder.name))
    assert max(sims.values()) == 0.0 and min(sims.values()) < 0.0  # relative to the closest unit
    assert compose(question, [passage], idf, DEFAULT, similarity=sims)[0][0] == answer
