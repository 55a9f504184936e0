"""A Chinese session (issue 12, item 7): under --lang zh, a typical flow
(greeting, a turn, the export offer, the export's notice, /jobs, Ctrl-C)
shows no English of nemochat's own. What may stay Latin: command names,
ids, file names, product names and what the (simulated) agent writes."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.timeout(120)

# Latin words nemochat may show in Chinese: names, commands, keys, units, the agent's own text.
ALLOWED = re.compile(
    r"NemoVideo|NanoPhoto|Sora|Veo|nemochat|demo|Enter|Alt|Ctrl|MP4|mp4|Tab|ID|"
    r"/[a-z]+|--[a-z-]+|\b[a-z]+\b\s*(?=\[)|#\d+|\d+(\.\d+)?\s*(s|MB|KB|%)?|[0-9a-f]{4,}|Y/n|y/N"
)


def english_words(line: str) -> list[str]:
    return re.findall(r"[A-Za-z]{3,}", ALLOWED.sub(" ", line))


def idle(term) -> None:
    """Like Term.wait_idle_prompt, in Chinese: /help jobs answers after everything queued."""
    seen = term.count("及其进度")
    term.line("/help jobs")
    term.until(lambda: term.count("及其进度") > seen)


def test_a_chinese_session_shows_no_english_of_its_own(spawn, sim):
    term = spawn("--api-base", sim.base_url, "--lang", "zh")
    term.expect(r"已就绪")
    idle(term)
    term.line("make a 10s rainy Tokyo clip")
    term.expect(r"\[Y/n\]")
    term.line("y")
    term.expect(r"#1")
    term.line("/jobs")
    idle(term)
    term.type("\x03")
    idle(term)
    print("\n".join(term.lines()))
    print("BOTTOM", term.bottom())
