"""The demo is one world: what a one-shot `--demo ask`
made is there for `--demo status` and for the next `nemochat --demo`, which
resumes the same session (its port changes every run, its sessions don't)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(120)
NEMOCHAT = str(Path(sys.executable).with_name("nemochat"))  # as conftest.py runs it


@pytest.fixture
def one_shot(term_env, tmp_path, zygotes):
    """``one_shot(*args)``: `nemochat --demo ARGS` in another terminal, its output to pipes
    (a process forked from the zygote, as the REPL's are: see pty_zygote.py)."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return zygotes.run(NEMOCHAT, ["--demo", *args], env={**term_env, "NEMOCHAT_SIM_TIME_SCALE": "0", "NEMOCHAT_EXPORT_FIRST_POLL": "0.05"},
                           cwd=str(tmp_path / "work"), timeout=60)

    return run


def test_the_demo_remembers_across_one_shots_and_restarts(spawn, one_shot):
    made = one_shot("ask", "make a 10s rainy Tokyo clip")
    assert made.returncode == 0, made.stderr
    # the demo says it is one, and shows no link that would lead anywhere real
    assert "(demo: a simulator on this machine" in made.stderr and "claim" not in made.stderr + made.stdout
    status = one_shot("status")
    assert "Video: rainy Tokyo (0-10s)" in status.stdout, status.stdout + status.stderr
    asked = one_shot("ask", "what's the status of my video?")  # answered, not generated
    assert "Your video “rainy Tokyo” is done: 10 seconds" in " ".join(asked.stdout.split()), asked.stdout
    assert "Generating" not in asked.stderr

    first = spawn("--demo")
    first.expect(r"Demo: a simulator on this machine plays the agent")
    first.expect(r"Ready: back in project [0-9a-f]{8}")
    first.line("/open")
    first.expect(r"The demo has no web page")
    first.line("/status")
    first.expect(r"Video: rainy Tokyo")
    first.line("/credits")
    first.expect(r"90 available")  # the generation was charged, the question was not
    first.line("/session")
    session_id = first.expect(r"This session: [0-9a-f-]{36}").split()[-1]
    first.line("/quit")
    assert first.exit_status() == 0

    again = spawn("--demo")
    again.expect(r"Ready: back in project " + session_id[:8])
    again.line("/session new")
    again.expect(r"Ready: a new project")
    again.line("/session " + session_id[:8])
    again.expect(r"back in project " + session_id[:8])
    again.line("/status")
    again.expect(r"Video: rainy Tokyo")
    again.line("/sessions")
    again.expect(r"Switch with /session ID")
    again.line("/quit")
    assert again.exit_status() == 0
    assert "claim" not in "".join(first.sink.raw + again.sink.raw)
    listed = set(re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", again.text()))
    assert session_id in listed and len(listed) == 2, listed  # the ask's and `/session new`'s: no session per launch

    # A render is kept too: one run starts it, a later one fetches it again by its id.
    exported = one_shot("--json", "--session", session_id, "export", "-o", "first/")
    render_id = next(json.loads(line)["render_id"] for line in exported.stdout.splitlines() if '"export"' in line)
    again = one_shot("export", "--render-id", render_id, "-o", "second/")
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().endswith(f"second/rainy-Tokyo-{render_id[7:15]}.mp4")



def test_a_one_shot_beside_an_open_demo_chat_is_the_same_world(spawn, one_shot):
    term = spawn("--demo")
    term.expect(r"Ready: a new project")
    made = one_shot("ask", "make a 10s rainy Tokyo clip")  # in another terminal: this session
    assert made.returncode == 0, made.stderr
    term.line("/status")
    term.expect(r"Video: rainy Tokyo")
    term.line("/credits")
    term.expect(r"90 available")
    term.line("/quit")
    assert term.exit_status() == 0
    assert "Credits: 90 available" in one_shot("credits").stdout  # the chat's save kept the charge


SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def test_ask_in_a_terminal_draws_one_spinner_per_line(spawn):
    """`ask` on a terminal showed "⠼ ⠋ Generating video": two spinners."""
    term = spawn("--demo", "ask", "make a 10s rainy Tokyo clip", env={"NEMOCHAT_SIM_TIME_SCALE": "0.25"})
    assert term.exit_status() == 0
    raw = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", "".join(term.sink.raw))  # the frames, colours left out
    assert re.search(f"[{SPINNER}] Generating video · usually", raw), "the spinner was drawn"
    assert not re.search(f"[{SPINNER}] +[{SPINNER}]", raw)


CLIP = Path(__file__).resolve().parents[2] / "fixtures" / "media" / "clip.mp4"


def test_jobs_are_one_line_each_and_a_running_export_can_be_cancelled(spawn, sim, requests):
    """`/jobs` read "#2 Export export 0% 0:01 rendering"; now one clear
    line, and `/jobs cancel N` stops the export and cancels the render on the server."""
    term = spawn("--api-base", sim.base_url, "--poll-interval", "30")
    term.expect("Ready")
    term.line(f"/upload {CLIP}")
    term.expect(r"Added to your project")
    term.line("/export")
    term.expect(r"Export runs in the background \(job #1\)")
    assert requests.wait_for(lambda: sim.world.requests_to("/api/render/proxy/lambda"))  # the render exists
    term.line("/jobs")
    term.expect(r"#1 Export · (starting|rendering \d+%) · 0:\d\d")
    term.expect(r"/jobs cancel N stops one")
    term.line("/jobs cancel 1")
    term.expect(r"Export stopped \(0:\d\d\)\. Render render_\S+ cancelled on the server")
    [render] = [r for r in sim.world.requests if r.path.endswith("/cancel")]
    assert sim.world.render(render.path.split("/")[-2]).status == "cancelled"
    term.line("/jobs")
    term.expect(r"#1 Export · stopped after 0:\d\d · Render render_\S+ cancelled")
    term.line("/jobs cancel 1")
    term.expect(r"Job #1 is not running \(stopped\)")
    term.line("/jobs cancel x")
    term.expect(r"/jobs takes nothing, or: cancel N")


def test_the_chat_in_chinese_speaks_chinese(spawn, one_shot):
    """with --lang zh, what nemochat itself writes is Chinese: tool
    lines and hints, the credits line, /status labels, /help, the job lines."""
    made = one_shot("--lang", "zh", "ask", "生成一段5秒的雨夜东京视频")
    assert "✓ 正在生成视频" in made.stderr and "→ 要导出视频,请运行 nemochat --demo export。" in made.stderr, made.stderr
    assert "Generating" not in made.stderr and "To export" not in made.stderr

    term = spawn("--demo", "--lang", "zh", env={"NEMOCHAT_EXPORT_FIRST_POLL": "0.05"})
    term.expect(r"演示模式")
    term.expect(r"已就绪")
    term.line("/credits")
    term.expect(r"总计 90")
    term.line("/status")
    term.expect(r"3\. 标题: ")
    term.line("/help")
    term.expect(r"不用斜杠也可以")
    term.line("/export")
    term.expect(r"✓ 导出完成")
    term.line("/jobs")
    term.expect(r"#1 导出 · 用时 0:\d\d 完成")
    term.line("/session")
    term.expect(r"当前会话:[0-9a-f-]{36}")
    term.line("/jobz")
    term.expect(r"没有命令 /jobz。你是想用 /jobs 吗\?/help 列出所有命令。")
    text = term.text()
    for chinese in ("积分:可用 90 · 冻结 0 · 总计 90", "1. 视频: ", "2. 背景音乐: Lo-fi", "后台任务(导出、视频)及其进度",
                    "导出在后台运行(任务 #1)"):
        assert chinese in text, chinese
    for english in ("Credits:", "available", "Video:", "background jobs", "runs in the background", "finished"):
        assert english not in text, english


def test_a_demo_killed_with_its_terminal_mid_turn_is_resumed(spawn):
    """Ctrl-D while the agent answers (the quit question is up), then the terminal
    goes away (tmux kill-server: the pty closes, SIGHUP): the next `nemochat --demo`
    is back in the same project, with its recap."""
    first = spawn("--demo")
    first.expect(r"Ready: a new project")
    first.line("/session")
    session_id = first.expect(r"This session: [0-9a-f-]{36}").split()[-1]
    first.line("make a 10s rainy Tokyo clip")
    first.expect(r"Generating video")
    first.type("\x04")
    first.until(lambda: "Quit anyway?" in first.text())
    first.child.close(force=True)  # the pty closes and the process gets SIGHUP, as when tmux is killed
    assert first.child.signalstatus is not None or first.child.exitstatus is not None

    again = spawn("--demo")
    again.expect(r"Ready: back in project " + session_id[:8])
    again.expect(r"Earlier in this session:")
    again.expect(r"you: make a 10s rainy Tokyo clip")
