"""The REPL end to end: the real binary in a pty, a real simulator behind it.

No test waits on the clock: each waits for text on the terminal (or for the
simulator to have seen a request), with generous timeouts.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from nemochat.sim import stream as sim_stream

pytestmark = pytest.mark.timeout(120)


def sent_messages(sim) -> list[str]:
    return ["".join(p.get("text", "") for p in r.json["new_message"]["parts"]) for r in sim.world.requests_to("/run_sse")]


def test_a_prompt_streams_its_answer_exactly_once(repl, sim):
    repl.line("hello there")
    repl.expect(r"ready to export")
    repl.wait_idle_prompt()
    assert repl.count("Describe a scene") == 1
    assert repl.count("› hello there") == 1


def test_a_generation_shows_each_message_once_and_offers_the_export(repl, sim):
    repl.line("make a 10s rainy Tokyo clip")
    repl.expect(r"Export the video now\? \[Y/n\]")
    repl.line("n")
    repl.expect(r"Export the video now\? no")
    repl.wait_idle_prompt()
    assert repl.count("Here's your 10-second clip of rainy Tokyo") == 1
    assert repl.count("All set: I added a Lo-fi soundtrack") == 1
    assert repl.count("✓ Generating video") == 1
    text = repl.text()
    assert '{"' not in text and "Traceback" not in text and "[/" not in text


def test_thoughts_are_hidden_until_asked_for(repl, sim):
    thought = "A general question"
    repl.line("what can you do?")
    repl.expect(r"What would you like to make\?")
    repl.wait_idle_prompt()
    assert repl.count(thought) == 0
    repl.line("/thoughts on")
    repl.expect(r"thoughts are shown")
    repl.line("and what else?")
    repl.expect(thought)
    repl.expect(r"What would you like to make\?")
    repl.wait_idle_prompt()
    assert repl.count(thought) == 1 and repl.count("💭") == 0
    text = repl.text()
    assert text.index(thought) < text.rindex("Good question!")  # before the answer, apart from it


ADK = Path(__file__).resolve().parents[2] / "fixtures" / "sse" / "adk"


def test_real_adk_turns_show_each_call_once_the_handoff_and_one_error_in_words(repl, sim):
    sim.world.set_faults(replay_stream={"path": str(ADK / "handoff.sse"), "per_event": True})
    repl.line("music please")
    repl.expect(r"ready and on the timeline")
    repl.wait_idle_prompt()
    sim.world.set_faults(replay_stream={"path": str(ADK / "model_raises.sse"), "per_event": True})
    repl.line("a forest clip")
    repl.expect(r"The model is overloaded")
    repl.wait_idle_prompt()
    text = repl.text()
    assert repl.count("→ music_director") == 1 and "Transfer to agent" not in text
    assert repl.count("✓ Composing music") == 1 and repl.count("✓ Generating video") == 1  # one line per call
    assert text.index("bring in our music director") < text.index("→ music_director") < text.index("I'll compose an upbeat track")
    assert repl.count("The model is overloaded") == 1 and "{'" not in text and "UNAVAILABLE" not in text


def test_credits_by_command_and_in_chinese(repl, sim):
    repl.line("/credits")
    repl.expect(r"Credits: .*available")
    repl.line("积分")
    repl.expect(r"Credits: .*available")
    assert sim.world.requests_to("/run_sse") == []  # both answered without the agent
    assert len(sim.world.requests_to("/api/credits")) >= 2


def test_tab_completes_a_command(repl, sim):
    repl.type("/ex")
    repl.type("\t")
    repl.type("\r")
    repl.expect(r"Nothing to export yet")  # /export ran: the project is still empty
    repl.wait_idle_prompt()
    assert repl.count("› /export") == 1


def test_a_pasted_block_is_one_message(repl, sim):
    repl.paste("tell me about the sea\nand about the sky")
    repl.type("\r")
    repl.expect(r"ready to export")
    assert sent_messages(sim) == ["tell me about the sea\nand about the sky"]


@pytest.fixture
def closed_streams(monkeypatch) -> threading.Event:
    """Set when the simulator stops sending a /run_sse stream (the client left)."""
    closed = threading.Event()
    original = sim_stream.Turn.frames

    async def frames(self):
        try:
            async for chunk in original(self):
                yield chunk
        finally:
            closed.set()

    monkeypatch.setattr(sim_stream.Turn, "frames", frames)
    return closed


def test_ctrl_c_stops_a_long_generation_at_once(repl, sim, requests, closed_streams):
    sim.world.set_faults(slow_heartbeats={"interval_s": 0.5, "silence_s": 90})
    repl.line("make a 10s clip of the sea at dawn")
    assert requests.wait_for(lambda: len(sim.world.requests_to("/run_sse")) == 1)
    repl.expect(r"Thinking")
    repl.type("\x03")
    repl.expect(r"Stopped\. Your message was not sent again")
    repl.expect(r"/status shows")
    assert closed_streams.wait(15), "the /run_sse stream was still open"
    repl.line("/credits")  # the REPL goes on
    repl.expect(r"Credits: .*available")
    assert len(sim.world.requests_to("/run_sse")) == 1


def test_export_runs_in_the_background_while_the_chat_goes_on(spawn, sim, tmp_path):
    sim.world.configure(render_progress_per_poll=0)  # the render stays at 0% (polled often) until let go below
    term = spawn("--api-base", sim.base_url, "--poll-interval", "0.05")
    term.expect("Ready")
    term.line("make a 10s rainy Tokyo clip")
    term.expect(r"Export the video now\? \[Y/n\]")
    term.line("n")
    term.line("/export")
    term.expect(r"Export runs in the background")
    term.line("hello")
    term.expect(r"ready to export")  # answered while the render runs
    assert "finished" not in term.text()
    sim.world.configure(render_progress_per_poll=100)  # the render finishes at its next poll
    term.expect(r"Export finished", timeout=60)
    term.wait_idle_prompt()
    videos = list((tmp_path / "work").glob("*.mp4"))
    assert len(videos) == 1 and videos[0].stat().st_size > 0
    assert str(videos[0]) in term.text().replace(" ", "")  # the full path (wrapped lines joined)


def test_the_agent_question_is_answered_with_letters(repl, sim, requests):
    repl.line("which style should I choose?")
    repl.expect(r"1/2 Pick one \(A-C\)")
    repl.line("b")
    repl.expect(r"2/2 Pick one or more")
    repl.line("a, c")
    repl.expect(r"→ Music, Subtitles")
    assert requests.wait_for(lambda: len(sent_messages(sim)) == 2)
    assert sent_messages(sim)[1] == "Which visual style should the video use? Anime\nAnything to add? Music, Subtitles"


def test_ctrl_d_leaves_cleanly(repl):
    repl.type("\x04")
    assert repl.exit_status() == 0


def test_slash_quit_leaves_cleanly(repl):
    repl.line("/quit")
    assert repl.exit_status() == 0


def test_demo_mode_end_to_end(spawn):
    term = spawn("--demo")
    term.expect(r"Try saying")
    term.expect(r"Ready")
    term.line("积分")
    term.expect(r"Credits: .*available")
    term.line("show tracks")
    term.expect(r"empty draft")
    term.type("\x04")
    assert term.exit_status() == 0


def test_json_is_refused_for_the_repl(spawn):
    term = spawn("--json")
    assert term.exit_status() == 2
    assert "--json ask" in "".join(term.sink.raw)


def test_resuming_a_session_shows_where_it_left_off(spawn, sim):
    first = spawn("--api-base", sim.base_url)
    first.expect("Ready")
    first.line("hello there")
    first.expect(r"ready to export")
    first.line("/session")
    session_id = first.expect(r"This session: [0-9a-f-]{36}").split()[-1]
    first.line("/quit")
    assert first.exit_status() == 0

    again = spawn("--api-base", sim.base_url, "--session", session_id[:8])
    again.expect(r"back in project " + session_id[:8])
    again.expect(r"you: hello there")
    again.line("/session new")
    again.expect(r"Ready: a new project")
    again.line("/session " + session_id[:8])
    again.expect(r"back in project " + session_id[:8])
    again.expect(r"you: hello there")
    again.line("/session nosuchsession")
    again.expect(r"No session nosuchsession")


CLIP = Path(__file__).resolve().parents[2] / "fixtures" / "media" / "clip.mp4"


def test_ctrl_d_asks_first_while_an_export_runs(spawn, sim):
    term = spawn("--api-base", sim.base_url, "--poll-interval", "30")
    term.expect("Ready")
    term.line(f"/upload {CLIP}")
    term.expect(r"Added to your project")
    term.line("/export")
    term.expect(r"Export runs in the background")
    term.type("\x04")
    term.expect(r"Export.*still running\. Quit anyway\? \[y/N\]")
    term.line("n")
    term.expect(r"Quit anyway\? no")
    term.line("/jobs")
    term.expect(r"#1.*Export")
    term.type("\x04")
    term.expect(r"Quit anyway\? \[y/N\]")
    term.line("y")
    term.expect(r"Export stopped")
    assert term.exit_status() == 0


def test_a_long_generation_prompt_gets_the_hint(repl, sim):
    prompt = "make a 10s clip: " + "a slow pan over a quiet harbour at dawn, " * 8
    assert len(prompt) > 300
    repl.line(prompt.strip())
    repl.expect(r"Tip: prompts under 300 characters work best")
    repl.expect(r"Export the video now\?")
    assert len(sent_messages(sim)) == 1  # the hint does not stop the message


def test_the_greeting_speaks_chinese(spawn):
    term = spawn("--demo", "--lang", "zh")
    term.expect(r"试试这样说")
    term.expect(r"已就绪")
    term.type("\x04")
    assert term.exit_status() == 0


def test_sora_in_the_chat_confirms_the_cost_and_runs_in_the_background(spawn, sim):
    term = spawn("--api-base", sim.base_url, env={"NANOPHOTO_API_URL": sim.base_url, "NANOPHOTO_API_KEY": "sk-test"})
    term.expect("Ready")
    term.line('/sora submit --prompt "a cat surfing at sunset" --initial-status-delay 0 --status-check-interval 0.2')
    term.expect(r"costs 4 NanoPhoto credits\. Submit\? \[y/N\]")
    term.line("y")
    term.expect(r"Submit\? yes")
    term.line("hello")  # the chat goes on meanwhile
    term.expect(r"ready to export")
    term.expect(r"Video ready \(Sora 2")
    term.wait_idle_prompt()
    assert term.count("Video ready") == 1


def test_the_claim_link_is_a_hyperlink_showing_its_url(repl):
    repl.wait_idle_prompt()
    raw = "".join(repl.sink.raw)
    assert "\x1b]8;" in raw and "workspace/claim?ct=clm_" in raw  # OSC 8: clickable where supported
    assert repl.count("https://nemovideo.com/workspace/claim?ct=clm_") == 1  # and the plain URL on screen


def test_without_hyperlink_support_the_url_is_plain(spawn, sim):
    term = spawn("--api-base", sim.base_url, env={"TERM": "dumb"})
    term.expect("Ready")
    term.wait_idle_prompt()
    raw = "".join(term.sink.raw)
    assert "\x1b]8;" not in raw and "workspace/claim?ct=clm_" in raw


def test_the_no_credits_fallback_question_shows_without_a_key(spawn, sim):
    """Out of credits mid-turn: the fallback's cost question is drawn at once
    (no key pressed)."""
    term = spawn("--api-base", sim.base_url, env={"NANOPHOTO_API_URL": sim.base_url, "NANOPHOTO_API_KEY": "sk-test"})
    term.expect("Ready")
    sim.world.set_credits(0)
    term.line("make a 10s rainy Tokyo clip in portrait")
    term.expect(r"instead\? \[y/N\]")  # no key pressed (a question wider than the screen is wrapped)
    assert "Generate with Sora 2 via NanoPhoto for 4 credits instead? [y/N]" in term.text()
    term.line("n")
    term.expect(r"nothing generated")
    assert "for 4 credits instead? no" in term.text()
    term.wait_idle_prompt()


def test_a_broken_sora_rule_is_one_line_and_no_job(spawn, sim):
    term = spawn("--api-base", sim.base_url, env={"NANOPHOTO_API_URL": sim.base_url, "NANOPHOTO_API_KEY": "sk-test"})
    term.expect("Ready")
    term.line("/sora submit --mode image-to-video")
    term.expect(r"Sora rule: ")
    term.wait_idle_prompt()
    text = term.text()
    assert "runs in the background" not in text and "failed" not in text and "Submit?" not in text
