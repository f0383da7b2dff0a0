"""Property tests (hypothesis) of the loaders, the treaty parser and the chunker on hostile input:
arbitrary Markdown and text, treaty-like structure, broken or odd front matter, odd line ends.

Properties: loading never raises anything but `UnreadableFile` (a reasoned skip); a loaded file
keeps every word of its body; and every content paragraph of a document lands in exactly one
chunk, in order (a paragraph longer than the chunk limit in consecutive chunks, no word lost
or repeated). Example counts are modest so the module runs in well under a minute.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ingest import Document, UnreadableFile, chunk_document, load_corpus, load_file, looks_like_treaty
from ingest.chunking import MAX_WORDS
from ingest.loaders import strip_furniture

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_HEADING = re.compile(r"^#{1,6}(?:\s|$)")
_BOLD_HEADING = re.compile(r"^\*\*[^*]+\*\*$")

# -- strategies ------------------------------------------------------------------------------
word = st.one_of(
    st.sampled_from(["the", "State", "Party", "shall", "data", "90", "days", "(a)", "“term”", "means", "Hanoi",
                     "Art.", "e.g.", "**", "#tag", "[^1]", "---", "<b>", "1.", "i)", "—", "…", "\\", "`x`"]),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12),
)
sentence = st.builds(lambda ws, end: " ".join(ws) + end, st.lists(word, min_size=1, max_size=25),
                     st.sampled_from(["", ".", ";", ":", "!", "?"]))
long_paragraph = st.builds(lambda ss: " ".join(ss), st.lists(sentence, min_size=8, max_size=20))
structural = st.one_of(
    st.builds("### Article {}. {}".format, st.integers(0, 999), sentence),
    st.builds("### ARTICLE {} – {}".format, st.integers(1, 99), sentence),
    st.builds("## Chapter {}. {}".format, st.sampled_from(["I", "IV", "XII", "7", "x"]), sentence),
    st.builds("## Article {}".format, st.integers(1, 70)),
    st.sampled_from(["# Preamble", "# Annex", "# Annex: interpretative notes", "# Title", "#", "###", "####### x",
                     "**SECTION 1 – Criminal law**", "IN WITNESS WHEREOF, the undersigned signed.",
                     "DONE at Hanoi on this day.", "[… excerpt ends here …]", "0 comments",
                     "Write the first comment for this!", "https://example.org/avatar.png", "---"]),
    st.builds("{}. {}".format, st.integers(0, 150), sentence),
    st.builds("({}) {}".format, st.sampled_from(["a", "b", "iv", "x"]), sentence),
    st.builds("[^{}]: {}".format, st.sampled_from(["1", "2", "note"]), sentence),
)
block = st.one_of(sentence, structural, long_paragraph, st.text(max_size=80))
separator = st.sampled_from(["\n\n", "\n", "\n\n\n", "\n \n", "\r\n\r\n", "\r\r", "\n\t\n", "  \n\n", "\u2029", "\x0c"])


@st.composite
def documents(draw, max_blocks: int = 30) -> str:
    """Markdown-ish text: blocks (prose, treaty headings, items, footnotes, furniture) and separators."""
    blocks = draw(st.lists(block, min_size=0, max_size=max_blocks))
    out = ""
    for b in blocks:
        out += b + draw(separator)
    return out


@st.composite
def treaties(draw) -> str:
    """Text with at least three `### Article N` headings, so it is parsed as a treaty."""
    parts = [draw(documents(5))]
    for n in range(draw(st.integers(3, 5))):
        parts.append(f"### Article {n + 1}. {draw(sentence)}")
        parts.append(draw(documents(6)))
    return "\n\n".join(parts)


yaml_value = st.one_of(
    st.text(max_size=30), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=True),
    st.sampled_from(["2024-13-45", "2025-10-25", "2025-02-30 12:00:00", "[unclosed", "{a: 1", "*alias", "&anchor x",
                     "!!python/object:os.system", "'quoted", "a: b: c", "- item", ">", "|", "~", "0x1F", "1e999",
                     ".nan", "2001-12-14t21:59:43.10-05:00", "? complex", "@reserved", "%TAG"]),
)
front_matter = st.one_of(
    st.builds(lambda items: "---\n" + "".join(f"{k}: {v}\n" for k, v in items) + "---\n",
              st.lists(st.tuples(st.sampled_from(["title", "date", "short_title", "kind", "source_url", "x", "? [a]",
                                                  "- list", "", "title\ttab"]), yaml_value), max_size=6)),
    st.builds(lambda body: f"---\n{body}\n", st.text(max_size=60)),  # never closed
    st.builds(lambda body: f"---\n{body}\n---\n", st.text(max_size=60)),  # arbitrary YAML
    st.sampled_from(["---\n---\n", "---\n- a\n- b\n---\n", "--- \n'a'\n---", "---\n\x00\n---\n", ""]),
)
prefix = st.sampled_from(["", "\ufeff", "\n", "   "])


# -- properties --------------------------------------------------------------------------
def markdown_paragraphs(text: str) -> list[str]:
    """Paragraphs as Markdown reads them, line by line: runs of non-blank lines, whitespace folded;
    a heading line (`#` to `######`, then a space) stands alone even with no blank line around it."""
    out: list[str] = []
    run: list[str] = []
    for line in text.split("\n") + [""]:
        if not line.strip() or _HEADING.match(line.strip()):
            out.append(" ".join(" ".join(run).split()))
            run = []
            out.append(" ".join(line.split()))
        else:
            run.append(line)
    return [p for p in out if p]


def content_paragraphs(text: str, treaty: bool) -> list[str]:
    """The paragraphs a document's chunks must hold. In a treaty, headings are structure (kept
    as labels); in prose, a heading is text without its `#` marks."""
    paras = markdown_paragraphs(text)
    if treaty:
        return [p for p in paras if not _HEADING.match(p) and not _BOLD_HEADING.match(p)]
    return [q for p in paras if (q := p.lstrip("#").strip() if _HEADING.match(p) else p)]


def assert_each_paragraph_in_exactly_one_chunk(doc: Document) -> None:
    chunks = chunk_document(doc)
    paragraphs = content_paragraphs(doc.text, looks_like_treaty(doc.text))
    # a chunk's text is its paragraphs joined by blank lines (a cut paragraph: its part)
    pieces = [piece for c in chunks for piece in c.text.split("\n\n")]
    assert all(c.text.strip() for c in chunks), "an empty chunk"
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    i = 0
    for para in paragraphs:
        if len(para.split()) <= MAX_WORDS:
            assert i < len(pieces) and pieces[i] == para, f"paragraph not in exactly one chunk: {para!r}"
            i += 1
            continue
        words = para.split()
        taken: list[str] = []
        while len(taken) < len(words):  # a long paragraph: consecutive parts, in order
            assert i < len(pieces), f"paragraph lost its tail: {para!r}"
            taken += pieces[i].split()
            i += 1
        assert taken == words, f"long paragraph changed: {para!r}"
    assert i == len(pieces), f"chunks hold text that is in no paragraph: {pieces[i:]!r}"


@SETTINGS
@given(documents())
@example("# Title\nText right under the heading.\n\n#\n\n#hashtag stays.")
def test_prose_paragraphs_land_in_exactly_one_chunk(text):
    assert_each_paragraph_in_exactly_one_chunk(Document("doc", "Doc", text, Path("doc.md")))


@SETTINGS
@given(treaties())
@example("### Article 1. One\n\n1. First.\n\n### Article 2. Two\nText glued to its heading.\n\n"
         "### Article 3. Three\n\n#hashtag paragraph.")
def test_treaty_paragraphs_land_in_exactly_one_chunk(text):
    assert looks_like_treaty(text)
    assert_each_paragraph_in_exactly_one_chunk(Document("treaty", "Treaty", text, Path("treaty.md")))


def body_words(raw: str) -> list[str]:
    """Words of a file's text after line-end normalisation, without page-furniture lines."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    return strip_furniture(text).split()


@SETTINGS
@given(prefix, front_matter, documents(), st.sampled_from([".md", ".markdown", ".txt", ".html"]))
@example("", "---\ndate: 2024-13-45\n---\n", "Body.", ".md")
@example("", "---\ntitle: [[[[\n---\n", "Body.", ".md")
def test_loading_any_file_is_a_document_or_a_reasoned_skip(lead, fm, text, suffix):
    raw = lead + fm + text
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"doc{suffix}"
        path.write_text(raw, encoding="utf-8")
        try:
            doc = load_file(path)
        except UnreadableFile as exc:
            assert exc.reason and ": " in exc.reason  # what happened: what to do
            return
    assert doc.doc_id == "doc" and doc.title and doc.text.strip()
    assert all(isinstance(v, str) for v in (doc.title, doc.kind, doc.source_url, doc.date, doc.short_title))
    if suffix == ".txt":  # plain text: every word of the file is kept
        assert doc.text.split() == body_words(raw.removeprefix("\ufeff"))
    elif suffix != ".html" and not (raw.removeprefix("\ufeff")).startswith("---"):
        assert doc.text.split() == body_words(raw.removeprefix("\ufeff"))
    assert_each_paragraph_in_exactly_one_chunk(doc)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a.md", "b.txt", "c.html", "d.pdf", "e.docx", "README.md", ".hidden.md",
                                           "sub/f.md", "sub/a.md"]),
                          st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode))),
                max_size=8, unique_by=lambda t: t[0]))
def test_a_folder_of_arbitrary_files_never_stops_the_walk(files):
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in files:
            (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(tmp) / name).write_bytes(data)
        load = load_corpus([Path(tmp)])
    visible = [n for n, _ in files if not n.startswith(".")]
    assert len(load.documents) + len(load.skipped) == len(visible)
    assert len({d.doc_id for d in load.documents}) == len(load.documents)
    assert len({c.chunk_id for c in load.chunks}) == len(load.chunks)
