"""`treaty mcp` driven by the `mcp` SDK's own client: the real command in a subprocess, over stdio
and over streamable HTTP, against the session's real index. Tools `ask` and `search`, the
documents as resources, and errors as tool errors with the message."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time

import pytest

from assistant.web.sources import document_rows

from .conftest import BIN, OFFLINE_ENV, ROOT, UN, free_port, run_treaty

pytestmark = pytest.mark.slow


def server_env(index_dir) -> dict[str, str]:
    return {**OFFLINE_ENV, "TREATY_INDEX_DIR": str(index_dir)}


def test_stdio_tools_and_resources(built_index, container):
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=str(BIN / "treaty"), args=["mcp"], env=server_env(built_index), cwd=ROOT)
    pipeline = container.pipeline()
    expected = pipeline.ask("What does Article 25 say?").as_dict()
    history = [{"role": "user", "content": "What does Article 25 say?"},
               {"role": "assistant", "content": expected["answer"]}]
    expected_follow_up = pipeline.ask("How long can it last?", history).as_dict()
    index = container.index()

    async def session() -> dict:
        out = {}
        async with Client(params, read_timeout_seconds=300) as client:
            out["server"] = client.server_info.name
            out["tools"] = {t.name: t for t in (await client.list_tools()).tools}
            out["ask"] = await client.call_tool("ask", {"question": "What does Article 25 say?"})
            out["decline"] = await client.call_tool("ask", {"question": "Tell me a joke"})
            out["follow_up"] = await client.call_tool("ask", {"question": "How long can it last?",
                                                              "history": history})
            out["search"] = await client.call_tool("search", {"query": "confiscation of proceeds of crime", "k": 3})
            out["empty"] = await client.call_tool("ask", {"question": "   "})
            out["bad_k"] = await client.call_tool("search", {"query": "x", "k": 99})
            out["resources"] = (await client.list_resources()).resources
            out["doc"] = await client.read_resource(f"treaty://documents/{UN}")
            from mcp import MCPError

            try:
                await client.read_resource("treaty://documents/no-such-doc")
            except MCPError as exc:
                out["missing"] = str(exc)
        return out

    out = asyncio.run(session())
    assert out["server"] == "treaty-assistant"
    assert set(out["tools"]) == {"ask", "search"}
    assert set(out["tools"]["ask"].input_schema["properties"]) == {"question", "history"}

    ask = out["ask"]
    assert not ask.is_error
    assert ask.structured_content["answer"] == expected["answer"]
    assert [c["label"] for c in ask.structured_content["citations"]] == [c["label"] for c in expected["citations"]]
    assert ask.structured_content["refused"] is False
    assert ask.structured_content["corpus_version"] == index.version
    assert json.loads(ask.content[0].text)["answer"] == expected["answer"]  # the text block agents read

    assert out["decline"].structured_content["refused"] is True and out["decline"].structured_content["citations"] == []
    follow = out["follow_up"].structured_content
    assert follow["answer"] == expected_follow_up["answer"]
    assert follow["extra"]["standalone_question"] == expected_follow_up["standalone_question"] != "How long can it last?"

    passages = out["search"].structured_content["passages"]
    retrieved = container.retriever().retrieve("confiscation of proceeds of crime", k=3).hits[:3]
    assert [p["label"] for p in passages] == [h.metadata["label"] for h in retrieved]
    assert passages[0]["resource"] == f"treaty://documents/{retrieved[0].metadata['doc_id']}#{retrieved[0].id}"
    assert passages[0]["text"] == retrieved[0].text and [p["rank"] for p in passages] == [1, 2, 3]

    assert out["empty"].is_error and "The question is empty: type a question about the Convention." in \
        out["empty"].content[0].text
    assert out["bad_k"].is_error and "k=99 is out of range: use 1 to 20." in out["bad_k"].content[0].text

    docs = {m["doc_id"] for m in index.metadatas}
    assert {str(r.uri) for r in out["resources"]} == {f"treaty://documents/{d}" for d in docs}
    text = out["doc"].contents[0].text
    assert text.startswith("# United Nations Convention against Cybercrime")
    rows = document_rows(index, UN)
    assert text.count("\n## ") == len(rows)
    assert all(index.texts[r] in text for r in rows) and "\n## Art. 25(2)\n" in text
    assert "No document 'no-such-doc' in the index: list the resources for the ids." in out["missing"]


def test_streamable_http(built_index):
    from mcp import Client

    port = free_port()
    proc = subprocess.Popen([str(BIN / "treaty"), "mcp", "--http", "--port", str(port)], cwd=ROOT,
                            env={**os.environ, **server_env(built_index)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    async def ask() -> dict:
        deadline = time.monotonic() + 240
        while True:
            try:
                async with Client(f"http://127.0.0.1:{port}/mcp", read_timeout_seconds=300) as client:
                    result = await client.call_tool("search", {"query": "What does Article 25 say?", "k": 2})
                    return result.structured_content
            except Exception:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    try:
        passages = asyncio.run(ask())["passages"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert [p["label"].split("(")[0] for p in passages] == ["Art. 25", "Art. 25"]


def test_no_index_is_one_error_line(tmp_path):
    result = run_treaty("mcp", TREATY_INDEX_DIR=str(tmp_path / "none"))
    assert result.returncode == 1
    assert result.stderr.strip().startswith("Error: No index at")
    assert result.stdout == ""
