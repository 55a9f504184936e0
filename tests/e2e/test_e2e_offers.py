"""Offers at the prompt, typed in a pty: a line answers them, never one key.

A free offer ("Export the video now? [Y/n]"): Enter takes it, other words
decline it and are sent whole. Whatever spends credits needs a typed yes and
Enter; anything else spends nothing and the words are kept.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.timeout(120)

NANOPHOTO = "/api/sora-2/generate"


def sent_messages(sim) -> list[str]:
    return ["".join(p.get("text", "") for p in r.json["new_message"]["parts"]) for r in sim.world.requests_to("/run_sse")]


def test_words_typed_at_an_export_offer_are_the_next_message_whole(repl, sim, requests):
    repl.line("make a 10s rainy Tokyo clip")
    repl.expect(r"Export the video now\? \[Y/n\]")
    repl.line("yellow tint please")
    repl.until(lambda: "› yellow tint please" in repl.lines())  # the message shows, as typed
    assert requests.wait_for(lambda: len(sent_messages(sim)) == 2)
    repl.wait_idle_prompt()
    assert sent_messages(sim)[1] == "yellow tint please"  # not "ellow tint please"
    assert sim.world.requests_to("/api/render") == []  # and no export started
    assert repl.count("› yellow tint please") == 1


def test_y_and_enter_takes_the_offer_and_leaves_no_empty_prompt_line(repl, sim, requests):
    repl.line("make a 10s rainy Tokyo clip")
    repl.expect(r"Export the video now\? \[Y/n\]")
    repl.line("y")
    repl.expect(r"Export the video now\? yes")
    assert requests.wait_for(lambda: len(sim.world.requests_to("/api/render/proxy/lambda")) >= 1)
    repl.wait_idle_prompt()
    lines = [line.strip() for line in repl.lines()]
    assert "›" not in lines[: lines.index("› /help jobs")]  # no empty prompt line left in the scrollback
    assert len(sent_messages(sim)) == 1  # "y" was an answer, not a message


def test_a_stray_word_at_a_cost_question_spends_nothing(spawn, sim, requests):
    term = spawn("--api-base", sim.base_url, env={"NANOPHOTO_API_URL": sim.base_url, "NANOPHOTO_API_KEY": "sk-test"})
    term.expect("Ready")
    sim.world.set_credits(0)
    term.line("make a 10s rainy Tokyo clip in portrait")
    term.expect(r"instead\? \[y/N\]")
    term.type("y")  # one key is not an answer
    term.type("o\r")
    term.expect(r"nothing generated")
    term.type("\x15")  # Ctrl-U: "yo" stayed in the line (the turn was still running); clear it
    term.wait_idle_prompt()
    assert "for 4 credits instead? no" in term.text()  # (a long line: wrapped on the screen)
    assert sim.world.providers.requests_to(NANOPHOTO) == []
    assert len(sent_messages(sim)) == 1
