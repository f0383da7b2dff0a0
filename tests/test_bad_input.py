"""Bad input: each bad file is skipped with a reason naming it, the rest is ingested; CLI errors are one clean line."""
from __future__ import annotations

import json

import pytest

from ingest import load_corpus

GOOD = "# Good notice\n\nThe convention was opened for signature in Hanoi in October 2025.\n"

# file name -> (content, reason reported for it)
BAD: dict[str, tuple[bytes, str]] = {
    "empty.txt": (b"", "file is empty: add text to it or remove it from the corpus"),
    "blank.md": (b"  \n\n\t\n", "file is empty: add text to it or remove it from the corpus"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "looks like a binary file, not text: remove it or convert it to .md/.txt"),
    "latin1.txt": ("Caf\u00e9 au lait\n".encode("latin-1"), "not valid UTF-8 (byte 3): re-save the file as UTF-8"),
    "corrupt.pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage",
                    "cannot read this PDF (PdfStreamError): re-export it, or convert it to text"),
    "empty.pdf": (b"", "file is empty: add text to it or remove it from the corpus"),
    "broken-yaml.md": (b"---\ntitle: [unclosed\nkind: note\n---\nBody text.\n",
                       "broken YAML front matter (line 3): fix the metadata between the '---' lines"),
    "unclosed.md": (b"---\ntitle: Never closed\n\nBody text.\n",
                    "front matter is not closed: add a line '---' after the metadata block"),
    "list-front-matter.md": (b"---\n- a\n- b\n---\nBody text.\n",
                             "front matter is not a key: value mapping: fix the metadata between the '---' lines"),
    "furniture-only.txt": ("[… excerpt ends here …]\n0 comment\nWrite the first comment for this!\n".encode(),
                           "no text left after removing metadata and page furniture: add text or remove the file"),
}


@pytest.fixture
def bad_corpus(make_corpus):
    return make_corpus({"good.md": GOOD, **{name: content for name, (content, _) in BAD.items()}})


def expected_skips(folder) -> list[dict]:
    return sorted(({"path": str(folder / name), "reason": reason} for name, (_, reason) in BAD.items()),
                  key=lambda s: s["path"])


def test_each_bad_file_is_skipped_with_its_reason_and_the_rest_loads(bad_corpus):
    load = load_corpus([bad_corpus])
    assert [d.doc_id for d in load.documents] == ["good"]
    assert [s.as_dict() for s in load.skipped] == expected_skips(bad_corpus)


def test_cli_ingest_reports_bad_files_without_tracebacks(bad_corpus, ingest_into, tmp_path, treaty_cli):
    index = tmp_path / "index"
    first = ingest_into([bad_corpus], index)  # embeds the good file with the session's model
    assert (first.documents, first.chunks, first.added) == (1, 1, 1)
    assert first.skipped == expected_skips(bad_corpus)
    # the console script then has nothing to embed, so it starts fast; same report
    proc = treaty_cli("ingest", "--only", "--corpus", str(bad_corpus), "--json", TREATY_INDEX_DIR=str(index))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["skipped"] == expected_skips(bad_corpus)
    assert (report["documents"], report["chunks"], report["unchanged"], report["embedded"]) == (1, 1, 1, 0)
    assert "Traceback" not in proc.stderr
    assert proc.stderr == ""  # no library warnings about the corrupt PDF either


def test_cli_missing_corpus_folder(tmp_path, treaty_cli):
    missing = tmp_path / "no-such-folder"
    proc = treaty_cli("ingest", "--only", "--corpus", str(missing))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == (
        f"Error: Corpus folder not found: {missing}: check the path, or pass an existing folder with --corpus DIR\n"
    )
    assert not (tmp_path / "index").exists()  # nothing was written


def test_cli_search_before_any_ingest(tmp_path, treaty_cli):
    index = tmp_path / "never-built"
    proc = treaty_cli("search", "What is illegal access?", TREATY_INDEX_DIR=str(index))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr == f"Error: No index at {index}: run `treaty ingest` first\n"


def test_cli_blank_question(built_index, cli):
    result = cli("search", "   ")
    assert result.exit_code == 1
    assert result.stderr == "Error: The question is empty: type a question about the Convention.\n"
