"""The packaged USE multilingual v3 behind the embedder interface: real weights, real corpus text."""
from __future__ import annotations

import math

import pytest

from vectorstore.multilingual import MULTILINGUAL_MODEL_NAME, PackagedUSEM3

PASSAGES = [
    "Article 25. Expedited preservation of stored electronic data. Each State Party shall adopt such legislative "
    "measures as may be necessary to enable its competent authorities to order the expedited preservation of "
    "specified electronic data, including traffic data, content data and subscriber information.",
    "Article 37. Extradition. This article shall apply to the offences established in accordance with this "
    "Convention where the person who is the subject of the request for extradition is present in the territory "
    "of the requested State Party.",
    "Article 65. Entry into force. This Convention shall enter into force on the ninetieth day after the date of "
    "deposit of the fortieth instrument of ratification, acceptance, approval or accession.",
]
QUESTIONS = {  # the same question in five languages -> the passage that answers it (index)
    "¿Se puede entregar a un sospechoso a otro país para que lo juzguen allí?": 1,
    "Un suspect peut-il être remis à un autre pays pour y être jugé ?": 1,
    "Можно ли выдать подозреваемого другой стране для суда?": 1,
    "هل يمكن تسليم مشتبه به إلى بلد آخر لمحاكمته هناك؟": 1,
    "可以把嫌疑人引渡到另一个国家受审吗？": 1,
    "Quand la convention entre-t-elle en vigueur ?": 2,
    "¿Pueden las autoridades ordenar que se conserven rápidamente los datos electrónicos?": 0,
}


@pytest.fixture(scope="module")
def use():
    return PackagedUSEM3()


@pytest.fixture(scope="module")
def passages(use):
    return use.embed_documents(PASSAGES)


def _dot(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_interface_and_vectors(use):
    docs = use.embed_documents(PASSAGES)
    assert len(docs) == 3 and all(len(v) == use.dimensions == 512 for v in docs)
    assert all(math.isclose(_dot(v, v), 1.0, rel_tol=1e-3) for v in docs)  # normalised: cosine = dot
    q = use.embed_query(PASSAGES[1])
    assert _dot(q, docs[1]) > 0.99  # query path (1 thread) and batch path agree
    assert use.name == MULTILINGUAL_MODEL_NAME and "0.2.1" in use.name
    seen = []
    assert use.encode(PASSAGES, progress=seen.append) and sum(seen) == 3


@pytest.mark.parametrize("question,answer", QUESTIONS.items())
def test_a_question_in_another_language_finds_the_english_passage(use, passages, question, answer):
    scores = [_dot(use.embed_query(question), d) for d in passages]
    assert max(range(3), key=scores.__getitem__) == answer, scores
