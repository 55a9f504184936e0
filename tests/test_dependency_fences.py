"""The private parts of our dependencies that nemochat leans on, checked by
name, so an upgrade that moves one fails here, loudly and by name, instead
of somewhere in a terminal. pyproject.toml bounds each of these packages
below its next major (or minor, for 0.x) version; raising a bound means
reading this file first.
"""

from __future__ import annotations

import inspect
import sys

import pytest

pytestmark = pytest.mark.unit


def test_prompt_toolkit_builds_its_prompt_layout_with_the_helpers_we_swap():
    """repl/keys.py swaps these two while PromptSession._create_layout runs:
    the prompt's lines above the input, and when the toolbar may be drawn."""
    from prompt_toolkit.shortcuts import PromptSession

    module = sys.modules[PromptSession.__module__]
    assert callable(module._split_multiline_prompt)
    assert inspect.signature(module._split_multiline_prompt).parameters.keys() == {"get_prompt_text"}
    assert hasattr(module, "renderer_height_is_known")
    source = inspect.getsource(PromptSession._create_layout)
    assert "_split_multiline_prompt(" in source and "renderer_height_is_known" in source


def test_prompt_toolkit_puts_the_message_and_the_input_first_in_its_prompt_layout():
    """repl/keys.py skips the height walk of the root's first part when the
    screen is full: that part must be the one holding the message and the
    input (the one that grows), the bottom toolbar outside it."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.layout import Window
    from prompt_toolkit.layout.layout import walk
    from prompt_toolkit.output import DummyOutput
    from prompt_toolkit.shortcuts import PromptSession

    with create_pipe_input() as pipe:
        session = PromptSession("› ", input=pipe, output=DummyOutput(), bottom_toolbar="toolbar")
        root = session.layout.container
        first = list(walk(root.children[0]))
        assert session.layout.current_window in first
        toolbars = [c for c in walk(root) if isinstance(c, Window) and c.style == "class:bottom-toolbar"]
        assert toolbars and not any(toolbar in first for toolbar in toolbars)


def test_prompt_toolkit_history_keeps_its_strings_newest_first():
    """repl/history.py walks ``_loaded_strings`` for the dimmed suggestion (with a fallback)."""
    from prompt_toolkit.history import InMemoryHistory

    history = InMemoryHistory()
    history.append_string("old")
    history.append_string("new")
    assert history._loaded_strings[:2] == ["new", "old"]


def test_rich_renders_a_console_buffer_through_one_method():
    """ui/consoles.py overrides ``Console._render_buffer`` to drop trailing blanks in files."""
    from rich.console import Console

    assert callable(Console._render_buffer)
    assert list(inspect.signature(Console._render_buffer).parameters) == ["self", "buffer"]


def test_rich_markdown_renders_what_is_in_parsed():
    """ui/markdown_render.py fills ``Markdown.parsed`` from one shared parser (and rewrites its links)."""
    import io

    from rich.console import Console
    from rich.markdown import Markdown

    md = Markdown("# old")
    md.parsed = Markdown("**new**").parsed
    out = io.StringIO()
    Console(file=out, width=40, color_system=None).print(md)
    assert "new" in out.getvalue() and "old" not in out.getvalue()


def test_httpx_sse_decoders_are_where_clients_sse_takes_them():
    from httpx_sse._decoders import SSEDecoder, SSELineDecoder

    assert callable(SSELineDecoder().decode) and callable(SSEDecoder().decode)


def test_prompt_toolkit_looks_up_the_resize_handler_on_the_app_that_reflow_replaces():
    """repl/reflow.py replaces ``app._on_resize`` on the instance before the app
    runs: prompt_toolkit must still call it through ``self`` (the SIGWINCH
    handler and the size polling), and take no argument."""
    import prompt_toolkit.application.application as module
    from prompt_toolkit.application import Application

    assert inspect.signature(Application._on_resize).parameters.keys() == {"self"}
    source = inspect.getsource(module)
    assert "attach_winch_signal_handler(self._on_resize)" in source and "self._on_resize()" in source


def test_prompt_toolkit_renderer_keeps_what_keys_and_reflow_read():
    """repl/keys.py reads the renderer's rows below the cursor and wraps the
    layout root's ``preferred_height``; repl/reflow.py reads the last screen and
    the cursor it drew."""
    from prompt_toolkit.layout.containers import Container
    from prompt_toolkit.output import DummyOutput
    from prompt_toolkit.renderer import Renderer
    from prompt_toolkit.styles import Style

    renderer = Renderer(Style([]), DummyOutput(), full_screen=False)
    for name in ("_min_available_height", "_last_screen", "_cursor_pos", "_style_string_has_style"):
        assert hasattr(renderer, name), name
    assert list(inspect.signature(Container.preferred_height).parameters) == ["self", "width", "max_available_height"]


def test_uvicorn_server_has_the_loop_the_simulator_wakes():
    """sim/runner.py's server replaces uvicorn's polling ``main_loop`` (it
    calls ``on_tick(counter)``, which says when to stop) and wakes it from
    ``handle_exit(sig, frame)``, the signal handler."""
    import uvicorn

    assert inspect.iscoroutinefunction(uvicorn.Server.main_loop)
    assert list(inspect.signature(uvicorn.Server.on_tick).parameters) == ["self", "counter"]
    assert list(inspect.signature(uvicorn.Server.handle_exit).parameters) == ["self", "sig", "frame"]
    assert "should_exit" in inspect.getsource(uvicorn.Server.on_tick)
