"""The bottom toolbar and the prompt line, from the loop's state."""

from __future__ import annotations

from types import SimpleNamespace

from prompt_toolkit.formatted_text import fragment_list_to_text

from nemochat.commands.repl import show_thoughts, use_color
from nemochat.repl import screen
from nemochat.repl.choices import Offer, PendingQuestion
from nemochat.core.events import Question, QuestionItem, QuestionOption
from nemochat.settings import Settings


def fake_repl(**state):
    settings = state.pop("settings", Settings(api_base="https://mega-api-prod.nemovideo.ai"))
    session = state.pop("session", SimpleNamespace(session_id="3f2a1b9c-7777-8888"))
    base = dict(
        attached_runtime=SimpleNamespace(conversation=SimpleNamespace(settings=settings, session=session)),
        link=SimpleNamespace(state=state.pop("connection", "ready"), credits=state.pop("credits", None)),
        jobs=SimpleNamespace(summary=lambda lang="en": ""),
        offer=None,
        question=None,
        view=SimpleNamespace(active=False),
        busy=lambda: False,
        current_hint=lambda: None,
        say_text=lambda key: "connecting…",
        lang="en",
    )
    base.update(state)
    return SimpleNamespace(**base)


def toolbar(repl) -> str:
    return fragment_list_to_text(screen.bottom_toolbar(repl))


def test_toolbar_shows_backend_session_credits_and_jobs():
    repl = fake_repl(credits=92.0, jobs=SimpleNamespace(summary=lambda lang="en": "export 68%"))
    text = toolbar(repl)
    assert "mega-api-prod.nemovideo.ai" in text and "session 3f2a1b9c" in text
    assert "92 credits" in text and "export 68%" in text


def test_toolbar_while_connecting_and_in_the_demo():
    repl = fake_repl(session=None, connection="connecting", settings=Settings(demo=True, api_base="http://127.0.0.1:1"))
    text = toolbar(repl)
    assert text.strip().startswith("demo") and "connecting…" in text
    assert "not connected" in toolbar(fake_repl(session=None, connection="failed"))


def test_a_hint_takes_the_toolbar_for_a_moment():
    repl = fake_repl(current_hint=lambda: "(Ctrl-D or /quit to leave)")
    assert "Ctrl-D or /quit" in toolbar(repl)


def test_the_prompt_asks_the_offer_or_the_question():
    assert fragment_list_to_text(screen.prompt_message(fake_repl())) == "› "
    offer = Offer("export", "Export the video now?")
    assert fragment_list_to_text(screen.prompt_message(fake_repl(offer=offer))) == "Export the video now? [Y/n] "
    item = QuestionItem("s", "Which?", (QuestionOption("a", "A1"), QuestionOption("b", "B1")))
    pending = PendingQuestion(Question("t", (item,)))
    assert "Pick one (A-B)" in fragment_list_to_text(screen.prompt_message(fake_repl(question=pending)))


def test_the_backend_label():
    assert screen.backend_label("https://mega-api-prod.nemovideo.ai", False) == "mega-api-prod.nemovideo.ai"
    assert screen.backend_label("http://127.0.0.1:5000", True) == "demo"


def test_thoughts_are_hidden_unless_turned_on():
    assert show_thoughts(Settings.load(env={})) is False
    assert show_thoughts(Settings.load(env={"NEMOCHAT_SHOW_THOUGHTS": "1"})) is True


def test_color_follows_term_and_no_color():
    assert use_color(Settings(), {"TERM": "xterm-256color"}) is True
    assert use_color(Settings(), {"TERM": "dumb"}) is False
    assert use_color(Settings(), {"TERM": "xterm", "NO_COLOR": "1"}) is False


def test_a_prompt_wider_than_the_terminal_is_wrapped_with_a_short_last_line():
    question = "NemoVideo can't generate now (no credits). Generate with Sora 2 via NanoPhoto for 4 credits instead? [y/N] "
    wrapped = screen.wrap_prompt(question, 100)
    lines = wrapped.split("\n")
    assert len(lines) == 2 and all(len(line) <= 96 for line in lines)
    assert " ".join(lines).split() == question.split() and wrapped.endswith("[y/N] ")
    assert screen.wrap_prompt("Export the video now? [Y/n] ", 100) == "Export the video now? [Y/n] "
    cjk = screen.wrap_prompt("选" * 80 + " ", 40)
    assert all(len(line) * 2 <= 36 for line in cjk.split("\n"))


def test_the_toolbar_speaks_the_chosen_language():
    settings = Settings(demo=True, api_base="http://127.0.0.1:1", lang="zh")
    text = toolbar(fake_repl(credits=90.0, settings=settings))
    assert text.strip().startswith("演示") and "会话 3f2a1b9c" in text and "90 积分" in text
    assert "credits" not in text and "session" not in text
    assert "未连接" in toolbar(fake_repl(session=None, connection="failed", settings=settings))


def test_the_live_text_is_parsed_for_styles_only_where_it_has_them():
    """The same fragments as parsing the whole live text as ANSI, which the
    plain streamed lines are spared (it goes character by character)."""
    from prompt_toolkit.formatted_text import ANSI, to_formatted_text

    for live in ("plain words\nmore words", "\x1b[2m…\x1b[0m\nthe block's end\n\x1b[36m⠋ Thinking · 0:01\x1b[0m", "a\n\nb \x1b[1mbold\x1b[0m c\n"):
        assert screen._fragments(live) == screen._merged(to_formatted_text(ANSI(live)))
