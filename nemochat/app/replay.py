"""Replay a recorded ``/run_sse`` stream through the live code path, offline.

The bytes go through a real ``httpx.Response`` and httpx-sse, exactly like a
live stream, so CRLF, comments, multi-line data and cut events behave the same.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from nemochat.app.turn_driver import Emit, drive_turn
from nemochat.clients.nemo import sse_batches
from nemochat.core.turn import TurnState
from nemochat.errors import UsageError

CHUNK = 64 * 1024


class _Chunks(httpx.AsyncByteStream):
    def __init__(self, data: bytes, chunk: int) -> None:
        self.data, self.chunk = data, chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.chunk):
            yield self.data[start : start + self.chunk]


class _FileChunks(httpx.AsyncByteStream):
    """A recording read from disk a chunk at a time: a 1M-event file is never in memory."""

    def __init__(self, path: Path, chunk: int) -> None:
        self.path, self.chunk = path, chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with self.path.open("rb") as recording:
            while data := recording.read(self.chunk):
                yield data


async def replay_file(path: str | Path, emit: Emit, *, chunk: int = CHUNK, still_working_every: float = 120.0) -> TurnState:
    """``replay_bytes`` for a recording on disk, streamed from it."""
    return await _replay(_FileChunks(check_recording(path), chunk), emit, still_working_every)


async def replay_bytes(data: bytes, emit: Emit, *, chunk: int = CHUNK, still_working_every: float = 120.0) -> TurnState:
    return await _replay(_Chunks(data, chunk), emit, still_working_every)


async def _replay(stream: httpx.AsyncByteStream, emit: Emit, still_working_every: float) -> TurnState:
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=stream)
    turn = await drive_turn(sse_batches(response), emit, still_working_every=still_working_every)
    for ui in turn.close():
        emit(ui)
    return turn


def read_recording(path: str | Path) -> bytes:
    return check_recording(path).read_bytes()


def check_recording(path: str | Path) -> Path:
    """The recording's path, once it is known to be a readable file (else a UsageError)."""
    try:
        with open(path, "rb"):
            return Path(path)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}", key="file.missing", path=path) from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a recording", key="replay.folder", path=path) from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}", key="file.unreadable", path=path, reason=exc.strerror) from None
