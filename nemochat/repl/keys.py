"""The keyboard: key bindings and the prompt session they live in.

- Enter sends; Alt-Enter (terminals send it as Esc Enter) inserts a newline;
  a bracketed paste (every modern terminal) arrives whole, so a pasted block
  of several lines stays ONE message until Enter;
- Ctrl-C stops the agent's answer when one is running, else clears the line
  (on an empty line it says how to leave); Ctrl-D on an empty line leaves
  (the loop asks first when a job is still running);
- Ctrl-R searches the history, kept in the state dir across runs (history.py);
  Up after a typed prefix recalls the lines that start with it; suggestions
  from the history appear dimmed (→ or Ctrl-E takes them); Ctrl-X Ctrl-E
  edits the message in $VISUAL / $EDITOR;
- while an offer ("Export now? [Y/n]") waits, Enter answers it with what was
  typed (``Offer.decide``): nothing takes the default, y/n (yes, no, 是, 否)
  answer, and any other text declines the offer and goes on as the message it
  is, whole. No single key ever answers (it would eat the first letter of the
  next message, or spend credits on a typo).
"""

from __future__ import annotations

import signal
import threading
from typing import Any, Protocol
from collections.abc import Callable

from prompt_toolkit import PromptSession
from prompt_toolkit.application import get_app_or_none
from prompt_toolkit.completion import Completer
from prompt_toolkit.filters import Always, Condition
from prompt_toolkit.formatted_text import AnyFormattedText
from prompt_toolkit.history import History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import Dimension
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style

from nemochat.repl.choices import Offer
from nemochat.repl.history import RecentSuggestion, open_history

__all__ = ["build_key_bindings", "make_prompt_session", "open_history"]


class KeyState(Protocol):
    """What the bindings need to know from the loop, and tell it."""

    @property
    def offer(self) -> Offer | None: ...
    def busy(self) -> bool: ...
    def may_submit(self, text: str) -> bool: ...
    def answer_offer(self, yes: bool, *, quietly: bool = False) -> None: ...
    def on_ctrl_c(self, had_text: bool) -> None: ...
    def on_refused_submit(self) -> None: ...
    def on_ctrl_d(self) -> bool: ...
    def on_cursor_report(self) -> None: ...


STYLE = Style.from_dict(
    {
        "prompt": "ansicyan bold",
        "prompt.busy": "ansibrightblack",
        "offer": "ansiyellow bold",
        "question": "ansicyan",
        "bottom-toolbar": "noreverse bg:#262626 #bcbcbc",
        "bottom-toolbar.text": "",
        "toolbar.ok": "#87d787",
        "toolbar.warn": "#ffd75f",
        "toolbar.dim": "#808080",
        "status": "ansicyan",
        "auto-suggestion": "#6c6c6c",
    }
)


def build_key_bindings(state: KeyState) -> KeyBindings:
    kb = KeyBindings()

    @Condition
    def offer_waiting() -> bool:
        return state.offer is not None

    @Condition
    def refuse_enter() -> bool:
        from prompt_toolkit.application import get_app

        return state.offer is None and not state.may_submit(get_app().current_buffer.text)

    @kb.add(Keys.CPRResponse, save_before=lambda event: False)
    def _cursor_report(event: KeyPressEvent) -> object:
        """prompt_toolkit's own handling of the terminal's cursor report, less
        the redraw that a handled key brings: the report answers the request
        made after each print above the prompt. The loop decides when the
        toolbar moves down to the bottom row it now knows (at once when idle;
        with the next text frame while an answer streams, where a redraw of
        its own, 5-20 ms, would show nothing else new)."""
        row, _col = map(int, event.data[2:-1].split(";"))
        event.app.renderer.report_absolute_cursor_row(row)
        state.on_cursor_report()
        return NotImplemented  # (prompt_toolkit's "handled, no redraw")

    @kb.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        """Alt-Enter / Esc Enter: a new line inside the message."""
        event.current_buffer.insert_text("\n")

    @kb.add("enter", filter=offer_waiting)
    def _offer_answer(event: KeyPressEvent) -> None:
        """The line answers the offer, or declines it and is sent as typed."""
        offer = state.offer
        assert offer is not None
        buffer = event.current_buffer
        decision = offer.decide(buffer.text)
        if decision is not None:
            buffer.reset()  # the answer is said above the prompt: no "›" line left behind
            state.answer_offer(decision)
        elif state.may_submit(buffer.text):  # the user's next message: it says enough
            state.answer_offer(False, quietly=True)
            buffer.validate_and_handle()
        else:  # a cost asked while the agent answers: "no", and the words stay for later
            state.answer_offer(False)
            state.on_refused_submit()

    @kb.add("enter", filter=refuse_enter)
    def _not_now(event: KeyPressEvent) -> None:
        """The agent is answering: keep the text, say how to stop it."""
        state.on_refused_submit()

    @Condition
    def one_completion() -> bool:
        from prompt_toolkit.application import get_app

        completing = get_app().current_buffer.complete_state
        return completing is not None and len(completing.completions) == 1

    @kb.add("tab", filter=one_completion)
    def _only_completion(event: KeyPressEvent) -> None:
        """Tab with one completion in the menu takes it for good, so the
        next Tab goes on from there (into a folder completed with its "/")
        instead of cycling back to what was typed."""
        buffer = event.current_buffer
        assert buffer.complete_state is not None
        buffer.apply_completion(buffer.complete_state.completions[0])

    @kb.add("c-c")
    @kb.add("<sigint>")
    def _ctrl_c(event: KeyPressEvent) -> None:
        buffer = event.app.current_buffer
        had_text = bool(buffer.text)
        if had_text and not state.busy():
            buffer.reset()
        state.on_ctrl_c(had_text)

    @Condition
    def empty_line() -> bool:
        from prompt_toolkit.application import get_app

        return not get_app().current_buffer.text

    @kb.add("c-d", filter=empty_line)
    def _ctrl_d(event: KeyPressEvent) -> None:
        """Leave; when something still runs, the loop asks first (an offer)."""
        if state.on_ctrl_d():
            event.app.exit(exception=EOFError(), style="class:exiting")

    return kb


def split_prompt(get_prompt_text: Callable[[], Any]) -> tuple[Callable[[], bool], Callable[[], Any], Callable[[], Any]]:
    """prompt_toolkit's ``_split_multiline_prompt`` (the lines above the input,
    the input line's own prefix), computed once per redraw and in linear time.

    prompt_toolkit's own explodes the message into one fragment per character
    and builds the parts with ``list.insert(0, ...)``, several times per
    redraw: quadratic in the live area, the largest cost of a frame while an
    answer streams. The parts are the same (runs of one style stay whole)."""
    cache: list[Any] = [None, None]

    def parts() -> tuple[bool, list[Any], list[Any]]:
        app = get_app_or_none()
        frame = app.render_counter if app is not None else None
        if frame is None or cache[0] != frame:
            cache[:] = [frame, _split_at_last_newline(get_prompt_text())]
        return cache[1]

    return (lambda: parts()[0]), (lambda: parts()[1]), (lambda: parts()[2])


def _split_at_last_newline(fragments: list[Any]) -> tuple[bool, list[Any], list[Any]]:
    for i in range(len(fragments) - 1, -1, -1):
        style, text = fragments[i][0], fragments[i][1]
        at = text.rfind("\n")
        if at >= 0:
            before = [(f[0], f[1]) for f in fragments[:i]] + ([(style, text[:at])] if at else [])
            after = ([(style, text[at + 1 :])] if at + 1 < len(text) else []) + [(f[0], f[1]) for f in fragments[i + 1 :]]
            return True, before, after
    return False, [], [(f[0], f[1]) for f in fragments]


class _PromptSession(PromptSession[str]):
    def _create_layout(self) -> Any:
        """prompt_toolkit's layout, with two of its module's names swapped for
        this session's layout only: the linear ``split_prompt``, and the
        bottom toolbar's condition. prompt_toolkit hides the toolbar until
        the terminal has said where the cursor is (after every print above
        the prompt, and never on a terminal that does not answer): the
        toolbar stayed blank until a key was pressed. Here it is always
        drawn, under the prompt until the bottom row is known."""
        import sys

        # prompt_toolkit.shortcuts.prompt (the name is also a function); Any: its private names are not typed
        pt_prompt: Any = sys.modules[PromptSession.__module__]
        originals = pt_prompt._split_multiline_prompt, pt_prompt.renderer_height_is_known
        pt_prompt._split_multiline_prompt = split_prompt
        pt_prompt.renderer_height_is_known = Always()
        try:
            layout = super()._create_layout()
        finally:
            pt_prompt._split_multiline_prompt, pt_prompt.renderer_height_is_known = originals
        _skip_height_when_known(layout.container)
        return layout


def _skip_height_when_known(root: Any) -> None:
    """The renderer asks the whole layout for its preferred height on every
    redraw (a walk of every container, about a fifth of a frame), only to take
    the larger of it and the rows below the cursor: when those are the whole
    screen already (the toolbar sits on the bottom row), the walk decides
    nothing and is skipped. Only the root's own answer changes.

    The same holds for the root's first part, the message and the input: the
    root then gives it every row the toolbars leave, whatever it prefers (it is
    the one part that grows), so its own walk is skipped too when the screen is
    full (the rows are divided among its windows once more inside it)."""

    def screen_filled(max_available_height: int) -> bool:
        app = get_app_or_none()
        return app is not None and app.renderer._min_available_height >= max_available_height

    full = root.preferred_height

    def preferred_height(width: int, max_available_height: int) -> Dimension:
        if screen_filled(max_available_height):
            return Dimension.exact(max_available_height)
        return full(width, max_available_height)

    root.preferred_height = preferred_height
    main = root.children[0]
    main_full = main.preferred_height

    def main_preferred_height(width: int, max_available_height: int) -> Dimension:
        if screen_filled(max_available_height):
            return Dimension(min=0, preferred=max_available_height)
        return main_full(width, max_available_height)

    main.preferred_height = main_preferred_height


def make_prompt_session(
    state: KeyState,
    *,
    message: AnyFormattedText | Callable[[], Any],
    bottom_toolbar: AnyFormattedText | Callable[[], Any] = None,
    completer: Completer | None = None,
    history: History | None = None,
    input: Input | None = None,
    output: Output | None = None,
) -> PromptSession[str]:
    session: PromptSession[str] = _PromptSession(
        message=message,
        bottom_toolbar=bottom_toolbar,
        history=history or InMemoryHistory(),
        auto_suggest=RecentSuggestion(),
        completer=completer,
        # The completion menu pops up by itself only for slash commands: chat
        # text is never completed, and no blank space is kept for a menu.
        complete_while_typing=Condition(lambda: session.default_buffer.text.startswith("/")),
        # Up after a typed prefix recalls only the lines starting with it (not
        # in a slash command, whose menu pops up while typing: prompt_toolkit
        # has one or the other).
        enable_history_search=Condition(lambda: not session.default_buffer.text.startswith("/")),
        enable_open_in_editor=True,  # Ctrl-X Ctrl-E: the message in $VISUAL / $EDITOR
        reserve_space_for_menu=6,
        prompt_continuation=lambda width, line_number, wrap_count: " " * width,
        key_bindings=build_key_bindings(state),
        style=STYLE,
        include_default_pygments_style=False,
        input=input,
        output=output,
    )
    if getattr(signal, "SIGWINCH", None) is not None and threading.current_thread() is threading.main_thread():
        # prompt_toolkit hears a resize from SIGWINCH here; its polling of the
        # size twice a second would be the only thing waking an idle REPL.
        session.app.terminal_size_polling_interval = None
    return session
