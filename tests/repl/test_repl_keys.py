"""Key bindings, driven through prompt_toolkit's pipe input (real key parsing,
no terminal): Enter, Alt-Enter, bracketed paste, Ctrl-C, Ctrl-D, one-key
offers, and Enter while the agent answers."""

from __future__ import annotations

import asyncio

import pytest
from prompt_toolkit.history import FileHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from shared_helpers import WAIT

from nemochat.repl.choices import Offer
from nemochat.repl.keys import make_prompt_session, open_history

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"


class State:
    """A stand-in for the loop: records what the keys told it."""

    def __init__(self, *, busy: bool = False, offer: Offer | None = None) -> None:
        self._busy = busy
        self._offer = offer
        self.answers: list[tuple[bool, bool]] = []
        self.ctrl_c: list[bool] = []
        self.refused = 0
        self.ctrl_d = 0
        self.cursor_reports = 0

    @property
    def offer(self) -> Offer | None:
        return self._offer

    def busy(self) -> bool:
        return self._busy

    def may_submit(self, text: str) -> bool:
        return not self._busy or text.startswith("/credits")

    def answer_offer(self, yes: bool, *, quietly: bool = False) -> None:
        self.answers.append(yes)
        self.quietly = quietly
        self._offer = None

    def on_ctrl_c(self, had_text: bool) -> None:
        self.ctrl_c.append(had_text)

    def on_refused_submit(self) -> None:
        self.refused += 1

    def on_ctrl_d(self) -> bool:
        self.ctrl_d += 1
        return not self._busy

    def on_cursor_report(self) -> None:
        self.cursor_reports += 1


class Typist:
    """Types into a running prompt as a person does: once the prompt is
    drawn, and each chunk once the keys before it went through the bindings."""

    def __init__(self, session, pipe) -> None:
        self.pipe = pipe
        self.drawn = asyncio.Event()
        self.handled = asyncio.Event()
        session.app.after_render += lambda app: self.drawn.set()
        session.app.key_processor.after_key_press += lambda processor: self.handled.set()

    async def type(self, chunks: list[str]) -> None:
        await self.drawn.wait()
        for chunk in chunks:
            self.handled.clear()
            self.pipe.send_text(chunk)
            await self.handled.wait()  # (a chunk is read whole: its keys are handled together)


def prompt(keys: str | list[str], state: State | None = None, history=None) -> str:
    """Type ``keys`` (one string, or chunks sent one after another) into a prompt; return what it accepted."""
    state = state or State()
    chunks = [keys] if isinstance(keys, str) else keys

    async def main() -> str:
        with create_pipe_input() as pipe:
            session = make_prompt_session(state, message="› ", input=pipe, output=DummyOutput(), history=history)
            typing = asyncio.create_task(Typist(session, pipe).type(chunks))
            try:
                return await asyncio.wait_for(session.prompt_async(), timeout=WAIT)
            finally:
                typing.cancel()

    return asyncio.run(main())


def test_enter_sends_the_line():
    assert prompt("make a video\r") == "make a video"


def test_alt_enter_inserts_a_newline():
    assert prompt("first\x1b\rsecond\r") == "first\nsecond"


def test_a_bracketed_paste_is_one_message():
    pasted = f"{PASTE_START}line one\r\nline two\rline three\n{PASTE_END}"
    assert prompt([pasted, "\r"]) == "line one\nline two\nline three\n"


def test_chinese_text_goes_through_whole():
    assert prompt("生成一段10秒的雨夜东京视频\r") == "生成一段10秒的雨夜东京视频"


def test_ctrl_c_clears_the_line_when_idle():
    state = State()
    assert prompt(["some text", "\x03", "other\r"], state) == "other"
    assert state.ctrl_c == [True]


def test_ctrl_c_on_an_empty_line_keeps_the_prompt():
    state = State()
    assert prompt(["\x03", "still here\r"], state) == "still here"
    assert state.ctrl_c == [False]


def test_ctrl_c_while_busy_keeps_the_typed_text():
    state = State(busy=True)
    state.may_submit = lambda text: True  # let the final Enter through
    assert prompt(["draft", "\x03", " more\r"], state) == "draft more"
    assert state.ctrl_c == [True]


def test_ctrl_d_on_an_empty_line_leaves():
    with pytest.raises(EOFError):
        prompt("\x04")


def test_ctrl_d_asks_the_loop_first_when_something_runs():
    state = State(busy=True)
    state.may_submit = lambda text: True
    assert prompt(["\x04", "stay\r"], state) == "stay"
    assert state.ctrl_d == 1


def test_ctrl_d_with_text_deletes_instead():
    assert prompt(["abc", "\x01", "\x04", "\r"]) == "bc"  # Ctrl-A, then Ctrl-D deletes "a"


def test_enter_while_busy_keeps_the_text_and_says_why():
    state = State(busy=True)

    async def main() -> None:
        with create_pipe_input() as pipe:
            session = make_prompt_session(state, message="› ", input=pipe, output=DummyOutput())
            asking = asyncio.create_task(session.prompt_async())
            await asyncio.wait_for(Typist(session, pipe).type(["make another clip\r"]), WAIT)
            assert state.refused == 1  # said why
            assert not asking.done() and session.default_buffer.text == "make another clip"  # nothing sent, the text kept
            session.app.exit(result="")
            await asyncio.wait_for(asking, WAIT)

    asyncio.run(main())


def test_safe_commands_go_through_while_busy():
    assert prompt("/credits\r", State(busy=True)) == "/credits"


def test_an_offer_is_answered_with_y_and_enter_never_one_key():
    state = State(offer=Offer("export", "Export now?"))
    assert prompt(["y", "\r", "next\r"], state) == "next"
    assert state.answers == [True]


def test_enter_takes_the_offer_default():
    state = State(offer=Offer("export", "Export now?"))
    assert prompt(["\r", "x\r"], state) == "x"
    assert state.answers == [True]


def test_typed_words_decline_the_offer_and_go_through_whole():
    state = State(offer=Offer("export", "Export now?"))
    assert prompt("yellow tint please\r", state) == "yellow tint please"
    assert state.answers == [False] and state.quietly  # the message itself shows, not "no"


def test_a_cost_is_never_spent_on_enter_or_a_stray_word():
    for typed, sent in (("\r", None), ("yo\r", "yo")):
        state = State(offer=Offer("ask", "Costs 4 credits. Submit?", default_yes=False))
        assert prompt([typed, "z\r"], state) == (sent or "z")
        assert state.answers == [False]


def test_words_typed_at_a_cost_question_while_busy_stay_in_the_line():
    state = State(busy=True, offer=Offer("ask", "Costs 4 credits. Submit?", default_yes=False))

    async def main() -> None:
        with create_pipe_input() as pipe:
            session = make_prompt_session(state, message="› ", input=pipe, output=DummyOutput())
            asking = asyncio.create_task(session.prompt_async())
            await asyncio.wait_for(Typist(session, pipe).type(["yo", "\r"]), WAIT)
            assert state.answers == [False] and not state.quietly and state.refused == 1
            assert not asking.done() and session.default_buffer.text == "yo"  # declined, the words kept
            session.app.exit(result="")
            await asyncio.wait_for(asking, WAIT)

    asyncio.run(main())


def test_history_persists_and_ctrl_r_finds_it(tmp_path):
    path = tmp_path / "state" / "history"
    prompt("make a rainy Tokyo clip\r", history=open_history(path))
    prompt("credits\r", history=open_history(path))
    assert isinstance(open_history(path), FileHistory)
    assert "rainy Tokyo" in path.read_text()
    # Ctrl-R, type part of an old line, Enter accepts the search, Enter sends it
    assert prompt(["\x12", "rainy", "\r", "\r"], history=open_history(path)) == "make a rainy Tokyo clip"


def test_up_arrow_recalls_history(tmp_path):
    history = open_history(tmp_path / "history")
    prompt("first message\r", history=history)
    assert prompt(["\x1b[A", "\r"], history=history) == "first message"


def test_history_in_an_unwritable_place_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert not isinstance(open_history(blocker / "history"), FileHistory)


def test_history_file_is_private_and_never_keeps_a_secret(tmp_path):
    import stat

    path = tmp_path / "state" / "history"
    prompt("/sora submit --prompt 'a fox' --api-key np_SECRET_999\r", history=open_history(path))
    prompt("/gateway submit --prompt 'the key to it' --token=tk_SECRET_1\r", history=open_history(path))
    prompt("make a rainy Tokyo clip\r", history=open_history(path))
    stored = path.read_text()
    assert "SECRET" not in stored and "make a rainy Tokyo clip" in stored
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_old_world_readable_history_becomes_private(tmp_path):
    import stat

    path = tmp_path / "history"
    path.write_text("")
    path.chmod(0o644)
    open_history(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_cursor_report_is_taken_without_asking_for_a_redraw():
    """The terminal answers the cursor request made after each print above
    the prompt; the answer must reach the renderer, and (returning
    NotImplemented, prompt_toolkit's "no redraw") must not redraw the live area again."""
    import weakref

    from prompt_toolkit.application.current import set_app
    from prompt_toolkit.key_binding.key_processor import KeyPress, KeyPressEvent
    from prompt_toolkit.keys import Keys
    from prompt_toolkit.renderer import CPR_Support

    from nemochat.repl.keys import build_key_bindings

    state = State()
    with create_pipe_input() as pipe:
        session = make_prompt_session(state, message="› ", input=pipe, output=DummyOutput())
        (binding,) = [b for b in build_key_bindings(state).bindings if b.keys == (Keys.CPRResponse,)]
        report = KeyPress(Keys.CPRResponse, "\x1b[12;1R")
        with set_app(session.app):
            event = KeyPressEvent(weakref.ref(session.app.key_processor), arg=None, key_sequence=[report],
                                  previous_key_sequence=[], is_repeat=False)
            assert session.app.renderer.cpr_support is not CPR_Support.SUPPORTED
            assert binding.handler(event) is NotImplemented
            assert session.app.renderer.cpr_support is CPR_Support.SUPPORTED
            assert state.cursor_reports == 1  # the loop decides when the toolbar moves down


def _write_history(path, entries: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"\n# 2025-01-01\n+{entry}\n" for entry in entries))


def test_a_years_history_is_cut_to_its_newest_entries(tmp_path):
    import stat

    from nemochat.repl.history import HISTORY_KEEP

    path = tmp_path / "state" / "history"
    _write_history(path, [f"message number {i}" for i in range(3 * HISTORY_KEEP)])
    history = open_history(path)
    assert prompt(["\x1b[A", "\r"], history=history) == f"message number {3 * HISTORY_KEEP - 1}"  # the newest is there
    assert len(history.get_strings()) == HISTORY_KEEP
    kept = open_history(path)  # the file itself was cut
    asyncio.run(_load(kept))
    strings = kept.get_strings()
    assert len(strings) == HISTORY_KEEP and strings[0] == f"message number {2 * HISTORY_KEEP}"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def _load(history) -> None:
    async for _ in history.load():
        pass


def test_the_suggestion_looks_through_the_newest_entries_only(tmp_path):
    from prompt_toolkit.buffer import Buffer
    from prompt_toolkit.document import Document

    from nemochat.repl.history import SUGGEST_FROM, RecentSuggestion

    path = tmp_path / "history"
    _write_history(path, ["an old idea nobody typed since"] + [f"filler {i}" for i in range(SUGGEST_FROM)] + ["make a rainy Tokyo clip"])
    history = open_history(path)
    asyncio.run(_load(history))
    buffer = Buffer(history=history)
    suggest = RecentSuggestion()
    assert suggest.get_suggestion(buffer, Document("make a r")).text == "ainy Tokyo clip"
    assert suggest.get_suggestion(buffer, Document("an old")) is None  # past the newest SUGGEST_FROM: not walked
    assert suggest.get_suggestion(buffer, Document("   ")) is None


def test_up_after_a_prefix_recalls_only_lines_starting_with_it(tmp_path):
    history = open_history(tmp_path / "history")
    for line in ("make a rainy Tokyo clip", "credits", "make it brighter", "status"):
        prompt(line + "\r", history=history)
    assert prompt(["\x1b[A", "\r"], history=history) == "status"  # an empty line: the last one, as before
    assert prompt(["make a", "\x1b[A", "\r"], history=history) == "make a rainy Tokyo clip"  # (not "make it brighter")
