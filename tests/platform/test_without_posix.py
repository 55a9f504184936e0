"""Windows and macOS: CI runs on Linux, so the POSIX-only calls
are taken away here and the paths a Windows or macOS user takes are run
for real: the first credentials write, the y/N question, the opener, the
folders each system uses."""

from __future__ import annotations

import os
import stat
import sys
import types

import pytest

from nemochat.cli import main


def test_the_first_credentials_write_works_without_os_fchmod(sim, world, isolated_home, monkeypatch, capsys):
    """Windows before Python 3.13 has no os.fchmod: this was "unexpected error: AttributeError"."""
    monkeypatch.delattr(os, "fchmod")
    code = main(["credits", "--api-base", sim.base_url])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "available" in captured.out
    from nemochat.settings import Paths

    paths = Paths.default()
    for written in (paths.config / "token.json", paths.nemovideo_config / "client_id"):
        assert written.is_file()
        assert stat.S_IMODE(written.stat().st_mode) == 0o600  # chmod by name after the write


def test_config_set_works_without_os_fchmod(isolated_home, monkeypatch, capsys):
    monkeypatch.delattr(os, "fchmod")
    assert main(["config", "set", "lang", "zh"]) == 0
    assert main(["config", "show"]) == 0
    assert "lang" in capsys.readouterr().out


def test_the_spending_question_needs_no_termios(monkeypatch):
    """Without termios (Windows) a terminal is taken to be in line mode: the y/N question is asked."""
    from nemochat.commands import common

    monkeypatch.setitem(sys.modules, "termios", None)  # `import termios` raises ImportError
    monkeypatch.setattr(common.sys, "stdin", types.SimpleNamespace(isatty=lambda: True, fileno=lambda: 0))
    monkeypatch.setattr(common.sys, "stderr", types.SimpleNamespace(isatty=lambda: True))
    assert common._terminal_in_raw_mode() is False
    assert common.tty_confirm() is not None


def test_the_opener_on_windows_is_os_startfile(monkeypatch):
    from nemochat.app import opener

    opened: list[str] = []
    fake_os = types.SimpleNamespace(name="nt", environ={}, startfile=opened.append)
    monkeypatch.setattr(opener, "os", fake_os)
    assert opener.has_display() is True
    assert opener.system_open(r"C:\Users\me\Videos\clip.mp4") is True
    assert opened == [r"C:\Users\me\Videos\clip.mp4"]


def test_the_opener_on_macos_is_open(monkeypatch, tmp_path):
    from nemochat.app import opener

    launched: list[list[str]] = []
    monkeypatch.setattr(opener, "sys", types.SimpleNamespace(platform="darwin"))
    monkeypatch.setattr(opener.shutil, "which", lambda name: f"/usr/bin/{name}" if name == "open" else None)
    monkeypatch.setattr(opener.subprocess, "Popen", lambda argv, **kw: launched.append(argv))
    assert opener.has_display() is True
    assert opener.system_open(str(tmp_path / "clip.mp4")) is True
    assert launched == [["/usr/bin/open", str(tmp_path / "clip.mp4")]]


def test_sigint_is_caught_where_signal_refuses(monkeypatch):
    """Off the main thread (or where SIGINT cannot be set) the REPL keeps prompt_toolkit's own Ctrl-C."""
    import asyncio

    from nemochat.repl.interrupts import Interrupts

    def refuse(*args):
        raise ValueError("signal only works in main thread")

    monkeypatch.setattr("nemochat.repl.interrupts.signal.signal", refuse)

    async def catch():
        restore = Interrupts._catch_sigint(types.SimpleNamespace())
        restore()

    asyncio.run(catch())


@pytest.mark.parametrize("system", ["macos", "windows"])
def test_the_readme_says_where_each_file_lives(system):
    """The README's table names the folders platformdirs gives on each system."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    expected = {
        "macos": ["~/Library/Application Support/nemochat", "~/Library/Application Support/nemovideo/client_id"],
        "windows": [r"%LOCALAPPDATA%\nemochat\nemochat", r"%LOCALAPPDATA%\nemovideo\nemovideo\client_id"],
    }[system]
    for folder in expected:
        assert folder in readme


def test_platformdirs_gives_the_readmes_windows_folders(monkeypatch):
    import platformdirs.windows as windows

    monkeypatch.setattr(windows, "get_win_folder", lambda csidl: {"CSIDL_LOCAL_APPDATA": "%LOCALAPPDATA%"}[csidl])
    parts = lambda path: path.replace("\\", "/").split("/")  # noqa: E731
    for kind in ("user_config_dir", "user_state_dir", "user_data_dir"):
        assert parts(getattr(windows.Windows("nemochat"), kind)) == ["%LOCALAPPDATA%", "nemochat", "nemochat"]
    assert parts(windows.Windows("nemovideo").user_config_dir) == ["%LOCALAPPDATA%", "nemovideo", "nemovideo"]


def test_platformdirs_gives_the_readmes_macos_folders(monkeypatch):
    from platformdirs.macos import MacOS

    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):  # newer platformdirs honour them on macOS too
        monkeypatch.delenv(var, raising=False)
    home = os.path.expanduser("~")
    assert MacOS("nemochat").user_config_dir == f"{home}/Library/Application Support/nemochat"
    assert MacOS("nemochat").user_state_dir == f"{home}/Library/Application Support/nemochat"
    assert MacOS("nemovideo").user_config_dir == f"{home}/Library/Application Support/nemovideo"
