"""Ctrl-C in a real terminal (a pseudo-terminal driving the real binary):
the export asks, then cancels the render on the simulator, exit 130."""

from __future__ import annotations

import os
import re
import sys

import pytest

from nemochat.cli import main

pexpect = pytest.importorskip("pexpect")


def _spawn_export(sim, out):
    env = {**os.environ, "NEMOCHAT_OUTPUT_DIR": str(out), "COLUMNS": "120",
           # A long first wait: Ctrl-C surely lands while we wait for the render.
           "NEMOCHAT_EXPORT_FIRST_POLL": "120", "NEMOCHAT_EXPORT_MAX_POLL": "120"}
    return pexpect.spawn(sys.executable, ["-m", "nemochat", "--api-base", sim.base_url, "export"],
                         env=env, encoding="utf-8", timeout=30)


@pytest.mark.parametrize(("answer", "status"), [("y", "cancelled"), ("n", "pending")])
def test_ctrl_c_asks_then_cancels_or_leaves_it(sim, out, world, capsys, answer, status):
    assert main(["--api-base", sim.base_url, "ask", "make a 10s rainy Tokyo clip"]) == 0
    capsys.readouterr()
    child = _spawn_export(sim, out)
    child.expect("Rendering your video")
    [submitted] = [r for r in world.requests_to("/api/render/proxy/lambda") if r.method == "POST"]
    child.sendintr()
    child.expect_exact("Cancel the render on the server? [y/N]")
    child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    render_id = submitted.json["id"]
    assert world.render(render_id).status == status
    if answer == "n":
        shown = re.sub(r"\x1b\[[0-9;]*m", "", child.before)  # colors off; a long line may wrap:
        assert f"nemochat export --render-id {render_id}" in re.sub(r"\s+", " ", shown)
    assert list(out.iterdir()) == []
