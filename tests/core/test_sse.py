"""clients.sse: httpx-sse's decoders fed a chunk at a time frame exactly as its aiter_sse() does.

httpx-sse is the reference: every stream below, cut into chunks at every
possible place (or at random places), must give the same ``data`` values as
``EventSource(response).aiter_sse()`` over the same bytes.
"""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest
from httpx_sse import EventSource

from nemochat.clients.sse import SSEBatcher

STREAMS = [
    "data: one\n\n",
    "data: one\r\n\r\ndata: two\r\r",
    "data: a\ndata: b\n\ndata:c\n\n",
    ": ping\n\ndata: after a comment\n\n: trailing comment\n",
    "data\n\ndata:\n\ndata:  two spaces\n\n",
    "event: x\n\nevent: x\nevent:\n\nretry: 10\n\nretry: nope\n\n",
    "id: 1\n\n\n\ndata: after id\n\nid:\n\n\n\nid: a\0b\n\n",
    "data: line\u2028separator stays\n\ndata: 中文 😀\n\n",
    "data: cut off at the end",
    "data: ended\n\ndata: cut\n",
    "\n\n\r\n\rdata: late\n\n",
    "foo: bar\ndata: x\nbaz\n\n",
    'data: {"error": "got "x""}\n\n',
    "\ufeffdata: bom\n\ndata: next\n\n",
]


def reference(text: str) -> list[str]:
    async def frame() -> list[str]:
        response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=text.encode())
        return [event.data async for event in EventSource(response).aiter_sse()]

    return asyncio.run(frame())


def ours(chunks: list[str]) -> list[str]:
    batcher = SSEBatcher()
    return [data for chunk in chunks for data in batcher.feed(chunk)] + batcher.flush()


@pytest.mark.parametrize("text", STREAMS)
def test_every_cut_frames_like_httpx_sse(text):
    expected = reference(text)
    assert ours([text]) == expected
    for cut in range(1, len(text)):
        assert ours([text[:cut], text[cut:]]) == expected, cut


def test_random_streams_in_random_chunks():
    rng = random.Random(5)
    pieces = ["data: ", "data:", "data", "event: e", "id: 7", "id:", "retry: 3", ": c", "x", "中", " ", "\n", "\r\n", "\r", "\n\n"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(0, 6)))) if len(text) > 1 else []
        chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=False)]
        assert ours(chunks) == reference(text), repr(text)


def test_an_event_is_out_as_soon_as_its_blank_line_is_in():
    batcher = SSEBatcher()
    assert batcher.feed("data: a\n") == []
    assert batcher.feed("\n") == ["a"]
    assert batcher.feed("data: b\r\n\r\n") == ["b"]


# -- sse_batches: the bytes of a response, uncompressed (aiter_raw) or not (aiter_text) ------------


class _Cut(httpx.AsyncByteStream):
    def __init__(self, data: bytes, at: int) -> None:
        self.parts = [data[:at], data[at:]]

    async def __aiter__(self):
        for part in self.parts:
            if part:
                yield part


def _data_of(response: httpx.Response) -> list[str]:
    from nemochat.clients.nemo import sse_batches

    async def collect() -> list[str]:
        return [data async for batch in sse_batches(response) for data in batch]

    return asyncio.run(collect())


# a character cut across two reads, a byte that is not UTF-8, a lone "\r" held back at the end
RAW = "data: café 東京 😀\n\ndata: bad ".encode() + b"\xff" + b" byte\n\ndata: last\r"


@pytest.mark.parametrize("at", range(0, len(RAW) + 1, 3))
def test_uncompressed_bytes_read_raw_give_what_aiter_text_gives(at):
    import gzip

    raw = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=_Cut(RAW, at))
    packed = gzip.compress(RAW)
    gzipped = httpx.Response(200, headers={"content-type": "text/event-stream", "content-encoding": "gzip"},
                             stream=_Cut(packed, min(at, len(packed))))
    expected = reference(RAW.decode("utf-8", errors="replace"))
    assert expected == ["café 東京 😀", "bad \ufffd byte"]  # ("last" never got its blank line)
    assert _data_of(raw) == expected
    assert _data_of(gzipped) == expected
