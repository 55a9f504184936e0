"""/sora and /veo from the prompt, and Tab, typed in a pty: the flags and
their values complete, a folder completes with its "/" and the next Tab goes
in, /veo --prompt makes one shot, the help lists what applies in the chat,
an error is one line, and the examples the program prints work as printed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)

CLIP = Path(__file__).resolve().parents[2] / "fixtures" / "media" / "clip.mp4"
NANOPHOTO = {"NANOPHOTO_API_KEY": "sk-test"}


def screen(term) -> str:
    return "\n".join(term.screen.display)


@pytest.fixture
def chat(spawn, sim):
    term = spawn("--api-base", sim.base_url, env={**NANOPHOTO, "NANOPHOTO_API_URL": sim.base_url})
    term.expect("Ready")
    return term


def test_tab_offers_a_providers_flags_and_their_values(chat):
    chat.type("/sora submit --")
    chat.type("\t")
    chat.until(lambda: "--model-tier" in screen(chat) and "--aspect-ratio" in screen(chat))
    chat.type("\x15/sora submit --model-tier sora2-p")  # Ctrl-U, then a value
    chat.type("\t")
    chat.until(lambda: "sora2-pro-standard" in screen(chat) and "sora2-pro-high" in screen(chat))


def test_a_folder_completes_with_its_slash_and_the_next_tab_goes_in(chat, tmp_path):
    (tmp_path / "work" / "clips").mkdir()
    shutil.copy(CLIP, tmp_path / "work" / "clips" / "sea.mp4")
    chat.type("/upload cli")
    chat.until(lambda: "clips/" in screen(chat))  # the menu, as a person sees it before pressing Tab
    chat.type("\t")
    chat.until(lambda: "/upload clips/" in screen(chat))
    chat.until(lambda: "sea.mp4" in screen(chat).replace("/upload clips/", ""))  # the folder's insides, offered
    chat.type("\t")
    chat.until(lambda: "/upload clips/sea.mp4" in screen(chat))
    chat.type("\r")
    chat.expect(r"Added to your project")


def test_veo_prompt_builds_one_shot_after_a_typed_yes(chat, sim):
    chat.line('/veo submit --prompt "a red fox in the snow" --aspect-ratio 9:16 --resolution 1080p')
    chat.expect(r"costs 14 NanoPhoto credits\. Submit\? \[y/N\]")
    chat.line("y")
    chat.expect(r"Submit\? yes")
    chat.expect(r"task \w+ is processing")
    [submit] = sim.world.providers.requests_to("/api/veo-3/generate")
    assert "a red fox in the snow" in str(submit.json) and "9:16" in str(submit.json) and "1080p" in str(submit.json)


def test_veo_help_in_the_chat_shows_only_what_applies_and_no_error(chat):
    chat.line("/veo submit --help")
    chat.expect(r"--aspect-ratio")
    chat.wait_idle_prompt()
    text = chat.text()
    assert "--prompt" in text and "--resolution" in text
    for absent in ("--demo", "--token", "--api-base", "--json-only", "error", "not a valid use", "Traceback"):
        assert absent not in text


def test_a_bad_flag_is_one_line(chat):
    chat.line("/veo submit --prompt fox --colour red")
    chat.expect(r"unrecognized arguments")
    chat.wait_idle_prompt()
    lines = [line for line in chat.lines() if line.strip()]
    at = next(i for i, line in enumerate(lines) if "unrecognized arguments" in line)
    assert "usage:" not in chat.text()
    assert lines[at + 1].startswith("› /help jobs")  # nothing else came with it


def test_every_printed_example_works_as_printed(chat, sim):
    chat.line("/veo")
    example = re.search(r'(/veo submit --prompt "[^"]+")', chat.expect(r'/veo submit --prompt "[^"]+"')).group(1)
    chat.line("/help")
    chat.expect(r"/gateway")
    chat.wait_idle_prompt()
    examples = [example] + re.findall(r'(/(?:sora|veo) submit --prompt "[^"]+")', chat.text())
    assert len(examples) >= 3
    for typed in examples:
        chat.line(typed)
        chat.expect(r"Submit\? \[y/N\]")  # checked and priced: a valid request
        chat.line("n")
        chat.expect(r"nothing was spent")
    assert sim.world.providers.requests_to("/api/sora-2/generate") == [] and sim.world.providers.requests_to("/api/veo-3/generate") == []
