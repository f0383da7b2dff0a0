"""A further vector space (the multilingual embedder's vectors of the same rows) kept beside the main
collection: synced incrementally like it, in embedded Chroma and on a real `chroma run` server."""
from __future__ import annotations

import pytest

from vectorstore import ChromaStore, HybridIndex

from .test_store_contract import TEXTS, records

pytestmark = pytest.mark.timeout(300)

SPACE = "multi"
WITNESS = "Protection of witnesses who give testimony."


@pytest.fixture(scope="module")
def use():
    from vectorstore.multilingual import PackagedUSEM3

    return PackagedUSEM3()


@pytest.fixture(params=["embedded", "server"])
def store(request, tmp_path) -> ChromaStore:
    url = request.getfixturevalue("chroma_server") if request.param == "server" else None
    return ChromaStore(tmp_path / "index", url)


def nearest(index: HybridIndex, use, question: str) -> str:
    """The key of the row nearest to `question` in the further space."""
    sims = index.dense(use.embed_query(question), 1, space=SPACE)
    return index.ids[max(sims, key=sims.get)].split(":")[0]


def test_the_space_is_built_with_the_index_and_an_unchanged_resync_embeds_nothing(store, embedder, use):
    first = store.sync(records(TEXTS), embedder.encode, spaces={SPACE: use.encode})
    assert (first.embedded, first.embedded_spaces) == (3, {SPACE: 3})
    index = HybridIndex(store, embedder)
    assert list(index.spaces) == [SPACE]
    assert nearest(index, use, "¿Se puede extraditar a los nacionales?") == "c"
    assert nearest(index, use, "Accès illégal à un système informatique") == "a"

    again = store.sync(records(TEXTS), embedder.encode, spaces={SPACE: use.encode})
    assert (again.embedded, again.embedded_spaces.get(SPACE, 0), again.version) == (0, 0, first.version)


def test_only_changed_rows_are_embedded_in_the_space(store, embedder, use):
    store.sync(records(TEXTS), embedder.encode, spaces={SPACE: use.encode})
    changed = {**TEXTS, "b": "Expedited preservation of stored traffic data for up to 90 days."}
    del changed["a"]
    changed["d"] = WITNESS
    report = store.sync(records(changed), embedder.encode, spaces={SPACE: use.encode})
    assert (report.embedded, report.embedded_spaces) == (2, {SPACE: 2})
    index = HybridIndex(store, embedder)
    assert sorted(i[0] for i in index.ids) == ["b", "c", "d"]
    assert len(index.dense(use.embed_query("données"), 10, space=SPACE)) == 3  # the removed row is gone
    assert nearest(index, use, "Защита свидетелей, дающих показания") == "d"

    # once more on top (in server mode: a version layered over a layered one)
    changed["e"] = "Jurisdiction over offences committed on board a ship."
    report = store.sync(records(changed), embedder.encode, spaces={SPACE: use.encode})
    assert (report.embedded, report.embedded_spaces) == (1, {SPACE: 1})
    index = HybridIndex(store, embedder)
    assert nearest(index, use, "船上犯罪的管辖权") == "e"
    assert nearest(index, use, "حماية الشهود") == "d"


def test_a_space_is_added_to_and_dropped_from_an_existing_index(store, embedder, use):
    store.sync(records(TEXTS), embedder.encode)
    assert HybridIndex(store, embedder).spaces == {}
    added = store.sync(records(TEXTS), embedder.encode, spaces={SPACE: use.encode})
    assert (added.embedded, added.embedded_spaces) == (0, {SPACE: 3})  # the main vectors are kept
    assert nearest(HybridIndex(store, embedder), use, "Extradition des nationaux") == "c"
    dropped = store.sync(records(TEXTS), embedder.encode)
    assert (dropped.embedded, dropped.embedded_spaces) == (0, {})
    assert HybridIndex(store, embedder).spaces == {}
    again = store.sync(records(TEXTS), embedder.encode, spaces={SPACE: use.encode})
    assert again.embedded_spaces == {SPACE: 3}  # a space the live version lacks is embedded whole
    assert nearest(HybridIndex(store, embedder), use, "Extradition des nationaux") == "c"
