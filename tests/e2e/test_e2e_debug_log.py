"""`nemochat --debug` in the REPL says where its debug log is."""

from __future__ import annotations

from pathlib import Path


def test_the_repl_with_debug_says_where_its_log_is(spawn, sim, term_env):
    term = spawn("--debug", "--api-base", sim.base_url)
    term.expect(r"Debug log: ")
    term.expect(r"Ready")
    path = Path(term_env["XDG_STATE_HOME"]) / "nemochat" / "logs" / "debug.log"
    assert str(path) in "".join(term.text().split())  # (a long path may wrap on the screen)
    assert path.is_file() and "HTTP Request" in path.read_text(encoding="utf-8")
