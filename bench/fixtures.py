"""Recorded-looking ``/run_sse`` streams for the benchmarks, generated on demand.

The shape is the simulator's ADK dialect (``nemochat.sim.stream.AdkEncoder``):
each model call streams its text as ``partial`` events of 8-20 characters
and then repeats it whole in a final event; every few calls a tool is called
(``: ping`` comments while it runs, then its ``functionResponse``) and a
``thought`` part rides along. The text is Markdown: paragraphs, lists, a
fenced code block now and then, so the views have real work to do.

Files are cached in ``bench/out/fixtures`` (git-ignored), keyed by the
generator's version, so only the first run pays for writing them.

    python bench/fixtures.py 100000 /tmp/big.sse
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

VERSION = 1
OUT = Path(__file__).resolve().parent / "out" / "fixtures"

WORDS = (
    "the clip opens on a rainy street in Tokyo neon reflections ripple across wet asphalt while a slow "
    "dolly shot follows a figure under a clear umbrella lo-fi beat soft synth pads camera pans left "
    "towards the crossing taxis blur past warm light spills from a ramen shop steam rises the title "
    "fades in over the last three seconds export preview timeline track volume segment render"
).split()


def _message(rng: random.Random, n: int) -> str:
    """One assistant message of Markdown, ~300-600 characters."""
    kind = n % 7
    sentence = lambda k: " ".join(rng.choice(WORDS) for _ in range(k)).capitalize() + "."  # noqa: E731
    if kind == 3:
        items = "\n".join(f"- **{rng.choice(WORDS)}**: {sentence(rng.randint(5, 10))}" for _ in range(4))
        return f"{sentence(8)}\n\n{items}\n\n{sentence(10)}"
    if kind == 5:
        code = "\n".join(f"    track.add({rng.choice(WORDS)!r}, start_ms={i * 1000})" for i in range(5))
        return f"{sentence(9)}\n\n```python\n{code}\n```\n\n{sentence(7)}"
    return f"{sentence(rng.randint(12, 24))} {sentence(rng.randint(10, 20))}\n\n{sentence(rng.randint(10, 30))}"


def _pieces(rng: random.Random, text: str) -> list[str]:
    out, i = [], 0
    while i < len(text):
        step = rng.randint(8, 20)
        out.append(text[i : i + step])
        i += step
    return out


class _Events:
    """ADK event lines, built from templates (json.dumps only for the strings)."""

    def __init__(self) -> None:
        self.n = 0
        self.invocation = "e-7f3c2a10-5b1e-4c8e-9a62-0d4b1f2e8c77"

    def _head(self) -> str:
        self.n += 1
        n = self.n
        return (f'{{"id":"{n:08x}-1c2d-4e5f-8a9b-{n:012x}","invocationId":"{self.invocation}",'
                f'"author":"nemo_agent","timestamp":{1760000000 + n * 0.01:.3f},')

    def partial(self, piece: str) -> str:
        return (self._head() + '"content":{"role":"model","parts":[{"text":' + json.dumps(piece, ensure_ascii=False)
                + '}]},"partial":true,"actions":{"stateDelta":{},"artifactDelta":{}}}')

    def final(self, text: str, thought: str | None = None, call: dict | None = None) -> str:
        parts = [{"text": thought, "thought": True}] if thought else []
        parts += [{"text": text}] if text else []
        parts += [{"functionCall": call}] if call else []
        return (self._head() + '"content":{"role":"model","parts":' + json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
                + '},"partial":false,"finishReason":"STOP","actions":{"stateDelta":{},"artifactDelta":{}}}')

    def result(self, call: dict) -> str:
        response = {"id": call["id"], "name": call["name"], "response": {"status": "success", "tracks": 3}}
        return (self._head() + '"content":{"role":"user","parts":[{"functionResponse":'
                + json.dumps(response, separators=(",", ":")) + '}]},"actions":{"stateDelta":{},"artifactDelta":{}}}')


def generate(events: int, path: Path, *, seed: int = 7) -> dict:
    """Write an ADK stream of exactly ``events`` data events; returns what it holds."""
    rng = random.Random(seed)
    ev = _Events()
    written = messages = tools = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        buffer: list[str] = []

        def put(line: str) -> None:
            nonlocal written
            buffer.append("data: " + line + "\n\n")
            written += 1

        while written < events:
            text = _message(rng, messages)
            pieces = _pieces(rng, text)
            if written + len(pieces) + 1 > events:  # the last message: only what still fits, ended properly
                pieces = pieces[: max(0, events - written - 1)]
                text = "".join(pieces) or text[:12]
            for piece in pieces:
                put(ev.partial(piece))
            messages += 1
            call = None
            if messages % 4 == 0 and written + 3 <= events:
                tools += 1
                call = {"id": f"adk-{tools:08d}", "name": "edit_multitrack", "args": {"operations": [{"op": "add_track", "type": "text"}]}}
            thought = "Keep going; the user wants the whole scene." if messages % 10 == 0 else None
            put(ev.final(text, thought, call))
            if call is not None:
                buffer.append(": ping\n\n")
                put(ev.result(call))
            if len(buffer) > 4096:
                out.write("".join(buffer))
                buffer.clear()
        out.write("".join(buffer))
    tmp.replace(path)
    return {"events": written, "messages": messages, "tools": tools, "bytes": path.stat().st_size}


def one_event(path: Path, text: str = "Hello from the agent.") -> Path:
    """A one-event stream: a single final text event."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("data: " + _Events().final(text) + "\n\n", encoding="utf-8")
    return path


def one_message(events: int, path: Path) -> Path:
    """ONE assistant message streamed as ``events - 1`` partial events of ~60
    characters of Markdown, then the final event repeating it whole (100k
    events: about 6 MB of text). Cached."""
    if path.is_file():
        return path
    pieces = markdown_reply(events - 1, (events - 1) * 60)
    ev = _Events()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with tmp.open("w", encoding="utf-8", newline="") as out:
        for start in range(0, len(pieces), 4096):
            out.write("".join("data: " + ev.partial(piece) + "\n\n" for piece in pieces[start : start + 4096]))
        out.write("data: " + ev.final("".join(pieces)) + "\n\n")
    tmp.replace(path)
    return path


def one_big_event(size: int, path: Path) -> Path:
    """One final text event holding a Markdown answer of ``size`` characters. Cached."""
    if path.is_file():
        return path
    block = "".join(markdown_reply(1, 200_000))
    text = ((block + "\n\n") * (size // (len(block) + 2) + 1))[:size]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("data: " + _Events().final(text) + "\n\n", encoding="utf-8")
    return path


def fixture(events: int) -> tuple[Path, dict]:
    """The cached fixture of ``events`` events (generated the first time)."""
    path = OUT / f"adk-{events}-v{VERSION}.sse"
    meta_path = path.with_suffix(".json")
    if path.is_file() and meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        if meta.get("bytes") == path.stat().st_size:
            return path, meta
    meta = generate(events, path)
    meta_path.write_text(json.dumps(meta))
    return path, meta


def markdown_reply(deltas: int = 2000, size: int = 47_000, *, seed: int = 11) -> list[str]:
    """One long Markdown answer (~``size`` characters) cut into ``deltas`` pieces,
    with every word unique (``w123``-style markers) so a screen can be searched."""
    rng = random.Random(seed)
    blocks, n, total = [], 0, 0
    while total < size:
        kind = len(blocks) % 6
        words = []
        for _ in range(rng.randint(30, 70)):
            n += 1
            words.append(f"{rng.choice(WORDS)}{n}")
        if kind == 2:
            block = "\n".join(f"- {' '.join(words[i:i + 8])}" for i in range(0, len(words), 8))
        elif kind == 4:
            block = "```python\n" + "\n".join(f"x{n}_{i} = {' + '.join(words[i:i + 4])!r}" for i in range(0, len(words), 4)) + "\n```"
        elif kind == 5:
            block = "## " + " ".join(words[:6]) + "\n\n" + " ".join(words[6:])
        else:
            block = " ".join(words)
        blocks.append(block)
        total += len(block) + 2
    text = "\n\n".join(blocks)[:size]
    step = len(text) / deltas
    cuts = [round(i * step) for i in range(deltas + 1)]
    return [text[cuts[i] : cuts[i + 1]] for i in range(deltas)]


if __name__ == "__main__":
    count, target = int(sys.argv[1]), Path(sys.argv[2])
    print(json.dumps(generate(count, target)))
